//! The isoperimetric bound at one error rate: the one place every consumer
//! gets it from.

use serde::{Deserialize, Serialize};

use super::rate::Rate;
use crate::stats::cap::{cap_distance_euclidean, optimal_estimated};

/// The two curves of the paper's central figure at one rate, on a sphere
/// of a given radius (distances scale with it, measures do not).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Exact mean Euclidean distance to a cap of measure mu: by the
    /// isoperimetric inequality no error set of that measure is farther.
    pub cap: f64,
    /// The paper's "optimal (estimated)" curve Phi^-1(1 - mu) / sqrt(n).
    pub optimal: f64,
}

impl Bounds {
    pub fn scaled(self, radius: f64) -> Self {
        Self {
            cap: self.cap * radius,
            optimal: self.optimal * radius,
        }
    }
}

/// Both curves at `rate` on the unit sphere of R^n. None where the rate is
/// not in (0, 1), and for rates below the smallest double: the mu forms of
/// `stats::cap` used here cannot take them (ln-mu forms can, and belong in
/// this body).
pub fn bounds_at(n: usize, rate: &Rate) -> Option<Bounds> {
    let mu = rate.mu;
    if !(mu > 0.0 && mu < 1.0) {
        return None;
    }
    let cap = cap_distance_euclidean(n, mu)
        .ok()
        .filter(|d| d.is_finite())?;
    let optimal = optimal_estimated(n, mu).ok().filter(|d| d.is_finite())?;
    Some(Bounds { cap, optimal })
}

/// `bounds_at` on a sphere of radius `radius`.
pub fn bounds_on(n: usize, radius: f64, rate: &Rate) -> Option<Bounds> {
    bounds_at(n, rate).map(|b| b.scaled(radius))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_paper_and_scales_with_the_radius() {
        let b = bounds_at(500, &Rate::from_mu(1e-6)).unwrap();
        assert!((b.optimal - 0.2126).abs() < 5e-5);
        assert!((b.cap - 0.211_645_162_493_443).abs() < 1e-9);
        let outer = bounds_on(500, 1.3, &Rate::from_mu(1e-6)).unwrap();
        assert!((outer.cap - 1.3 * b.cap).abs() < 1e-15);
        for mu in [0.0, 1.0, f64::NAN] {
            assert_eq!(bounds_at(100, &Rate::from_mu(mu)), None);
        }
        assert_eq!(bounds_at(100, &Rate::exact(0.0, -1000.0)), None);
        // A quadratic net with exact mu = 2e-34 at n = 100 still has a bound.
        assert!(bounds_at(100, &Rate::from_mu(2e-34)).unwrap().cap > 0.9);
    }
}
