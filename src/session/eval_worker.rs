//! The evaluation thread: always works on the newest published model.
//! Per model version it runs one cycle, the quadratic-net analysis
//! (instant), a Monte Carlo round, the nearest-error search (d(E)), a
//! decision slice and a worst-case attack, then keeps refining the Monte
//! Carlo estimate until a newer model arrives or enough points were seen.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::messages::{Event, Stamped};
use super::publish::Publication;
use crate::attack::{ErrorEstimator, ManifoldParams, McEstimate, SliceKind, SliceParams};
use crate::config::Config;
use crate::nn::Model;

/// Rounds per version beyond the first before the thread goes idle: a
/// paused run stops costing CPU once its estimate is tight.
const EXTRA_ROUNDS: u64 = 9;

/// Points per Monte Carlo call, so a newer model is picked up quickly.
const ROUND_CHUNK: u64 = 1 << 16;

pub struct EvalWorker {
    models: Receiver<Publication>,
    events: Sender<Event>,
    /// Set when the trainer has stopped: checked between units of work.
    stop: Arc<AtomicBool>,
    slices: u64,
}

/// What has been done for the current version.
#[derive(Default)]
struct Progress {
    quad: bool,
    nearest: bool,
    slice: bool,
    worst: bool,
    /// Points evaluated for this version.
    samples: u64,
    estimate: Option<McEstimate>,
}

impl EvalWorker {
    pub fn new(
        models: Receiver<Publication>,
        events: Sender<Event>,
        stop: Arc<AtomicBool>,
    ) -> Self {
        Self {
            models,
            events,
            stop,
            slices: 0,
        }
    }

    pub fn run(mut self) {
        let Ok(mut current) = self.models.recv() else {
            return;
        };
        let mut estimator =
            ErrorEstimator::new(current.config.seed, current.config.data.radius as f32);
        let mut progress = Progress::default();
        while !self.stop.load(Ordering::SeqCst) {
            // A cycle (estimate, d(E), slice, worst case) is finished on the
            // model it started with; then the newest publication takes
            // over, a new model or new evaluation settings alike.
            let busy = self.work(&current, &mut estimator, &mut progress);
            let cycle_done = progress.quad
                && progress.nearest
                && progress.slice
                && progress.worst
                && progress.samples >= current.config.eval.samples;
            let next = match (busy, cycle_done) {
                (true, false) => continue,
                (true, true) => match self.models.try_recv() {
                    Ok(p) => p,
                    Err(TryRecvError::Empty) => continue,
                    Err(TryRecvError::Disconnected) => return,
                },
                // Nothing left for this version: sleep until the next one
                // (or until the trainer has gone: the slot disconnects).
                (false, _) => match self.models.recv() {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            current = next;
            progress = Progress::default();
        }
    }

    /// One unit of work; false when everything for this version is done.
    fn work(&mut self, p: &Publication, est: &mut ErrorEstimator, progress: &mut Progress) -> bool {
        let c: &Config = &p.config;
        let threads = c.eval.threads;
        let model: &Model = &p.model;
        if !model.is_finite() {
            return false;
        }
        if !progress.quad {
            progress.quad = true;
            match crate::stats::quadnet::analyse_model(model, c.data.radius) {
                Ok(Some(a)) => {
                    self.send(Event::QuadReport(Stamped::new(p.version, p.step, a.into())))
                }
                Ok(None) => {}
                Err(e) => self.send(Event::warning(format!("alpha analysis: {e}"))),
            }
            return true;
        }
        let target = c.eval.samples;
        let rounds = progress.samples / target.max(1);
        let attacks_done = progress.nearest && progress.slice && progress.worst;
        let wanted = if attacks_done { 1 + EXTRA_ROUNDS } else { 1 };
        if target > 0 && rounds < wanted {
            let chunk = ROUND_CHUNK.min(target - progress.samples % target);
            match est.run(model, p.version, chunk, threads) {
                Ok(e) => {
                    progress.samples = est.samples();
                    // One event per completed round of `eval.samples` points.
                    if progress.samples / target > rounds {
                        self.send(Event::ErrorEstimate(Stamped::new(p.version, p.step, e)));
                    }
                    progress.estimate = Some(e);
                }
                Err(e) => {
                    self.send(Event::warning(format!("error estimate: {e}")));
                    progress.samples = u64::MAX;
                }
            }
            return true;
        }
        let params = ManifoldParams::from(&c.attack);
        if !progress.nearest {
            progress.nearest = true;
            if c.attack.starts > 0 {
                let mu = self.bound_rate(progress.estimate.as_ref());
                match crate::attack::nearest_error(
                    model,
                    c.seed,
                    c.attack.starts,
                    mu,
                    &params,
                    threads,
                ) {
                    Ok(n) => self.send(Event::NearestError(Stamped::new(p.version, p.step, n))),
                    Err(e) => self.send(Event::warning(format!("nearest-error search: {e}"))),
                }
            }
            return true;
        }
        if !progress.slice {
            progress.slice = true;
            let kinds = [
                SliceKind::RandomRandom,
                SliceKind::RandomAdversarial,
                SliceKind::AdversarialAdversarial,
            ];
            let kind = kinds[(self.slices % 3) as usize];
            let sp = SliceParams {
                radius: c.data.radius as f32,
                ..SliceParams::default()
            };
            match crate::attack::decision_slice(model, c.seed, self.slices, kind, &sp, threads) {
                Ok(s) => self.send(Event::DecisionSlice(Stamped::new(p.version, p.step, s))),
                Err(e) => self.send(Event::warning(format!("decision slice: {e}"))),
            }
            self.slices += 1;
            return true;
        }
        if !progress.worst {
            progress.worst = true;
            if c.attack.starts > 0 {
                let starts = c.attack.starts.div_ceil(4);
                let r = c.data.radius as f32;
                match crate::attack::worst_case(model, c.seed, starts, r, &params, threads) {
                    Ok(w) => self.send(Event::WorstCase(Stamped::new(p.version, p.step, w))),
                    Err(e) => self.send(Event::warning(format!("worst-case attack: {e}"))),
                }
            }
            return true;
        }
        false
    }

    /// The inner error rate at which the bound is drawn: the estimate when
    /// errors were seen, else its one-sided upper bound (a larger rate gives
    /// a smaller bound, so the comparison stays conservative).
    fn bound_rate(&self, e: Option<&McEstimate>) -> f64 {
        match e {
            Some(e) if e.inner.errors > 0 => e.inner.rate,
            Some(e) => e.inner.hi,
            None => f64::NAN,
        }
    }

    fn send(&self, e: Event) {
        let _ = self.events.send(e);
    }
}
