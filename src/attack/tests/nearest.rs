use super::fixtures::{FAR, cap_distance, perfect_quad};
use crate::attack::{ManifoldParams, inner_starts, nearest_error, unfound_fraction};
use crate::nn::Model;
use crate::stats::cap::{cap_distance_euclidean, cap_measure, cap_threshold, optimal_estimated};

#[test]
fn cap_classifier_d_e_matches_the_exact_cap_distance() {
    let (n, starts) = (100, 1200);
    let t = cap_threshold(n, 0.01).unwrap() as f32;
    let mu = cap_measure(n, t as f64).unwrap();
    let model = Model::cap(n, t, FAR);
    let e = nearest_error(&model, 7, starts, mu, &ManifoldParams::default(), 2).unwrap();
    assert_eq!((e.starts, e.found), (starts, starts));
    assert_eq!(unfound_fraction(&e), 0.0);
    let exact = cap_distance_euclidean(n, mu).unwrap();
    assert!((exact - 0.23).abs() < 0.01, "paper: ~0.23 at n = 100");
    let rel = (e.mean_distance - exact).abs() / exact;
    assert!(rel < 0.03, "d(E) {} vs cap {exact}", e.mean_distance);
    // For a cap the bound is attained: the cap curve is the exact answer.
    assert_eq!(e.bound_cap, exact);
    assert_eq!(e.bound_optimal, optimal_estimated(n, mu).unwrap());
    let x = inner_starts(7, n, starts);
    for (i, d) in e.distances.iter().enumerate() {
        assert!((d - cap_distance(x[[i, 0]] as f64, t as f64)).abs() < 2e-4);
    }
}

#[test]
fn perfect_quadratic_net_has_nothing_to_find() {
    let model = perfect_quad(50);
    let e = nearest_error(&model, 1, 24, 1e-6, &ManifoldParams::default(), 2).unwrap();
    assert_eq!(e.found, 0);
    assert!(e.distances.is_empty() && e.mean_distance.is_nan());
    assert_eq!(unfound_fraction(&e), 1.0);
    assert!(e.bound_cap.is_finite() && e.bound_optimal > 0.0);
}

#[test]
fn zero_rate_gives_nan_bounds_not_a_panic() {
    let model = Model::cap(10, 0.9, FAR);
    let e = nearest_error(&model, 1, 4, 0.0, &ManifoldParams::default(), 1).unwrap();
    assert!(e.bound_cap.is_nan() && e.bound_optimal.is_nan());
    assert!(nearest_error(&model, 1, 0, 0.1, &ManifoldParams::default(), 1).is_err());
}
