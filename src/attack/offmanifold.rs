//! l2 attacks that may leave the spheres, as Foolbox and ART report them:
//! robust accuracy under PGD at a radius eps, and the minimal perturbation
//! per point (bisection on eps with PGD inside) with its median.
//!
//! PGD starts at the clean point (no random start, so results need no
//! randomness) and an attack succeeds at the first misclassified iterate.
//! A point keeps the label it was given: callers keep eps below the margin
//! between the spheres, (R - 1) / 2, so that the nearest sphere of every
//! perturbed point is still the one it came from.
//!
//! Both stop within one PGD step of their `Cancel` tripping.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::cancel::Cancel;
use super::error::{AttackError, check_points};
use super::manifold::row;
use super::pool;
use super::probe::{Probe, ascent_sign, misclassified};
use super::sphere::norm;
use crate::nn::Model;
use crate::stats::median;

const CHUNK: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PgdParams {
    pub steps: usize,
    /// Step length is `rel_step * eps / steps` (Madry et al.'s 2.5).
    pub rel_step: f32,
}

impl Default for PgdParams {
    fn default() -> Self {
        Self {
            steps: 50,
            rel_step: 2.5,
        }
    }
}

impl PgdParams {
    pub fn validate(&self) -> Result<(), AttackError> {
        if self.steps == 0 || self.steps > 100_000 {
            return Err(AttackError::Param(format!(
                "PGD steps {} must be in 1..=100000",
                self.steps
            )));
        }
        if !(self.rel_step > 0.0 && self.rel_step <= 100.0) {
            return Err(AttackError::Param(format!(
                "PGD relative step {} must be in (0, 100]",
                self.rel_step
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RobustAccuracy {
    pub eps: f64,
    /// Points classified correctly before any attack.
    pub clean_correct: usize,
    /// Points PGD could not flip within the ball.
    pub robust: usize,
    pub robust_accuracy: f64,
    pub per_point: Vec<bool>,
}

/// Robust accuracy of `model` on `points` under l2 PGD of radius `eps`.
pub fn pgd_l2(
    model: &Model,
    points: ArrayView2<'_, f32>,
    labels: &[f32],
    eps: f32,
    params: &PgdParams,
    threads: usize,
    cancel: &Cancel,
) -> Result<RobustAccuracy, AttackError> {
    params.validate()?;
    check_points(model, points, labels)?;
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(AttackError::Param(format!("eps {eps} must be >= 0")));
    }
    let per_chunk: Vec<(usize, Vec<bool>)> = par_chunks(points, labels, threads, |x0, y| {
        let b = x0.nrows();
        let mut probe = Probe::new(model, b);
        let logits = probe.forward(model, x0.view());
        let clean = (0..b).filter(|&i| !misclassified(logits[i], y[i])).count();
        let r = pgd_chunk(
            model,
            &mut probe,
            x0,
            y,
            &vec![eps; b],
            &vec![true; b],
            params,
            cancel,
        );
        (clean, r.iter().map(|o| o.is_none()).collect())
    });
    cancel.check()?;
    let clean_correct = per_chunk.iter().map(|c| c.0).sum();
    let per_point: Vec<bool> = per_chunk.into_iter().flat_map(|c| c.1).collect();
    let robust = per_point.iter().filter(|&&r| r).count();
    Ok(RobustAccuracy {
        eps: eps as f64,
        clean_correct,
        robust,
        robust_accuracy: robust as f64 / per_point.len().max(1) as f64,
        per_point,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinNormParams {
    pub pgd: PgdParams,
    /// Largest perturbation tried; points not flipped within it report
    /// infinity.
    pub max_eps: f32,
    pub halvings: u32,
}

impl Default for MinNormParams {
    fn default() -> Self {
        Self {
            pgd: PgdParams::default(),
            max_eps: 1.0,
            halvings: 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MinNorm {
    /// Per point: the smallest l2 perturbation found (0 if already wrong,
    /// infinity if none within `max_eps`).
    pub distances: Vec<f64>,
    /// Median over all points, failures counting as infinity (Foolbox's
    /// convention), so it is infinite when more than half fail.
    pub median: f64,
    pub found: usize,
}

/// Minimal l2 adversarial perturbation per point: PGD at `max_eps`, then
/// bisection on eps, each success shrinking the upper end to the norm of the
/// perturbation PGD actually used.
pub fn min_norm_l2(
    model: &Model,
    points: ArrayView2<'_, f32>,
    labels: &[f32],
    params: &MinNormParams,
    threads: usize,
    cancel: &Cancel,
) -> Result<MinNorm, AttackError> {
    params.pgd.validate()?;
    check_points(model, points, labels)?;
    if !(params.max_eps.is_finite() && params.max_eps > 0.0) || params.halvings > 50 {
        return Err(AttackError::Param(format!(
            "max_eps {} must be > 0 and halvings {} at most 50",
            params.max_eps, params.halvings
        )));
    }
    let distances: Vec<f64> = par_chunks(points, labels, threads, |x0, y| {
        min_norm_chunk(model, x0, y, params, cancel)
    })
    .into_iter()
    .flatten()
    .collect();
    cancel.check()?;
    let found = distances.iter().filter(|d| d.is_finite()).count();
    Ok(MinNorm {
        median: median(&distances),
        distances,
        found,
    })
}

fn par_chunks<T: Send>(
    points: ArrayView2<'_, f32>,
    labels: &[f32],
    threads: usize,
    f: impl Fn(&Array2<f32>, &[f32]) -> T + Sync,
) -> Vec<T> {
    let chunks: Vec<_> = points
        .axis_chunks_iter(Axis(0), CHUNK)
        .zip(labels.chunks(CHUNK))
        .collect();
    pool::install(threads, || {
        chunks
            .into_par_iter()
            .map(|(x, y)| f(&x.as_standard_layout().into_owned(), y))
            .collect()
    })
}

fn min_norm_chunk(
    model: &Model,
    x0: &Array2<f32>,
    y: &[f32],
    p: &MinNormParams,
    cancel: &Cancel,
) -> Vec<f64> {
    let b = x0.nrows();
    let mut probe = Probe::new(model, b);
    let first = pgd_chunk(
        model,
        &mut probe,
        x0,
        y,
        &vec![p.max_eps; b],
        &vec![true; b],
        &p.pgd,
        cancel,
    );
    let mut lo = vec![0.0f32; b];
    let mut hi: Vec<f32> = first.iter().map(|o| o.unwrap_or(f32::INFINITY)).collect();
    let open: Vec<bool> = hi.iter().map(|h| h.is_finite() && *h > 0.0).collect();
    for _ in 0..p.halvings {
        let mid: Vec<f32> = lo.iter().zip(&hi).map(|(l, h)| 0.5 * (l + h)).collect();
        if cancel.is_cancelled() {
            break;
        }
        let r = pgd_chunk(model, &mut probe, x0, y, &mid, &open, &p.pgd, cancel);
        for i in (0..b).filter(|&i| open[i]) {
            match r[i] {
                Some(used) => hi[i] = used.min(mid[i]),
                None => lo[i] = mid[i],
            }
        }
    }
    hi.into_iter().map(|h| h as f64).collect()
}

/// PGD on the rows flagged `rows`, each within its own `eps`. Returns per
/// row the norm of the first perturbation that flips it, or None. Stops
/// early when cancelled; the caller then discards the result.
#[allow(clippy::too_many_arguments)]
fn pgd_chunk(
    model: &Model,
    probe: &mut Probe,
    x0: &Array2<f32>,
    y: &[f32],
    eps: &[f32],
    rows: &[bool],
    p: &PgdParams,
    cancel: &Cancel,
) -> Vec<Option<f32>> {
    let b = x0.nrows();
    let mut x = x0.clone();
    let mut active = rows.to_vec();
    let mut result = vec![None; b];
    let mut dir = vec![0.0f32; b];
    let mut delta = vec![0.0f32; x0.ncols()];
    for step in 0..=p.steps {
        if cancel.is_cancelled() {
            break;
        }
        let logits = probe.forward(model, x.view());
        for i in 0..b {
            if active[i] && misclassified(logits[i], y[i]) {
                result[i] = Some(distance_f32(row(&x, i), row(x0, i)));
                active[i] = false;
            }
        }
        if step == p.steps || !active.contains(&true) {
            break;
        }
        for i in 0..b {
            dir[i] = if active[i] { ascent_sign(y[i]) } else { 0.0 };
        }
        probe.backward(model, x.view(), &dir);
        for i in 0..b {
            if !active[i] {
                continue;
            }
            let g = probe.dx.row(i);
            let g = g.as_slice().expect("contiguous");
            let gn = norm(g);
            if !gn.is_finite() || gn == 0.0 {
                active[i] = false;
                continue;
            }
            let alpha = (p.rel_step * eps[i] / p.steps as f32) as f64;
            let k = (alpha / gn) as f32;
            for ((d, &a), (&o, &gv)) in delta
                .iter_mut()
                .zip(row(&x, i))
                .zip(row(x0, i).iter().zip(g))
            {
                *d = a - o + k * gv;
            }
            let dn = norm(&delta);
            let shrink = if dn > eps[i] as f64 {
                (eps[i] as f64 / dn) as f32
            } else {
                1.0
            };
            let mut xr = x.row_mut(i);
            for ((a, &o), &d) in xr.iter_mut().zip(row(x0, i)).zip(&delta) {
                *a = o + shrink * d;
            }
        }
    }
    result
}

fn distance_f32(a: &[f32], b: &[f32]) -> f32 {
    super::sphere::distance(a, b) as f32
}
