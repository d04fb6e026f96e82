//! Spherical caps on the unit sphere S^{n-1} in R^n and the isoperimetric
//! bound on the average distance to an error set (Theorem 5.1).
//!
//! For x uniform on the sphere, (x_1 + 1)/2 ~ Beta((n-1)/2, (n-1)/2), so cap
//! measures are incomplete beta values and thresholds their inverses (kept
//! in the half-width x = (1 - t)/2, which is what stays accurate as the cap
//! shrinks). Distances are integrated over the polar angle theta, whose
//! density sin^{n-2}(theta) / B(1/2, (n-1)/2) has no end-point singularity
//! even at n = 2.

use super::beta::{beta_inc_inv_ln, ln_beta, ln_beta_inc};
use super::error::{Result, StatsError, invalid};
use super::normal;
use super::quadrature::{Tolerance, integrate_pieces};

fn check_n(n: usize) -> Result<()> {
    if n < 2 {
        return invalid(format!("dimension n must be at least 2, got {n}"));
    }
    Ok(())
}

fn check_mu(mu: f64) -> Result<()> {
    if !(mu > 0.0 && mu < 1.0) {
        return invalid(format!("cap measure mu must lie in (0, 1), got {mu}"));
    }
    Ok(())
}

/// The far-tail forms take ln mu, finite where mu underflows (an exact
/// quadratic-net error rate of e^-5000 still has a bound).
fn check_ln_mu(ln_mu: f64) -> Result<()> {
    if !(-1e300..0.0).contains(&ln_mu) {
        return invalid(format!(
            "ln mu must lie in [-1e300, 0) (mu in (0, 1)), got {ln_mu}"
        ));
    }
    Ok(())
}

/// Measure of the cap {x : x_1 > t} on S^{n-1}.
pub fn cap_measure(n: usize, t: f64) -> Result<f64> {
    Ok(ln_cap_measure(n, t)?.exp())
}

/// ln of `cap_measure`, finite where the measure underflows.
pub fn ln_cap_measure(n: usize, t: f64) -> Result<f64> {
    check_n(n)?;
    if t.is_nan() {
        return invalid("cap threshold t is NaN");
    }
    if t <= -1.0 {
        return Ok(0.0);
    }
    if t >= 1.0 {
        return Ok(f64::NEG_INFINITY);
    }
    let a = 0.5 * (n as f64 - 1.0);
    ln_beta_inc(a, a, 0.5 * (1.0 - t))
}

/// Half-width x = (1 - t0)/2 of the cap with measure e^{ln_mu}.
fn half_width(n: usize, ln_mu: f64) -> Result<f64> {
    let a = 0.5 * (n as f64 - 1.0);
    beta_inc_inv_ln(a, a, ln_mu)
}

/// The threshold t0 with cap_measure(n, t0) = mu.
pub fn cap_threshold(n: usize, mu: f64) -> Result<f64> {
    check_mu(mu)?;
    cap_threshold_ln(n, mu.ln())
}

/// `cap_threshold` from ln mu.
pub fn cap_threshold_ln(n: usize, ln_mu: f64) -> Result<f64> {
    check_n(n)?;
    check_ln_mu(ln_mu)?;
    Ok(1.0 - 2.0 * half_width(n, ln_mu)?)
}

/// Angular radius theta0 = arccos(t0) of the cap of measure mu.
pub fn cap_angle(n: usize, mu: f64) -> Result<f64> {
    check_n(n)?;
    check_mu(mu)?;
    if n == 2 {
        // The half-width (pi mu / 2)^2 would underflow for mu < 1e-154.
        return Ok(std::f64::consts::PI * mu);
    }
    cap_angle_ln(n, mu.ln())
}

/// `cap_angle` from ln mu; 0 where the angle itself underflows.
pub fn cap_angle_ln(n: usize, ln_mu: f64) -> Result<f64> {
    check_n(n)?;
    check_ln_mu(ln_mu)?;
    if n == 2 {
        return Ok(std::f64::consts::PI * ln_mu.exp());
    }
    // arccos(1 - 2x) = 2 asin(sqrt(x)) without the cancellation near t0 = 1.
    Ok(2.0 * half_width(n, ln_mu)?.sqrt().asin())
}

/// The paper's "optimal (estimated)" curve Phi^{-1}(1 - mu) / sqrt(n).
pub fn optimal_estimated(n: usize, mu: f64) -> Result<f64> {
    check_n(n)?;
    check_mu(mu)?;
    Ok(normal::isf(mu)? / (n as f64).sqrt())
}

/// `optimal_estimated` from ln mu.
pub fn optimal_estimated_ln(n: usize, ln_mu: f64) -> Result<f64> {
    check_n(n)?;
    check_ln_mu(ln_mu)?;
    Ok(normal::isf_ln(ln_mu)? / (n as f64).sqrt())
}

/// The high-dimensional limit of the Euclidean cap distance,
/// (z Phi(z) + phi(z)) / sqrt(n) with z = Phi^{-1}(1 - mu): the mean
/// distance of a N(0, I/n) point to a half-space of Gaussian measure mu.
pub fn cap_distance_gaussian(n: usize, mu: f64) -> Result<f64> {
    check_mu(mu)?;
    cap_distance_gaussian_ln(n, mu.ln())
}

/// `cap_distance_gaussian` from ln mu.
pub fn cap_distance_gaussian_ln(n: usize, ln_mu: f64) -> Result<f64> {
    check_n(n)?;
    check_ln_mu(ln_mu)?;
    let z = normal::isf_ln(ln_mu)?;
    Ok((z * normal::cdf(z) + normal::pdf(z)) / (n as f64).sqrt())
}

/// Exact mean Euclidean distance from a uniform point of S^{n-1} to a cap of
/// measure mu (points inside count 0). By the isoperimetric inequality no
/// error set of measure mu is farther on average.
pub fn cap_distance_euclidean(n: usize, mu: f64) -> Result<f64> {
    cap_distance(n, cap_angle(n, mu)?, chord, || format!("mu = {mu}"))
}

/// `cap_distance_euclidean` from ln mu: the bound where mu underflows.
pub fn cap_distance_euclidean_ln(n: usize, ln_mu: f64) -> Result<f64> {
    cap_distance(n, cap_angle_ln(n, ln_mu)?, chord, || {
        format!("ln mu = {ln_mu}")
    })
}

/// Exact mean geodesic (great-circle) distance to a cap of measure mu.
pub fn cap_distance_geodesic(n: usize, mu: f64) -> Result<f64> {
    cap_distance(n, cap_angle(n, mu)?, |d| d, || format!("mu = {mu}"))
}

/// `cap_distance_geodesic` from ln mu.
pub fn cap_distance_geodesic_ln(n: usize, ln_mu: f64) -> Result<f64> {
    cap_distance(
        n,
        cap_angle_ln(n, ln_mu)?,
        |d| d,
        || format!("ln mu = {ln_mu}"),
    )
}

/// The chord spanning an arc of angle d on the unit sphere.
fn chord(d: f64) -> f64 {
    2.0 * (0.5 * d).sin()
}

/// E[g(theta - theta0)^+] for theta the polar angle of a uniform point.
fn cap_distance(
    n: usize,
    theta0: f64,
    g: impl Fn(f64) -> f64,
    what: impl Fn() -> String,
) -> Result<f64> {
    polar_mean(n, theta0, std::f64::consts::PI, |theta| g(theta - theta0)).map_err(|e| match e {
        StatsError::NoConvergence(m) => {
            StatsError::NoConvergence(format!("cap distance at n = {n}, {}: {m}", what()))
        }
        other => other,
    })
}

/// The integral of g(theta) against the density of the polar angle theta
/// of a uniform point of S^{n-1}, sin^{n-2}(theta) / B(1/2, (n-1)/2), over
/// [lo, hi] within [0, pi].
pub(super) fn polar_mean(n: usize, lo: f64, hi: f64, g: impl Fn(f64) -> f64) -> Result<f64> {
    use std::f64::consts::FRAC_PI_2;
    check_n(n)?;
    let m = n as f64 - 2.0;
    let ln_norm = ln_beta(0.5, 0.5 * (n as f64 - 1.0));
    let density = |theta: f64| {
        if m == 0.0 {
            (-ln_norm).exp()
        } else {
            (m * theta.sin().ln() - ln_norm).exp()
        }
    };
    // Break at the density's peak and a few of its widths either side so
    // the adaptive rule sees the bulk however narrow it is.
    let mut points = vec![lo];
    if m > 0.0 {
        let w = 1.0 / m.sqrt();
        for k in -10..=10 {
            let p = FRAC_PI_2 + k as f64 * w;
            if p > lo && p < hi {
                points.push(p);
            }
        }
    }
    points.push(hi);
    let r = integrate_pieces(
        |theta| g(theta) * density(theta),
        &points,
        Tolerance::relative(1e-11),
    )?;
    if !r.converged {
        return Err(StatsError::NoConvergence(format!(
            "error estimate {:e}",
            r.error
        )));
    }
    Ok(r.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};
    use rand_distr::{Distribution, StandardNormal};
    use std::f64::consts::PI;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn measure_matches_archimedes_and_the_circle() {
        // n = 3: x_1 is uniform on [-1, 1].
        for t in [-0.9, -0.3, 0.0, 0.4, 0.99] {
            assert!(rel(cap_measure(3, t).unwrap(), (1.0 - t) / 2.0) < 1e-13);
        }
        // n = 2: the cap is an arc of half-angle acos(t).
        for t in [-0.5, 0.2, 0.999] {
            assert!(rel(cap_measure(2, t).unwrap(), t.acos() / PI) < 1e-13);
        }
        assert_eq!(cap_measure(10, 1.0).unwrap(), 0.0);
        assert_eq!(cap_measure(10, -1.0).unwrap(), 1.0);
    }

    #[test]
    fn threshold_inverts_measure_down_to_1e_300() {
        for n in [2, 3, 5, 50, 500, 2000, 100_000] {
            for mu in [0.9, 0.5, 1e-2, 1e-6, 1e-30, 1e-300] {
                // Round-trip through the half-width sin^2(theta0 / 2), which
                // t0 = 1 - 2x would round to 1 for small caps at small n.
                let x = (0.5 * cap_angle(n, mu).unwrap()).sin().powi(2);
                let a = 0.5 * (n as f64 - 1.0);
                let back = ln_beta_inc(a, a, x).unwrap();
                if x < f64::MIN_POSITIVE {
                    continue; // n = 2 at mu = 1e-300: checked below
                }
                assert!(((back - mu.ln()) / mu.ln()).abs() < 1e-9, "n={n} mu={mu:e}");
                let t = cap_threshold(n, mu).unwrap();
                if 1.0 - t > 1e-3 {
                    let back = cap_measure(n, t).unwrap();
                    assert!(rel(back, mu) < 1e-9 * mu.ln().abs(), "n={n} mu={mu:e}");
                }
            }
        }
        assert!(rel(cap_threshold(3, 1e-300).unwrap(), 1.0 - 2e-300) < 1e-15);
        assert!(rel(cap_angle(2, 1e-300).unwrap(), PI * 1e-300) < 1e-12);
    }

    #[test]
    fn optimal_estimated_matches_the_paper() {
        for (mu, want) in [(1e-6, 0.2126), (1e-4, 0.1663), (1e-2, 0.1040)] {
            let got = optimal_estimated(500, mu).unwrap();
            assert!((got - want).abs() < 5e-5, "{mu}: {got}");
        }
        assert!((optimal_estimated(100, 0.01).unwrap() - 0.2326).abs() < 1e-4);
        assert!((optimal_estimated(2000, 0.01).unwrap() - 0.0520).abs() < 1e-4);
    }

    #[test]
    fn closed_forms_in_two_and_three_dimensions() {
        for mu in [0.9, 0.3, 1e-3, 1e-12] {
            let th = PI * mu;
            let geo = PI * (1.0 - mu) * (1.0 - mu) / 2.0;
            let euc = 4.0 / PI * (1.0 - ((PI - th) / 2.0).cos());
            assert!(rel(cap_distance_geodesic(2, mu).unwrap(), geo) < 1e-10);
            assert!(rel(cap_distance_euclidean(2, mu).unwrap(), euc) < 1e-10);
            // n = 3: 1/2 (pi - theta0 - sin theta0) with cos theta0 = 1 - 2 mu.
            let th = (1.0 - 2.0 * mu).acos();
            let geo3 = 0.5 * (PI - th - th.sin());
            assert!(
                rel(cap_distance_geodesic(3, mu).unwrap(), geo3) < 1e-9,
                "{mu}"
            );
        }
    }

    #[test]
    fn distances_match_high_precision_quadrature() {
        // 30-digit values: bisection on the incomplete beta and
        // tanh-sinh quadrature of the same integrals, done independently.
        let cases = [
            (10, 1e-2, 0.727_745_544_852_131_3, 0.755_661_817_178_705),
            (500, 1e-6, 0.211_645_162_493_443, 0.212_095_504_988_663_87),
            (
                2000,
                1e-2,
                0.052_093_106_491_514_334,
                0.052_102_227_593_949_55,
            ),
            (50, 1e-30, 1.214_469_602_829_129_6, 1.309_058_021_593_940_2),
        ];
        for (n, mu, euc, geo) in cases {
            let e = cap_distance_euclidean(n, mu).unwrap();
            let g = cap_distance_geodesic(n, mu).unwrap();
            assert!(rel(e, euc) < 1e-10, "n={n} mu={mu}: {e} vs {euc}");
            assert!(rel(g, geo) < 1e-10, "n={n} mu={mu}: {g} vs {geo}");
        }
    }

    #[test]
    fn high_dimension_agrees_with_the_gaussian_form() {
        let exact = cap_distance_euclidean(2000, 1e-2).unwrap();
        let gauss = cap_distance_gaussian(2000, 1e-2).unwrap();
        assert!(rel(exact, gauss) < 0.01, "{exact} vs {gauss}");
        // Paper: 0.052 at n = 2000, mu = 0.01.
        assert!((gauss - 0.0521).abs() < 1e-3);
        // Geodesic exceeds chord, but barely at these scales.
        let geo = cap_distance_geodesic(2000, 1e-2).unwrap();
        assert!(geo > exact && rel(geo, exact) < 1e-3);
        // Far tail still integrates.
        let far = cap_distance_euclidean(500, 1e-300).unwrap();
        assert!(far > 0.0 && far < 2.0);
    }

    #[test]
    fn agrees_with_monte_carlo_in_low_dimension() {
        for (n, mu) in [(5usize, 0.05), (10, 0.2), (10, 1e-3)] {
            let theta0 = cap_angle(n, mu).unwrap();
            let samples = 200_000;
            let mut rng = rng_for(n as u64, Stream::Eval, (mu * 1e6) as u64);
            let (mut s_e, mut s2_e, mut s_g, mut s2_g) = (0.0, 0.0, 0.0, 0.0);
            for _ in 0..samples {
                let g: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
                let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
                let d = ((g[0] / norm).clamp(-1.0, 1.0).acos() - theta0).max(0.0);
                let e = 2.0 * (0.5 * d).sin();
                s_e += e;
                s2_e += e * e;
                s_g += d;
                s2_g += d * d;
            }
            let m = samples as f64;
            for (s, s2, exact) in [
                (s_e, s2_e, cap_distance_euclidean(n, mu).unwrap()),
                (s_g, s2_g, cap_distance_geodesic(n, mu).unwrap()),
            ] {
                let mean = s / m;
                let se = ((s2 / m - mean * mean) / m).sqrt();
                assert!(
                    (mean - exact).abs() < 3.0 * se,
                    "n={n} mu={mu}: {mean} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn far_tails_match_high_precision_values() {
        // 20-digit values at ln mu far below the smallest double: the
        // half-width by root-finding on mpmath's incomplete beta, then
        // adaptive quadrature of the same integrals, at 40 digits.
        // (n, ln mu, theta0, Euclidean, geodesic)
        let cases = [
            (
                500,
                -1000.0,
                0.136_304_957_666_998_56,
                1.314_293_653_942_357_4,
                1.434_491_369_127_898,
            ),
            (
                500,
                -5000.0,
                4.485_962_180_719_257e-5,
                1.413_827_632_287_898_8,
                1.570_751_467_173_089_4,
            ),
            (
                100,
                -2000.0,
                1.739_784_100_770_040_7e-9,
                1.412_429_117_836_569,
                1.570_796_325_055_112_5,
            ),
            (
                2000,
                -1e4,
                0.006_737_051_689_699_385,
                1.409_353_601_524_512_6,
                1.564_059_275_105_197_2,
            ),
            (
                10,
                -800.0,
                3.124_212_374_610_145_5e-39,
                1.394_776_129_867_746,
                std::f64::consts::FRAC_PI_2, // theta0 ~ 0: the mean angle
            ),
        ];
        for (n, lm, th, euc, geo) in cases {
            let got = cap_angle_ln(n, lm).unwrap();
            assert!(
                rel(got, th) < 1e-12,
                "n={n} ln mu={lm}: theta0 {got} vs {th}"
            );
            let e = cap_distance_euclidean_ln(n, lm).unwrap();
            let g = cap_distance_geodesic_ln(n, lm).unwrap();
            assert!(rel(e, euc) < 1e-12, "n={n} ln mu={lm}: {e} vs {euc}");
            assert!(rel(g, geo) < 1e-12, "n={n} ln mu={lm}: {g} vs {geo}");
            let t = cap_threshold_ln(n, lm).unwrap();
            assert!((t - th.cos()).abs() < 1e-12, "n={n}: t0 {t}");
        }
        // theta0 underflows at n = 3: the mean chord to a point, 4/3.
        assert!(rel(cap_distance_euclidean_ln(3, -1000.0).unwrap(), 4.0 / 3.0) < 1e-10);
        assert!(rel(cap_distance_euclidean_ln(2, -1000.0).unwrap(), 4.0 / PI) < 1e-10);
        // Optimal (estimated) at ln mu = -1e4 and n = 500: 141.3798... / sqrt(500).
        let want = 141.379_839_873_127_16 / 500f64.sqrt();
        assert!(rel(optimal_estimated_ln(500, -1e4).unwrap(), want) < 1e-13);
        let gauss = cap_distance_gaussian_ln(500, -1e4).unwrap();
        assert!(rel(gauss, want) < 1e-13, "{gauss}"); // phi(z) underflows, Phi(z) = 1
    }

    #[test]
    fn ln_forms_continue_the_mu_forms() {
        for n in [2, 3, 10, 500, 2000] {
            for mu in [0.7, 0.2, 1e-2, 1e-6, 1e-30, 1e-300] {
                let lm = f64::ln(mu);
                let pairs = [
                    (cap_angle(n, mu), cap_angle_ln(n, lm)),
                    (
                        cap_distance_euclidean(n, mu),
                        cap_distance_euclidean_ln(n, lm),
                    ),
                    (
                        cap_distance_geodesic(n, mu),
                        cap_distance_geodesic_ln(n, lm),
                    ),
                    (optimal_estimated(n, mu), optimal_estimated_ln(n, lm)),
                    (
                        cap_distance_gaussian(n, mu),
                        cap_distance_gaussian_ln(n, lm),
                    ),
                ];
                for (k, (a, b)) in pairs.into_iter().enumerate() {
                    let (a, b) = (a.unwrap(), b.unwrap());
                    assert!(
                        (a - b).abs() <= 1e-12 * a.abs(),
                        "n={n} mu={mu:e} form {k}: {a} vs {b}"
                    );
                }
            }
            // Below the smallest double the bound keeps growing smoothly.
            let (a, b) = (
                cap_distance_euclidean_ln(n, -700.0).unwrap(),
                cap_distance_euclidean_ln(n, -760.0).unwrap(),
            );
            assert!(b >= a && b - a < 0.05, "n={n}: {a} then {b}");
        }
    }

    #[test]
    fn bad_input_names_the_value() {
        assert!(
            cap_measure(1, 0.0)
                .unwrap_err()
                .to_string()
                .contains("got 1")
        );
        assert!(
            cap_threshold(10, 0.0)
                .unwrap_err()
                .to_string()
                .contains("got 0")
        );
        assert!(
            cap_distance_euclidean(10, 1.5)
                .unwrap_err()
                .to_string()
                .contains("1.5")
        );
        assert!(optimal_estimated(10, f64::NAN).is_err());
        for lm in [0.0, 1.0, f64::NAN, f64::NEG_INFINITY] {
            let e = cap_distance_euclidean_ln(10, lm).unwrap_err().to_string();
            assert!(e.contains("ln mu"), "{e}");
            assert!(optimal_estimated_ln(10, lm).is_err());
        }
        assert!(cap_measure(10, f64::NAN).is_err());
    }
}
