//! Walking an error point along the decision boundary toward its start.
//!
//! Bisecting the great circle from a start x toward an error point p finds
//! where that arc leaves the error set, which is the nearest error only if
//! the error set is a cap seen from x. For curved error sets (a quadratic
//! net's cone, a ReLU net's polytopes) the crossing can lie well beyond the
//! nearest error: on trained quadratic nets at n = 50 the chord bisection
//! alone came out 8% above the exact d(E).
//!
//! The walk is HopSkipJump's iteration (Chen, Jordan & Wainwright 2020)
//! with the model's exact gradient in place of its sampled estimate, on the
//! sphere: from a boundary point p, step a length xi into the error set
//! along the tangent gradient of the misclassification score, then bisect
//! the arc from x to that point back to the boundary. Each accepted point
//! is closer to x than the last and was seen misclassified in this pass,
//! so the distance stays an upper bound on d(x, E); a step that does not
//! bring p closer halves xi. It stops in a local minimum of the distance
//! over the boundary, which is what it is for: the attack's own paths and
//! the candidates decide which basin.

use ndarray::Array2;

use super::arc_bisect::{arc_end, bisect_arcs};
use super::manifold::row;
use super::probe::{Probe, ascent_sign, misclassified};
use super::sphere::{distance, norm, project_tangent, rescale};
use crate::nn::Model;

/// Walk iterations per point: each costs one gradient and `halvings + 1`
/// forward passes of the few rows walked together.
pub const WALK_STEPS: usize = 24;

/// The first step into the error set, as a fraction of the distance to
/// the start.
const FIRST_STEP: f64 = 0.25;

/// Moves each row of `p` (an error point for `label`, on the sphere of
/// `radius`) to an error point nearer the same row of `x` (a correct
/// point), and returns the rows' distances.
pub(crate) fn walk_toward(
    model: &Model,
    x: &Array2<f32>,
    p: &mut Array2<f32>,
    label: f32,
    radius: f64,
    halvings: u32,
) -> Vec<f64> {
    let rows = x.nrows();
    let n = x.ncols();
    let mut probe = Probe::new(model, rows);
    let mut best: Vec<f64> = (0..rows).map(|r| distance(row(x, r), row(p, r))).collect();
    let mut xi: Vec<f64> = best.iter().map(|d| FIRST_STEP * d).collect();
    let mut deep = p.clone();
    let dir = vec![ascent_sign(label); rows];
    let labels = vec![label; rows];
    let radii = vec![radius; rows];
    for _ in 0..WALK_STEPS {
        probe.forward(model, p.view());
        probe.backward(model, p.view(), &dir);
        let mut live = vec![false; rows];
        for r in 0..rows {
            let mut g = probe.dx.row(r).to_vec();
            project_tangent(&mut g, row(p, r));
            let gn = norm(&g);
            if !(gn.is_finite() && gn > 0.0) || xi[r] <= 0.0 {
                continue;
            }
            let k = (xi[r] / gn) as f32;
            let mut e = deep.row_mut(r);
            let e = e.as_slice_mut().expect("contiguous");
            for ((e, &p), &g) in e.iter_mut().zip(row(p, r)).zip(&g) {
                *e = p + k * g;
            }
            rescale(e, radius);
            live[r] = true;
        }
        if !live.contains(&true) {
            break;
        }
        let deep_wrong: Vec<bool> = probe
            .forward(model, deep.view())
            .iter()
            .map(|&z| misclassified(z, label))
            .collect();
        for r in 0..rows {
            if live[r] && !deep_wrong[r] {
                // Overshot through a thin part of the error set.
                xi[r] *= 0.5;
                live[r] = false;
            }
        }
        let hi = bisect_arcs(
            model, &mut probe, x, &deep, &labels, &radii, &live, halvings,
        );
        let mut q = vec![0.0f32; n];
        for r in (0..rows).filter(|&r| live[r]) {
            // hi is 1 (the deep point, checked above) or a midpoint that
            // was seen misclassified.
            arc_end(row(x, r), row(&deep, r), hi[r], radius, &mut q);
            let d = distance(row(x, r), &q);
            if d < best[r] {
                best[r] = d;
                p.row_mut(r).assign(&ndarray::ArrayView1::from(&q[..]));
                xi[r] = xi[r].min(FIRST_STEP * d);
            } else {
                xi[r] *= 0.5;
            }
        }
    }
    best
}
