//! Error on fresh test points, per sphere: the headless run's final summary.

use ndarray::Array2;
use rayon::prelude::*;

use crate::data::fill_points;
use crate::gemm::Parallelism;
use crate::nn::Model;
use crate::rng::Stream;

/// (inner errors, inner points, outer errors, outer points) on `samples`
/// points of the test stream, evaluated in chunks on the current rayon pool.
pub fn test_error(model: &Model, seed: u64, radius: f32, samples: u64) -> [u64; 4] {
    // Small chunks keep each worker's buffers in cache and reused.
    const CHUNK: u64 = 1024;
    let chunks = samples.div_ceil(CHUNK);
    let buffers = || {
        (
            Array2::zeros((CHUNK as usize, model.dim())),
            vec![0.0; CHUNK as usize],
            None,
        )
    };
    (0..chunks)
        .into_par_iter()
        .map_init(buffers, |(x, y, ws), c| {
            let start = c * CHUNK;
            let rows = CHUNK.min(samples - start) as usize;
            let (mut x, y) = (x.slice_mut(ndarray::s![..rows, ..]), &mut y[..rows]);
            fill_points(seed, Stream::Test, radius, x.view_mut(), y, |i| {
                start + i as u64
            });
            let ws = ws.get_or_insert_with(|| model.workspace(rows, Parallelism(1)));
            model.fit_workspace(ws, rows);
            model.forward_eval(x.view(), ws);
            let mut counts = [0u64; 4];
            for (z, label) in ws.logits().iter().zip(y.iter()) {
                let outer = *label > 0.5;
                let wrong = (*z > 0.0) != outer || !z.is_finite();
                let k = if outer { 2 } else { 0 };
                counts[k] += u64::from(wrong);
                counts[k + 1] += 1;
            }
            counts
        })
        .reduce(
            || [0; 4],
            |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]],
        )
}
