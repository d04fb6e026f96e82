//! The exact distances against the double cap's closed forms: a quadratic
//! net with alphas (a, r, ..., r), a > 1 > r, whose inner error set is
//! {|u_1| > t0}.

use ndarray::{Array2, ArrayView2};

use super::distance::ExactDistance;
use super::geometry::QuadGeometry;
use crate::data::{Sphere, fill_direction};
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::stats::double_cap::DoubleCap;

fn inner_points(n: usize, count: usize, seed: u64) -> Array2<f32> {
    let mut x = Array2::zeros((count, n));
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let mut rng = rng_for(seed, Stream::Eval, i as u64);
        fill_direction(&mut rng, row.as_slice_mut().unwrap());
    }
    x
}

#[test]
fn pointwise_distances_match_the_double_cap() {
    let (n, a, r) = (50, 1.4f64, 0.7f64);
    // W = diag(sqrt(alpha)) in f32; the closed form uses the alphas the
    // f32 entries represent.
    let (sa, sr) = ((a.sqrt() as f32), (r.sqrt() as f32));
    let mut w = Array2::<f32>::zeros((n, n));
    w[[0, 0]] = sa;
    (1..n).for_each(|i| w[[i, i]] = sr);
    let geometry = QuadGeometry::new(w.view(), 1.0, -1.0, 1.3).unwrap();
    let cap = DoubleCap::from_alphas(n, (sa as f64).powi(2), (sr as f64).powi(2)).unwrap();
    let x = inner_points(n, 400, 1);
    let d = geometry
        .distances_to_errors(Sphere::Inner, x.view())
        .unwrap()
        .unwrap();
    let mut outside = 0;
    for (row, got) in x.rows().into_iter().zip(&d) {
        let norm = row.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt();
        let want = cap.distance(row[0] as f64 / norm);
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        outside += (want > 0.0) as usize;
    }
    assert!(outside > 300, "{outside}");
}

#[test]
fn mean_distance_matches_the_double_cap_in_a_random_basis() {
    let (n, a, r) = (100, 1.25, 0.8);
    let mut alphas = vec![r; n];
    alphas[0] = a;
    let mut rng = rng_for(2, Stream::Init, 0);
    let model = Model::quad_with_alphas(&alphas, n, &mut rng);
    let geometry = QuadGeometry::from_model(&model, 1.3).unwrap().unwrap();
    let cap = DoubleCap::from_alphas(n, a, r).unwrap();
    let want = cap.mean_distance().unwrap();
    let x = inner_points(n, 4000, 3);
    let got = geometry
        .mean_distance_to_errors(Sphere::Inner, x.view())
        .unwrap();
    let ExactDistance::Mean {
        mean,
        std_error: Some(se),
        points: 4000,
        ..
    } = got
    else {
        panic!("{got:?}");
    };
    assert!((mean - want).abs() < 4.0 * se, "{mean} +- {se} vs {want}");
    assert!(se < 0.01 * want, "{se}");
    // The measure is the exact error rate the analysis reports.
    let exact = geometry.analysis().unwrap();
    let (l1, l2) = (exact.ln_inner_exact, cap.ln_measure().unwrap());
    assert!((l1 - l2).abs() < 1e-4 * l2.abs(), "{l1} vs {l2}");
    // The outer sphere of this net has no error: R^2 alpha > 1 everywhere.
    let outer = x.mapv(|v| v * 1.3);
    assert_eq!(
        geometry
            .mean_distance_to_errors(Sphere::Outer, outer.view())
            .unwrap(),
        ExactDistance::NoErrors { points: 4000 }
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (n, a, r) = (30, 1.5, 0.6);
    let mut alphas = vec![r; n];
    alphas[0] = a;
    let mut rng = rng_for(4, Stream::Init, 0);
    let model = Model::quad_with_alphas(&alphas, n, &mut rng);
    let geometry = QuadGeometry::from_model(&model, 1.3).unwrap().unwrap();
    let x = inner_points(n, 700, 5);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            geometry
                .mean_distance_to_errors(Sphere::Inner, ArrayView2::from(&x))
                .unwrap()
        })
    };
    assert_eq!(run(1), run(2));
    assert_eq!(run(2), run(3));
}
