//! d(E) from every start against closed-form answers: a cap, a double cap
//! (a quadratic net whose error set is {|x_1| > t0}), the outer sphere of
//! another double cap, and starts the attack cannot finish.

use super::fixtures::{FAR, cap_distance, perfect_quad};
use crate::attack::{Cancel, ManifoldParams, NearestSearch, Starts, nearest_error};
use crate::data::Sphere;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::stats::cap::{cap_distance_euclidean, cap_measure, cap_threshold};
use crate::stats::quadrature::{Tolerance, integrate_pieces};
use crate::stats::spread::mean_and_se;

fn starts(seed: u64, sphere: Sphere, count: usize) -> Starts {
    Starts {
        seed,
        sphere,
        outer_radius: 1.3,
        count,
    }
}

fn search(model: &Model, s: Starts, params: &ManifoldParams) -> crate::attack::NearestError {
    nearest_error(model, s, params, 2, &Cancel::never()).unwrap()
}

/// A quadratic net with alphas (a, b, ..., b) in the basis e_1, ..., e_n:
/// on the unit sphere it says "outer" iff a x_1^2 + b (1 - x_1^2) > 1.
fn double_cap(n: usize, a: f64, b: f64) -> Model {
    let mut alphas = vec![b; n];
    alphas[0] = a;
    Model::quad_with_alphas(&alphas, n, &mut rng_for(5, Stream::Init, 0))
}

/// Chord distance on a sphere of radius r from a point whose first
/// coordinate is r * c1 to the double cap {|x_1| > r * t0}.
fn double_cap_distance(c1: f64, t0: f64, r: f64) -> f64 {
    let theta = c1.clamp(-1.0, 1.0).acos();
    let near = theta.min(std::f64::consts::PI - theta);
    r * 2.0 * (0.5 * (near - t0.acos()).max(0.0)).sin()
}

/// d(E) of the double cap on the unit sphere of R^n, by quadrature over
/// the polar angle (density sin^{n-2} / B(1/2, (n-1)/2)).
fn double_cap_d_e(n: usize, t0: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI};
    let ln_norm = crate::stats::beta::ln_beta(0.5, 0.5 * (n as f64 - 1.0));
    let f = |theta: f64| {
        double_cap_distance(theta.cos(), t0, 1.0)
            * ((n as f64 - 2.0) * theta.sin().ln() - ln_norm).exp()
    };
    let theta0 = t0.acos();
    let pts = [0.0, theta0, FRAC_PI_2, PI - theta0, PI];
    integrate_pieces(f, &pts, Tolerance::relative(1e-10))
        .unwrap()
        .value
}

#[test]
fn cap_classifier_d_e_matches_the_exact_cap_distance() {
    let (n, count) = (100, 1200);
    let t = cap_threshold(n, 0.01).unwrap() as f32;
    let mu = cap_measure(n, t as f64).unwrap();
    let model = Model::cap(n, t, FAR);
    let s = starts(7, Sphere::Inner, count);
    let e = search(&model, s, &ManifoldParams::default());
    assert_eq!(
        (e.starts, e.found, e.distances.len()),
        (count, count, count)
    );
    assert!(e.every_start && e.unfound_fraction() == 0.0);
    let exact = cap_distance_euclidean(n, mu).unwrap();
    assert!((exact - 0.23).abs() < 0.01, "paper: ~0.23 at n = 100");
    let rel = (e.mean_distance - exact).abs() / exact;
    assert!(rel < 0.03, "d(E) {} vs cap {exact}", e.mean_distance);
    // The sample's own exact mean: the attack is exact per start on a cap.
    let x = s.points(n);
    for (i, d) in e.distances.iter().enumerate() {
        assert!((d - cap_distance(x[[i, 0]] as f64, t as f64)).abs() < 2e-4);
    }
    let (_, se) = mean_and_se(&e.distances);
    assert!((e.se - se).abs() < 1e-15 && e.se > 0.0);
}

#[test]
fn a_double_cap_is_found_from_every_start_within_its_closed_form() {
    // alphas (2.2, 0.9, ..., 0.9): inner error iff x_1^2 > 0.1 / 1.3.
    let (n, a, b) = (50, 2.2f64, 0.9f64);
    let t0 = ((1.0 - b) / (a - b)).sqrt();
    let model = double_cap(n, a, b);
    // Closed-form mu against the exact chi-square tail of the net itself.
    let mu = 2.0 * cap_measure(n, t0).unwrap();
    let q = crate::stats::quadnet::analyse_model(&model, 1.3)
        .unwrap()
        .unwrap();
    assert!(
        (q.inner_exact / mu - 1.0).abs() < 1e-4,
        "{} vs {mu}",
        q.inner_exact
    );
    assert!(mu > 0.01 && mu < 0.2, "{mu}");

    let s = starts(11, Sphere::Inner, 400);
    let e = search(&model, s, &ManifoldParams::default());
    assert!(e.found as f64 >= 0.95 * 400.0, "found {}", e.found);
    assert_eq!(e.distances.len(), 400);
    let x = s.points(n);
    let exact: Vec<f64> = (0..400)
        .map(|i| double_cap_distance(x[[i, 0]] as f64, t0, 1.0))
        .collect();
    for (i, (d, want)) in e.distances.iter().zip(&exact).enumerate() {
        // An upper bound on every start (f32 rounding of the net aside).
        assert!(*d >= want - 2e-4, "start {i}: {d} below the exact {want}");
    }
    let (exact_mean, _) = mean_and_se(&exact);
    let bias = (e.mean_distance - exact_mean) / exact_mean;
    assert!(
        bias.abs() < 0.03,
        "attack {} vs exact {exact_mean} on the same starts",
        e.mean_distance
    );
    // Against the population d(E): within two standard errors over starts
    // plus the bias measured on a cap (same n, same starts count).
    let cap_t = cap_threshold(n, mu).unwrap() as f32;
    let cap = Model::cap(n, cap_t, FAR);
    let cs = starts(11, Sphere::Inner, 400);
    let c = search(&cap, cs, &ManifoldParams::default());
    let cx = cs.points(n);
    let cap_exact: f64 = (0..400)
        .map(|i| cap_distance(cx[[i, 0]] as f64, cap_t as f64))
        .sum::<f64>()
        / 400.0;
    let cap_bias = (c.mean_distance - cap_exact).abs();
    let d_e = double_cap_d_e(n, t0);
    let gap = (e.mean_distance - d_e).abs();
    assert!(
        gap <= 2.0 * e.se + cap_bias + 1e-3,
        "d(E) {} vs closed form {d_e}: gap {gap}, se {}, cap bias {cap_bias}",
        e.mean_distance,
        e.se
    );
}

#[test]
fn the_outer_sphere_is_measured_on_its_own_radius() {
    // alphas (0.1, 0.62, ..., 0.62): R^2 (a x_1^2 + b (1 - x_1^2)) < 1 on the
    // outer sphere iff x_1^2 > (b - 1/R^2) / (b - a); the inner sphere has
    // no error (every alpha below 1).
    let (n, a, b, r) = (50, 0.1f64, 0.62f64, 1.3f64);
    let t0 = ((b - 1.0 / (r * r)) / (b - a)).sqrt();
    let model = double_cap(n, a, b);
    let s = starts(3, Sphere::Outer, 160);
    let e = search(&model, s, &ManifoldParams::default());
    assert_eq!(e.sphere, Sphere::Outer);
    assert!(e.found as f64 >= 0.95 * 160.0, "found {}", e.found);
    let x = s.points(n);
    let mut exact = Vec::new();
    for (i, d) in e.distances.iter().enumerate() {
        let norm = x.row(i).dot(&x.row(i)).sqrt() as f64;
        assert!((norm - r).abs() < 1e-5);
        let want = double_cap_distance(x[[i, 0]] as f64 / norm, t0, r);
        assert!(
            *d >= want - 2e-4 && *d <= want + 2e-3,
            "start {i}: {d} vs {want}"
        );
        exact.push(want);
    }
    let (exact_mean, _) = mean_and_se(&exact);
    assert!((e.mean_distance / exact_mean - 1.0).abs() < 0.03);
    let inner = search(
        &model,
        starts(3, Sphere::Inner, 32),
        &ManifoldParams::default(),
    );
    assert_eq!(inner.found, 0);
}

#[test]
fn starts_the_attack_cannot_finish_are_counted_not_dropped() {
    // Twenty steps of 0.01 reach the cap only from starts within 0.2 rad of
    // it; every other start is bounded through the errors others found.
    let (n, t) = (100, 0.25f32);
    let model = Model::cap(n, t, FAR);
    let params = ManifoldParams {
        max_steps: 20,
        ..ManifoldParams::default()
    };
    let s = starts(9, Sphere::Inner, 160);
    let e = search(&model, s, &params);
    assert!(
        e.found > 5 && e.unfound_fraction() > 0.5,
        "found {}",
        e.found
    );
    assert_eq!(e.distances.len(), 160);
    let x = s.points(n);
    let exact: Vec<f64> = (0..160)
        .map(|i| cap_distance(x[[i, 0]] as f64, t as f64))
        .collect();
    assert!(e.distances.iter().all(|d| d.is_finite()));
    for (i, (d, want)) in e.distances.iter().zip(&exact).enumerate() {
        assert!(*d >= want - 2e-4, "start {i}: {d} below the exact {want}");
    }
    // The mean counts every start and stays an upper estimate; the mean
    // over the found starts alone would sit far below the truth.
    let (exact_mean, _) = mean_and_se(&exact);
    assert!(e.mean_distance >= exact_mean - 1e-4);
    let reachable: Vec<f64> = exact.iter().copied().filter(|x| *x < 0.19).collect();
    assert!(reachable.len() >= 5 && mean_and_se(&reachable).0 < 0.8 * exact_mean);
}

#[test]
fn the_split_into_units_and_the_thread_count_change_nothing() {
    let model = double_cap(30, 2.0, 0.9);
    let s = starts(4, Sphere::Inner, 70);
    let p = ManifoldParams::default();
    let mut whole = nearest_error(&model, s, &p, 2, &Cancel::never()).unwrap();
    let mut split = NearestSearch::new(&model, s, &p).unwrap();
    let mut units = 0;
    while !split.advance(&model, 5, 1, &Cancel::never()).unwrap() {
        units += 1;
    }
    let mut split = split.result().unwrap();
    assert!(units > 5);
    whole.searches_per_s = 0.0;
    split.searches_per_s = 0.0;
    assert_eq!(whole, split);
}

#[test]
fn a_cancelled_search_stops_and_can_be_resumed() {
    let model = Model::cap(20, 0.5, FAR);
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let s = starts(1, Sphere::Inner, 20);
    let mut search = NearestSearch::new(&model, s, &ManifoldParams::default()).unwrap();
    let cancel = Cancel::on(flag.clone());
    assert_eq!(
        search.advance(&model, 20, 1, &cancel),
        Err(crate::attack::AttackError::Cancelled)
    );
    flag.store(false, std::sync::atomic::Ordering::Relaxed);
    while !search.advance(&model, 20, 1, &cancel).unwrap() {}
    assert_eq!(search.result().unwrap().found, 20);
}

#[test]
fn nothing_to_find_gives_no_distance_and_bad_input_is_refused() {
    let model = perfect_quad(50);
    let e = search(
        &model,
        starts(1, Sphere::Inner, 24),
        &ManifoldParams::default(),
    );
    assert_eq!(e.found, 0);
    assert!(e.distances.is_empty() && e.mean_distance.is_nan());
    assert_eq!(e.unfound_fraction(), 1.0);
    let cap = Model::cap(10, 0.9, FAR);
    let none = nearest_error(
        &cap,
        starts(1, Sphere::Inner, 0),
        &ManifoldParams::default(),
        1,
        &Cancel::never(),
    );
    assert!(none.is_err());
    let bad_r = Starts {
        outer_radius: 0.5,
        ..starts(1, Sphere::Outer, 4)
    };
    assert!(nearest_error(&cap, bad_r, &ManifoldParams::default(), 1, &Cancel::never()).is_err());
}
