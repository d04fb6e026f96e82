//! Uniform points on a sphere: a Gaussian vector, normalised.

use ndarray::ArrayViewMut2;
use rand::RngExt;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use crate::rng::{Rng, Stream, rng_for};

/// Fills `out` with a uniform unit vector.
pub fn fill_direction(rng: &mut Rng, out: &mut [f32]) {
    let mut norm2 = 0.0f64;
    for v in out.iter_mut() {
        let g: f32 = rng.sample(StandardNormal);
        *v = g;
        norm2 += (g as f64) * (g as f64);
    }
    let inv = (1.0 / norm2.sqrt()) as f32;
    out.iter_mut().for_each(|v| *v *= inv);
}

/// Point `index` of `stream`: label 0 (radius 1) or 1 (radius `radius`) by a
/// fair coin, written into `out`. Returns the label.
pub fn sample_point(seed: u64, stream: Stream, index: u64, radius: f32, out: &mut [f32]) -> f32 {
    let mut rng = rng_for(seed, stream, index);
    let outer = rng.random::<bool>();
    fill_direction(&mut rng, out);
    if outer {
        out.iter_mut().for_each(|v| *v *= radius);
        1.0
    } else {
        0.0
    }
}

/// Fills each row of `x` with the point whose index `index_of(row)` gives,
/// labels into `y`. Rows are independent, so this parallelises on the
/// current rayon pool without changing any number.
pub fn fill_points(
    seed: u64,
    stream: Stream,
    radius: f32,
    mut x: ArrayViewMut2<'_, f32>,
    y: &mut [f32],
    index_of: impl Fn(usize) -> u64 + Sync,
) {
    let n = x.ncols();
    let rows = x.as_slice_mut().expect("batch buffers are contiguous");
    let work = |(i, (row, label)): (usize, (&mut [f32], &mut f32))| {
        *label = sample_point(seed, stream, index_of(i), radius, row);
    };
    if rayon::current_num_threads() > 1 && y.len() >= 64 {
        rows.par_chunks_mut(n)
            .zip(y.par_iter_mut())
            .enumerate()
            .for_each(work);
    } else {
        rows.chunks_mut(n)
            .zip(y.iter_mut())
            .enumerate()
            .for_each(work);
    }
}
