//! The evaluation thread: measures the published models with the measuring
//! pipeline (`crate::measure`), sharing its time between two kinds of work.
//!
//! * Exact, on arrival: the moment a publication is taken from the slot
//!   (between units, and between the Monte Carlo rounds of a cheap step),
//!   a quadratic net's eigendecomposition and from it the alphas, exact
//!   rates and closed-form worst-case losses (`measure::Exact`), sent as
//!   `QuadReport` and `Rates`. Under a second at n = 500, so every
//!   publication a run makes gets one, whatever else is running.
//! * Cheap, for the newest arrival when its turn comes: a Monte Carlo
//!   round of `eval.samples` points, the rate choice and the bounds
//!   (`measure::cheap_after`), sent as `ErrorEstimate` and `Rates`. Half a
//!   minute for 1e6 points at n = 500 on one thread.
//! * Slow, one cycle per model (`measure::SlowCycle`): a rare-event
//!   estimate on each sphere where Monte Carlo saw no error and no exact
//!   rate is known (sent as `Rates` of the cycle's model, the rate choice
//!   and bounds redone with it), d(E) on the inner and the outer sphere
//!   (compared at those rates, with the exact distances over the same
//!   starts for a quadratic net, whose decomposition the cheap step
//!   already made), the worst-case attack, off-manifold robustness, then a
//!   decision slice; sent as `NearestError` (one per sphere), `WorstCase`,
//!   `Robustness` and `DecisionSlice`. Minutes at n = 500, done in units
//!   of a few seconds: one rare-event repeat per evaluation thread, 32
//!   nearest-error starts, the worst-case starts, one robustness step.
//!
//! How the time is shared. A slow cycle runs on the model it started with,
//! a unit at a time. Between units the thread takes the newest publication
//! (the slot holds only the newest), does its exact part, and measures the
//! newest arrival cheaply whenever cheap
//! work has had no more of the thread's time than slow work since the cycle
//! began: with both kinds waiting each gets at least half, so publications
//! are measured while a cycle runs instead of after it, and a newer model
//! waits at most one unit. When a cycle ends, the next starts on the newest
//! cheaply measured model (with that model's rates, so its bounds are taken
//! where its error rate was measured). With nothing else to do the thread
//! refines the newest model's Monte Carlo estimate for up to `EXTRA_ROUNDS`
//! rounds, then sleeps until the next publication. Every unit stops within
//! a step (a rare-event level, an attack step, a Monte Carlo round) when
//! the run ends, and a stopped unit leaves nothing half-recorded.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::messages::{Event, QuadReport, Stamped};
use super::publish::Publication;
use crate::attack::{Cancel, ErrorEstimator, RareEstimate, SliceKind, SliceParams};
use crate::measure::{
    Exact, Finished, Geometry, PerSphere, Rates, Settings, SlowCycle, cheap_after, sample,
};
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
    /// Whether the note on a net too wide for its exact analysis was sent.
    noted_geometry: bool,
}

/// The newest model measured cheaply.
struct Latest {
    p: Publication,
    settings: Settings,
    quad: Option<QuadAnalysis>,
    geometry: Geometry,
    rates: Rates,
    /// Rare-event estimates of this very model, once its cycle made them.
    rare: PerSphere<Option<RareEstimate>>,
    extra_rounds: u64,
}

/// A publication whose exact part is done and sent.
struct Arrived {
    p: Publication,
    exact: Exact,
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
            noted_geometry: false,
        }
    }

    pub fn run(mut self) {
        let Ok(first) = self.models.recv() else {
            return;
        };
        let mut est = ErrorEstimator::new(first.config.seed, first.config.data.radius as f32);
        let mut pending = self.arrive(first);
        let mut latest: Option<Latest> = None;
        let mut slow: Option<Slow> = None;
        let (mut cheap_s, mut slow_s) = (0.0f64, 0.0f64);
        while !self.cancel.is_cancelled() {
            match self.models.try_recv() {
                Ok(p) => pending = self.arrive(p).or(pending),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => return,
            }
            let cheap_turn = slow.is_none() || cheap_s <= slow_s;
            if cheap_turn && let Some(a) = pending.take() {
                let t = Instant::now();
                let (measured, newer) = self.cheap(a, &mut est);
                if let Some(l) = measured {
                    latest = Some(l);
                }
                pending = newer;
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
                let done = self.slow_unit(s, latest.as_mut());
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
                Ok(p) => pending = self.arrive(p),
                Err(_) => return,
            }
        }
    }

    fn settings(p: &Publication) -> Settings {
        Settings::from_config(&p.config)
    }

    fn arrive(&mut self, p: Publication) -> Option<Arrived> {
        arrive(p, &self.events, &mut self.noted_geometry)
    }

    /// A Monte Carlo round and the rates for an arrival; None when the
    /// model cannot be measured (its warning is sent). Publications that
    /// arrive meanwhile get their exact part at once; the newest is
    /// returned beside.
    fn cheap(&mut self, a: Arrived, est: &mut ErrorEstimator) -> (Option<Latest>, Option<Arrived>) {
        let Arrived { p, exact } = a;
        let settings = Self::settings(&p);
        let threads = p.config.eval.threads;
        let mut newer = None;
        let (models, events, noted) = (&self.models, &self.events, &mut self.noted_geometry);
        let mut between = || {
            if let Ok(p) = models.try_recv() {
                newer = arrive(p, events, noted).or(newer.take());
            }
        };
        let version = p.version;
        let got = cheap_after(
            exact,
            &p.model,
            &settings,
            est,
            version,
            threads,
            &self.cancel,
            &mut between,
        );
        let measured = match got {
            Ok(c) => {
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
                    geometry: c.geometry,
                    rates: c.rates,
                    rare: PerSphere::default(),
                    extra_rounds: 0,
                })
            }
            Err(e) if e.is_cancelled() => None,
            Err(e) => {
                self.send(Event::warning(format!("measurement: {e}")));
                None
            }
        };
        (measured, newer)
    }

    /// One more Monte Carlo round on the newest model, with its rates.
    fn refine(&mut self, l: &mut Latest, est: &mut ErrorEstimator) {
        let (p, s) = (&l.p, &l.settings);
        let threads = p.config.eval.threads;
        match sample(est, &p.model, p.version, s.samples, threads, &self.cancel) {
            Ok(Some(e)) => {
                l.rates = Rates::choose(s.n, s.radius, Some(&e), l.quad.as_ref(), &l.rare);
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
            cycle: SlowCycle::new(&l.settings, l.rates.clone(), l.geometry.clone()),
            sliced: false,
        }
    }

    /// One unit of the slow cycle; true when the cycle (slice included) is
    /// finished. A rare-event estimate of the newest model is kept with it,
    /// so its later Monte Carlo rounds are chosen with it too.
    fn slow_unit(&mut self, s: &mut Slow, latest: Option<&mut Latest>) -> bool {
        let (p, c) = (&s.p, &s.p.config);
        let threads = c.eval.threads;
        if !s.cycle.is_done() {
            match s.cycle.advance(&p.model, threads, &self.cancel) {
                Ok(Some(f)) => {
                    let e = match f {
                        Finished::Rare(r) => {
                            if let Some(l) = latest.filter(|l| l.p.version == p.version) {
                                let sphere = r.sphere;
                                *l.rare.get_mut(sphere) = Some(r);
                                l.rates = s.cycle.rates().clone();
                            }
                            Event::Rates(Stamped::new(p.version, p.step, s.cycle.rates().clone()))
                        }
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
        for note in std::mem::take(&mut s.cycle.notes) {
            self.send(Event::warning(note));
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

/// The exact part of a publication, sent at once: a quadratic net's
/// `QuadReport` and its exact rates. None for a model that cannot be
/// measured (non-finite weights; a failed decomposition is warned of).
fn arrive(p: Publication, events: &Sender<Event>, noted_geometry: &mut bool) -> Option<Arrived> {
    if !p.model.is_finite() {
        return None;
    }
    let settings = Settings::from_config(&p.config);
    let exact = match Exact::of(&p.model, &settings) {
        Ok(e) => e,
        Err(e) => {
            let _ = events.send(Event::warning(format!("measurement: {e}")));
            return None;
        }
    };
    if let Some(note) = exact.geometry.note()
        && !*noted_geometry
    {
        *noted_geometry = true;
        let _ = events.send(Event::warning(note));
    }
    if let Some(q) = &exact.quad {
        let report = QuadReport::from(q.clone());
        let _ = events.send(Event::QuadReport(Stamped::new(p.version, p.step, report)));
    }
    if let Some(rates) = exact.rates(&settings) {
        let _ = events.send(Event::Rates(Stamped::new(p.version, p.step, rates)));
    }
    Some(Arrived { p, exact })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::nn::Model;
    use crate::rng::{Stream, rng_for};
    use crate::session::publish::{Publisher, slot};

    /// An evaluation thread fed by a test, recording what it sends.
    struct Running {
        publisher: Publisher,
        rx: crossbeam_channel::Receiver<Event>,
        stop: Arc<AtomicBool>,
        handle: std::thread::JoinHandle<()>,
        events: Vec<Event>,
    }

    impl Running {
        fn start() -> Self {
            let (publisher, models) = slot();
            let (tx, rx) = crossbeam_channel::unbounded();
            let stop = Arc::new(AtomicBool::new(false));
            let worker = EvalWorker::new(models, tx, Arc::clone(&stop));
            let handle = std::thread::spawn(move || worker.run());
            Self {
                publisher,
                rx,
                stop,
                handle,
                events: Vec::new(),
            }
        }

        /// Records events up to and including the first that `last` accepts.
        fn until(&mut self, last: impl Fn(&Event) -> bool) {
            loop {
                let e = self
                    .rx
                    .recv_timeout(std::time::Duration::from_secs(60))
                    .expect("the evaluation thread went quiet");
                let done = last(&e);
                self.events.push(e);
                if done {
                    return;
                }
            }
        }

        /// Stops the thread; everything it sent.
        fn finish(self) -> Vec<Event> {
            self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
            drop(self.publisher);
            self.handle.join().unwrap();
            self.events
        }
    }

    /// A quadratic net at n = 20 with alphas (2.2, 0.9, ...): inner errors
    /// on a double cap, none on the outer sphere; quad-paper's config there.
    fn double_cap() -> (Model, Config) {
        let n = 20;
        let mut alphas = vec![0.9; n];
        alphas[0] = 2.2;
        let model = Model::quad_with_alphas(&alphas, n, &mut rng_for(5, Stream::Init, 0));
        let mut config = crate::config::preset("quad-paper").unwrap().config;
        config.data.n = n;
        config.model.hidden = n;
        (model, config)
    }

    #[test]
    fn a_new_publication_is_measured_while_the_slow_cycle_runs_on() {
        let (model, mut config) = double_cap();
        config.eval.samples = 4096;
        config.attack.starts = 64;
        config.attack.steps = 200;
        let mut w = Running::start();
        w.publisher.publish(100, &model, &config);
        w.until(|e| matches!(e, Event::ErrorEstimate(s) if s.version == 1));
        w.publisher.publish(200, &model, &config);
        // Until the second model's own cycle has started (its first d(E)).
        w.until(|e| matches!(e, Event::NearestError(s) if s.version == 2));
        let events = w.finish();
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

    #[test]
    fn every_publication_gets_its_exact_report_during_a_long_monte_carlo_round() {
        let (model, mut config) = double_cap();
        // A round of seconds, as 1e6 points are at n = 500.
        config.eval.samples = 1 << 27;
        let mut w = Running::start();
        for step in [100, 200, 300] {
            w.publisher.publish(step, &model, &config);
            // Sent right after the model's QuadReport.
            w.until(|e| matches!(e, Event::Rates(s) if s.step == step));
        }
        let events = w.finish();
        assert!(
            !events.iter().any(|e| matches!(e, Event::ErrorEstimate(_))),
            "the first Monte Carlo round ended before the later models were analysed"
        );
        let steps: Vec<u64> = events
            .iter()
            .filter_map(|e| match e {
                Event::Rates(r) => Some(r.step),
                _ => None,
            })
            .collect();
        assert_eq!(steps, [100, 200, 300], "exact rates on arrival");
        let reports = events
            .iter()
            .filter(|e| matches!(e, Event::QuadReport(_)))
            .count();
        assert_eq!(reports, 3);
    }

    #[test]
    fn a_rate_sampling_cannot_see_is_estimated_before_d_e_and_sent_as_rates() {
        use crate::measure::RateSource;
        let n = 20;
        let t = crate::stats::cap::cap_threshold(n, 1e-8).unwrap() as f32;
        let model = Model::cap(n, t, 1.3);
        let mut config = crate::config::preset("quad-paper").unwrap().config;
        config.data.n = n;
        config.eval.samples = 4096;
        config.attack.starts = 8;
        config.attack.steps = 300;
        let mut w = Running::start();
        w.publisher.publish(100, &model, &config);
        w.until(|e| {
            matches!(e, Event::NearestError(s) if s.value.nearest.sphere == crate::data::Sphere::Inner)
        });
        let events = w.finish();
        let rates: Vec<&Rates> = events
            .iter()
            .filter_map(|e| match e {
                Event::Rates(r) => Some(&r.value),
                _ => None,
            })
            .collect();
        // First the cheap step's rates (an upper bound), then the cycle's
        // with the rare-event estimate.
        assert_eq!(rates[0].inner.mu.unwrap().source, RateSource::UpperBound);
        let with = rates
            .iter()
            .find(|r| r.inner.rare.is_some())
            .expect("a Rates event with the rare-event estimate");
        let mu = with.inner.mu.unwrap();
        assert_eq!(mu.source, RateSource::Rare);
        let Some(Event::NearestError(d)) = events.last() else {
            unreachable!()
        };
        assert_eq!(d.value.mu, Some(mu), "d(E) is read at the rare-event rate");
    }
}
