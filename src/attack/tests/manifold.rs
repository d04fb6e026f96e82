use ndarray::Array2;

use super::fixtures::{FAR, cap_distance, perfect_quad};
use crate::attack::{ManifoldParams, Mode, inner_starts, manifold_attack};
use crate::nn::Model;

#[test]
fn first_error_on_a_cap_is_the_geodesic_distance_to_it() {
    let (n, t) = (100, 0.25f32);
    let model = Model::cap(n, t, FAR);
    let x = inner_starts(1, n, 40);
    let out = manifold_attack(&model, x.view(), &[0.0; 40], &ManifoldParams::default(), 2).unwrap();
    for (i, o) in out.iter().enumerate() {
        let want = cap_distance(x[[i, 0]] as f64, t as f64);
        assert!(o.misclassified, "start {i} not found");
        assert!(
            (o.distance - want).abs() < 2e-4,
            "start {i}: {} vs {want}",
            o.distance
        );
        // The refined point sits on the cap's edge.
        assert!((o.end[0] - t).abs() < 1e-4, "edge {}", o.end[0]);
        let r: f32 = o.end.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((r - 1.0).abs() < 1e-5);
    }
}

#[test]
fn worst_case_climbs_to_the_pole_of_the_cap() {
    let (n, t) = (30, 0.2f32);
    let model = Model::cap(n, t, FAR);
    let x = inner_starts(2, n, 8);
    let params = ManifoldParams {
        mode: Mode::WorstCase,
        max_steps: 400,
        ..ManifoldParams::default()
    };
    let out = manifold_attack(&model, x.view(), &[0.0; 8], &params, 1).unwrap();
    for o in &out {
        // The loss of label 0 is largest at e_1, logit 1 - t.
        assert!(o.end[0] > 0.999, "ended at x_1 = {}", o.end[0]);
        assert!(o.misclassified && o.end_loss > o.start_loss);
        assert!(o.steps > 100);
    }
}

#[test]
fn perfect_quadratic_net_yields_no_error_on_either_sphere() {
    let n = 40;
    let model = perfect_quad(n);
    let inner = inner_starts(3, n, 16);
    let outer = inner.mapv(|v| v * 1.3);
    let mut x = Array2::zeros((32, n));
    x.slice_mut(ndarray::s![..16, ..]).assign(&inner);
    x.slice_mut(ndarray::s![16.., ..]).assign(&outer);
    let labels: Vec<f32> = (0..32).map(|i| if i < 16 { 0.0 } else { 1.0 }).collect();
    let out = manifold_attack(&model, x.view(), &labels, &ManifoldParams::default(), 2).unwrap();
    assert!(out.iter().all(|o| !o.misclassified && o.steps > 0));
}

#[test]
fn bad_input_is_refused() {
    let model = Model::cap(5, 0.1, 1.3);
    let p = ManifoldParams::default();
    let zero = Array2::zeros((1, 5));
    assert!(manifold_attack(&model, zero.view(), &[0.0], &p, 1).is_err());
    let x = inner_starts(1, 4, 1);
    assert!(manifold_attack(&model, x.view(), &[0.0], &p, 1).is_err());
    let x = inner_starts(1, 5, 2);
    assert!(manifold_attack(&model, x.view(), &[0.0], &p, 1).is_err());
    let bad = ManifoldParams { step: 0.0, ..p };
    assert!(manifold_attack(&model, x.view(), &[0.0, 0.0], &bad, 1).is_err());
}
