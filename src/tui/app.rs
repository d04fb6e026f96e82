//! Dashboard state and how worker events change it.

use crate::attack::{DecisionSlice, McEstimate};
use crate::data::Sphere;
use crate::measure::DistanceReading;
use crate::session::messages::{Event, QuadReport, RunInfo, RunState, Stamped, StepMetrics};

use super::change_log::{Change, ChangeLog};
use super::edit::{EditState, Refusal};
use super::palette::Look;
use super::recent::Recent;
use super::screen::Screen;
use super::series::Series;
use super::smoothing::Smoothing;

/// Points kept for whole-run curves: more than any terminal is wide.
const RUN_POINTS: usize = 1024;
/// Steps kept at full resolution for the recent-loss window.
const RECENT_STEPS: usize = 600;

/// A question on screen that takes the keyboard until answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    SaveBeforeQuit,
}

/// Everything the views draw. Changed only by `update` (worker events) and
/// the key handler, so both are testable without a terminal.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) info: RunInfo,
    pub(crate) look: Look,
    pub(crate) screen: Screen,
    pub(crate) run_state: RunState,
    pub(crate) latest: Option<StepMetrics>,
    /// (step, loss) over the whole run, decimated.
    pub(crate) loss: Series,
    /// (step, loss) of the latest steps at full resolution.
    pub(crate) recent_loss: Recent<(f64, f64)>,
    /// (step, samples/s), decimated.
    pub(crate) throughput: Series,
    pub(crate) estimate: Option<Stamped<McEstimate>>,
    pub(crate) nearest: Option<Stamped<DistanceReading>>,
    /// (log10 mu, d(E)) for every nearest-error search of the run.
    pub(crate) tradeoff: Series,
    pub(crate) quad: Option<Stamped<QuadReport>>,
    pub(crate) slice: Option<Stamped<DecisionSlice>>,
    /// (step, loss) after a worst-case manifold attack and before it.
    pub(crate) worst_loss: Series,
    pub(crate) mean_loss: Series,
    pub(crate) model_version: Option<u64>,
    pub(crate) smoothing: Smoothing,
    pub(crate) log_scale: bool,
    pub(crate) edit: EditState,
    pub(crate) changes: ChangeLog,
    pub(crate) warning: Option<String>,
    pub(crate) error: Option<String>,
    /// Short feedback on the last action (snapshot saved, edit sent...).
    pub(crate) notice: Option<String>,
    pub(crate) saved_step: u64,
    pub(crate) prompt: Option<Prompt>,
    /// Stop was sent; waiting for the workers to exit.
    pub(crate) stopping: bool,
    /// The worker event channel closed.
    pub(crate) workers_gone: bool,
    /// Leave now without waiting for anything.
    pub(crate) exit_now: bool,
    /// Terminal size, for mapping mouse clicks to what was drawn there.
    pub(crate) size: (u16, u16),
    dirty: bool,
}

impl App {
    pub fn new(info: RunInfo) -> Self {
        Self::with_look(info, Look::default())
    }

    pub fn with_look(info: RunInfo, look: Look) -> Self {
        let saved_step = info.start_step;
        Self {
            info,
            look,
            screen: Screen::Overview,
            run_state: RunState::Running,
            latest: None,
            loss: Series::new(RUN_POINTS),
            recent_loss: Recent::new(RECENT_STEPS),
            throughput: Series::new(RUN_POINTS),
            estimate: None,
            nearest: None,
            tradeoff: Series::new(RUN_POINTS),
            quad: None,
            slice: None,
            worst_loss: Series::new(RUN_POINTS),
            mean_loss: Series::new(RUN_POINTS),
            model_version: None,
            smoothing: Smoothing::default(),
            log_scale: true,
            edit: EditState::default(),
            changes: ChangeLog::default(),
            warning: None,
            error: None,
            notice: None,
            saved_step,
            prompt: None,
            stopping: false,
            workers_gone: false,
            exit_now: false,
            size: (80, 24),
            dirty: true,
        }
    }

    pub fn update(&mut self, event: Event) {
        match event {
            Event::StepMetrics(m) => self.on_step(m),
            Event::ErrorEstimate(e) => self.estimate = Some(e),
            Event::NearestError(n) => self.on_nearest(n),
            Event::QuadReport(q) => self.quad = Some(q),
            Event::DecisionSlice(s) => self.slice = Some(s),
            Event::WorstCase(w) => {
                self.worst_loss.push(w.step as f64, w.value.worst_loss);
                self.mean_loss.push(w.step as f64, w.value.mean_loss);
            }
            Event::Published { version, .. } => self.model_version = Some(version),
            Event::Saved { path, step } => {
                self.saved_step = self.saved_step.max(step);
                self.notice = Some(format!("saved step {step} to {}", path.display()));
            }
            Event::Applied { key, value, step } => self.on_applied(key, value, step),
            Event::Refused { key, value, reason } => {
                self.edit.pending = None;
                self.notice = None;
                self.edit.refusal = Some(Refusal { key, value, reason });
            }
            Event::State { state } => self.run_state = state,
            Event::Warning { message } => self.warning = Some(message),
            Event::Error { message } => self.error = Some(message),
            Event::Notice { message } => self.notice = Some(message),
            // Not drawn by the dashboard yet; the log keeps them.
            Event::RunStarted(_) | Event::Rates(_) | Event::Robustness(_) => {}
        }
        self.dirty = true;
    }

    fn on_step(&mut self, m: StepMetrics) {
        let step = m.step as f64;
        let loss = f64::from(m.loss);
        self.loss.push(step, loss);
        if loss.is_finite() {
            self.recent_loss.push((step, loss));
        }
        self.throughput.push(step, m.samples_per_s);
        self.latest = Some(m);
    }

    fn on_nearest(&mut self, n: Stamped<DistanceReading>) {
        // The panels show the inner sphere; outer readings are logged.
        if n.value.nearest.sphere != Sphere::Inner {
            return;
        }
        let mu = n.value.mu.map(|m| m.rate).filter(|r| r.mu > 0.0);
        if let (Some(mu), Some(d)) = (mu, n.value.mean()) {
            self.tradeoff.push(mu.log10(), d);
        }
        self.nearest = Some(n);
    }

    fn on_applied(&mut self, key: String, value: String, step: u64) {
        if let Some(control) = self.info.controls.iter_mut().find(|c| c.key == key) {
            let old = std::mem::replace(&mut control.value, value.clone());
            self.changes.push(Change {
                step,
                key: key.clone(),
                old,
                new: value.clone(),
            });
        }
        // The core split is shown in the status line, not only in Controls.
        let threads = value.parse::<usize>().ok();
        match (key.as_str(), threads) {
            ("train.threads", Some(t)) => self.info.train_threads = t,
            ("eval.threads", Some(t)) => self.info.eval_threads = t,
            _ => {}
        }
        if self.edit.pending.as_ref().is_some_and(|(k, _)| *k == key) {
            self.edit.pending = None;
        }
        if self.edit.refusal.as_ref().is_some_and(|r| r.key == key) {
            self.edit.refusal = None;
        }
        self.notice = Some(format!("applied {key} = {value} at step {step}"));
    }

    /// The worker event channel closed: nothing more will arrive.
    pub fn workers_exited(&mut self) {
        self.workers_gone = true;
        self.dirty = true;
    }

    pub fn current_step(&self) -> u64 {
        self.latest.map_or(self.info.start_step, |m| m.step)
    }

    /// Steps trained since the last snapshot on disk.
    pub fn unsaved_steps(&self) -> u64 {
        self.current_step().saturating_sub(self.saved_step)
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        self.dirty = true;
    }

    /// Leave without waiting for the workers (a second signal, a second q).
    pub fn exit_now(&mut self) {
        self.exit_now = true;
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    pub fn mark_drawn(&mut self) {
        self.dirty = false;
    }

    /// Stop was sent and the dashboard only waits for the workers.
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    /// The dashboard should return immediately.
    pub fn should_exit(&self) -> bool {
        self.exit_now || (self.stopping && self.workers_gone)
    }

    /// A signal asked to stop: save without asking.
    pub fn begin_stop(&mut self) {
        self.prompt = None;
        self.stopping = true;
        self.dirty = true;
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    pub fn run_state(&self) -> RunState {
        self.run_state
    }

    /// Estimated seconds to the last step at the current pace.
    pub fn eta_seconds(&self) -> Option<f64> {
        let m = self.latest?;
        let remaining = self.info.total_steps.saturating_sub(m.step) as f64;
        let steps_per_s = m.samples_per_s / m.batch.max(1) as f64;
        (steps_per_s > 0.0).then(|| remaining / steps_per_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{run_info, step};
    use std::path::PathBuf;

    #[test]
    fn a_million_steps_keep_memory_bounded() {
        let mut app = App::new(run_info("relu"));
        for i in 1..=1_000_000u64 {
            app.update(Event::StepMetrics(step(i, 0.7 / (1.0 + i as f32 * 1e-3))));
        }
        assert!(app.loss.len() <= RUN_POINTS);
        assert!(app.throughput.len() <= RUN_POINTS);
        assert_eq!(app.recent_loss.len(), RECENT_STEPS);
        assert_eq!(app.recent_loss.last().unwrap().0, 1_000_000.0);
        assert_eq!(app.current_step(), 1_000_000);
    }

    #[test]
    fn saved_clears_unsaved_progress() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::StepMetrics(step(500, 0.3)));
        assert_eq!(app.unsaved_steps(), 500);
        app.update(Event::Saved {
            path: PathBuf::from("runs/a/snapshots/000000500.snap"),
            step: 500,
        });
        assert_eq!(app.unsaved_steps(), 0);
        assert!(app.notice.as_deref().unwrap().contains("000000500.snap"));
    }

    #[test]
    fn applied_updates_value_and_logs_the_change() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::Applied {
            key: "train.lr".into(),
            value: "3e-4".into(),
            step: 1200,
        });
        let lr = app
            .info
            .controls
            .iter()
            .find(|c| c.key == "train.lr")
            .unwrap();
        assert_eq!(lr.value, "3e-4");
        let first = app.changes.newest().next().unwrap().to_string();
        assert_eq!(first, "step 1200: train.lr 1e-4 -> 3e-4");
    }

    #[test]
    fn applied_core_split_updates_the_status() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::Applied {
            key: "eval.threads".into(),
            value: "2".into(),
            step: 10,
        });
        assert_eq!(app.info.eval_threads, 2);
    }

    #[test]
    fn refused_keeps_the_value_and_records_the_reason() {
        let mut app = App::new(run_info("relu"));
        app.edit.pending = Some(("train.lr".into(), "-1".into()));
        app.update(Event::Refused {
            key: "train.lr".into(),
            value: "-1".into(),
            reason: "must be positive".into(),
        });
        let lr = app
            .info
            .controls
            .iter()
            .find(|c| c.key == "train.lr")
            .unwrap();
        assert_eq!(lr.value, "1e-4");
        assert_eq!(app.edit.pending, None);
        assert_eq!(
            app.edit.refusal.as_ref().unwrap().reason,
            "must be positive"
        );
        assert!(app.changes.is_empty());
    }

    #[test]
    fn state_events_and_dirty_flag() {
        let mut app = App::new(run_info("relu"));
        app.mark_drawn();
        assert!(!app.is_dirty());
        app.update(Event::State {
            state: RunState::Paused,
        });
        assert_eq!(app.run_state(), RunState::Paused);
        assert!(app.is_dirty());
    }

    #[test]
    fn nearest_without_errors_found_adds_no_scatter_point() {
        let mut app = App::new(run_info("relu"));
        let mut n = crate::tui::fixtures::nearest(50, 0);
        app.update(Event::NearestError(n.clone()));
        assert!(app.tradeoff.is_empty());
        n.value.nearest.found = 40;
        n.value.nearest.mean_distance = 0.1;
        app.update(Event::NearestError(n));
        assert_eq!(app.tradeoff.len(), 1);
    }
}
