use super::fixtures::perfect_quad;
use crate::attack::ErrorEstimator;
use crate::nn::Model;
use rand::RngExt;

use crate::rng::{Stream, rng_for};
use crate::stats::cap::{cap_measure, cap_threshold};
use crate::stats::quadnet::analyse_alphas;

#[test]
fn cap_interval_contains_the_exact_inner_rate_and_outer_is_clean() {
    let n = 20;
    let t = cap_threshold(n, 0.01).unwrap() as f32;
    let exact = cap_measure(n, t as f64).unwrap();
    assert!((exact - 0.01).abs() < 1e-3, "exact {exact}");
    let model = Model::cap(n, t, 1.3);
    let mut est = ErrorEstimator::new(3, 1.3);
    let e = est.run(&model, 1, 200_000, 2).unwrap();
    assert!(
        e.inner.lo <= exact && exact <= e.inner.hi,
        "{:?} vs {exact}",
        e.inner
    );
    assert!(
        e.inner.hi / e.inner.lo < 1.3,
        "interval too wide: {:?}",
        e.inner
    );
    assert!(e.inner.samples > 90_000 && e.outer.samples > 90_000);
    assert_eq!(e.inner.samples + e.outer.samples, est.samples());
    assert_eq!(e.outer.errors, 0);
    assert!(e.outer.upper_bound_only() && e.outer.hi < 4.0 / e.outer.samples as f64);
    assert!(e.samples_per_s > 0.0);
}

#[test]
fn perfect_quadratic_net_has_only_an_upper_bound() {
    let model = perfect_quad(50);
    let e = ErrorEstimator::new(5, 1.3)
        .run(&model, 0, 20_000, 2)
        .unwrap();
    for r in [e.inner, e.outer] {
        assert!(r.upper_bound_only() && r.lo == 0.0, "{r:?}");
        // The one-sided 95% bound is about 3 / samples.
        let rule_of_three = 3.0 / r.samples as f64;
        assert!((r.hi / rule_of_three - 1.0).abs() < 0.01, "{r:?}");
    }
}

#[test]
fn continues_across_calls_and_resets_on_a_new_version() {
    let model = Model::cap(10, 0.3, 1.3);
    let mut split = ErrorEstimator::new(9, 1.3);
    let first = split.run(&model, 4, 512, 1).unwrap();
    let second = split.run(&model, 4, 512, 2).unwrap();
    let whole = ErrorEstimator::new(9, 1.3).run(&model, 4, 1024, 2).unwrap();
    assert_eq!((second.inner, second.outer), (whole.inner, whole.outer));
    assert!(second.inner.samples > first.inner.samples);
    assert!(first.inner.errors > 0, "the cap at t = 0.3 is ~17% of S^9");
    // A new version starts over from point 0.
    let fresh = split.run(&model, 5, 512, 1).unwrap();
    assert_eq!((fresh.inner, fresh.outer), (first.inner, first.outer));
    assert_eq!(split.samples(), 512);
}

#[test]
fn bad_input_is_refused() {
    let mut est = ErrorEstimator::new(1, 0.5);
    assert!(est.run(&Model::cap(4, 0.1, 1.3), 0, 10, 1).is_err());
    let mut broken = perfect_quad(4);
    broken.params[0] = f32::NAN;
    assert!(ErrorEstimator::new(1, 1.3).run(&broken, 0, 10, 1).is_err());
}

#[test]
fn quadratic_net_intervals_contain_the_exact_rates_on_both_spheres() {
    let n = 20;
    // Alphas around 1 err on the inner sphere (~9%), around 1/R^2 on the
    // outer one (~30%); the exact rates are weighted chi-square tails.
    for (seed, range) in [(21, 0.9..1.08), (22, 0.5..0.7)] {
        let mut rng = rng_for(seed, Stream::Init, 0);
        let alphas: Vec<f64> = (0..n).map(|_| rng.random_range(range.clone())).collect();
        let exact = analyse_alphas(&alphas, 1.3).unwrap();
        let larger = exact.inner_exact.max(exact.outer_exact);
        assert!(larger > 0.003 && larger < 0.5, "uninformative: {exact:?}");
        let model = Model::quad_with_alphas(&alphas, n, &mut rng);
        let e = ErrorEstimator::new(8, 1.3)
            .run(&model, 0, 100_000, 2)
            .unwrap();
        for (r, want) in [(e.inner, exact.inner_exact), (e.outer, exact.outer_exact)] {
            assert!(r.lo <= want && want <= r.hi, "{r:?} vs exact {want}");
        }
    }
}
