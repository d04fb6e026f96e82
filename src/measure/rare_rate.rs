//! Where a rare-event estimate of the error rate enters the pipeline.
//!
//! The rate choice (`rate::choose`) ranks a rare-event estimate after the
//! exact rate and before Monte Carlo. No rare-event estimator is part of
//! this build, so `rare_rates` gives None for both spheres; the adaptive
//! multilevel splitting estimator plugs in here, and only here.

use super::per_sphere::PerSphere;
use crate::nn::Model;

/// What the rate choice needs from a rare-event estimate: a rate when the
/// estimator produced one, and its interval (an upper end alone when it
/// only bounds the rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RareRate {
    pub rate: Option<f64>,
    pub lo: f64,
    pub hi: f64,
}

/// Rare-event estimates of both spheres' error rates (none in this build).
pub fn rare_rates(_model: &Model, _seed: u64, _radius: f64) -> PerSphere<Option<RareRate>> {
    PerSphere::default()
}
