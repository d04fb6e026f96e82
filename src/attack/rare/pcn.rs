//! The move: preconditioned Crank-Nicolson on the Gaussian vector behind a
//! sphere point, accepted only above the current level.
//!
//! A point is x = r g / |g| with g ~ N(0, I_n), which is exactly uniform on
//! the sphere of radius r. The proposal g' = sqrt(1 - s^2) g + s xi, with
//! xi ~ N(0, I_n), is reversible with respect to N(0, I_n) for every step
//! size s in (0, 1], so the chain that accepts g' only when the score of
//! x' = r g' / |g'| stays above the level leaves the uniform measure on the
//! sphere, conditioned on that level, invariant. No gradient is needed: the
//! move works for any model. In high dimension the angle between x and x'
//! is close to asin(s).

use rand_distr::{Distribution, StandardNormal};

use crate::rng::Rng;

/// Smallest step the adaptation may reach. Below it a level's moves cannot
/// separate a copy from its parent, which the mixing diagnostics report.
pub const MIN_STEP: f64 = 1e-4;
/// s = 1 proposes a fresh independent point.
pub const MAX_STEP: f64 = 1.0;

/// Writes the pCN proposal for `g` with step `s` into `out`.
pub(crate) fn propose(g: &[f32], s: f64, rng: &mut Rng, out: &mut [f32]) {
    let keep = (1.0 - s * s).max(0.0).sqrt() as f32;
    let s = s as f32;
    for (o, &v) in out.iter_mut().zip(g) {
        let xi: f32 = StandardNormal.sample(rng);
        *o = keep * v + s * xi;
    }
}

/// The step for the next level from the acceptance rate seen at this one:
/// s <- s exp(2 (rate - target)), within [MIN_STEP, MAX_STEP]. Levels move
/// little from one to the next, so a step tuned on one level suits the
/// next; adapting between levels, never within one, keeps every level's
/// kernel fixed and so keeps its invariance exact.
pub(crate) fn adapt(step: f64, rate: f64, target: f64) -> f64 {
    (step * (2.0 * (rate - target)).exp()).clamp(MIN_STEP, MAX_STEP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};

    #[test]
    fn proposals_keep_the_standard_normal() {
        // From g ~ N(0, I), g' must again be N(0, I): check the first two
        // moments and the correlation sqrt(1 - s^2) with g over many draws.
        let (n, draws, s) = (4, 200_000, 0.6);
        let mut rng = rng_for(3, Stream::Rare, 0);
        let (mut m, mut v, mut c) = (0.0f64, 0.0f64, 0.0f64);
        let mut out = vec![0.0f32; n];
        for _ in 0..draws {
            let g: Vec<f32> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
            propose(&g, s, &mut rng, &mut out);
            m += out[0] as f64;
            v += (out[0] as f64).powi(2);
            c += out[0] as f64 * g[0] as f64;
        }
        let d = draws as f64;
        // Standard errors: 1/sqrt(d) = 0.0022 for the mean, about 0.003 for
        // the second moment and the cross moment.
        assert!((m / d).abs() < 0.01, "mean {}", m / d);
        assert!((v / d - 1.0).abs() < 0.015, "variance {}", v / d);
        assert!((c / d - 0.8).abs() < 0.015, "correlation {}", c / d);
    }

    #[test]
    fn adaptation_moves_towards_the_target_within_bounds() {
        assert!(adapt(0.1, 0.6, 0.3) > 0.1);
        assert!(adapt(0.1, 0.0, 0.3) < 0.1);
        assert_eq!(adapt(0.1, 0.3, 0.3), 0.1);
        assert_eq!(adapt(0.99, 1.0, 0.3), MAX_STEP);
        assert_eq!(adapt(MIN_STEP, 0.0, 0.3), MIN_STEP);
    }
}
