//! What the dashboard knows of the training itself: the metrics history,
//! the run's state, saves and the log of accepted edits.

use crate::session::messages::{Event, RunState, StepMetrics};

use super::change_log::ChangeLog;
use super::recent::Recent;
use super::series::Series;

/// Points kept for whole-run curves: more than any terminal is wide.
pub const RUN_POINTS: usize = 1024;
/// Metric records kept at full resolution for the recent-loss window.
pub const RECENT_POINTS: usize = 600;

#[derive(Debug, Clone)]
pub struct Training {
    pub latest: Option<StepMetrics>,
    /// (step, loss) over the whole run, decimated.
    pub loss: Series,
    /// (step, loss) of the latest records at full resolution.
    pub recent_loss: Recent<(f64, f64)>,
    /// (step, samples/s), decimated.
    pub throughput: Series,
    pub run_state: RunState,
    /// The newest step on disk.
    pub saved_step: u64,
    pub model_version: Option<u64>,
    pub changes: ChangeLog,
    /// Step the current process started from (before any metrics arrive).
    pub start_step: u64,
}

impl Training {
    pub fn new(start_step: u64) -> Self {
        Self {
            latest: None,
            loss: Series::new(RUN_POINTS),
            recent_loss: Recent::new(RECENT_POINTS),
            throughput: Series::new(RUN_POINTS),
            run_state: RunState::Running,
            saved_step: start_step,
            model_version: None,
            changes: ChangeLog::default(),
            start_step,
        }
    }

    pub fn update(&mut self, event: &Event) {
        match event {
            Event::StepMetrics(m) => self.on_step(*m),
            Event::Published { version, .. } => self.note_version(*version),
            // Measurements carry the version they were made on; a client
            // of the socket sees no publications, only these.
            Event::ErrorEstimate(s) => self.note_version(s.version),
            Event::QuadReport(s) => self.note_version(s.version),
            Event::Rates(s) => self.note_version(s.version),
            Event::Saved { step, .. } => self.saved_step = self.saved_step.max(*step),
            Event::State { state } => self.run_state = *state,
            // A resume rewinds nothing: it continues from its snapshot,
            // which is the newest step on disk.
            Event::RunStarted(r) => {
                self.start_step = r.start_step;
                self.saved_step = r.start_step;
            }
            _ => {}
        }
    }

    fn note_version(&mut self, version: u64) {
        self.model_version = Some(self.model_version.map_or(version, |v| v.max(version)));
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

    pub fn current_step(&self) -> u64 {
        self.latest.map_or(self.start_step, |m| m.step)
    }

    /// Steps trained since the last snapshot on disk.
    pub fn unsaved_steps(&self) -> u64 {
        self.current_step().saturating_sub(self.saved_step)
    }

    /// Estimated seconds to `total_steps` at the current pace.
    pub fn eta_seconds(&self, total_steps: u64) -> Option<f64> {
        let m = self.latest?;
        let remaining = total_steps.saturating_sub(m.step) as f64;
        let steps_per_s = m.samples_per_s / m.batch.max(1) as f64;
        (steps_per_s > 0.0).then(|| remaining / steps_per_s)
    }
}
