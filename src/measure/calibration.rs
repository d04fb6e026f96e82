//! The attack's bias measured where the answer is known: the cap
//! classifier (`nn::Model::cap`), whose inner error set is the cap
//! {x_1 > t}, so that d(x, E) = 2 sin((theta - theta0)+ / 2) with theta the
//! angle of x to e_1 and theta0 = arccos t. On the same starts the attack's
//! per-start bounds are compared with these exact distances: their mean
//! difference is the attack's bias on this model (no sampling error: both
//! use the same starts).

use serde::{Deserialize, Serialize};

use super::error::MeasureError;
use crate::attack::{Cancel, ManifoldParams, Starts, nearest_error};
use crate::data::Sphere;
use crate::nn::Model;
use crate::stats::cap::{cap_measure, cap_threshold};
use crate::stats::spread::mean_and_se;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The cap's measure (its exact error rate).
    pub mu: f64,
    pub starts: usize,
    pub found: usize,
    /// The attack's d(E) (mean of per-start upper bounds) and its standard
    /// error over starts.
    pub attack_mean: f64,
    pub attack_se: f64,
    /// The exact mean of d(x, E) over the same starts.
    pub exact_mean: f64,
    /// (attack - exact) / exact.
    pub bias: f64,
    /// The largest per-start excess of the attack's bound over the exact
    /// distance.
    pub max_excess: f64,
}

/// Exact distance on the unit sphere from a point with first coordinate
/// `x1` to the cap {x_1 > t}.
pub fn cap_distance(x1: f64, t: f64) -> f64 {
    let gap = (x1.clamp(-1.0, 1.0).acos() - t.clamp(-1.0, 1.0).acos()).max(0.0);
    2.0 * (0.5 * gap).sin()
}

/// The attack's bias on a cap of measure about `mu` at dimension `n`.
pub fn calibrate_on_cap(
    n: usize,
    mu: f64,
    starts: Starts,
    params: &ManifoldParams,
    threads: usize,
    cancel: &Cancel,
) -> Result<Calibration, MeasureError> {
    let t = cap_threshold(n, mu)? as f32;
    let mu = cap_measure(n, t as f64)?;
    let model = Model::cap(n, t, starts.outer_radius as f32);
    let starts = Starts {
        sphere: Sphere::Inner,
        ..starts
    };
    let found = nearest_error(&model, starts, params, threads, cancel)?;
    let x = starts.points(n);
    let exact: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| cap_distance(r[0] as f64, t as f64))
        .collect();
    let (exact_mean, _) = mean_and_se(&exact);
    let max_excess = found
        .distances
        .iter()
        .zip(&exact)
        .map(|(a, e)| a - e)
        .fold(f64::NEG_INFINITY, f64::max);
    Ok(Calibration {
        mu,
        starts: found.starts,
        found: found.found,
        attack_mean: found.mean_distance,
        attack_se: found.se,
        exact_mean,
        bias: (found.mean_distance - exact_mean) / exact_mean,
        max_excess,
    })
}
