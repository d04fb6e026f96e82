//! Off-manifold robustness as Foolbox and ART report it: robust accuracy
//! under l2 PGD at a grid of eps, the median minimal l2 perturbation, and
//! the error rate under Gaussian noise; beside them the measured corollary
//! curve of each sphere.
//!
//! Labels. Every eps here stays below the margin (R - 1) / 2 between the
//! spheres, so a perturbed point's nearest sphere, its true label, is the
//! one it came from. Noise is not bounded that way: noisy points are
//! labelled by the nearest sphere (`attack::noise`).
//!
//! The work is done in units (`RobustnessRun::advance`) so a caller can
//! interleave other work or stop between them; the numbers depend on the
//! model and seed alone.

use ndarray::{Array2, s};
use serde::{Deserialize, Serialize};

use super::corollary::Corollary;
use crate::attack::{
    AttackError, Cancel, MinNormParams, NoiseRate, PgdParams, min_norm_l2, noise_error, pgd_l2,
};
use crate::data::sample_point;
use crate::nn::Model;
use crate::rng::Stream;
use crate::stats::median;

/// PGD radii as fractions of the margin.
pub const EPS_FRACTIONS: [f64; 6] = [0.1, 0.2, 0.4, 0.6, 0.8, 0.95];
/// Noise levels: sigma sqrt(n) (the noise's typical norm) as fractions of
/// the margin.
pub const SIGMA_FRACTIONS: [f64; 4] = [0.25, 0.5, 1.0, 2.0];
/// Largest perturbation the minimal-norm search tries, as a fraction of the
/// margin.
pub const MAX_EPS_FRACTION: f64 = 0.95;
/// Robustness points are `Stream::Attack` items from here on.
const OFFSET: u64 = 2 << 40;
/// Points per minimal-norm unit (whole chunks of the attack).
const MIN_NORM_UNIT: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// Points attacked: drawn like test data (a fair coin per point
    /// between the spheres), with the label of the sphere they lie on.
    pub points: usize,
    /// (R - 1) / 2; every eps and the minimal-norm search stay below it.
    pub margin: f64,
    /// Points classified correctly before any attack.
    pub clean_accuracy: f64,
    pub eps: Vec<f64>,
    /// Fraction of points correct and not flipped by PGD within eps.
    pub robust_accuracy: Vec<f64>,
    /// Median over points of the smallest l2 perturbation found, a point
    /// not flipped below `max_eps` counting as infinite. None when that is
    /// more than half the points (the median is infinite).
    pub median_min_l2: Option<f64>,
    /// Points flipped below `max_eps` (0 for those already wrong).
    pub min_l2_found: usize,
    pub max_eps: f64,
    /// Error rate under N(0, sigma^2 I) noise against the nearest sphere.
    pub noise: Vec<NoiseRate>,
    /// Per sphere with a d(E) estimate: fraction of starts within eps of a
    /// found error (a lower estimate) against the cap's expansion.
    pub corollary: Vec<Corollary>,
}

/// A robustness measurement in progress.
#[derive(Debug, Clone)]
pub struct RobustnessRun {
    seed: u64,
    radius: f64,
    noise_samples: u64,
    points: Array2<f32>,
    labels: Vec<f32>,
    eps: Vec<f64>,
    sigmas: Vec<f64>,
    clean_correct: usize,
    robust: Vec<f64>,
    min_norm: Vec<f64>,
    noise: Vec<NoiseRate>,
}

impl RobustnessRun {
    /// `points` points drawn like test data, `noise_samples` noisy points
    /// per sigma.
    pub fn new(seed: u64, n: usize, radius: f64, points: usize, noise_samples: u64) -> Self {
        let margin = 0.5 * (radius - 1.0);
        let mut x = Array2::zeros((points, n));
        let mut labels = vec![0.0; points];
        for (i, (mut row, y)) in x.rows_mut().into_iter().zip(&mut labels).enumerate() {
            let row = row.as_slice_mut().expect("contiguous");
            *y = sample_point(seed, Stream::Attack, OFFSET + i as u64, radius as f32, row);
        }
        let root_n = (n as f64).sqrt();
        Self {
            seed,
            radius,
            noise_samples,
            points: x,
            labels,
            eps: EPS_FRACTIONS.iter().map(|f| f * margin).collect(),
            sigmas: SIGMA_FRACTIONS
                .iter()
                .map(|f| f * margin / root_n)
                .collect(),
            clean_correct: 0,
            robust: Vec::new(),
            min_norm: Vec::new(),
            noise: Vec::new(),
        }
    }

    fn margin(&self) -> f64 {
        0.5 * (self.radius - 1.0)
    }

    pub fn is_done(&self) -> bool {
        self.noise.len() == self.sigmas.len()
    }

    /// One unit: a PGD radius, a batch of the minimal-norm search, or a
    /// noise level. True once everything is measured.
    pub fn advance(
        &mut self,
        model: &Model,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<bool, AttackError> {
        cancel.check()?;
        let count = self.points.nrows();
        if self.robust.len() < self.eps.len() {
            let eps = self.eps[self.robust.len()] as f32;
            let r = pgd_l2(
                model,
                self.points.view(),
                &self.labels,
                eps,
                &PgdParams::default(),
                threads,
                cancel,
            )?;
            self.clean_correct = r.clean_correct;
            self.robust.push(r.robust_accuracy);
        } else if self.min_norm.len() < count {
            let from = self.min_norm.len();
            let to = (from + MIN_NORM_UNIT).min(count);
            let params = MinNormParams {
                max_eps: (MAX_EPS_FRACTION * self.margin()) as f32,
                ..MinNormParams::default()
            };
            let rows = self.points.slice(s![from..to, ..]);
            let r = min_norm_l2(
                model,
                rows,
                &self.labels[from..to],
                &params,
                threads,
                cancel,
            )?;
            self.min_norm.extend(r.distances);
        } else if !self.is_done() {
            let sigma = self.sigmas[self.noise.len()];
            let r = noise_error(
                model,
                self.seed,
                self.radius,
                sigma,
                self.noise_samples,
                threads,
                cancel,
            )?;
            self.noise.push(r);
        }
        Ok(self.is_done())
    }

    /// The finished measurement with the corollary curves beside it.
    pub fn result(&self, corollary: Vec<Corollary>) -> Option<Robustness> {
        if !self.is_done() {
            return None;
        }
        let points = self.points.nrows();
        let med = median(&self.min_norm);
        Some(Robustness {
            points,
            margin: self.margin(),
            clean_accuracy: self.clean_correct as f64 / points.max(1) as f64,
            eps: self.eps.clone(),
            robust_accuracy: self.robust.clone(),
            median_min_l2: med.is_finite().then_some(med),
            min_l2_found: self.min_norm.iter().filter(|d| d.is_finite()).count(),
            max_eps: MAX_EPS_FRACTION * self.margin(),
            noise: self.noise.clone(),
            corollary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_quadratic_net_is_robust_below_the_margin() {
        // Every alpha at the max-margin value: the boundary is the sphere of
        // radius 1.15, at distance exactly the margin from both spheres.
        let n = 20;
        let alpha = 1.0 / 1.15f64.powi(2);
        let mut rng = crate::rng::rng_for(1, Stream::Init, 0);
        let model = Model::quad_with_alphas(&vec![alpha; n], n, &mut rng);
        let mut run = RobustnessRun::new(4, n, 1.3, 24, 4096);
        while !run.advance(&model, 2, &Cancel::never()).unwrap() {}
        let r = run.result(Vec::new()).unwrap();
        assert_eq!(r.clean_accuracy, 1.0);
        assert!(r.robust_accuracy.iter().all(|a| *a == 1.0), "{r:?}");
        assert_eq!((r.median_min_l2, r.min_l2_found), (None, 0));
        assert!(r.eps.iter().all(|e| *e < r.margin) && r.max_eps < r.margin);
        // Noise labelled by the nearest sphere: the max-margin classifier
        // is that labelling, so it never errs.
        assert!(r.noise.iter().all(|z| z.rate.errors == 0), "{:?}", r.noise);
        assert_eq!(r.noise.len(), SIGMA_FRACTIONS.len());
    }
}
