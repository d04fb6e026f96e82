//! `cargo test --release --lib attack::tests::throughput -- --ignored --nocapture`

use std::time::Instant;

use crate::attack::{ErrorEstimator, ManifoldParams, Mode, inner_starts, manifold_attack};
use crate::nn::Model;
use crate::rng::{Stream, rng_for};

#[test]
#[ignore = "measures speed of the paper's ReLU net"]
fn paper_relu_net_throughput() {
    let model = Model::relu(500, 1000, 2, true, &mut rng_for(1, Stream::Init, 0));
    let (starts, steps) = (64, 50);
    let x = inner_starts(1, 500, starts);
    let params = ManifoldParams {
        mode: Mode::WorstCase,
        max_steps: steps,
        ..ManifoldParams::default()
    };
    for threads in [1, 2] {
        let e = ErrorEstimator::new(1, 1.3)
            .run(&model, 0, 40_960, threads)
            .unwrap();
        let t = Instant::now();
        manifold_attack(&model, x.view(), &[0.0; 64], &params, threads).unwrap();
        let grad_steps = (starts * steps) as f64 / t.elapsed().as_secs_f64();
        println!(
            "threads {threads}: estimator {:.0} samples/s, attack {grad_steps:.0} \
             gradient steps/s = {:.2} full 1000-step searches/s",
            e.samples_per_s,
            grad_steps / 1000.0
        );
    }
}
