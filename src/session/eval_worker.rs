//! The evaluation thread: measures the published models with the measuring
//! pipeline (`crate::measure`), sharing its time between two kinds of work.
//!
//! * Cheap, at every publication: the quadratic-net analysis, a Monte
//!   Carlo round of `eval.samples` points, the rate choice and the bounds
//!   (`measure::cheap`), sent as `QuadReport`, `ErrorEstimate` and `Rates`.
//! * Slow, one cycle per model: d(E) on the inner and the outer sphere,
//!   the worst-case attack, off-manifold robustness (`measure::SlowCycle`),
//!   then a decision slice, sent as `NearestError` (one per sphere),
//!   `WorstCase`, `Robustness` and `DecisionSlice`. Minutes at n = 500,
//!   done in units of a few seconds.
//!
//! How the time is shared. A slow cycle runs on the model it started with,
//! a unit at a time. Between units the thread takes the newest publication
//! (the slot holds only the newest) and measures it cheaply whenever cheap
//! work has had no more of the thread's time than slow work since the cycle
//! began: with both kinds waiting each gets at least half, so publications
//! are measured while a cycle runs instead of after it. When a cycle ends,
//! the next starts on the newest cheaply measured model (with that model's
//! rates, so its bounds are taken where its error rate was measured). With
//! nothing else to do the thread refines the newest model's Monte Carlo
//! estimate for up to `EXTRA_ROUNDS` rounds, then sleeps until the next
//! publication. Every unit stops within a step when the run ends.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::messages::{Event, QuadReport, Stamped};
use super::publish::Publication;
use crate::attack::{Cancel, ErrorEstimator, SliceKind, SliceParams};
use crate::measure::rare_rate::rare_rates;
use crate::measure::{Finished, Rates, Settings, SlowCycle, cheap, sample};
use crate::stats::QuadAnalysis;

/// Monte Carlo rounds per model beyond the first while idle: a paused run
/// stops costing CPU once its estimate is tight.
const EXTRA_ROUNDS: u64 = 9;

pub struct EvalWorker {
    models: Receiver<Publication>,
    events: Sender<Event>,
    /// Set when the trainer has stopped: every unit of work looks at it.
    cancel: Cancel,
    slices: u64,
}

/// The newest model measured cheaply.
struct Latest {
    p: Publication,
    settings: Settings,
    quad: Option<QuadAnalysis>,
    rates: Rates,
    extra_rounds: u64,
}

/// A slow cycle in progress.
struct Slow {
    p: Publication,
    cycle: SlowCycle,
    sliced: bool,
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
            cancel: Cancel::on(stop),
            slices: 0,
        }
    }

    pub fn run(mut self) {
        let Ok(first) = self.models.recv() else {
            return;
        };
        let mut est = ErrorEstimator::new(first.config.seed, first.config.data.radius as f32);
        let mut pending = Some(first);
        let mut latest: Option<Latest> = None;
        let mut slow: Option<Slow> = None;
        let (mut cheap_s, mut slow_s) = (0.0f64, 0.0f64);
        while !self.cancel.is_cancelled() {
            match self.models.try_recv() {
                Ok(p) => pending = Some(p),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => return,
            }
            let cheap_turn = slow.is_none() || cheap_s <= slow_s;
            if cheap_turn && let Some(p) = pending.take() {
                let t = Instant::now();
                if let Some(l) = self.cheap(p, &mut est) {
                    latest = Some(l);
                }
                cheap_s += t.elapsed().as_secs_f64();
                if slow.is_none()
                    && let Some(l) = &latest
                {
                    slow = Some(self.start(l));
                    (cheap_s, slow_s) = (0.0, 0.0);
                }
                continue;
            }
            if let Some(s) = &mut slow {
                let t = Instant::now();
                let done = self.slow_unit(s);
                slow_s += t.elapsed().as_secs_f64();
                if done {
                    let finished = s.p.version;
                    slow = latest
                        .as_ref()
                        .filter(|l| l.p.version != finished)
                        .map(|l| self.start(l));
                    (cheap_s, slow_s) = (0.0, 0.0);
                }
                continue;
            }
            if let Some(l) = &mut latest
                && l.extra_rounds < EXTRA_ROUNDS
                && l.settings.samples > 0
            {
                l.extra_rounds += 1;
                self.refine(l, &mut est);
                continue;
            }
            // Nothing left: sleep until the next publication (or until the
            // trainer has gone and the slot disconnects).
            match self.models.recv() {
                Ok(p) => pending = Some(p),
                Err(_) => return,
            }
        }
    }

    fn settings(p: &Publication) -> Settings {
        Settings::from_config(&p.config)
    }

    /// Analysis, a Monte Carlo round, rates; None when the model cannot be
    /// measured (its warning is sent).
    fn cheap(&mut self, p: Publication, est: &mut ErrorEstimator) -> Option<Latest> {
        if !p.model.is_finite() {
            return None;
        }
        let settings = Self::settings(&p);
        let threads = p.config.eval.threads;
        match cheap(&p.model, &settings, est, p.version, threads, &self.cancel) {
            Ok(c) => {
                if let Some(q) = &c.quad {
                    let report = QuadReport::from(q.clone());
                    self.send(Event::QuadReport(Stamped::new(p.version, p.step, report)));
                }
                if let Some(e) = c.sampled {
                    self.send(Event::ErrorEstimate(Stamped::new(p.version, p.step, e)));
                }
                self.send(Event::Rates(Stamped::new(
                    p.version,
                    p.step,
                    c.rates.clone(),
                )));
                Some(Latest {
                    p,
                    settings,
                    quad: c.quad,
                    rates: c.rates,
                    extra_rounds: 0,
                })
            }
            Err(e) if e.is_cancelled() => None,
            Err(e) => {
                self.send(Event::warning(format!("measurement: {e}")));
                None
            }
        }
    }

    /// One more Monte Carlo round on the newest model, with its rates.
    fn refine(&mut self, l: &mut Latest, est: &mut ErrorEstimator) {
        let (p, s) = (&l.p, &l.settings);
        let threads = p.config.eval.threads;
        match sample(est, &p.model, p.version, s.samples, threads, &self.cancel) {
            Ok(Some(e)) => {
                let rare = rare_rates(&p.model, s.seed, s.radius);
                l.rates = Rates::choose(s.n, s.radius, Some(&e), l.quad.as_ref(), &rare);
                self.send(Event::ErrorEstimate(Stamped::new(p.version, p.step, e)));
                self.send(Event::Rates(Stamped::new(
                    p.version,
                    p.step,
                    l.rates.clone(),
                )));
            }
            Ok(None) => {}
            Err(e) if e.is_cancelled() => {}
            Err(e) => {
                l.extra_rounds = EXTRA_ROUNDS;
                self.send(Event::warning(format!("error estimate: {e}")));
            }
        }
    }

    fn start(&self, l: &Latest) -> Slow {
        Slow {
            p: l.p.clone(),
            cycle: SlowCycle::new(&l.settings, l.rates.clone()),
            sliced: false,
        }
    }

    /// One unit of the slow cycle; true when the cycle (slice included) is
    /// finished.
    fn slow_unit(&mut self, s: &mut Slow) -> bool {
        let (p, c) = (&s.p, &s.p.config);
        let threads = c.eval.threads;
        if !s.cycle.is_done() {
            match s.cycle.advance(&p.model, threads, &self.cancel) {
                Ok(Some(f)) => {
                    let e = match f {
                        Finished::Distance(d) => {
                            Event::NearestError(Stamped::new(p.version, p.step, d))
                        }
                        Finished::Worst(w) => Event::WorstCase(Stamped::new(p.version, p.step, w)),
                        Finished::Robustness(r) => {
                            Event::Robustness(Stamped::new(p.version, p.step, r))
                        }
                    };
                    self.send(e);
                }
                Ok(None) => {}
                Err(e) if e.is_cancelled() => {}
                Err(e) => self.send(Event::warning(format!("measurement: {e}"))),
            }
            return false;
        }
        if !s.sliced {
            s.sliced = true;
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
            match crate::attack::decision_slice(&p.model, c.seed, self.slices, kind, &sp, threads) {
                Ok(sl) => self.send(Event::DecisionSlice(Stamped::new(p.version, p.step, sl))),
                Err(e) => self.send(Event::warning(format!("decision slice: {e}"))),
            }
            self.slices += 1;
        }
        true
    }

    fn send(&self, e: Event) {
        let _ = self.events.send(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};
    use crate::session::publish::slot;

    fn next(rx: &crossbeam_channel::Receiver<Event>) -> Event {
        rx.recv_timeout(std::time::Duration::from_secs(60))
            .expect("the evaluation thread went quiet")
    }

    #[test]
    fn a_new_publication_is_measured_while_the_slow_cycle_runs_on() {
        let n = 20;
        let mut alphas = vec![0.9; n];
        alphas[0] = 2.2;
        let model =
            crate::nn::Model::quad_with_alphas(&alphas, n, &mut rng_for(5, Stream::Init, 0));
        let mut config = crate::config::preset("quad-paper").unwrap().config;
        config.data.n = n;
        config.model.hidden = n;
        config.eval.samples = 4096;
        config.attack.starts = 64;
        config.attack.steps = 200;
        let (mut publisher, models) = slot();
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let worker = EvalWorker::new(models, tx, Arc::clone(&stop));
        let handle = std::thread::spawn(move || worker.run());
        publisher.publish(100, &model, &config);
        let mut events = Vec::new();
        loop {
            let e = next(&rx);
            let first = matches!(&e, Event::ErrorEstimate(s) if s.version == 1);
            events.push(e);
            if first {
                break;
            }
        }
        publisher.publish(200, &model, &config);
        // Until the second model's own cycle has started (its first d(E)).
        loop {
            let e = next(&rx);
            let done = matches!(&e, Event::NearestError(s) if s.version == 2);
            events.push(e);
            if done {
                break;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        drop(publisher);
        handle.join().unwrap();
        let at = |f: &dyn Fn(&Event) -> bool| events.iter().position(f).unwrap();
        let cheap_2 = at(&|e| matches!(e, Event::Rates(s) if s.version == 2));
        let cycle_1_end = at(&|e| matches!(e, Event::DecisionSlice(s) if s.version == 1));
        assert!(cheap_2 < cycle_1_end, "the cheap step waited for the cycle");
        // The first cycle was finished on its own model. Its outer sphere
        // has exactly no error (every alpha above 1/R^2): no search there.
        let sphere_of = |e: &Event| match e {
            Event::NearestError(s) if s.version == 1 => Some(s.value.nearest.sphere),
            _ => None,
        };
        let spheres: Vec<_> = events.iter().filter_map(sphere_of).collect();
        assert_eq!(spheres, [crate::data::Sphere::Inner]);
        let _ = at(&|e| matches!(e, Event::Robustness(s) if s.version == 1));
        let _ = at(&|e| matches!(e, Event::WorstCase(s) if s.version == 1));
        // The quadratic net's rates are exact in every Rates event.
        assert!(events.iter().all(|e| {
            match e {
                Event::Rates(r) => r
                    .value
                    .inner
                    .mu
                    .is_some_and(|m| m.source == crate::measure::RateSource::Exact),
                _ => true,
            }
        }));
    }
}
