//! The records a sweep point appends to its metrics log, shared by the
//! writer (`spheres sweep`) and the reader (`spheres report`).

use serde::{Deserialize, Serialize};

use crate::stats::RateEstimate;

/// One measurement of a sweep point: error rate, d(E) and the bound at the
/// same error rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub step: u64,
    /// Sweep model name: "relu", "relu-deep" or "quad".
    pub model: String,
    /// Fixed training-set size, 0 for online data.
    pub train_size: u64,
    pub n: usize,
    /// Monte Carlo inner-sphere error count with its Clopper-Pearson interval.
    pub inner: RateEstimate,
    /// Error rate the bounds are evaluated at: the estimate, or its
    /// one-sided upper bound when no error was seen (`mu_upper_only`).
    pub mu: f64,
    pub mu_upper_only: bool,
    pub starts: usize,
    pub found: usize,
    /// Mean distance to the nearest error over found starts; absent when
    /// the attack found none.
    pub mean_distance: Option<f64>,
    /// Standard error of that mean over starts.
    pub distance_se: Option<f64>,
    /// Distance resolution of the attack (its step after bisection).
    pub resolution: f64,
    pub unfound: f64,
    /// The bounds at `mu`; absent where mu is outside (0, 1).
    pub bound_cap: Option<f64>,
    pub bound_optimal: Option<f64>,
    /// The cap bound at the lower end of the error-rate interval: the
    /// largest bound the data allow (infinite when the interval reaches 0).
    pub bound_cap_at_lo: Option<f64>,
    /// Quadratic nets: alphas outside [1/R^2, 1] and the exact inner error.
    pub bad_alphas: Option<usize>,
    pub exact_inner: Option<f64>,
    /// Quadratic nets: the cap bound at the exact inner error rate, which
    /// is known even where sampling saw no error.
    pub bound_cap_exact: Option<f64>,
    /// Mean training loss since the previous checkpoint.
    pub train_loss: f64,
    /// Training seconds of this point so far.
    pub elapsed_s: f64,
}

/// Worst-case against average loss and the alphas of a quadratic net
/// trained from a perfect initialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerfectInit {
    pub step: u64,
    pub mean_loss: f64,
    pub worst_loss: f64,
    pub bad_low: usize,
    pub bad_high: usize,
    pub exact_inner: f64,
    pub exact_outer: f64,
}

/// What a sweep point appends, tagged so `read_all` can tell them apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum SweepRecord {
    Checkpoint(Box<Checkpoint>),
    PerfectInit(PerfectInit),
}

impl Checkpoint {
    /// How far d(E) may exceed the cap bound before the excess is more than
    /// the estimate's uncertainty: two standard errors over starts plus the
    /// attack's resolution, with the bound taken at the low end of mu.
    /// A quadratic net's exact error rate needs no interval, so its bound
    /// replaces the sampled one where it is known.
    pub fn allowed_distance(&self) -> f64 {
        let sampled = self.bound_cap_at_lo.unwrap_or(f64::INFINITY);
        let bound = self.bound_cap_exact.unwrap_or(sampled);
        bound + 2.0 * self.distance_se.unwrap_or(0.0) + self.resolution
    }

    /// True when d(E) lies above the exact-cap curve by more than its
    /// uncertainty, which the isoperimetric theorem rules out.
    pub fn above_bound(&self) -> bool {
        self.mean_distance
            .is_some_and(|d| d > self.allowed_distance())
    }

    /// d(E) over the cap bound at the recorded mu.
    pub fn ratio(&self) -> Option<f64> {
        let d = self.mean_distance?;
        let bound = self.bound_cap?;
        (bound.is_finite() && bound > 0.0).then(|| d / bound)
    }
}
