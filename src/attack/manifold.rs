//! The manifold attack: projected gradient ascent on the loss that never
//! leaves the sphere a starting point lies on. Each step moves `step *
//! radius` along the tangent part of the loss gradient, then renormalises.
//!
//! Starts are processed in fixed chunks that step in lockstep, so one batched
//! forward/backward pass serves a whole chunk; finished rows are frozen.
//!
//! In first-error mode the refinement bisects the arc between the last
//! correct iterate and the first wrong one, which puts the end on the
//! boundary but leaves the distance a chord to the end of a curved ascent
//! path: an upper bound on the start's distance to the error set, often a
//! loose one. `nearest` tightens it along great circles from the start.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::arc_bisect::bisect_arcs;
use super::cancel::Cancel;
use super::error::{AttackError, check_points};
use super::pool;
use super::probe::{Probe, ascent_sign, loss, misclassified};
use super::sphere::{STUCK, arc_point, distance, norm, project_tangent, rescale};
use crate::nn::Model;

/// Starts per lockstep chunk: large enough for matrix-matrix products,
/// small enough that rows finishing early waste little.
pub const CHUNK: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Stop at the first misclassified iterate and refine the distance.
    FirstError,
    /// Spend the whole budget maximising the loss.
    WorstCase,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ManifoldParams {
    /// Step length as a fraction of the sphere's radius.
    pub step: f32,
    pub max_steps: usize,
    /// Bisection halvings between the last correct and first wrong iterate.
    pub halvings: u32,
    pub mode: Mode,
}

impl Default for ManifoldParams {
    /// The public reproductions' settings: normalised steps of 0.01 for up
    /// to 1000 steps.
    fn default() -> Self {
        Self {
            step: 0.01,
            max_steps: 1000,
            halvings: 20,
            mode: Mode::FirstError,
        }
    }
}

/// A run's attack settings (`attack.step`, `attack.steps`) with the other
/// parameters at their defaults.
impl From<&crate::config::Attack> for ManifoldParams {
    fn from(a: &crate::config::Attack) -> Self {
        Self {
            step: a.step as f32,
            max_steps: a.steps,
            ..Self::default()
        }
    }
}

impl ManifoldParams {
    pub fn validate(&self) -> Result<(), AttackError> {
        if !(self.step > 0.0 && self.step <= 1.0) {
            return Err(AttackError::Param(format!(
                "step {} must be in (0, 1]",
                self.step
            )));
        }
        if self.max_steps == 0 || self.max_steps > 1_000_000 {
            return Err(AttackError::Param(format!(
                "max_steps {} must be in 1..=1000000",
                self.max_steps
            )));
        }
        if self.halvings > 50 {
            return Err(AttackError::Param(format!(
                "halvings {} must be at most 50",
                self.halvings
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManifoldOutcome {
    /// FirstError: an error was reached. WorstCase: the final point is wrong.
    pub misclassified: bool,
    /// Euclidean distance from the start to `end` (a chord, not the
    /// length of the path the attack took).
    pub distance: f64,
    /// Gradient steps taken.
    pub steps: usize,
    pub start_loss: f64,
    pub end_loss: f64,
    /// FirstError with an error found: the refined error point. Otherwise
    /// the last iterate.
    pub end: Vec<f32>,
}

/// Attacks every row of `starts` (labels 0 inner / 1 outer) on the sphere of
/// its own norm.
pub fn manifold_attack(
    model: &Model,
    starts: ArrayView2<'_, f32>,
    labels: &[f32],
    params: &ManifoldParams,
    threads: usize,
) -> Result<Vec<ManifoldOutcome>, AttackError> {
    manifold_attack_cancellable(model, starts, labels, params, threads, &Cancel::never())
}

/// `manifold_attack` that gives up with `AttackError::Cancelled` within one
/// gradient step of `cancel` tripping.
pub fn manifold_attack_cancellable(
    model: &Model,
    starts: ArrayView2<'_, f32>,
    labels: &[f32],
    params: &ManifoldParams,
    threads: usize,
    cancel: &Cancel,
) -> Result<Vec<ManifoldOutcome>, AttackError> {
    params.validate()?;
    check_points(model, starts, labels)?;
    let chunks: Vec<_> = starts
        .axis_chunks_iter(Axis(0), CHUNK)
        .zip(labels.chunks(CHUNK))
        .collect();
    let out: Vec<Option<Vec<ManifoldOutcome>>> = pool::install(threads, || {
        chunks
            .into_par_iter()
            .map(|(x0, y)| attack_chunk(model, x0, y, params, cancel))
            .collect()
    });
    cancel.check()?;
    out.into_iter()
        .map(|c| c.ok_or(AttackError::Cancelled))
        .collect::<Result<Vec<_>, _>>()
        .map(|v| v.into_iter().flatten().collect())
}

/// None when cancelled.
fn attack_chunk(
    model: &Model,
    x0: ArrayView2<'_, f32>,
    labels: &[f32],
    params: &ManifoldParams,
    cancel: &Cancel,
) -> Option<Vec<ManifoldOutcome>> {
    let b = x0.nrows();
    let x0 = x0.as_standard_layout().into_owned();
    let mut probe = Probe::new(model, b);
    let mut x = x0.clone();
    let mut prev = x0.clone();
    let radius: Vec<f64> = (0..b).map(|i| norm(row(&x0, i))).collect();
    let mut active = vec![true; b];
    let mut found_at: Vec<Option<usize>> = vec![None; b];
    let mut steps = vec![0usize; b];
    let mut start_loss = vec![0.0; b];
    let mut end_loss = vec![0.0; b];
    let mut wrong = vec![false; b];
    let mut dir = vec![0.0f32; b];
    let first_error = params.mode == Mode::FirstError;

    for step in 0..=params.max_steps {
        if cancel.is_cancelled() {
            return None;
        }
        let logits = probe.forward(model, x.view());
        for i in 0..b {
            let (z, y) = (logits[i], labels[i]);
            if step == 0 {
                start_loss[i] = loss(z, y);
            }
            if active[i] {
                end_loss[i] = loss(z, y);
                wrong[i] = misclassified(z, y);
                if first_error && wrong[i] {
                    found_at[i] = Some(step);
                    active[i] = false;
                }
            }
        }
        if step == params.max_steps || !active.contains(&true) {
            break;
        }
        for i in 0..b {
            dir[i] = if active[i] {
                ascent_sign(labels[i])
            } else {
                0.0
            };
        }
        probe.backward(model, x.view(), &dir);
        for i in 0..b {
            if !active[i] {
                continue;
            }
            let mut g = probe.dx.row_mut(i);
            let g = g.as_slice_mut().expect("contiguous");
            let full = norm(g);
            project_tangent(g, row(&x, i));
            let tangent = norm(g);
            if !tangent.is_finite() || tangent <= STUCK * full || tangent == 0.0 {
                active[i] = false;
                continue;
            }
            prev.row_mut(i).assign(&x.row(i));
            let k = (params.step as f64 * radius[i] / tangent) as f32;
            let mut xr = x.row_mut(i);
            let xr = xr.as_slice_mut().expect("contiguous");
            xr.iter_mut().zip(g.iter()).for_each(|(a, &d)| *a += k * d);
            rescale(xr, radius[i]);
            steps[i] += 1;
        }
    }

    let refine: Vec<bool> = found_at
        .iter()
        .map(|f| matches!(f, Some(s) if *s > 0))
        .collect();
    if refine.contains(&true) {
        let hi = bisect_arcs(
            model,
            &mut probe,
            &prev,
            &x,
            labels,
            &radius,
            &refine,
            params.halvings,
        );
        let mut end = vec![0.0f32; x.ncols()];
        for i in (0..b).filter(|&i| refine[i] && hi[i] < 1.0) {
            arc_point(row(&prev, i), row(&x, i), hi[i], radius[i], &mut end);
            x.row_mut(i).assign(&ndarray::ArrayView1::from(&end));
        }
        let logits = probe.forward(model, x.view());
        for i in (0..b).filter(|&i| refine[i]) {
            end_loss[i] = loss(logits[i], labels[i]);
        }
    }
    let outcomes = (0..b)
        .map(|i| {
            let end = row(&x, i).to_vec();
            ManifoldOutcome {
                misclassified: found_at[i].is_some() || wrong[i],
                distance: distance(row(&x0, i), &end),
                steps: steps[i],
                start_loss: start_loss[i],
                end_loss: end_loss[i],
                end,
            }
        })
        .collect();
    Some(outcomes)
}

/// Row `i` of a standard-layout matrix as a slice.
pub(crate) fn row(a: &Array2<f32>, i: usize) -> &[f32] {
    let n = a.ncols();
    &a.as_slice().expect("standard layout")[i * n..(i + 1) * n]
}
