//! Where a rare-event estimate of the error rate enters the pipeline.
//!
//! The rate choice (`rate::choose`) ranks it after the exact rate and
//! before Monte Carlo. The estimator is adaptive multilevel splitting
//! (`attack::rare`, docs/rare-events.md): seconds to a minute at n = 500,
//! so it runs in the slow cycle, a few repeats per unit
//! (`attack::RareRun`), before d(E), so that d(E) is compared with the
//! bound at the rate it gives.
//!
//! When it runs (`RareWhen`): in the evaluation thread and at sweep
//! checkpoints only on a sphere where Monte Carlo saw no error and no
//! exact rate is known (an exact rate outranks it, and a sampled one with
//! errors is already a rate); on every sphere for `spheres eval --rare`.
//! Its result is recorded whatever its outcome, so an estimate that could
//! not be made says why (`RareOutcome`).

use super::rates::RateReading;
use crate::attack::{RareEstimate, RareOutcome, RareParams};
use crate::data::Sphere;

/// When the pipeline asks for a rare-event estimate on a sphere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RareWhen {
    Never,
    /// Where Monte Carlo sampled points and saw no error, and no exact
    /// rate is known.
    NoSampledError,
    Always,
}

impl RareWhen {
    pub fn wants(self, r: &RateReading) -> bool {
        match self {
            RareWhen::Never => false,
            RareWhen::Always => true,
            RareWhen::NoSampledError => {
                r.exact.is_none() && r.sampled.samples > 0 && r.sampled.errors == 0
            }
        }
    }
}

/// The estimator's settings in the pipeline: its documented defaults.
pub fn params() -> RareParams {
    RareParams::default()
}

/// The seed of a sphere's estimate: the two spheres' particles are drawn
/// from different streams, so their estimates are independent.
pub fn seed(seed: u64, sphere: Sphere) -> u64 {
    match sphere {
        Sphere::Inner => seed,
        Sphere::Outer => seed ^ 0x9e37_79b9_7f4a_7c15,
    }
}

/// A rate where the estimate gives one: its value, with ln kept where the
/// value underflows.
pub fn rate_of(e: &RareEstimate) -> Option<(f64, f64)> {
    match (&e.outcome, e.rate) {
        (RareOutcome::Estimate { .. }, Some(rate)) => {
            Some((rate, e.ln_rate.unwrap_or_else(|| rate.ln())))
        }
        _ => None,
    }
}

/// A 95% upper bound on the rate where the estimate gives only that (it
/// stalled below zero after moves that mixed). Moves that did not mix
/// give nothing, not even a bound.
pub fn bound_of(e: &RareEstimate) -> Option<f64> {
    match e.outcome {
        RareOutcome::Stalled { .. } if e.hi.is_finite() => Some(e.hi),
        _ => None,
    }
}
