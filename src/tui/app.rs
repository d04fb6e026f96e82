//! Dashboard state: the run's description and four sub-states, each with
//! its own update, so that each widget borrows only what it draws.
//!
//! - `Training`: metrics history, run state, saves, the edit log.
//! - `Measures`: the evaluation thread's results and their histories.
//! - `Ui`: screen, drawing options, the edit in progress, messages.
//! - `Lifecycle`: connected, stopping, leaving, read-only.

use crate::config::Config;
use crate::session::messages::{Event, RunInfo, RunState};
use crate::session::run_info::info_from;

use super::change_log::Change;
use super::lifecycle::{Leaving, Lifecycle};
use super::measures::Measures;
use super::palette::Look;
use super::screen::Screen;
use super::training::Training;
use super::ui_state::Ui;

pub use super::ui_state::Prompt;

/// Everything the views draw. Changed only by `update` (run events) and
/// the key handler, so both are testable without a terminal.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) info: RunInfo,
    pub(crate) look: Look,
    pub(crate) training: Training,
    pub(crate) measures: Measures,
    pub(crate) ui: Ui,
    pub(crate) life: Lifecycle,
    dirty: bool,
}

impl App {
    pub fn new(info: RunInfo) -> Self {
        Self::with_look(info, Look::default())
    }

    pub fn with_look(info: RunInfo, look: Look) -> Self {
        Self {
            training: Training::new(info.start_step),
            info,
            look,
            measures: Measures::default(),
            ui: Ui::default(),
            life: Lifecycle::default(),
            dirty: true,
        }
    }

    /// A dashboard that sends no commands.
    pub fn read_only(mut self) -> Self {
        self.life.read_only = true;
        self
    }

    pub fn update(&mut self, event: Event) {
        match &event {
            Event::Applied { key, value, step } => self.on_applied(key, value, *step),
            Event::RunStarted(r) => {
                // Each stretch of training describes itself; a config that
                // does not load keeps the description we had.
                if let Ok(c) = Config::from_toml(&r.config) {
                    self.info = info_from(&c, &r.preset, r.start_step);
                }
            }
            _ => {}
        }
        self.training.update(&event);
        self.measures.update(&event);
        self.ui.update(&event);
        self.dirty = true;
    }

    fn on_applied(&mut self, key: &str, value: &str, step: u64) {
        if let Some(control) = self.info.controls.iter_mut().find(|c| c.key == key) {
            let old = std::mem::replace(&mut control.value, value.to_string());
            self.training.changes.push(Change {
                step,
                key: key.to_string(),
                old,
                new: value.to_string(),
            });
        }
        // The core split is shown in the status line, not only in Controls.
        let parsed = value.parse::<u64>().ok();
        match (key, parsed) {
            ("train.threads", Some(t)) => self.info.train_threads = t as usize,
            ("eval.threads", Some(t)) => self.info.eval_threads = t as usize,
            ("steps", Some(t)) => self.info.total_steps = t,
            _ => {}
        }
    }

    /// The stream of events ended: nothing more will arrive.
    pub fn workers_exited(&mut self) {
        self.life.workers_gone = true;
        self.dirty = true;
    }

    pub fn current_step(&self) -> u64 {
        self.training.current_step()
    }

    pub fn unsaved_steps(&self) -> u64 {
        self.training.unsaved_steps()
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.ui.size = (width, height);
        self.dirty = true;
    }

    /// Leave without waiting for anything (a signal, a second q).
    pub fn exit_now(&mut self) {
        self.life.exit_now = true;
        self.life.left.get_or_insert(Leaving::Detached);
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

    /// Stop was sent and the dashboard only waits for the run to end.
    pub fn is_stopping(&self) -> bool {
        self.life.stopping
    }

    /// The dashboard should return now.
    pub fn should_exit(&self) -> bool {
        self.life.exit_now || (self.life.stopping && self.life.workers_gone)
    }

    /// How the user left (None while the dashboard runs).
    pub fn leaving(&self) -> Option<Leaving> {
        self.life.left
    }

    pub fn screen(&self) -> Screen {
        self.ui.screen
    }

    pub fn run_state(&self) -> RunState {
        self.training.run_state
    }

    pub fn eta_seconds(&self) -> Option<f64> {
        self.training.eta_seconds(self.info.total_steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{run_info, step};
    use crate::tui::training::{RECENT_POINTS, RUN_POINTS};
    use std::path::PathBuf;

    #[test]
    fn a_million_steps_keep_memory_bounded() {
        let mut app = App::new(run_info("relu"));
        for i in 1..=1_000_000u64 {
            app.update(Event::StepMetrics(step(i, 0.7 / (1.0 + i as f32 * 1e-3))));
        }
        let t = &app.training;
        assert!(t.loss.len() <= RUN_POINTS);
        assert!(t.throughput.len() <= RUN_POINTS);
        assert_eq!(t.recent_loss.len(), RECENT_POINTS);
        assert_eq!(t.recent_loss.last().unwrap().0, 1_000_000.0);
        assert_eq!(
            t.loss.points()[0].0,
            1.0,
            "the whole run from its first step"
        );
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
        assert!(app.ui.notice.as_deref().unwrap().contains("000000500.snap"));
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
        let first = app.training.changes.newest().next().unwrap().to_string();
        assert_eq!(first, "step 1200: train.lr 1e-4 -> 3e-4");
    }

    #[test]
    fn applied_core_split_and_step_count_update_the_status() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::Applied {
            key: "eval.threads".into(),
            value: "2".into(),
            step: 10,
        });
        assert_eq!(app.info.eval_threads, 2);
        app.update(Event::Applied {
            key: "steps".into(),
            value: "2000000".into(),
            step: 10,
        });
        assert_eq!(app.info.total_steps, 2_000_000);
    }

    #[test]
    fn refused_keeps_the_value_and_records_the_reason() {
        let mut app = App::new(run_info("relu"));
        app.ui.edit.pending = Some(("train.lr".into(), "-1".into()));
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
        assert_eq!(app.ui.edit.pending, None);
        assert_eq!(
            app.ui.edit.refusal.as_ref().unwrap().reason,
            "must be positive"
        );
        assert!(app.training.changes.is_empty());
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
        assert!(app.measures.tradeoff.is_empty());
        n.value.nearest.found = 40;
        n.value.nearest.mean_distance = 0.1;
        app.update(Event::NearestError(n));
        assert_eq!(app.measures.tradeoff.len(), 1);
    }

    #[test]
    fn a_resume_record_describes_the_run_from_then_on() {
        let mut app = App::new(run_info("relu"));
        let mut c = crate::config::preset("quick").unwrap().config;
        c.steps = 90_000;
        app.update(Event::RunStarted(crate::session::messages::RunStarted {
            preset: "quick".into(),
            config: c.to_toml(),
            start_step: 30_000,
            pid: 1,
            host: "h".into(),
            program: "spheres".into(),
        }));
        assert_eq!(
            (app.info.preset.as_str(), app.info.total_steps),
            ("quick", 90_000)
        );
        assert_eq!((app.info.n, app.training.saved_step), (100, 30_000));
    }
}
