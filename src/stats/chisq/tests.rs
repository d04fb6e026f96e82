//! Closed forms, Monte Carlo and cross-method checks of the tails.

use super::*;
use crate::rng::{Stream, rng_for};
use crate::stats::normal;
use rand_distr::{Distribution, StandardNormal};

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// ln P(chi^2_{2m} > t) = -t/2 + ln sum_{j<m} (t/2)^j / j!.
fn ln_chi2_even_upper(m: usize, t: f64) -> f64 {
    let x = t / 2.0;
    let (mut term, mut sum) = (1.0, 1.0);
    for j in 1..m {
        term *= x / j as f64;
        sum += term;
    }
    -x + sum.ln()
}

#[test]
fn equal_weights_match_the_chi_square_tail() {
    for (m, t) in [
        (2usize, 2.0),
        (2, 15.0),
        (2, 150.0),
        (2, 1300.0),
        (5, 40.0),
        (50, 400.0),
    ] {
        let w = vec![1.0; 2 * m];
        let want = ln_chi2_even_upper(m, t);
        let got = tails(&w, t).unwrap();
        assert!(
            (got.ln_upper - want).abs() < 1e-9,
            "m={m} t={t}: {got:?} vs {want}"
        );
        if want > -700.0 {
            assert!(rel(got.upper, want.exp()) < 1e-9, "m={m} t={t}");
        }
    }
    // Scale invariance and a single weight: P[3 g^2 > t] = 2 sf(sqrt(t/3)).
    for t in [0.5, 3.0 * 100.0, 3.0 * 1000.0] {
        let got = tails(&[3.0], t).unwrap();
        let want = 2.0 * normal::sf((t / 3.0).sqrt());
        assert!(
            rel(got.upper, want) < 1e-9,
            "t={t}: {} vs {want}",
            got.upper
        );
    }
}

#[test]
fn lower_tail_near_zero() {
    // P[chi^2_2 < t] = 1 - e^{-t/2}; P[chi^2_4 < t] = 1 - e^{-x}(1 + x), x = t/2.
    for t in [1e-20, 1e-6, 0.1] {
        let got = tails(&[1.0, 1.0], t).unwrap();
        assert!(rel(got.lower, -(-t / 2.0f64).exp_m1()) < 1e-9, "t={t}");
    }
    let x = 5e-11;
    let got = tails(&[2.0; 4], 4.0 * x).unwrap();
    assert!(
        rel(got.lower, x * x / 2.0 * (1.0 - 4.0 * x / 3.0)) < 1e-8,
        "{got:?}"
    );
}

#[test]
fn two_distinct_weights_match_closed_forms() {
    // a E1 + b E2 with E ~ Exp(mean 2) (each weight doubled):
    // P[> t] = (a e^{-t/2a} - b e^{-t/2b}) / (a - b).
    let (a, b) = (1.0f64, 0.25f64);
    for t in [1.0, 30.0, 300.0] {
        let want = (a * (-t / (2.0 * a)).exp() - b * (-t / (2.0 * b)).exp()) / (a - b);
        let got = upper_tail(&[a, a, b, b], t).unwrap();
        assert!(rel(got, want) < 1e-9, "t={t}: {got} vs {want}");
    }
    // Mixed signs, a E1 - b E2: P[> t] = a/(a+b) e^{-t/2a} for t >= 0,
    // P[< t] = b/(a+b) e^{t/2b} for t <= 0.
    let (a, b) = (1.0f64, 3.0f64);
    for t in [0.0, 0.5, 40.0, 1200.0] {
        let want = (a / (a + b)).ln() - t / (2.0 * a);
        let got = tails(&[a, -b, a, -b], t).unwrap();
        assert!((got.ln_upper - want).abs() < 1e-9, "t={t}: {got:?}");
        let want = (b / (a + b)).ln() - t / (2.0 * b);
        let got = tails(&[a, -b, a, -b], -t).unwrap();
        assert!((got.ln_lower - want).abs() < 1e-9, "t=-{t}: {got:?}");
    }
}

#[test]
fn two_groups_of_opposite_sign_match_the_beta_tail() {
    // P[a chi^2_p > b chi^2_q] = P[Beta(p/2, q/2) > b/(a+b)]
    // = I_{a/(a+b)}(q/2, p/2): odd degrees of freedom, t = 0.
    for (a, p, b, q) in [
        (0.3, 3, 0.1, 17),
        (0.02, 3, 0.4, 497),
        (1.0, 1, 1.0, 1),
        (0.05, 10, 0.2, 490),
        (2.0, 7, 0.5, 3),
    ] {
        let mut w = vec![a; p];
        w.extend(vec![-b; q]);
        let want =
            crate::stats::beta::ln_beta_inc(q as f64 / 2.0, p as f64 / 2.0, a / (a + b)).unwrap();
        let got = tails(&w, 0.0).unwrap();
        // |ln P - ln P*| bounds the relative error of P.
        let err = (got.ln_upper - want).abs();
        assert!(err < 1e-9, "{a}x{p} vs {b}x{q}: {got:?}, want ln {want}");
    }
}

#[test]
fn imhof_and_contour_agree_where_both_apply() {
    let w = [2.0, 1.5, 1.0, 0.7, 0.3, -0.2, -0.5, -1.1, 0.05, 0.9];
    for t in [-6.0, -2.0, 0.0, 1.0, 4.0, 10.0, 20.0, 35.0] {
        let a = imhof_upper(&w, t).unwrap();
        let c = contour_tails(&w, t).unwrap();
        assert!((a - c.upper).abs() < 1e-11, "t={t}: {a} vs {}", c.upper);
        if c.upper.min(c.lower) > 1e-3 {
            assert!(rel(a, c.upper) < 1e-10);
        }
    }
}

#[test]
fn lugannani_rice_is_close_in_the_far_tail() {
    let w: Vec<f64> = (0..20).map(|i| 1.0 - 0.08 * i as f64).collect();
    for t in [30.0, 100.0, 400.0] {
        let exact = contour_tails(&w, t).unwrap();
        let lr = lugannani_rice(&w, t).unwrap();
        let err = (lr.ln_upper - exact.ln_upper).abs();
        // Few effective degrees of freedom dominate this far out, and
        // Lugannani-Rice is then off by ~10% (12% at t = 400).
        assert!(err < 0.2, "t={t}: {lr:?} vs {exact:?}");
        assert!(exact.ln_upper < -10.0);
    }
}

#[test]
fn agrees_with_monte_carlo() {
    // The quadratic net's inner error with alphas 1.3 x3, 0.9 x17 at t = 0.
    let mut w = vec![0.3; 3];
    w.extend(vec![-0.1; 17]);
    let samples = 400_000;
    let mut rng = rng_for(11, Stream::Eval, 0);
    let mut hits = 0u64;
    for _ in 0..samples {
        let q: f64 = w
            .iter()
            .map(|l| {
                let g: f64 = StandardNormal.sample(&mut rng);
                l * g * g
            })
            .sum();
        hits += (q > 0.0) as u64;
    }
    let p = tails(&w, 0.0).unwrap().upper;
    let (lo, hi) = crate::stats::interval::clopper_pearson(hits, samples, 0.999);
    assert!(lo <= p && p <= hi, "{p} not in [{lo}, {hi}]");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn tails_are_consistent_for_arbitrary_weights(
        w in proptest::collection::vec(-3.0f64..3.0, 1..40),
        t in -30.0f64..30.0,
    ) {
        let a = tails(&w, t).unwrap();
        proptest::prop_assert!((0.0..=1.0).contains(&a.upper) && (0.0..=1.0).contains(&a.lower));
        proptest::prop_assert!((a.upper + a.lower - 1.0).abs() < 1e-12, "{a:?}");
        // Tails are monotone in t.
        let b = tails(&w, t + 0.5).unwrap();
        proptest::prop_assert!(b.ln_upper <= a.ln_upper + 1e-9, "{a:?} then {b:?}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Weights spanning twelve decades, both signs, t from 50 sd below
    /// to 300 sd above the mean.
    #[test]
    fn tails_stay_monotone_across_scales_and_depths(
        w in proptest::collection::vec((-8.0f64..4.0, proptest::bool::ANY), 1..60),
        k in -50.0f64..300.0,
    ) {
        let w: Vec<f64> = w.iter().map(|(e, s)| if *s { 10f64.powf(*e) } else { -(10f64.powf(*e)) }).collect();
        let mean: f64 = w.iter().sum();
        let sd = (2.0 * w.iter().map(|l| l * l).sum::<f64>()).sqrt();
        let t = mean + k * sd;
        let a = tails(&w, t);
        proptest::prop_assert!(a.is_ok(), "{w:?} {t}: {a:?}");
        let a = a.unwrap();
        proptest::prop_assert!(a.ln_upper.is_finite() || a.upper == 0.0 || a.method == Method::Exact, "{a:?}");
        let b = tails(&w, t + 0.1 * sd).unwrap();
        proptest::prop_assert!(b.ln_upper <= a.ln_upper + 1e-8, "{w:?} {t}: {a:?} then {b:?}");
    }
}

#[test]
fn support_and_input_checks() {
    assert_eq!(upper_tail(&[1.0, 2.0], -1.0).unwrap(), 1.0);
    assert_eq!(upper_tail(&[-1.0, -2.0], 0.0).unwrap(), 0.0);
    assert_eq!(lower_tail(&[-1.0, -2.0], 0.0).unwrap(), 1.0);
    assert_eq!(tails(&[0.0, 0.0], 0.0).unwrap().lower, 0.0);
    assert_eq!(tails(&[0.0], 1.0).unwrap().lower, 1.0);
    assert!(
        tails(&[1.0, f64::NAN], 0.0)
            .unwrap_err()
            .to_string()
            .contains("weight 1")
    );
    assert!(tails(&[1.0], f64::INFINITY).is_err());
    // Zero weights change nothing.
    let a = upper_tail(&[1.0, 0.0, -0.5, 0.0, 2.0, 1.0], 3.0).unwrap();
    let b = upper_tail(&[1.0, -0.5, 2.0, 1.0], 3.0).unwrap();
    assert!(rel(a, b) < 1e-14);
}
