//! Plain progress lines for runs without a terminal (nohup, CI, a cluster
//! scheduler): one line every few seconds, then a summary.

use std::time::{Duration, Instant};

use crate::session::messages::{Event, RunState, StepMetrics};
use crate::tui::format::duration;

/// One progress line: step, samples, loss, accuracy, throughput, ETA.
pub fn progress_line(m: &StepMetrics, total_steps: u64, steps_per_s: f64) -> String {
    let remaining = total_steps.saturating_sub(m.step);
    let eta = if remaining == 0 {
        0.0
    } else {
        remaining as f64 / steps_per_s
    };
    format!(
        "step {:>9}/{}  samples {:>11}  loss {:.4e}  acc {:6.2}%  {:>7.0} samples/s  elapsed {}  ETA {}",
        m.step,
        total_steps,
        m.samples,
        m.loss,
        100.0 * m.accuracy,
        m.samples_per_s,
        duration(m.elapsed_s),
        duration(eta),
    )
}

/// Prints what a headless user needs from the event stream; returns when
/// the trainer has finished or stopped.
pub struct Reporter {
    pub total_steps: u64,
    pub every: Duration,
    last_print: Option<Instant>,
    latest: Option<StepMetrics>,
    first: Option<(u64, Instant)>,
}

impl Reporter {
    pub fn new(total_steps: u64, every: Duration) -> Self {
        Self {
            total_steps,
            every,
            last_print: None,
            latest: None,
            first: None,
        }
    }

    /// Handles one event; returns a line to print, if any.
    pub fn event(&mut self, e: &Event) -> Option<String> {
        match e {
            Event::StepMetrics(m) => {
                self.latest = Some(*m);
                let first = *self.first.get_or_insert((m.step, Instant::now()));
                if self.last_print.is_none_or(|t| t.elapsed() >= self.every) {
                    self.last_print = Some(Instant::now());
                    let secs = first.1.elapsed().as_secs_f64();
                    let rate = if secs > 0.5 {
                        (m.step - first.0) as f64 / secs
                    } else {
                        f64::NAN
                    };
                    let rate = if rate.is_finite() && rate > 0.0 {
                        rate
                    } else {
                        m.samples_per_s / m.batch as f64
                    };
                    return Some(progress_line(m, self.total_steps, rate));
                }
                None
            }
            Event::Saved { path, step } => Some(format!("saved step {step} to {}", path.display())),
            Event::Applied { key, value, step } => Some(format!("step {step}: {key} = {value}")),
            Event::Refused { key, value, reason } => {
                Some(format!("refused {key} = {value}: {reason}"))
            }
            Event::Warning { message } => Some(format!("warning: {message}")),
            Event::Error { message } => Some(format!("error: {message}")),
            Event::Notice { message } => Some(message.clone()),
            Event::State {
                state: RunState::Diverged,
            } => Some("training diverged; stopping".into()),
            Event::ErrorEstimate(e) => {
                let est = &e.value;
                Some(format!(
                    "estimate at step {}: inner {}/{} errors, outer {}/{} ({:.0} samples/s)",
                    e.step,
                    est.inner.errors,
                    est.inner.samples,
                    est.outer.errors,
                    est.outer.samples,
                    est.samples_per_s
                ))
            }
            Event::NearestError(e) => {
                let r = &e.value;
                let d = r
                    .mean()
                    .map_or_else(|| "none".into(), |d| format!("{d:.4}"));
                let bound = match (r.bound, r.mu) {
                    (Some(b), Some(m)) => format!(
                        "cap bound {:.4} at mu {:.2e} ({})",
                        b.cap,
                        m.rate.mu,
                        m.source.describe()
                    ),
                    _ => "no bound".into(),
                };
                Some(format!(
                    "d(E) {} at step {}: {d} ({}; {bound})",
                    r.nearest.sphere.name(),
                    e.step,
                    r.label()
                ))
            }
            _ => None,
        }
    }

    pub fn latest(&self) -> Option<&StepMetrics> {
        self.latest.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(step: u64) -> StepMetrics {
        StepMetrics {
            step,
            samples: step * 50,
            loss: 0.0123,
            accuracy: 0.995,
            samples_per_s: 12_345.0,
            lr: 1e-3,
            batch: 50,
            elapsed_s: 75.0,
        }
    }

    #[test]
    fn a_progress_line_holds_step_samples_loss_rate_and_eta() {
        let line = progress_line(&metrics(1000), 4000, 250.0);
        for want in [
            "1000/4000",
            "50000",
            "1.2300e-2",
            "99.50%",
            "12345 samples/s",
            "elapsed 1m15s",
            "ETA 12s",
        ] {
            assert!(line.contains(want), "{want} missing from {line}");
        }
    }

    #[test]
    fn lines_are_rate_limited_but_messages_are_not() {
        let mut r = Reporter::new(100, Duration::from_secs(3600));
        assert!(r.event(&Event::StepMetrics(metrics(1))).is_some());
        assert!(r.event(&Event::StepMetrics(metrics(2))).is_none());
        assert!(r.event(&Event::warning("w")).is_some());
        assert_eq!(r.latest().unwrap().step, 2);
    }
}
