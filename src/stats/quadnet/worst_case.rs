//! The largest loss a quadratic net takes on each sphere, in closed form.
//!
//! On the sphere of radius r, y = r^2 sum_i d_i u_i^2 + b with |u| = 1 and
//! d = w times the eigenvalues of W^T W, so y ranges over exactly
//! [r^2 d_min + b, r^2 d_max + b] (the Rayleigh quotient). The loss is
//! softplus(y) on inner points (label 0) and softplus(-y) on outer ones,
//! both monotone: the worst inner loss is softplus(d_max + b), the worst
//! outer loss softplus(-(R^2 d_min + b)). For w > 0 these are the issue's
//! softplus(w lambda_max + b) and softplus(-(w R^2 lambda_min + b)); d
//! covers either sign of w.

/// ln(1 + e^x) without overflow or loss of the small tail.
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// The largest sigmoid cross-entropy loss over each sphere (exact values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorstCaseLoss {
    /// max over |x| = 1 of the loss with label 0.
    pub inner: f64,
    /// max over |x| = R of the loss with label 1.
    pub outer: f64,
}

impl WorstCaseLoss {
    /// From d = w times the eigenvalues of W^T W (any order, non-empty),
    /// the bias b and the outer radius R.
    pub fn from_eigenvalues(d: &[f64], b: f64, radius: f64) -> Self {
        let d_max = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let d_min = d.iter().copied().fold(f64::INFINITY, f64::min);
        WorstCaseLoss {
            inner: softplus(d_max + b),
            outer: softplus(-(radius * radius * d_min + b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::analysis::analyse;
    use super::*;
    use crate::rng::{Stream, rng_for};
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn softplus_is_stable_at_both_ends() {
        assert!((softplus(0.0) - std::f64::consts::LN_2).abs() < 1e-16);
        assert_eq!(softplus(800.0), 800.0);
        assert!((softplus(-800.0)).abs() < 1e-300);
        assert!((softplus(-40.0) / (-40f64).exp() - 1.0).abs() < 1e-15);
        assert!((softplus(3.0) - (1.0 + 3f64.exp()).ln()).abs() < 1e-15);
    }

    /// y(x) = w |W x|^2 + b straight from W, in f64.
    fn logit(wm: &[f32], h: usize, n: usize, w: f64, b: f64, x: &[f64]) -> f64 {
        let s: f64 = (0..h)
            .map(|i| {
                let z: f64 = (0..n).map(|j| wm[i * n + j] as f64 * x[j]).sum();
                z * z
            })
            .sum();
        w * s + b
    }

    /// The largest (sign = 1) or smallest (sign = -1) logit over the sphere
    /// of radius r, by projected gradient ascent on sign * y from random
    /// starts (the losses are monotone in y). The step 1 / (2 |w| |W|_F^2)
    /// keeps the iteration a contraction onto the extreme eigenvector.
    #[allow(clippy::too_many_arguments)]
    fn brute_force_extreme_logit(
        wm: &[f32],
        h: usize,
        n: usize,
        w: f64,
        b: f64,
        r: f64,
        sign: f64,
        seed: u64,
    ) -> f64 {
        let fro: f64 = wm.iter().map(|&v| (v as f64).powi(2)).sum();
        let step = 0.5 / (w.abs() * fro);
        let mut best = f64::NEG_INFINITY;
        for start in 0..8 {
            let mut rng = rng_for(seed, Stream::Eval, start);
            let mut x: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
            for _ in 0..20_000 {
                let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
                x.iter_mut().for_each(|v| *v /= norm);
                let wx: Vec<f64> = (0..h)
                    .map(|i| (0..n).map(|j| wm[i * n + j] as f64 * x[j]).sum())
                    .collect();
                let grad: Vec<f64> = (0..n)
                    .map(|j| (0..h).map(|i| wm[i * n + j] as f64 * wx[i]).sum())
                    .collect();
                for j in 0..n {
                    x[j] += step * sign * 2.0 * w * grad[j];
                }
            }
            let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
            x.iter_mut().for_each(|v| *v *= r / norm);
            best = best.max(sign * logit(wm, h, n, w, b, &x));
        }
        sign * best
    }

    #[test]
    fn closed_form_matches_brute_force_maximisation() {
        let r = 1.3;
        // h < n leaves a null space (d_min = 0); both signs of w and b.
        for (case, &(h, n, w, b)) in [
            (4usize, 6usize, 1.0, -1.0),
            (10, 6, 1.0, -1.0),
            (10, 6, -0.7, 0.4),
            (5, 5, 2.0, 0.3),
            (3, 5, -1.5, -0.2),
        ]
        .iter()
        .enumerate()
        {
            let mut rng = rng_for(case as u64, Stream::Init, 0);
            let wm: Vec<f32> = (0..h * n)
                .map(|_| StandardNormal.sample(&mut rng))
                .map(|v: f64| (v / (n as f64).sqrt()) as f32)
                .collect();
            let a = analyse(&wm, h, n, w, b, r).unwrap();
            let worst = a.worst_loss.unwrap();
            let y_in = brute_force_extreme_logit(&wm, h, n, w, b, 1.0, 1.0, 10 + case as u64);
            let y_out = brute_force_extreme_logit(&wm, h, n, w, b, r, -1.0, 20 + case as u64);
            let (brute_in, brute_out) = (softplus(y_in), softplus(-y_out));
            // The search cannot beat the closed form and must reach it.
            for (got, brute) in [(worst.inner, brute_in), (worst.outer, brute_out)] {
                assert!(brute <= got + 1e-12, "case {case}: brute {brute} > {got}");
                assert!(brute >= got - 1e-9, "case {case}: brute {brute} < {got}");
            }
        }
    }

    #[test]
    fn perfect_ellipsoid_losses_sit_at_the_margin() {
        // alpha = 1/1.15^2 everywhere, w = s, b = -s: y = s (alpha r^2 - 1).
        let (s, r) = (20.0, 1.3);
        let alpha = 1.0 / (1.15f64 * 1.15);
        let d = vec![s * alpha; 7];
        let worst = WorstCaseLoss::from_eigenvalues(&d, -s, r);
        assert!((worst.inner - softplus(s * (alpha - 1.0))).abs() < 1e-15);
        assert!((worst.outer - softplus(-s * (alpha * r * r - 1.0))).abs() < 1e-15);
        assert!(worst.inner < 0.01 && worst.outer < 0.01);
    }
}
