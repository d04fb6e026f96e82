//! The model's score on one sphere, signed so that errors are the points
//! with large scores: the logit on the inner sphere (wrong when logit > 0),
//! minus the logit on the outer one (wrong when logit <= 0).

use std::collections::HashMap;

use ndarray::Array2;

use crate::attack::probe::Probe;
use crate::data::Sphere;
use crate::nn::Model;

/// Signed score of one logit. A non-finite logit counts as wrong on both
/// spheres (as in Monte Carlo), so it scores +infinity: a sampler must not
/// find a model better because it broke.
pub(crate) fn signed(logit: f32, sphere: Sphere) -> f32 {
    if !logit.is_finite() {
        return f32::INFINITY;
    }
    match sphere {
        Sphere::Inner => logit,
        Sphere::Outer => -logit,
    }
}

/// Whether a signed score is an error: inner points err when the logit is
/// positive, outer points when it is not.
pub(crate) fn is_error(score: f32, sphere: Sphere) -> bool {
    match sphere {
        Sphere::Inner => score > 0.0,
        Sphere::Outer => score >= 0.0,
    }
}

/// Scores Gaussian vectors g by the model at x = r g / |g|, in batches of
/// whatever size the caller hands over (one probe per size, kept).
pub(crate) struct Scorer<'m> {
    model: &'m Model,
    sphere: Sphere,
    radius: f64,
    probes: HashMap<usize, (Probe, Array2<f32>)>,
}

impl<'m> Scorer<'m> {
    pub fn new(model: &'m Model, sphere: Sphere, radius: f64) -> Self {
        Self {
            model,
            sphere,
            radius,
            probes: HashMap::new(),
        }
    }

    /// Scores of the rows of `g` (rows of length n, contiguous) into `out`.
    pub fn score(&mut self, g: &[f32], out: &mut [f32]) {
        let n = self.model.dim();
        let rows = out.len();
        debug_assert_eq!(g.len(), rows * n);
        if rows == 0 {
            return;
        }
        let model = self.model;
        let (probe, x) = self
            .probes
            .entry(rows)
            .or_insert_with(|| (Probe::new(model, rows), Array2::zeros((rows, n))));
        let xs = x.as_slice_mut().expect("contiguous");
        for (xr, gr) in xs.chunks_exact_mut(n).zip(g.chunks_exact(n)) {
            let norm = gr.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
            // A zero Gaussian vector has probability zero; map it to a pole
            // rather than to NaN.
            let k = if norm > 0.0 { self.radius / norm } else { 0.0 };
            for (a, &b) in xr.iter_mut().zip(gr) {
                *a = (b as f64 * k) as f32;
            }
            if norm == 0.0 {
                xr[0] = self.radius as f32;
            }
        }
        let logits = probe.forward(model, x.view());
        for (s, &z) in out.iter_mut().zip(logits) {
            *s = signed(z, self.sphere);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};

    #[test]
    fn signs_follow_the_decision_rule() {
        assert!(is_error(signed(0.1, Sphere::Inner), Sphere::Inner));
        assert!(!is_error(signed(-0.1, Sphere::Inner), Sphere::Inner));
        assert!(!is_error(signed(0.0, Sphere::Inner), Sphere::Inner));
        assert!(is_error(signed(0.0, Sphere::Outer), Sphere::Outer));
        assert!(is_error(signed(-0.1, Sphere::Outer), Sphere::Outer));
        assert!(!is_error(signed(0.1, Sphere::Outer), Sphere::Outer));
        for s in Sphere::BOTH {
            assert!(is_error(signed(f32::NAN, s), s));
            assert!(is_error(signed(f32::INFINITY, s), s));
        }
    }

    #[test]
    fn scores_are_the_model_on_the_projected_point() {
        // The cap net's inner logit is x_1 - t: the score of g is
        // g_1 / |g| - t on the inner sphere.
        let model = Model::cap(5, 0.3, 1.3);
        let mut scorer = Scorer::new(&model, Sphere::Inner, 1.0);
        let g = [3.0f32, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0];
        let mut out = [0.0f32; 2];
        scorer.score(&g, &mut out);
        assert!((out[0] - (0.6 - 0.3)).abs() < 1e-6, "{out:?}");
        assert!((out[1] - (0.0 - 0.3)).abs() < 1e-6, "{out:?}");
        // Outer sphere: the cap net is right everywhere, scores negative.
        let mut outer = Scorer::new(&model, Sphere::Outer, 1.3);
        let mut rng = rng_for(1, Stream::Rare, 0);
        let g: Vec<f32> = (0..5 * 7)
            .map(|_| rand_distr::Distribution::<f32>::sample(&rand_distr::StandardNormal, &mut rng))
            .collect();
        let mut out = [0.0f32; 7];
        outer.score(&g, &mut out);
        assert!(out.iter().all(|&s| s < 0.0 && !is_error(s, Sphere::Outer)));
    }
}
