//! The two message types that cross thread boundaries: commands into the
//! workers, events out of them. Everything here is plain data so the UI can
//! be tested by feeding events without any worker running.

use std::path::PathBuf;

/// What the UI (or a signal handler) asks the workers to do. Workers read
/// these only at step boundaries.
#[derive(Debug, Clone, PartialEq)]
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

/// Metrics of one optimisation step.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepMetrics {
    pub step: u64,
    pub samples: u64,
    pub loss: f32,
    /// Fraction of the batch classified correctly.
    pub accuracy: f32,
    pub samples_per_s: f64,
    pub lr: f64,
    pub batch: usize,
    pub elapsed_s: f64,
}

/// Monte Carlo error count on one sphere with an exact (Clopper-Pearson)
/// 95% interval. With zero errors `lo` is 0 and `hi` is the one-sided bound.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RateEstimate {
    pub errors: u64,
    pub samples: u64,
    pub rate: f64,
    pub lo: f64,
    pub hi: f64,
}

impl RateEstimate {
    /// True when no error has been seen: only an upper bound is known.
    pub fn upper_bound_only(&self) -> bool {
        self.errors == 0
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ErrorEstimate {
    /// Version of the published model these counts belong to.
    pub version: u64,
    pub step: u64,
    pub inner: RateEstimate,
    pub outer: RateEstimate,
    pub samples_per_s: f64,
}

/// Result of a batch of first-error manifold attacks (the d(E) estimate).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NearestError {
    pub version: u64,
    pub step: u64,
    pub starts: usize,
    /// Starts where an error was found within the step budget.
    pub found: usize,
    /// Mean Euclidean distance to the nearest error over the starts where one
    /// was found. When `found < starts` the true d(E) is larger than this
    /// average of found distances would suggest only if the missing ones are
    /// far; the UI marks it as a lower bound.
    pub mean_distance: f64,
    pub distances: Vec<f64>,
    /// Error rate used for the bound (inner sphere estimate).
    pub mu: f64,
    /// Phi^{-1}(1 - mu) / sqrt(n).
    pub bound_optimal: f64,
    /// Exact average Euclidean distance to a cap of measure mu.
    pub bound_cap: f64,
    pub searches_per_s: f64,
}

/// Analysis of a quadratic net's decision ellipsoid.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QuadReport {
    pub version: u64,
    pub step: u64,
    pub alphas: Vec<f64>,
    /// Alphas below 1/R^2 (errors on the outer sphere).
    pub bad_low: usize,
    /// Alphas above 1 (errors on the inner sphere).
    pub bad_high: usize,
    pub inner_exact: f64,
    pub outer_exact: f64,
    pub inner_clt: f64,
    pub outer_clt: f64,
}

/// A 2-D slice of input space through a sphere point: `inner[r][c]` is true
/// where the model says "inner" at `center + u * xs[c] + v * ys[r]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecisionSlice {
    pub version: u64,
    /// "random/random", "random/adversarial" or "adversarial/adversarial".
    pub kind: String,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub inner: Vec<Vec<bool>>,
    /// Coordinates of the two spheres' and the max-margin circle's
    /// intersections with the plane are derived from these radii.
    pub radius: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorstCase {
    pub version: u64,
    pub step: u64,
    /// Mean loss over the attack's starting points after a worst-case
    /// manifold attack.
    pub worst_loss: f64,
    /// Mean loss over the same points before the attack.
    pub mean_loss: f64,
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
    /// Step the run starts from (non-zero after a resume).
    pub start_step: u64,
    pub train_threads: usize,
    pub eval_threads: usize,
    pub controls: Vec<Control>,
    /// The bound curves on a log grid of mu, for the geometry scatter.
    pub bound_curve: Vec<BoundPoint>,
}

/// Run state as shown in the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunState {
    Running,
    Paused,
    /// A non-finite loss or weight stopped training.
    Diverged,
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Step(StepMetrics),
    Estimate(ErrorEstimate),
    Nearest(NearestError),
    Quad(QuadReport),
    Slice(DecisionSlice),
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
    /// Worst-case (manifold attack) vs average loss of the published model,
    /// the quantity tracked while training from a perfect initialisation.
    WorstCase(WorstCase),
    State(RunState),
    Warning(String),
    Error(String),
}
