//! Log-gamma, log-beta and the regularised incomplete beta function with its
//! inverse.
//!
//! `ln_beta` combines Stirling series analytically once both arguments are
//! large, so the huge ln Gamma terms cancel before rounding: at a = b = 1000
//! the prefactor of I_x keeps ~1e-14 relative accuracy. I_x itself is the
//! classic continued fraction (modified Lentz) on whichever side of the mean
//! it converges fast, and everything has a log-space twin, so tails far below
//! the smallest double are still represented.
//!
//! Checked against 40-digit values on a grid a in [0.5, 5000],
//! b in [0.5, 999.5], x in [1e-6, 0.999] (320 points): relative error of
//! I_x at most 9e-12, the worst where ln I_x = -69061 and the error is
//! that of a ln x itself.

use super::error::{Result, StatsError, invalid};

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// ln Gamma(x) - [(x - 1/2) ln x - x + ln sqrt(2 pi)]; seven terms of the
/// Stirling series are exact to double precision for x >= 10.
fn stirling_correction(x: f64) -> f64 {
    let r = 1.0 / x;
    let r2 = r * r;
    r * (1.0 / 12.0
        - r2 * (1.0 / 360.0
            - r2 * (1.0 / 1260.0
                - r2 * (1.0 / 1680.0
                    - r2 * (1.0 / 1188.0 - r2 * (691.0 / 360_360.0 - r2 / 156.0))))))
}

/// ln Gamma(x) for x > 0 (Lanczos g = 7 below 10, Stirling above); NaN
/// or meaningless elsewhere, which callers here never pass.
pub fn ln_gamma(x: f64) -> f64 {
    if x >= 10.0 {
        return (x - 0.5) * x.ln() - x + LN_SQRT_2PI + stirling_correction(x);
    }
    if x < 0.5 {
        // Reflection keeps the Lanczos sum away from its poles.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    LN_SQRT_2PI + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ln B(a, b) for a, b > 0.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let s = a + b;
    if a >= 10.0 {
        // (a-1/2)ln a + (b-1/2)ln b - (s-1/2)ln s, regrouped so no two large
        // terms are subtracted.
        LN_SQRT_2PI + (a - 0.5) * (a / s).ln() - (b - 0.5) * (a / b).ln_1p() - 0.5 * s.ln()
            + stirling_correction(a)
            + stirling_correction(b)
            - stirling_correction(s)
    } else if b >= 10.0 {
        // ln Gamma(b) - ln Gamma(a + b) via the same regrouping.
        ln_gamma(a) - (b - 0.5) * (a / b).ln_1p() - a * s.ln() + a + stirling_correction(b)
            - stirling_correction(s)
    } else {
        ln_gamma(a) + ln_gamma(b) - ln_gamma(s)
    }
}

/// Continued fraction for I_x(a, b) / [x^a (1-x)^b / (a B(a,b))]
/// (modified Lentz). Converges quickly for x < (a+1)/(a+b+2).
fn beta_cf(a: f64, b: f64, x: f64) -> Result<f64> {
    const TINY: f64 = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..100_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            return Ok(h);
        }
    }
    Err(StatsError::NoConvergence(format!(
        "incomplete beta continued fraction at a = {a}, b = {b}, x = {x}"
    )))
}

fn check(a: f64, b: f64, x: f64) -> Result<()> {
    if !(a > 0.0 && a.is_finite()) {
        return invalid(format!(
            "beta parameter a must be positive and finite, got {a}"
        ));
    }
    if !(b > 0.0 && b.is_finite()) {
        return invalid(format!(
            "beta parameter b must be positive and finite, got {b}"
        ));
    }
    if !(0.0..=1.0).contains(&x) {
        return invalid(format!(
            "incomplete beta argument must lie in [0, 1], got {x}"
        ));
    }
    Ok(())
}

/// ln I_x(a, b) without the symmetry switch; valid on the fast side.
fn ln_beta_inc_direct(a: f64, b: f64, x: f64) -> Result<f64> {
    let cf = beta_cf(a, b, x)?;
    Ok(a * x.ln() + b * (-x).ln_1p() - ln_beta(a, b) - a.ln() + cf.ln())
}

/// (ln I_x(a, b), ln [1 - I_x(a, b)]), each accurate in relative terms.
pub fn ln_beta_inc_both(a: f64, b: f64, x: f64) -> Result<(f64, f64)> {
    check(a, b, x)?;
    if x == 0.0 {
        return Ok((f64::NEG_INFINITY, 0.0));
    }
    if x == 1.0 {
        return Ok((0.0, f64::NEG_INFINITY));
    }
    if x < (a + 1.0) / (a + b + 2.0) {
        let l = ln_beta_inc_direct(a, b, x)?;
        Ok((l, ln_one_minus_exp(l)))
    } else {
        let u = ln_beta_inc_direct(b, a, 1.0 - x)?;
        Ok((ln_one_minus_exp(u), u))
    }
}

/// ln(1 - e^l) for l <= 0, accurate at both ends.
fn ln_one_minus_exp(l: f64) -> f64 {
    if l > -std::f64::consts::LN_2 {
        (-l.exp_m1()).ln()
    } else {
        (-l.exp()).ln_1p()
    }
}

/// Regularised incomplete beta I_x(a, b) = P(Beta(a, b) <= x).
pub fn beta_inc(a: f64, b: f64, x: f64) -> Result<f64> {
    Ok(ln_beta_inc_both(a, b, x)?.0.exp())
}

/// ln I_x(a, b); finite even where I_x underflows.
pub fn ln_beta_inc(a: f64, b: f64, x: f64) -> Result<f64> {
    Ok(ln_beta_inc_both(a, b, x)?.0)
}

/// Inverse of I_x(a, b) in x, given ln p (so p may be far below 1e-308).
/// Solves on the smaller tail by Newton on ln I as a function of ln x, so
/// one iteration serves every scale of x (down to and below the subnormal
/// range, where the result is 0), guarded by a bracket that is bisected
/// whenever a Newton step leaves it.
pub fn beta_inc_inv_ln(a: f64, b: f64, ln_p: f64) -> Result<f64> {
    check(a, b, 0.5)?;
    if ln_p.is_nan() || ln_p > 0.0 {
        return invalid(format!("ln p must be <= 0, got {ln_p}"));
    }
    if ln_p == f64::NEG_INFINITY {
        return Ok(0.0);
    }
    if ln_p == 0.0 {
        return Ok(1.0);
    }
    if ln_p > -std::f64::consts::LN_2 {
        // The upper tail q = 1 - p is the small one: x = 1 - y with
        // I_y(b, a) = q.
        let ln_q = ln_one_minus_exp(ln_p);
        return Ok(1.0 - lower_inverse(b, a, ln_q)?);
    }
    lower_inverse(a, b, ln_p)
}

/// The x with I_x(a, b) = p, for any p in [0, 1].
pub fn beta_inc_inv(a: f64, b: f64, p: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&p) {
        return invalid(format!("probability must lie in [0, 1], got {p}"));
    }
    beta_inc_inv_ln(a, b, p.ln())
}

/// ln I_x(a, b) and d ln I / d ln x at x = e^u. On the fast side of the
/// continued fraction a ln x is taken as a u, so x may underflow.
fn ln_lower_at(a: f64, b: f64, u: f64) -> Result<(f64, f64)> {
    let x = u.exp();
    let ln_1mx = (-x).ln_1p();
    let lb = ln_beta(a, b);
    let ln_i = if x < (a + 1.0) / (a + b + 2.0) {
        a * u + b * ln_1mx - lb - a.ln() + beta_cf(a, b, x)?.ln()
    } else {
        ln_beta_inc_both(a, b, x)?.0
    };
    // x pdf(x) / I_x.
    let slope = (a * u + (b - 1.0) * ln_1mx - lb - ln_i).exp();
    Ok((ln_i, slope))
}

fn lower_inverse(a: f64, b: f64, ln_p: f64) -> Result<f64> {
    // Bracket and iterate in u = ln x.
    let (mut lo, mut hi) = (f64::NEG_INFINITY, 0.0f64);
    // I_x ~ x^a / (a B(a, b)) as x -> 0.
    let mut u = (ln_p + a.ln() + ln_beta(a, b)) / a;
    if !(u.is_finite() && u < 0.0) {
        u = (a / (a + b)).ln();
    }
    for _ in 0..400 {
        let (ln_i, slope) = ln_lower_at(a, b, u)?;
        let f = ln_i - ln_p;
        if f == 0.0 {
            return Ok(u.exp());
        }
        if f > 0.0 {
            hi = u;
        } else {
            lo = u;
        }
        let mut next = u - f / slope;
        if !(next > lo && next < hi && next.is_finite()) {
            next = if lo.is_finite() {
                0.5 * (lo + hi)
            } else {
                // No lower bound yet: step down by at least one e-fold.
                hi - (2.0 * hi.abs()).max(1.0)
            };
        }
        let ulp = 4.0 * f64::EPSILON * u.abs().max(1.0);
        if (next - u).abs() <= ulp || hi - lo <= ulp {
            return Ok(next.exp());
        }
        u = next;
    }
    Err(StatsError::NoConvergence(format!(
        "inverse incomplete beta at a = {a}, b = {b}, ln p = {ln_p}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn log_gamma_and_log_beta_match_reference() {
        assert!((ln_gamma(0.3) - 1.095_797_994_818_075_6).abs() < 1e-14);
        assert!((ln_gamma(7.5) - 7.534_364_236_758_733).abs() < 1e-13);
        assert!(rel(ln_gamma(1000.5), 5_908.674_175_848_677) < 1e-15);
        assert!((ln_beta(0.5, 999.5) - -2.881_137_571_519_478).abs() < 1e-13);
        assert!((ln_beta(300.0, 700.0) - -612.618_603_795_092_2).abs() < 1e-11);
        assert!((ln_gamma(1.0)).abs() < 1e-15 && (ln_gamma(2.0)).abs() < 1e-15);
    }

    #[test]
    fn incomplete_beta_matches_reference() {
        // 40-digit values.
        let cases = [
            (2.5, 3.5, 0.3, 0.296_752_989_295_666_4),
            (0.5, 0.5, 0.01, 0.063_768_560_858_519_85),
            (249.5, 249.5, 0.1, 4.421_197_480_090_55e-113),
            (1000.0, 1000.0, 0.3, 4.230_925_036_907_745e-78),
            (5.0, 96.0, 0.05, 0.564_018_699_314_288),
            (0.1, 10.0, 1e-5, 0.416_558_226_192_094_05),
            (50.0, 0.5, 0.99, 0.317_304_397_874_197_4),
        ];
        for (a, b, x, want) in cases {
            let got = beta_inc(a, b, x).unwrap();
            assert!(
                rel(got, want) < 1e-11,
                "I_{x}({a},{b}) = {got:e}, want {want:e}"
            );
            let upper = beta_inc(b, a, 1.0 - x).unwrap();
            // 1 - x is rounded; at (0.1, 10, 1e-5) the density amplifies
            // that to ~5e-13.
            assert!((got + upper - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn inverse_round_trips_including_far_tails() {
        for &(a, b) in &[
            (0.5, 0.5),
            (2.5, 3.5),
            (5.0, 96.0),
            (249.5, 249.5),
            (1000.0, 1000.0),
        ] {
            for &lp in &[-1e-12, -0.01, -0.5, -3.0, -50.0, -690.0, -1500.0] {
                let x = beta_inc_inv_ln(a, b, lp).unwrap();
                if lp > -0.5 {
                    // The upper tail q = 1 - p is solved as I_y(b, a) = q
                    // with x = 1 - y; check y, which x = 1 - y may round away.
                    let lq = (-lp.exp_m1()).ln();
                    let y = beta_inc_inv_ln(b, a, lq).unwrap();
                    let back = ln_beta_inc(b, a, y).unwrap();
                    assert!((back - lq).abs() < 1e-10 * lq.abs(), "a={a} b={b} lp={lp}");
                    assert!((x - (1.0 - y)).abs() <= f64::EPSILON);
                } else if x == 0.0 {
                    // Only acceptable when the true x is below the smallest
                    // subnormal: x ~ (p a B(a, b))^(1/a).
                    assert!((lp + a.ln() + ln_beta(a, b)) / a < -744.0, "a={a} lp={lp}");
                } else {
                    let back = ln_beta_inc(a, b, x).unwrap();
                    assert!(
                        (back - lp).abs() < 1e-10 * lp.abs(),
                        "a={a} b={b} lp={lp}: {back}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn inverse_is_robust(
            la in -2.0f64..3.7,
            lb in -2.0f64..3.7,
            lp in -700.0f64..-0.7,
        ) {
            let (a, b) = (10f64.powf(la), 10f64.powf(lb));
            let x = beta_inc_inv_ln(a, b, lp).unwrap();
            proptest::prop_assert!((0.0..=1.0).contains(&x));
            // The root must lie between the neighbours of x a few ulps
            // away: near x = 1 a single ulp moves I_x a lot (a = 266,
            // b = 0.0108), so a plain tolerance on ln I would be unfair.
            if x > 1e-300 && x < 1.0 {
                let down = ln_beta_inc(a, b, x * (1.0 - 4.0 * f64::EPSILON)).unwrap();
                let up = ln_beta_inc(a, b, (x * (1.0 + 4.0 * f64::EPSILON)).min(1.0)).unwrap();
                let tol = 1e-10 * lp.abs();
                proptest::prop_assert!(down - tol <= lp && lp <= up + tol, "a={a} b={b} lp={lp}: [{down}, {up}]");
            }
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(beta_inc(-1.0, 2.0, 0.5).is_err());
        assert!(beta_inc(1.0, f64::NAN, 0.5).is_err());
        assert!(beta_inc(1.0, 2.0, 1.5).is_err());
        assert!(beta_inc_inv(1.0, 2.0, 2.0).is_err());
        assert_eq!(beta_inc(2.0, 3.0, 0.0).unwrap(), 0.0);
        assert_eq!(beta_inc(2.0, 3.0, 1.0).unwrap(), 1.0);
    }
}
