//! The two message types that cross thread and process boundaries: commands
//! into the run, events out of it. Both are plain serde data: an event is
//! exactly one line of `metrics.jsonl` (or, for the live-only ones, one line
//! on a client's socket), so the dashboard, `attach` and `watch` all read
//! the same records, and the UI can be tested by feeding events without any
//! worker running.
//!
//! Measurement results are defined beside the code that computes them
//! (`attack`, `stats`); the session only stamps them with the model version
//! and training step they belong to.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::attack::{DecisionSlice, McEstimate, WorstCase};
use crate::measure::{DistanceReading, Rates, Robustness};

/// What a user (through the dashboard, a socket client or a signal) asks
/// the run to do. Workers read these only at step boundaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd")]
pub enum Command {
    Pause,
    Resume,
    /// Run exactly one step, then stay paused.
    Step,
    /// Change a live hyperparameter; the trainer validates and answers with
    /// `Event::Applied` or `Event::Refused`.
    Set {
        key: String,
        value: String,
    },
    Snapshot,
    Stop {
        save: bool,
    },
}

/// A result of the evaluation thread, with the published model version and
/// training step it was computed on. Flattened, so a record reads
/// `{"kind":"ErrorEstimate","version":3,"step":600,"inner":...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped<T> {
    pub version: u64,
    pub step: u64,
    #[serde(flatten)]
    pub value: T,
}

impl<T> Stamped<T> {
    pub fn new(version: u64, step: u64, value: T) -> Self {
        Self {
            version,
            step,
            value,
        }
    }
}

/// Metrics of the optimisation steps since the previous record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepMetrics {
    pub step: u64,
    pub samples: u64,
    #[serde(deserialize_with = "crate::serde_nan::f32")]
    pub loss: f32,
    /// Fraction of the batch classified correctly.
    pub accuracy: f32,
    pub samples_per_s: f64,
    pub lr: f64,
    pub batch: usize,
    pub elapsed_s: f64,
}

/// Analysis of a quadratic net's decision ellipsoid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuadReport {
    pub alphas: Vec<f64>,
    /// Alphas below 1/R^2 (errors on the outer sphere).
    pub bad_low: usize,
    /// Alphas above 1 (errors on the inner sphere).
    pub bad_high: usize,
    /// Whether [1/R^2, 1] is the zero-error band: only for b < 0. With
    /// b > 0 no alphas give zero error, and the counts above mean nothing.
    /// None in logs written before.
    #[serde(default)]
    pub band_applies: Option<bool>,
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub inner_exact: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub outer_exact: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub inner_clt: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub outer_clt: f64,
    /// The largest loss on each sphere, exact (closed form from the extreme
    /// eigenvalues). None in logs written before.
    #[serde(default)]
    pub worst_loss_inner: Option<f64>,
    #[serde(default)]
    pub worst_loss_outer: Option<f64>,
}

impl From<crate::stats::QuadAnalysis> for QuadReport {
    fn from(a: crate::stats::QuadAnalysis) -> Self {
        QuadReport {
            alphas: a.alphas,
            bad_low: a.bad_low,
            bad_high: a.bad_high,
            band_applies: Some(a.regime == crate::stats::quadnet::Regime::Ellipsoid),
            inner_exact: a.inner_exact,
            outer_exact: a.outer_exact,
            inner_clt: a.inner_clt,
            outer_clt: a.outer_clt,
            worst_loss_inner: a.worst_loss.map(|w| w.inner),
            worst_loss_outer: a.worst_loss.map(|w| w.outer),
        }
    }
}

/// Written at the start of every process that trains the run (the first
/// start and each resume), so a reader of the log alone knows the model,
/// the settings and where this stretch of training began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStarted {
    pub preset: String,
    /// The resolved config as TOML, as `config.toml` holds it.
    pub config: String,
    pub start_step: u64,
    pub pid: u32,
    pub host: String,
    /// The spheres version that wrote the following records.
    pub program: String,
}

/// One live hyperparameter as the Controls screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Config key, e.g. `train.lr`; sent back verbatim in `Command::Set`.
    pub key: String,
    pub value: String,
    pub help: String,
}

/// One point of the isoperimetric bound curves at error rate `mu`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundPoint {
    pub mu: f64,
    /// Phi^{-1}(1 - mu) / sqrt(n): the paper's "optimal (estimated)" curve.
    pub optimal: f64,
    /// Exact average Euclidean distance to a cap of measure mu.
    pub cap: f64,
}

/// What the dashboard knows about a run before any event arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub preset: String,
    /// "relu", "quad" or "cap".
    pub model: String,
    pub n: usize,
    pub radius: f64,
    pub total_steps: u64,
    /// Step the current process started from (non-zero after a resume).
    pub start_step: u64,
    pub train_threads: usize,
    pub eval_threads: usize,
    pub controls: Vec<Control>,
    /// The bound curves on a log grid of mu, for the geometry scatter.
    pub bound_curve: Vec<BoundPoint>,
}

/// Run state as shown in the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunState {
    Running,
    Paused,
    /// A non-finite loss or weight stopped training.
    Diverged,
    Finished,
}

/// Everything the run reports. Variant names are the `kind` of the record
/// in `metrics.jsonl`; `is_logged` tells which ones are written there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Event {
    RunStarted(RunStarted),
    StepMetrics(StepMetrics),
    ErrorEstimate(Stamped<McEstimate>),
    /// d(E) on one sphere (`sphere` says which) with the rate and bounds
    /// it is compared at.
    NearestError(Stamped<DistanceReading>),
    QuadReport(Stamped<QuadReport>),
    DecisionSlice(Stamped<DecisionSlice>),
    /// Worst-case (manifold attack) vs average loss of the published model,
    /// the quantity tracked while training from a perfect initialisation.
    WorstCase(Stamped<WorstCase>),
    /// The trainer published model `version` at `step`.
    Published {
        version: u64,
        step: u64,
    },
    Saved {
        path: PathBuf,
        step: u64,
    },
    Applied {
        key: String,
        value: String,
        step: u64,
    },
    Refused {
        key: String,
        value: String,
        reason: String,
    },
    State {
        state: RunState,
    },
    Warning {
        message: String,
    },
    Error {
        message: String,
    },
    /// Something the people watching should know that is not part of the
    /// run's record (a client was dropped, a command was refused).
    Notice {
        message: String,
    },
    /// Both spheres' rates (sampled, exact where known), the rate chosen
    /// for each and the bounds there: sent at every model publication and
    /// every further Monte Carlo round.
    Rates(Stamped<Rates>),
    /// Off-manifold robustness and the measured corollary curves.
    Robustness(Stamped<Robustness>),
}

impl Event {
    /// Whether the event belongs in `metrics.jsonl`. Publications are
    /// bookkeeping and notices are about the audience, not the run.
    pub fn is_logged(&self) -> bool {
        !matches!(self, Event::Published { .. } | Event::Notice { .. })
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Event::Warning {
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Event::Error {
            message: message.into(),
        }
    }

    pub fn notice(message: impl Into<String>) -> Self {
        Event::Notice {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_records_with_a_kind_and_read_back() {
        let e = Event::Applied {
            key: "train.lr".into(),
            value: "0.01".into(),
            step: 7,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["step"].as_u64()),
            (Some("Applied"), Some(7))
        );
        let m = Event::StepMetrics(StepMetrics {
            step: 3,
            samples: 150,
            loss: 0.5,
            accuracy: 0.9,
            samples_per_s: 1.0,
            lr: 1e-3,
            batch: 50,
            elapsed_s: 1.0,
        });
        let text = serde_json::to_string(&m).unwrap();
        assert!(
            text.starts_with("{\"kind\":\"StepMetrics\",\"step\":3"),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), m);
        assert!(
            !Event::Published {
                version: 1,
                step: 1
            }
            .is_logged()
        );
        assert!(Event::warning("w").is_logged());
    }

    #[test]
    fn no_result_shadows_the_record_kind() {
        // A result field named `kind` would repeat the key once flattened.
        let slice = crate::attack::DecisionSlice {
            kind: crate::attack::SliceKind::RandomAdversarial,
            xs: vec![0.0, 1.0],
            ys: vec![0.0, 1.0],
            inner: vec![vec![true, false], vec![false, true]],
            radius: 1.3,
        };
        let e = Event::DecisionSlice(Stamped::new(2, 40, slice));
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(text.matches("\"kind\":").count(), 1, "{text}");
        assert!(text.contains("\"plane\":\"random/adversarial\""), "{text}");
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), e);
    }

    #[test]
    fn stamped_results_are_flat() {
        let e = Event::WorstCase(Stamped::new(
            4,
            800,
            WorstCase {
                worst_loss: 2.0,
                mean_final_loss: 1.5,
                mean_loss: 0.5,
                worst_loss_inner: Some(2.0),
                worst_loss_outer: None,
                starts: 8,
            },
        ));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["version"], 4);
        assert_eq!(v["worst_loss"], 2.0);
        let back: Event = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn results_logged_before_still_read_and_say_what_they_were() {
        let log = include_str!("../../tests/fixtures/log-v0/metrics.jsonl");
        let mut seen = (0, 0);
        for line in log.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            match v["kind"].as_str() {
                Some("NearestError") => {
                    let Ok(Event::NearestError(n)) = serde_json::from_value(v) else {
                        panic!("unreadable: {line}");
                    };
                    // Averaged over found starts then: labelled as such.
                    assert!(!n.value.nearest.every_start && !n.value.usable());
                    assert!(n.value.label().contains("older record"));
                    seen.0 += 1;
                }
                Some("WorstCase") => {
                    let Ok(Event::WorstCase(w)) = serde_json::from_value(v) else {
                        panic!("unreadable: {line}");
                    };
                    assert_eq!(w.value.starts, 0);
                    seen.1 += 1;
                }
                _ => {}
            }
        }
        assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
    }

    #[test]
    fn commands_travel_as_tagged_objects() {
        let c = Command::Set {
            key: "train.lr".into(),
            value: "3e-4".into(),
        };
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"cmd":"Set","key":"train.lr","value":"3e-4"}"#);
        assert_eq!(serde_json::from_str::<Command>(&text).unwrap(), c);
        let stop: Command = serde_json::from_str(r#"{"cmd":"Stop","save":true}"#).unwrap();
        assert_eq!(stop, Command::Stop { save: true });
        assert!(serde_json::from_str::<Command>(r#"{"cmd":"Explode"}"#).is_err());
    }
}
