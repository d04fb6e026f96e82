use crate::attack::{
    Cancel, ErrorEstimator, ManifoldParams, Starts, inner_starts, nearest_error, worst_case,
};
use crate::data::Sphere;
use crate::gemm::Parallelism;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};

/// An untrained ReLU net with batch norm, its output bias set so that it
/// errs on a good share of both spheres.
fn small_relu() -> Model {
    let mut model = Model::relu(16, 32, 2, true, &mut rng_for(1, Stream::Init, 0));
    let x = inner_starts(3, 16, 64);
    let mut ws = model.workspace(128, Parallelism(1));
    let both = ndarray::concatenate![ndarray::Axis(0), x, x.mapv(|v| v * 1.3)];
    model.forward_eval(both.view(), &mut ws);
    let mut logits = ws.logits().to_vec();
    logits.sort_by(f32::total_cmp);
    let bias = model.layout().get("6.bias").expect("output bias").offset;
    model.params[bias] -= logits[64];
    model
}

#[test]
fn estimates_and_attacks_repeat_exactly() {
    let model = small_relu();
    let run = |threads| {
        let e = ErrorEstimator::new(2, 1.3)
            .run(&model, 1, 2048, threads)
            .unwrap();
        let params = ManifoldParams {
            max_steps: 200,
            ..ManifoldParams::default()
        };
        let starts = Starts {
            seed: 2,
            sphere: Sphere::Inner,
            outer_radius: 1.3,
            count: 40,
        };
        let mut d = nearest_error(&model, starts, &params, threads, &Cancel::never()).unwrap();
        d.searches_per_s = 0.0;
        let w = worst_case(&model, 2, 20, 1.3, &params, threads).unwrap();
        (e.inner, e.outer, d, w)
    };
    let a = run(2);
    assert_eq!(a, run(2));
    // Chunks never depend on the pool, so even the thread count is moot.
    assert_eq!(a, run(1));
    assert!(a.0.errors > 0 && a.1.errors > 0);
    assert!(a.2.found > 0 && a.2.mean_distance > 0.0);
    assert!(a.3.worst_loss > a.3.mean_loss);
}
