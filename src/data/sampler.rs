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
/// labels into `y`. Rows are independent, so inside a rayon pool of more
/// than one thread this runs in parallel without changing any number;
/// outside a pool it stays on the calling thread.
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
    if rayon::current_thread_index().is_some() && rayon::current_num_threads() > 1 && y.len() >= 64
    {
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn radii_labels_and_directions_have_the_right_law() {
        let (rows, n, radius) = (20_000usize, 10usize, 1.3f32);
        let mut x = Array2::zeros((rows, n));
        let mut y = vec![0.0; rows];
        fill_points(7, Stream::Train, radius, x.view_mut(), &mut y, |i| i as u64);
        for (row, label) in x.rows().into_iter().zip(&y) {
            let r = row.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt();
            let want = if *label > 0.5 { radius as f64 } else { 1.0 };
            assert!(
                (r - want).abs() < 1e-6 * want,
                "radius {r} for label {label}"
            );
        }
        // Fair coin: within 4 standard deviations of rows / 2.
        let outer = y.iter().filter(|l| **l > 0.5).count() as f64;
        let sd = (rows as f64 * 0.25).sqrt();
        assert!(
            (outer - rows as f64 / 2.0).abs() < 4.0 * sd,
            "{outer} outer of {rows}"
        );
        // Uniform directions: each coordinate of x/|x| has mean 0 and
        // variance 1/n; the sample mean's sd is sqrt(1/(n rows)).
        for j in 0..n {
            let col: Vec<f64> = x
                .rows()
                .into_iter()
                .zip(&y)
                .map(|(row, l)| row[j] as f64 / if *l > 0.5 { radius as f64 } else { 1.0 })
                .collect();
            let mean = col.iter().sum::<f64>() / rows as f64;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / rows as f64;
            assert!(
                mean.abs() < 4.0 / ((n * rows) as f64).sqrt(),
                "coordinate {j} mean {mean}"
            );
            assert!(
                (var * n as f64 - 1.0).abs() < 0.05,
                "coordinate {j} variance {var}"
            );
        }
    }

    #[test]
    fn a_point_depends_only_on_seed_stream_and_index() {
        let (mut a, mut b) = (vec![0.0; 8], vec![0.0; 8]);
        let la = sample_point(3, Stream::Eval, 12345, 1.3, &mut a);
        let lb = sample_point(3, Stream::Eval, 12345, 1.3, &mut b);
        assert_eq!((la, &a), (lb, &b));
        sample_point(3, Stream::Train, 12345, 1.3, &mut b);
        assert_ne!(a, b);
    }
}
