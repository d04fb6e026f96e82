//! Bisection along great circles: where the arc from a correct point to an
//! error point leaves the error set. The attack's refinement, the
//! tightening of d(E) toward found errors and the boundary walk all use it.

use ndarray::Array2;

use super::manifold::row;
use super::probe::{Probe, misclassified};
use super::sphere::arc_point;
use crate::nn::Model;

/// For each row `r` with `live[r]`, the smallest fraction of the arc from
/// `correct[r]` to `wrong[r]` (on the sphere of radius `radius[r]`) at which
/// `halvings` halvings saw the model misclassify for `labels[r]`; 1 for rows
/// not live or where no midpoint was wrong. Every row is forwarded in the
/// layout of `wrong`, so a result never depends on which rows were live.
#[allow(clippy::too_many_arguments)]
pub(crate) fn bisect_arcs(
    model: &Model,
    probe: &mut Probe,
    correct: &Array2<f32>,
    wrong: &Array2<f32>,
    labels: &[f32],
    radius: &[f64],
    live: &[bool],
    halvings: u32,
) -> Vec<f64> {
    let rows = live.len();
    let mut lo = vec![0.0f64; rows];
    let mut hi = vec![1.0f64; rows];
    let mut trial = wrong.clone();
    for _ in 0..halvings {
        for r in (0..rows).filter(|&r| live[r]) {
            let mid = 0.5 * (lo[r] + hi[r]);
            let mut t = trial.row_mut(r);
            arc_point(
                row(correct, r),
                row(wrong, r),
                mid,
                radius[r],
                t.as_slice_mut().expect("contiguous"),
            );
        }
        let logits = probe.forward(model, trial.view());
        for r in (0..rows).filter(|&r| live[r]) {
            let mid = 0.5 * (lo[r] + hi[r]);
            if misclassified(logits[r], labels[r]) {
                hi[r] = mid;
            } else {
                lo[r] = mid;
            }
        }
    }
    hi
}

/// The point at fraction `hi` of the arc from `correct` to `wrong`, into
/// `out`: `wrong` itself at 1, so the point is always one seen
/// misclassified.
pub(crate) fn arc_end(correct: &[f32], wrong: &[f32], hi: f64, radius: f64, out: &mut [f32]) {
    if hi < 1.0 {
        arc_point(correct, wrong, hi, radius, out);
    } else {
        out.copy_from_slice(wrong);
    }
}
