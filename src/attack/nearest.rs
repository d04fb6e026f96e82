//! d(E), the mean distance from a sphere point to the nearest error, as an
//! upper estimate in which every start counts.
//!
//! The first-error manifold attack runs from every start; the refined ends
//! of the starts that reached an error form a set F of verified error
//! points. Each start x then gets d(x, F), its distance to the nearest error
//! found from *any* start, tightened by bisecting the great circle from x
//! toward its few nearest points of F (by chord): the wrong end of each
//! bisection is an error point at most as far as the point it started from.
//! Each start's best point is then walked along the decision boundary
//! toward it (`boundary_walk`), which matters where E is curved.
//!
//! Which way it errs. F lies in E, so every per-start value is an upper
//! bound on d(x, E), and their mean an upper estimate of d(E) (up to
//! sampling error over starts). A start whose own attack found nothing is
//! not dropped: it is counted with the bound the others' errors give it,
//! which is loose (its own error may be nearer than any found), so a high
//! unfound fraction means a high estimate. For a cap the attack walks the
//! geodesic into the cap and the bound is exact; for curved error sets the
//! looseness is measured on known-answer models.
//!
//! Work comes in units (`NearestSearch::advance`), so a caller can
//! interleave other work or stop between them; the numbers depend only on
//! the model and the starts, never on the unit size or the thread count.

use std::time::Instant;

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::arc_bisect::{arc_end, bisect_arcs};
use super::boundary_walk::walk_toward;
use super::cancel::Cancel;
use super::error::AttackError;
use super::manifold::{
    CHUNK, ManifoldOutcome, ManifoldParams, Mode, manifold_attack_cancellable, row,
};
use super::pool;
use super::probe::{Probe, misclassified};
use super::sphere::distance;
use crate::data::{Sphere, fill_direction};
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::stats::spread::mean_and_se;

/// Points of F each start bisects toward: the nearest few by chord hold
/// the nearest crossing in practice, and the cost stays a few forward
/// passes per start instead of one per found error.
pub const CANDIDATES: usize = 4;

/// Starts tightened together (their candidate rows share forward passes).
/// Fixed, so a start's numbers never depend on how work was split.
const GROUP: usize = 8;

/// Outer-sphere starts are `Stream::Attack` items from this index on, so
/// they are independent of the inner ones.
const OUTER_OFFSET: u64 = 1 << 40;

fn default_inner() -> Sphere {
    Sphere::Inner
}

/// Result of a nearest-error search from every start (the d(E) estimate).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NearestError {
    #[serde(default = "default_inner")]
    pub sphere: Sphere,
    pub starts: usize,
    /// Starts whose own attack reached an error within its step budget.
    pub found: usize,
    /// Mean over every start of its upper bound on d(x, E): an upper
    /// estimate of d(E). NaN when no start found an error.
    #[serde(
        rename = "mean",
        alias = "mean_distance",
        deserialize_with = "crate::serde_nan::f64"
    )]
    pub mean_distance: f64,
    /// Standard error of that mean over starts (NaN below two starts).
    #[serde(default = "nan", deserialize_with = "crate::serde_nan::f64")]
    pub se: f64,
    /// Per start, in start order: an upper bound on its distance to the
    /// error set. Empty when no start found an error.
    pub distances: Vec<f64>,
    pub searches_per_s: f64,
    /// True for every record written now. False in logs written before,
    /// when `distances` held only the found starts and the mean averaged
    /// them (a different, mis-centred quantity).
    #[serde(default)]
    pub every_start: bool,
}

fn nan() -> f64 {
    f64::NAN
}

impl NearestError {
    /// Fraction of starts whose own attack ended (budget spent or stuck at
    /// a radial gradient) without reaching an error.
    pub fn unfound_fraction(&self) -> f64 {
        if self.starts == 0 {
            return 0.0;
        }
        (self.starts - self.found.min(self.starts)) as f64 / self.starts as f64
    }
}

/// Which starting points a search uses: `count` uniform points of one
/// sphere, point i from `Stream::Attack` under `seed`. The same seed gives
/// the same starts at every checkpoint of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Starts {
    pub seed: u64,
    pub sphere: Sphere,
    /// The outer sphere's radius R (the inner one has radius 1).
    pub outer_radius: f64,
    pub count: usize,
}

impl Starts {
    pub fn radius(&self) -> f64 {
        self.sphere.radius(self.outer_radius)
    }

    pub fn points(&self, n: usize) -> Array2<f32> {
        let (offset, r) = match self.sphere {
            Sphere::Inner => (0, 1.0f32),
            Sphere::Outer => (OUTER_OFFSET, self.outer_radius as f32),
        };
        let mut x = Array2::zeros((self.count, n));
        for (i, mut row) in x.rows_mut().into_iter().enumerate() {
            let mut rng = rng_for(self.seed, Stream::Attack, offset + i as u64);
            let row = row.as_slice_mut().expect("contiguous");
            fill_direction(&mut rng, row);
            row.iter_mut().for_each(|v| *v *= r);
        }
        x
    }
}

/// `starts` points of the inner sphere, point i from `Stream::Attack` index i.
pub fn inner_starts(seed: u64, n: usize, starts: usize) -> Array2<f32> {
    Starts {
        seed,
        sphere: Sphere::Inner,
        outer_radius: 1.3,
        count: starts,
    }
    .points(n)
}

/// A nearest-error search in progress: attacks first, then tightening.
#[derive(Debug, Clone)]
pub struct NearestSearch {
    starts: Starts,
    params: ManifoldParams,
    points: Array2<f32>,
    outcomes: Vec<ManifoldOutcome>,
    /// Verified error points, once every start has been attacked.
    errors: Option<Array2<f32>>,
    distances: Vec<f64>,
    elapsed_s: f64,
}

impl NearestSearch {
    /// Runs the first-error attack whatever `params.mode` says.
    pub fn new(
        model: &Model,
        starts: Starts,
        params: &ManifoldParams,
    ) -> Result<Self, AttackError> {
        if starts.count == 0 {
            return Err(AttackError::Param("need at least one start".into()));
        }
        if !(starts.outer_radius.is_finite() && starts.outer_radius > 1.0) {
            return Err(AttackError::Param(format!(
                "outer radius {} must exceed 1",
                starts.outer_radius
            )));
        }
        params.validate()?;
        Ok(Self {
            points: starts.points(model.dim()),
            starts,
            params: ManifoldParams {
                mode: Mode::FirstError,
                ..*params
            },
            outcomes: Vec::with_capacity(starts.count),
            errors: None,
            distances: Vec::with_capacity(starts.count),
            elapsed_s: 0.0,
        })
    }

    pub fn is_done(&self) -> bool {
        self.errors.is_some() && self.distances.len() == self.starts.count
    }

    /// Attacks (then tightens) about `batch` more starts; true once the
    /// search is complete. A cancelled unit leaves the search as it was.
    pub fn advance(
        &mut self,
        model: &Model,
        batch: usize,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<bool, AttackError> {
        cancel.check()?;
        let started = Instant::now();
        let count = self.starts.count;
        let label = self.starts.sphere.label();
        if self.outcomes.len() < count {
            // Whole lockstep chunks, so the rows of a chunk are the ones a
            // single call over every start would have grouped.
            let from = self.outcomes.len();
            let to = (from + batch.max(1).next_multiple_of(CHUNK)).min(count);
            let rows = self.points.slice(ndarray::s![from..to, ..]);
            let labels = vec![label; to - from];
            let out =
                manifold_attack_cancellable(model, rows, &labels, &self.params, threads, cancel)?;
            self.outcomes.extend(out);
            if self.outcomes.len() == count {
                self.errors = Some(self.verified_errors());
            }
        } else if let Some(errors) = &self.errors {
            let from = self.distances.len();
            let to = (from + batch.max(1).next_multiple_of(GROUP)).min(count);
            if errors.nrows() == 0 {
                self.distances = vec![f64::INFINITY; count];
            } else {
                let x0 = self.points.slice(ndarray::s![from..to, ..]);
                let halvings = self.params.halvings;
                let got = tighten(
                    model,
                    x0,
                    errors.view(),
                    label,
                    self.starts.radius(),
                    halvings,
                    threads,
                    cancel,
                )?;
                self.distances.extend(got);
            }
        }
        self.elapsed_s += started.elapsed().as_secs_f64();
        Ok(self.is_done())
    }

    /// The refined ends of the starts that found an error.
    fn verified_errors(&self) -> Array2<f32> {
        let n = self.points.ncols();
        let ends: Vec<&[f32]> = self
            .outcomes
            .iter()
            .filter(|o| o.misclassified)
            .map(|o| o.end.as_slice())
            .collect();
        let mut e = Array2::zeros((ends.len(), n));
        for (mut row, end) in e.rows_mut().into_iter().zip(ends) {
            row.assign(&ndarray::ArrayView1::from(end));
        }
        e
    }

    /// The finished estimate (None before the search is done).
    pub fn result(&self) -> Option<NearestError> {
        if !self.is_done() {
            return None;
        }
        let found = self.outcomes.iter().filter(|o| o.misclassified).count();
        let distances = if found == 0 {
            Vec::new()
        } else {
            self.distances.clone()
        };
        let (mean_distance, se) = mean_and_se(&distances);
        Some(NearestError {
            sphere: self.starts.sphere,
            starts: self.starts.count,
            found,
            mean_distance,
            se,
            distances,
            searches_per_s: if self.elapsed_s > 0.0 {
                self.starts.count as f64 / self.elapsed_s
            } else {
                0.0
            },
            every_start: true,
        })
    }
}

/// The whole search at once.
pub fn nearest_error(
    model: &Model,
    starts: Starts,
    params: &ManifoldParams,
    threads: usize,
    cancel: &Cancel,
) -> Result<NearestError, AttackError> {
    let mut search = NearestSearch::new(model, starts, params)?;
    while !search.advance(model, starts.count, threads, cancel)? {}
    Ok(search.result().expect("a finished search has a result"))
}

/// Upper bounds on d(x, E) for the rows of `x0` given verified errors.
#[allow(clippy::too_many_arguments)]
fn tighten(
    model: &Model,
    x0: ArrayView2<'_, f32>,
    errors: ArrayView2<'_, f32>,
    label: f32,
    radius: f64,
    halvings: u32,
    threads: usize,
    cancel: &Cancel,
) -> Result<Vec<f64>, AttackError> {
    let groups: Vec<_> = x0.axis_chunks_iter(Axis(0), GROUP).collect();
    let out: Vec<Option<Vec<f64>>> = pool::install(threads, || {
        groups
            .into_par_iter()
            .map(|g| {
                (!cancel.is_cancelled())
                    .then(|| tighten_group(model, g, errors, label, radius, halvings))
            })
            .collect()
    });
    cancel.check()?;
    Ok(out.into_iter().flatten().flatten().collect())
}

/// The `CANDIDATES` nearest rows of `errors` to `x` by chord, nearest first
/// (ties by index), with their chords.
fn nearest_rows(x: &[f32], errors: ArrayView2<'_, f32>) -> Vec<(usize, f64)> {
    let mut d: Vec<(usize, f64)> = errors
        .rows()
        .into_iter()
        .enumerate()
        .map(|(j, e)| (j, distance(x, e.as_slice().expect("contiguous"))))
        .collect();
    d.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    d.truncate(CANDIDATES);
    d
}

fn tighten_group(
    model: &Model,
    x0: ArrayView2<'_, f32>,
    errors: ArrayView2<'_, f32>,
    label: f32,
    radius: f64,
    halvings: u32,
) -> Vec<f64> {
    let x0 = x0.as_standard_layout().into_owned();
    let n = x0.ncols();
    let starts: Vec<&[f32]> = x0
        .rows()
        .into_iter()
        .map(|r| r.to_slice().expect("contiguous"))
        .collect();
    // One row per (start, candidate) pair: a = the start, b = the error.
    let pairs: Vec<(usize, usize, f64)> = starts
        .iter()
        .enumerate()
        .flat_map(|(s, x)| {
            nearest_rows(x, errors)
                .into_iter()
                .map(move |(j, d)| (s, j, d))
        })
        .collect();
    let rows = pairs.len();
    let mut a = Array2::zeros((rows, n));
    let mut b = Array2::zeros((rows, n));
    for (r, &(s, j, _)) in pairs.iter().enumerate() {
        a.row_mut(r).assign(&x0.row(s));
        b.row_mut(r).assign(&errors.row(j));
    }
    let mut probe = Probe::new(model, rows);
    // Both ends are checked in this batch's own layout: a bound is only
    // ever taken from a point this pass saw misclassified.
    let start_wrong: Vec<bool> = probe
        .forward(model, a.view())
        .iter()
        .map(|&z| misclassified(z, label))
        .collect();
    let end_wrong: Vec<bool> = probe
        .forward(model, b.view())
        .iter()
        .map(|&z| misclassified(z, label))
        .collect();
    let live: Vec<bool> = (0..rows).map(|r| end_wrong[r] && !start_wrong[r]).collect();
    let labels = vec![label; rows];
    let radii = vec![radius; rows];
    let hi = bisect_arcs(model, &mut probe, &a, &b, &labels, &radii, &live, halvings);
    // Each start's nearest verified error point so far, with its distance.
    let mut best: Vec<(f64, Option<Vec<f32>>)> = vec![(f64::INFINITY, None); starts.len()];
    for (r, &(s, _, _)) in pairs.iter().enumerate() {
        let (d, point) = if start_wrong[r] {
            (0.0, None)
        } else if !end_wrong[r] {
            continue;
        } else {
            let mut p = vec![0.0f32; n];
            arc_end(row(&a, r), row(&b, r), hi[r], radius, &mut p);
            (distance(starts[s], &p), Some(p))
        };
        if d < best[s].0 {
            best[s] = (d, point);
        }
    }
    // The crossing of one arc can lie well past the nearest error of a
    // curved error set: walk each start's best point along the boundary.
    let walked: Vec<usize> = (0..starts.len()).filter(|&s| best[s].1.is_some()).collect();
    if !walked.is_empty() {
        let mut x = Array2::zeros((walked.len(), n));
        let mut p = Array2::zeros((walked.len(), n));
        for (k, &s) in walked.iter().enumerate() {
            x.row_mut(k).assign(&x0.row(s));
            let point = best[s].1.as_deref().expect("walked points exist");
            p.row_mut(k).assign(&ndarray::ArrayView1::from(point));
        }
        let d = walk_toward(model, &x, &mut p, label, radius, halvings);
        for (k, &s) in walked.iter().enumerate() {
            best[s].0 = best[s].0.min(d[k]);
        }
    }
    // Rounding could in principle leave a start without a verified
    // candidate; the nearest found error (verified by the attack) still
    // bounds it.
    starts
        .iter()
        .zip(best)
        .map(|(x, (d, _))| {
            if d.is_finite() {
                d
            } else {
                nearest_rows(x, errors)
                    .first()
                    .map_or(f64::INFINITY, |c| c.1)
            }
        })
        .collect()
}
