//! Error rate under Gaussian noise: sphere points plus N(0, sigma^2 I)
//! noise, sigma per coordinate, classified against the label of the
//! sphere nearest to the noisy point (norm below (1 + R) / 2 is inner).
//!
//! Noise of norm about sigma sqrt(n) moves points off the spheres, so the
//! label of where a point came from stops meaning anything once the noise
//! reaches the margin; the nearest sphere is the max-margin classifier's
//! answer and stays meaningful at any sigma. Point i, its sphere and its
//! noise direction come from `Stream::Noise` item i and are the same for
//! every sigma, so the rates of a sigma grid share their points.

use ndarray::Array2;
use rand::RngExt;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use super::cancel::Cancel;
use super::error::AttackError;
use super::pool;
use super::probe::{Probe, misclassified};
use crate::data::fill_direction;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::stats::interval::{RateEstimate, rate_estimate};

/// Points per chunk; calls always evaluate whole chunks.
const CHUNK: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoiseRate {
    /// Standard deviation per coordinate.
    pub sigma: f64,
    /// Errors against the nearest sphere's label, with a 95% interval.
    #[serde(flatten)]
    pub rate: RateEstimate,
}

/// Error rate over `samples` noisy points (rounded up to whole chunks).
pub fn noise_error(
    model: &Model,
    seed: u64,
    radius: f64,
    sigma: f64,
    samples: u64,
    threads: usize,
    cancel: &Cancel,
) -> Result<NoiseRate, AttackError> {
    if !(radius.is_finite() && radius > 1.0) {
        return Err(AttackError::Param(format!(
            "outer radius {radius} must exceed 1"
        )));
    }
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(AttackError::Param(format!(
            "noise sigma {sigma} must be >= 0"
        )));
    }
    if !model.is_finite() {
        return Err(AttackError::NonFiniteModel);
    }
    let chunks = samples.div_ceil(CHUNK as u64);
    let n = model.dim();
    let counts: Vec<Option<(u64, u64)>> = pool::install(threads, || {
        (0..chunks)
            .into_par_iter()
            .map(|c| {
                if cancel.is_cancelled() {
                    return None;
                }
                let mut x = Array2::zeros((CHUNK, n));
                let mut labels = vec![0.0f32; CHUNK];
                let margin = 0.5 * (1.0 + radius);
                for (i, (mut row, y)) in x.rows_mut().into_iter().zip(&mut labels).enumerate() {
                    let row = row.as_slice_mut().expect("contiguous");
                    let mut rng = rng_for(seed, Stream::Noise, c * CHUNK as u64 + i as u64);
                    let r = if rng.random::<bool>() { radius } else { 1.0 };
                    fill_direction(&mut rng, row);
                    let mut norm2 = 0.0f64;
                    for v in row.iter_mut() {
                        let g: f64 = rng.sample(StandardNormal);
                        let p = r * *v as f64 + sigma * g;
                        *v = p as f32;
                        norm2 += p * p;
                    }
                    *y = if norm2.sqrt() < margin { 0.0 } else { 1.0 };
                }
                let mut probe = Probe::new(model, CHUNK);
                let logits = probe.forward(model, x.view());
                let errors = logits
                    .iter()
                    .zip(&labels)
                    .filter(|(z, y)| misclassified(**z, **y))
                    .count() as u64;
                Some((errors, CHUNK as u64))
            })
            .collect()
    });
    cancel.check()?;
    let (errors, total) = counts
        .into_iter()
        .flatten()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Ok(NoiseRate {
        sigma,
        rate: rate_estimate(errors, total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_max_margin_sphere_makes_no_error_and_a_cap_errs_as_its_measure() {
        // The cap classifier says "outer" where x_1/|x| > t or |x| grows:
        // with sigma = 0 its inner errors are the cap, its outer ones none.
        let (n, t) = (20, 0.5f32);
        let model = Model::cap(n, t, 1.3);
        let mu = crate::stats::cap::cap_measure(n, t as f64).unwrap();
        let r = noise_error(&model, 3, 1.3, 0.0, 40_000, 2, &Cancel::never()).unwrap();
        // About half the points are inner, so the rate is about mu / 2.
        let (lo, hi) = crate::stats::clopper_pearson(r.rate.errors, r.rate.samples, 0.999);
        assert!(
            lo < mu / 2.0 * 1.05 && hi > mu / 2.0 * 0.95,
            "{r:?} vs {mu}"
        );
        // Identical for any thread count.
        let again = noise_error(&model, 3, 1.3, 0.0, 40_000, 1, &Cancel::never()).unwrap();
        assert_eq!(r, again);
        // Large noise pushes points across the max-margin sphere, where
        // the cap net (radial slope K = 2/(R-1)) may disagree with the
        // nearest-sphere label; the rate stays a probability.
        let noisy = noise_error(&model, 3, 1.3, 0.05, 4_096, 2, &Cancel::never()).unwrap();
        assert!(noisy.rate.rate > 0.0 && noisy.rate.rate < 1.0);
        assert!(noise_error(&model, 3, 1.3, -1.0, 10, 1, &Cancel::never()).is_err());
    }
}
