//! d(E), the mean distance from an inner-sphere point to the nearest error,
//! estimated with the first-error manifold attack and set against the
//! isoperimetric bound at the model's error rate.
//!
//! Which way the estimate errs. Every distance the attack reports leads to
//! a real error, so it is at least that start's true nearest-error distance:
//! with every start found, the mean over-estimates d(E) (up to sampling
//! error over starts), and it is exact for a cap, where the attack walks the
//! geodesic to the cap. A start the attack does not finish counts as farther
//! than the attack reaches, i.e. infinite in the attack's own estimate, so
//! with unfound starts the mean over found starts is a lower bound on that
//! estimate and should be shown as one, beside the unfound fraction. Against
//! the true d(E) it is then no bound either way: found distances err high,
//! dropping the unfound ones errs low.

use std::time::Instant;

use ndarray::Array2;

use super::error::AttackError;
use super::manifold::{ManifoldParams, Mode, manifold_attack};
use crate::data::fill_direction;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::stats::cap::{cap_distance_euclidean, optimal_estimated};

/// Result of a batch of first-error manifold attacks (the d(E) estimate).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NearestError {
    pub starts: usize,
    /// Starts where an error was found within the step budget.
    pub found: usize,
    /// Mean Euclidean distance to the nearest error over the starts where one
    /// was found. When `found < starts` the true d(E) is larger than this
    /// average of found distances would suggest only if the missing ones are
    /// far; the UI marks it as a lower bound.
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub mean_distance: f64,
    pub distances: Vec<f64>,
    /// Error rate used for the bound (inner sphere estimate).
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub mu: f64,
    /// Phi^{-1}(1 - mu) / sqrt(n).
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub bound_optimal: f64,
    /// Exact average Euclidean distance to a cap of measure mu.
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub bound_cap: f64,
    pub searches_per_s: f64,
}

/// `starts` points of the inner sphere, point i from `Stream::Attack` index i.
pub fn inner_starts(seed: u64, n: usize, starts: usize) -> Array2<f32> {
    let mut x = Array2::zeros((starts, n));
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let mut rng = rng_for(seed, Stream::Attack, i as u64);
        fill_direction(&mut rng, row.as_slice_mut().expect("contiguous"));
    }
    x
}

/// Runs the first-error attack (whatever `params.mode` says) from `starts`
/// inner points. `mu` is the inner error rate the bound is evaluated at,
/// usually the Monte Carlo estimate; outside (0, 1) the bounds are NaN.
#[allow(clippy::too_many_arguments)]
pub fn nearest_error(
    model: &Model,
    seed: u64,
    starts: usize,
    mu: f64,
    params: &ManifoldParams,
    threads: usize,
) -> Result<NearestError, AttackError> {
    let n = model.dim();
    if starts == 0 {
        return Err(AttackError::Param("need at least one start".into()));
    }
    let params = ManifoldParams {
        mode: Mode::FirstError,
        ..*params
    };
    let x = inner_starts(seed, n, starts);
    let labels = vec![0.0; starts];
    let started = Instant::now();
    let outcomes = manifold_attack(model, x.view(), &labels, &params, threads)?;
    let elapsed = started.elapsed().as_secs_f64();
    let distances: Vec<f64> = outcomes
        .iter()
        .filter(|o| o.misclassified)
        .map(|o| o.distance)
        .collect();
    let found = distances.len();
    let mean_distance = if found > 0 {
        distances.iter().sum::<f64>() / found as f64
    } else {
        f64::NAN
    };
    Ok(NearestError {
        starts,
        found,
        mean_distance,
        distances,
        mu,
        bound_optimal: optimal_estimated(n, mu).unwrap_or(f64::NAN),
        bound_cap: cap_distance_euclidean(n, mu).unwrap_or(f64::NAN),
        searches_per_s: if elapsed > 0.0 {
            starts as f64 / elapsed
        } else {
            0.0
        },
    })
}

/// Fraction of starts where the attack ended (budget spent or stuck at a
/// radial gradient) without reaching an error.
pub fn unfound_fraction(e: &NearestError) -> f64 {
    if e.starts == 0 {
        return 0.0;
    }
    (e.starts - e.found.min(e.starts)) as f64 / e.starts as f64
}
