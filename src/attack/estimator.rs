//! Monte Carlo error rates on fresh points, counted per sphere.
//!
//! Points come from the evaluation stream exactly like training data: a fair
//! coin per point picks the sphere, so the two sample counts are themselves
//! random (about half each). Counts accumulate across calls while the model
//! version stays the same, so a monitor can keep tightening one estimate.

use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

use super::error::AttackError;
use super::pool;
use super::probe::{Probe, misclassified};
use crate::data::sample_point;
use crate::nn::Model;
use crate::nn::placement::{PlacedMatrix, lane};
use crate::rng::Stream;
use crate::stats::interval::{RateEstimate, rate_estimate};

/// Points per chunk. Calls always evaluate whole chunks, so point `i` sits
/// at the same row of the same batch however the work is split into calls.
pub const CHUNK: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts {
    inner_errors: u64,
    inner: u64,
    outer_errors: u64,
    outer: u64,
}

impl Counts {
    fn add(self, o: Counts) -> Counts {
        Counts {
            inner_errors: self.inner_errors + o.inner_errors,
            inner: self.inner + o.inner,
            outer_errors: self.outer_errors + o.outer_errors,
            outer: self.outer + o.outer,
        }
    }
}

/// Monte Carlo error rates of one model on both spheres.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct McEstimate {
    pub inner: RateEstimate,
    pub outer: RateEstimate,
    /// Points evaluated per second in the call that produced this.
    pub samples_per_s: f64,
}

#[derive(Debug, Clone)]
pub struct ErrorEstimator {
    seed: u64,
    radius: f32,
    version: Option<u64>,
    /// Index of the next evaluation point.
    next: u64,
    counts: Counts,
    spares: Spares,
}

impl ErrorEstimator {
    /// Points on spheres of radius 1 and `radius`, drawn from `Stream::Eval`
    /// under `seed`.
    pub fn new(seed: u64, radius: f32) -> Self {
        Self {
            seed,
            radius,
            version: None,
            next: 0,
            counts: Counts::default(),
            spares: Spares::default(),
        }
    }

    /// Points evaluated so far for the current version.
    pub fn samples(&self) -> u64 {
        self.next
    }

    /// Evaluates at least `samples` more points (rounded up to whole chunks)
    /// and returns the estimate over every point seen for `version`, a key
    /// naming the model. A new version restarts from point 0, so an estimate
    /// never depends on which versions came before.
    pub fn run(
        &mut self,
        model: &Model,
        version: u64,
        samples: u64,
        threads: usize,
    ) -> Result<McEstimate, AttackError> {
        if !(self.radius.is_finite() && self.radius > 1.0) {
            return Err(AttackError::Param(format!(
                "outer radius {} must exceed 1",
                self.radius
            )));
        }
        if !model.is_finite() {
            return Err(AttackError::NonFiniteModel);
        }
        if self.version != Some(version) {
            self.version = Some(version);
            self.next = 0;
            self.counts = Counts::default();
        }
        let chunks = samples.div_ceil(CHUNK as u64);
        let first = self.next / CHUNK as u64;
        let (seed, radius) = (self.seed, self.radius);
        let started = Instant::now();
        let spares = &self.spares;
        spares.keep_for(model);
        let counts = pool::install(threads, || {
            (first..first + chunks)
                .into_par_iter()
                .map_init(
                    || spares.take(model),
                    |s, c| s.get().count(model, seed, radius, c * CHUNK as u64),
                )
                .reduce(Counts::default, Counts::add)
        });
        let elapsed = started.elapsed().as_secs_f64();
        let evaluated = chunks * CHUNK as u64;
        self.next += evaluated;
        self.counts = self.counts.add(counts);
        Ok(McEstimate {
            inner: rate_estimate(self.counts.inner_errors, self.counts.inner),
            outer: rate_estimate(self.counts.outer_errors, self.counts.outer),
            samples_per_s: if elapsed > 0.0 {
                evaluated as f64 / elapsed
            } else {
                0.0
            },
        })
    }
}

/// Scratch buffers kept between calls. A call of a few dozen chunks (the
/// evaluation thread's rounds, a benchmark window) would otherwise spend a
/// few percent of its time faulting in fresh buffers, several MB per task.
#[derive(Default)]
struct Spares {
    /// The model shape they were made for and the buffers.
    held: Mutex<(Shape, Vec<Scratch>)>,
}

impl Spares {
    fn shape(model: &Model) -> Shape {
        Some((
            std::mem::discriminant(&model.arch),
            model.dim(),
            model.params.len(),
            model.buffers.len(),
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Shape, Vec<Scratch>)> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Drops buffers made for another model shape.
    fn keep_for(&self, model: &Model) {
        let mut held = self.lock();
        if held.0 != Self::shape(model) {
            *held = (Self::shape(model), Vec::new());
        }
    }

    fn take(&self, model: &Model) -> Lent<'_> {
        let s = self.lock().1.pop();
        Lent {
            scratch: Some(s.unwrap_or_else(|| Scratch::new(model))),
            home: self,
        }
    }
}

impl Clone for Spares {
    /// A copy of an estimator starts without buffers.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for Spares {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spares({})", self.lock().1.len())
    }
}

/// What a scratch's buffers depend on: the kind of net, its input
/// dimension and its parameter and buffer counts.
type Shape = Option<(std::mem::Discriminant<crate::nn::Arch>, usize, usize, usize)>;

/// A scratch lent to one rayon task, returned when the task ends.
struct Lent<'a> {
    scratch: Option<Scratch>,
    home: &'a Spares,
}

impl Lent<'_> {
    fn get(&mut self) -> &mut Scratch {
        self.scratch.as_mut().expect("lent until dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            self.home.lock().1.push(s);
        }
    }
}

/// Buffers reused by the chunks one rayon task runs in a row. The points
/// take a page lane of their own beside the model's workspace.
struct Scratch {
    probe: Probe,
    x: PlacedMatrix,
    y: Vec<f32>,
}

impl Scratch {
    fn new(model: &Model) -> Self {
        Self {
            probe: Probe::new(model, CHUNK),
            x: PlacedMatrix::zeros(CHUNK, model.dim(), lane(7)),
            y: vec![0.0; CHUNK],
        }
    }

    fn count(&mut self, model: &Model, seed: u64, radius: f32, first: u64) -> Counts {
        let mut x = self.x.view_mut();
        for (i, (mut row, label)) in x.rows_mut().into_iter().zip(&mut self.y).enumerate() {
            let row = row.as_slice_mut().expect("contiguous");
            *label = sample_point(seed, Stream::Eval, first + i as u64, radius, row);
        }
        let logits = self.probe.forward(model, self.x.view());
        let mut c = Counts::default();
        for (&z, &y) in logits.iter().zip(&self.y) {
            let wrong = u64::from(misclassified(z, y));
            if y > 0.5 {
                c.outer += 1;
                c.outer_errors += wrong;
            } else {
                c.inner += 1;
                c.inner_errors += wrong;
            }
        }
        c
    }
}
