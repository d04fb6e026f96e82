//! The streams the optimiser sweeps together never share their low 12
//! address bits: parameters, gradients and both Adam moments start a
//! quarter page apart, for a fresh trainer and for one rebuilt from a
//! snapshot (whose parameters are a new allocation). Without this, buffers
//! from mmap all start 16 bytes into a page and the fused update stalls on
//! 4K aliasing (docs/performance.md).

use spheres::config::preset;
use spheres::nn::placement::{page_distance, page_offset};
use spheres::train::Trainer;

fn check(t: &Trainer, what: &str) {
    let (m, v) = t.optimizer.moments();
    let streams = [
        t.model.params.as_ptr(),
        t.grads().as_ptr(),
        m.as_ptr(),
        v.as_ptr(),
    ];
    let o = streams.map(page_offset);
    for i in 0..4 {
        for j in 0..i {
            assert!(
                page_distance(o[i], o[j]) >= 1024,
                "{what}: streams {j} and {i} at page offsets {o:?}"
            );
        }
    }
}

#[test]
fn optimiser_streams_start_a_quarter_page_apart() {
    for name in ["relu-paper", "quad-paper", "quick"] {
        let mut t = Trainer::new(preset(name).unwrap().config, name);
        t.step();
        check(&t, name);
        let mut resumed = Trainer::from_state(t.state(0.0)).unwrap();
        resumed.step();
        check(&resumed, &format!("{name}, resumed"));
    }
}
