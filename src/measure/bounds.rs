//! The isoperimetric bound at one error rate: the one place every consumer
//! gets it from.

use serde::{Deserialize, Serialize};

use super::rate::Rate;
use crate::stats::cap::{cap_distance_euclidean_ln, optimal_estimated_ln};

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

/// Both curves at `rate` on the unit sphere of R^n, from ln mu: they exist
/// for rates far below the smallest double (an exact quadratic-net rate of
/// e^-5000 has a bound). None where the rate is not in (0, 1).
pub fn bounds_at(n: usize, rate: &Rate) -> Option<Bounds> {
    let ln_mu = rate.ln_mu;
    if !(ln_mu.is_finite() && ln_mu < 0.0) {
        return None;
    }
    let cap = cap_distance_euclidean_ln(n, ln_mu)
        .ok()
        .filter(|d| d.is_finite())?;
    let optimal = optimal_estimated_ln(n, ln_mu)
        .ok()
        .filter(|d| d.is_finite())?;
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
        assert_eq!(bounds_at(100, &Rate::exact(0.0, f64::NEG_INFINITY)), None);
        // A quadratic net with exact mu = 2e-34 at n = 100 still has a bound.
        assert!(bounds_at(100, &Rate::from_mu(2e-34)).unwrap().cap > 0.9);
    }

    #[test]
    fn the_bound_exists_below_the_smallest_double_and_joins_the_mu_form() {
        // Where mu is a double, the ln form gives the mu form's numbers.
        for mu in [1e-2, 1e-30, 1e-300] {
            let b = bounds_at(500, &Rate::from_mu(mu)).unwrap();
            let cap = crate::stats::cap::cap_distance_euclidean(500, mu).unwrap();
            let opt = crate::stats::cap::optimal_estimated(500, mu).unwrap();
            assert!((b.cap - cap).abs() < 1e-12 && (b.optimal - opt).abs() < 1e-12);
        }
        // mu = 1e-300, then 1e-400 and 1e-1000 (mu itself underflows): the
        // bound keeps growing, and the optimal curve follows the Gaussian
        // tail, Phi^-1(1 - mu) ~ sqrt(2 ln(1/mu)) at leading order.
        let mut last = bounds_at(500, &Rate::from_mu(1e-300)).unwrap();
        for exponent in [-400.0, -1000.0] {
            let r = Rate::from_log10(exponent);
            assert!(r.underflows());
            let b = bounds_at(500, &r).unwrap();
            assert!(b.cap > last.cap && b.optimal > last.optimal, "{b:?}");
            let z = b.optimal * 500f64.sqrt();
            let lead = (-2.0 * r.ln_mu).sqrt();
            assert!(
                z < lead && z > 0.97 * lead,
                "z = {z}, sqrt(2 ln 1/mu) = {lead}"
            );
            last = b;
        }
    }
}
