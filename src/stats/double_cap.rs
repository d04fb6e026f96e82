//! A known answer whose error set is not a cap: two antipodal caps.
//!
//! A quadratic net with alphas (a, r, r, ..., r), a > 1 > r, misclassifies
//! the inner point u when (a - 1) u_1^2 + (r - 1)(1 - u_1^2) > 0, that is
//! |u_1| > t0 = sqrt((1 - r)/(a - r)): the double cap. Its measure is
//! 2 P(u_1 > t0). A point at polar angle theta (cos theta = u_1) is nearest
//! to the nearer cap, at Euclidean distance
//! 2 sin((min(theta, pi - theta) - theta0)^+ / 2), so by symmetry
//! d(E) = 2 int_{theta0}^{pi/2} 2 sin((theta - theta0)/2) rho(theta) d theta
//! against the density rho of the polar angle. At the same measure a single
//! cap is farther on average (the isoperimetric inequality), which makes
//! this a check that a d(E) pipeline does not simply report the bound.

use super::cap::{ln_cap_measure, polar_mean};
use super::error::{Result, invalid};

/// The double cap {u on S^{n-1} : |u_1| > t0}.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleCap {
    n: usize,
    t0: f64,
    /// arccos t0, kept apart so it is exact where t0 rounds near 1.
    theta0: f64,
}

impl DoubleCap {
    /// The double cap with threshold t0 in (0, 1) on S^{n-1}, n >= 2.
    pub fn new(n: usize, t0: f64) -> Result<Self> {
        if n < 2 {
            return invalid(format!("dimension n must be at least 2, got {n}"));
        }
        if !(t0 > 0.0 && t0 < 1.0) {
            return invalid(format!("double-cap threshold must lie in (0, 1), got {t0}"));
        }
        Ok(DoubleCap {
            n,
            t0,
            theta0: t0.acos(),
        })
    }

    /// The inner error set of the net with one alpha `top` > 1 and the
    /// other n - 1 alphas equal to `rest` < 1.
    pub fn from_alphas(n: usize, top: f64, rest: f64) -> Result<Self> {
        if !(top > 1.0 && top.is_finite()) {
            return invalid(format!("the top alpha must be finite and > 1, got {top}"));
        }
        if !(rest < 1.0 && rest.is_finite()) {
            return invalid(format!(
                "the other alphas must be finite and < 1, got {rest}"
            ));
        }
        let mut cap = DoubleCap::new(n, ((1.0 - rest) / (top - rest)).sqrt())?;
        cap.theta0 = (top - 1.0).sqrt().atan2((1.0 - rest).sqrt());
        Ok(cap)
    }

    pub fn threshold(&self) -> f64 {
        self.t0
    }

    /// The angular radius theta0 of each cap.
    pub fn angle(&self) -> f64 {
        self.theta0
    }

    /// ln of the measure, finite where the measure underflows.
    pub fn ln_measure(&self) -> Result<f64> {
        Ok(std::f64::consts::LN_2 + ln_cap_measure(self.n, self.t0)?)
    }

    /// The measure 2 P(u_1 > t0) (the error rate on the inner sphere).
    pub fn measure(&self) -> Result<f64> {
        Ok(self.ln_measure()?.exp())
    }

    /// Euclidean distance from a unit vector with first coordinate `u1` to
    /// the double cap (0 inside).
    pub fn distance(&self, u1: f64) -> f64 {
        let theta = u1.abs().min(1.0).acos();
        2.0 * (0.5 * (theta - self.theta0).max(0.0)).sin()
    }

    /// d(E): the mean of `distance` over the unit sphere (exact, by
    /// quadrature to relative accuracy 1e-11).
    pub fn mean_distance(&self) -> Result<f64> {
        let theta0 = self.theta0;
        let half = polar_mean(self.n, theta0, std::f64::consts::FRAC_PI_2, |theta| {
            2.0 * (0.5 * (theta - theta0)).sin()
        })?;
        Ok(2.0 * half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::cap::cap_distance_euclidean;
    use crate::stats::quadnet::analyse_alphas;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    /// (n, a, r, t0, measure, ln measure, d(E)): 20-digit values from
    /// mpmath (regularised incomplete beta, adaptive quadrature at 40
    /// digits).
    const CASES: [(usize, f64, f64, f64, f64, f64, f64); 5] = [
        (
            10,
            1.5,
            0.5,
            0.707_106_781_186_547_5,
            0.014_956_363_910_414_215,
            -4.202_618_390_094_942,
            0.510_737_215_526_664_1,
        ),
        (
            100,
            1.2,
            0.8,
            0.707_106_781_186_547_5,
            1.407_198_734_633_176e-16,
            -36.499_760_472_672_87,
            0.690_315_557_100_964_6,
        ),
        (
            500,
            1.3,
            0.9,
            0.499_999_999_999_999_9,
            4.774_462_739_573_9e-33,
            -74.422_026_616_473_61,
            0.483_007_301_091_053_55,
        ),
        (
            500,
            3.0,
            0.9,
            0.218_217_890_235_992_36,
            8.150_251_625_902_292e-7,
            -14.020_046_849_838_312,
            0.183_987_318_122_071_04,
        ),
        (
            3,
            2.0,
            0.0,
            0.707_106_781_186_547_5,
            0.292_893_218_813_452_5,
            -1.227_947_177_299_515_7,
            0.289_030_335_099_652_3,
        ),
    ];

    #[test]
    fn closed_forms_match_high_precision_values() {
        for (n, a, r, t0, mu, ln_mu, d) in CASES {
            let cap = DoubleCap::from_alphas(n, a, r).unwrap();
            assert!(rel(cap.threshold(), t0) < 1e-15, "n={n}: t0");
            assert!(rel(cap.measure().unwrap(), mu) < 1e-11, "n={n}: measure");
            assert!(
                rel(cap.ln_measure().unwrap(), ln_mu) < 1e-13,
                "n={n}: ln measure"
            );
            let got = cap.mean_distance().unwrap();
            assert!(rel(got, d) < 1e-11, "n={n}: d(E) {got} vs {d}");
        }
    }

    #[test]
    fn measure_is_the_exact_error_rate_of_the_net() {
        // The chi-square tail of sum (alpha_i - 1) g_i^2, computed by a
        // different route (Imhof / saddlepoint contour).
        for (n, a, r, ..) in CASES {
            let mut alphas = vec![r; n];
            alphas[0] = a;
            let exact = analyse_alphas(&alphas, 1.3).unwrap();
            let cap = DoubleCap::from_alphas(n, a, r).unwrap();
            let (l1, l2) = (exact.ln_inner_exact, cap.ln_measure().unwrap());
            assert!(
                (l1 - l2).abs() < 1e-8 * l2.abs().max(1.0),
                "n={n}: {l1} vs {l2}"
            );
        }
    }

    #[test]
    fn a_single_cap_of_the_same_measure_is_farther() {
        for (n, a, r, _, mu, ..) in CASES {
            let cap = DoubleCap::from_alphas(n, a, r).unwrap();
            let single = cap_distance_euclidean(n, mu).unwrap();
            assert!(cap.mean_distance().unwrap() < single, "n={n}");
        }
    }

    #[test]
    fn pointwise_distance_is_the_nearer_cap() {
        let cap = DoubleCap::new(5, 0.5).unwrap();
        let th0 = 0.5f64.acos();
        assert_eq!(cap.distance(0.7), 0.0);
        assert_eq!(cap.distance(-0.7), 0.0);
        let want = 2.0 * (0.5 * (0.2f64.acos() - th0)).sin();
        assert!((cap.distance(0.2) - want).abs() < 1e-16);
        assert!((cap.distance(-0.2) - want).abs() < 1e-16);
        // At the equator both caps are theta0 away from pi/2.
        let eq = 2.0 * (0.5 * (std::f64::consts::FRAC_PI_2 - th0)).sin();
        assert!((cap.distance(0.0) - eq).abs() < 1e-16);
    }

    #[test]
    fn bad_input_is_refused_by_name() {
        assert!(
            DoubleCap::new(1, 0.5)
                .unwrap_err()
                .to_string()
                .contains("got 1")
        );
        assert!(DoubleCap::new(5, 1.0).is_err());
        assert!(DoubleCap::new(5, f64::NAN).is_err());
        let e = DoubleCap::from_alphas(5, 0.9, 0.5).unwrap_err().to_string();
        assert!(e.contains("top alpha") && e.contains("0.9"), "{e}");
        assert!(DoubleCap::from_alphas(5, 1.5, 1.0).is_err());
    }
}
