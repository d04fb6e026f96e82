//! The measuring pipeline, written once: estimate -> mu -> d(E) -> alphas
//! -> bounds, and the slower measurements beside them.
//!
//! * `cheap`: a quadratic net's eigendecomposition (`exact_geometry`,
//!   once per model) and from it the alphas, exact rates and closed-form
//!   worst case; a Monte Carlo estimate on both spheres; then the rate
//!   choice and the bounds at it. Seconds at most.
//! * `SlowCycle`: rare-event estimates where `Settings::rare_when` asks
//!   for them (the rate choice and bounds are redone with each), d(E) on
//!   the inner then the outer sphere (with the exact distances over the
//!   same starts where the geometry is known), the worst-case attack,
//!   off-manifold robustness. Minutes at n = 500, in units of seconds that
//!   a caller may interleave with other work or stop between.
//! * `measure`: both, start to end (`spheres eval`, sweep checkpoints).
//!
//! Everything is a function of the model and the settings: the starts, the
//! Monte Carlo points and the robustness points come from the seed, so two
//! measurements of one run (its checkpoints) share them.

use super::distance::DistanceReading;
use super::error::MeasureError;
use super::exact_geometry::{Geometry, exact_distances};
use super::measurement::Measurement;
use super::per_sphere::PerSphere;
use super::rare_rate::{self, RareWhen};
use super::rates::Rates;
use super::robustness::{Robustness, RobustnessRun};
use crate::attack::{
    Cancel, ErrorEstimator, ManifoldParams, McEstimate, NearestSearch, RareEstimate, RareParams,
    RareRun, Starts, WorstCase, worst_case_cancellable,
};
use crate::config::Config;
use crate::data::Sphere;
use crate::nn::Model;
use crate::stats::QuadAnalysis;

/// Monte Carlo points per estimator call: the unit between cancel checks.
pub const ROUND: u64 = 1 << 16;
/// Starts per nearest-error unit.
pub const NEAREST_UNIT: usize = 32;
/// Noisy points per noise level, at most: the four levels together cost
/// about one Monte Carlo round.
const NOISE_SAMPLES: u64 = 50_000;

/// What a measurement does, from a run's config.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub seed: u64,
    pub n: usize,
    /// The outer sphere's radius R.
    pub radius: f64,
    /// Monte Carlo points (split between the spheres by a fair coin).
    pub samples: u64,
    /// Nearest-error starts per sphere (0: no d(E)).
    pub starts: usize,
    pub attack: ManifoldParams,
    /// Worst-case attack starts (0: none).
    pub worst_starts: usize,
    /// Robustness points (0: none); noisy points per noise level.
    pub robust_points: usize,
    pub noise_samples: u64,
    /// Which spheres get a rare-event estimate, and its settings.
    pub rare_when: RareWhen,
    pub rare: RareParams,
}

impl Settings {
    pub fn from_config(c: &Config) -> Self {
        Self {
            seed: c.seed,
            n: c.data.n,
            radius: c.data.radius,
            samples: c.eval.samples,
            starts: c.attack.starts,
            attack: ManifoldParams::from(&c.attack),
            // The worst case and robustness cost a whole step budget (or
            // its bisections) per point: fewer points than d(E) has starts.
            worst_starts: c.attack.starts.div_ceil(4),
            robust_points: c.attack.starts.div_ceil(2),
            noise_samples: (c.eval.samples / 4).min(NOISE_SAMPLES),
            rare_when: RareWhen::NoSampledError,
            rare: rare_rate::params(),
        }
    }
}

/// The cheap part of a measurement.
#[derive(Debug, Clone)]
pub struct Cheap {
    pub sampled: Option<McEstimate>,
    pub quad: Option<QuadAnalysis>,
    pub rates: Rates,
    /// The decomposition behind `quad`, for the slow cycle's exact
    /// distances.
    pub geometry: Geometry,
}

/// `more` further Monte Carlo points for `version` (rounded up to whole
/// estimator chunks), in calls of `ROUND` points with a cancel check
/// between; the same numbers as one call. None for `more == 0`.
pub fn sample(
    est: &mut ErrorEstimator,
    model: &Model,
    version: u64,
    more: u64,
    threads: usize,
    cancel: &Cancel,
) -> Result<Option<McEstimate>, MeasureError> {
    sample_between(est, model, version, more, threads, cancel, &mut || {})
}

/// `sample` that calls `between` after every round: a caller can look
/// at other work (a new model to analyse) without changing a number.
pub fn sample_between(
    est: &mut ErrorEstimator,
    model: &Model,
    version: u64,
    more: u64,
    threads: usize,
    cancel: &Cancel,
    between: &mut dyn FnMut(),
) -> Result<Option<McEstimate>, MeasureError> {
    let mut left = more;
    let mut last = None;
    while left > 0 {
        cancel.check()?;
        let take = left.min(ROUND);
        last = Some(est.run(model, version, take, threads)?);
        left -= take;
        between();
    }
    Ok(last)
}

/// What is known of a model in closed form: its decomposition and, for a
/// quadratic net, the alphas, exact rates and worst-case losses. Under a
/// second at n = 500, where a Monte Carlo round of 1e6 points takes half a
/// minute.
#[derive(Debug, Clone, Default)]
pub struct Exact {
    pub geometry: Geometry,
    pub quad: Option<QuadAnalysis>,
}

impl Exact {
    pub fn of(model: &Model, s: &Settings) -> Result<Self, MeasureError> {
        let geometry = Geometry::of(model, s.radius)?;
        let quad = geometry.analysis()?;
        Ok(Self { geometry, quad })
    }

    /// The rate choice from the exact rates alone (None for a model
    /// without them).
    pub fn rates(&self, s: &Settings) -> Option<Rates> {
        let quad = self.quad.as_ref()?;
        Some(Rates::choose(
            s.n,
            s.radius,
            None,
            Some(quad),
            &PerSphere::default(),
        ))
    }
}

/// The exact geometry, analysis, estimate, rate choice and bounds for
/// model `version` on the estimator `est` (which keeps accumulating while
/// the version stays). No rare-event estimate: that is slow work.
pub fn cheap(
    model: &Model,
    s: &Settings,
    est: &mut ErrorEstimator,
    version: u64,
    threads: usize,
    cancel: &Cancel,
) -> Result<Cheap, MeasureError> {
    let exact = Exact::of(model, s)?;
    cheap_after(exact, model, s, est, version, threads, cancel, &mut || {})
}

/// `cheap` with the exact part already done, and `between` called between
/// Monte Carlo rounds.
#[allow(clippy::too_many_arguments)]
pub fn cheap_after(
    exact: Exact,
    model: &Model,
    s: &Settings,
    est: &mut ErrorEstimator,
    version: u64,
    threads: usize,
    cancel: &Cancel,
    between: &mut dyn FnMut(),
) -> Result<Cheap, MeasureError> {
    let Exact { geometry, quad } = exact;
    let sampled = sample_between(est, model, version, s.samples, threads, cancel, between)?;
    let rates = Rates::choose(
        s.n,
        s.radius,
        sampled.as_ref(),
        quad.as_ref(),
        &PerSphere::default(),
    );
    Ok(Cheap {
        sampled,
        quad,
        rates,
        geometry,
    })
}

/// The cycle's stages, in order; empty ones are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Rare(Sphere),
    Nearest(Sphere),
    Worst,
    Robust,
    Done,
}

impl Stage {
    const FIRST: Stage = Stage::Rare(Sphere::Inner);

    fn after(self) -> Stage {
        match self {
            Stage::Rare(Sphere::Inner) => Stage::Rare(Sphere::Outer),
            Stage::Rare(Sphere::Outer) => Stage::Nearest(Sphere::Inner),
            Stage::Nearest(Sphere::Inner) => Stage::Nearest(Sphere::Outer),
            Stage::Nearest(Sphere::Outer) => Stage::Worst,
            Stage::Worst => Stage::Robust,
            Stage::Robust | Stage::Done => Stage::Done,
        }
    }
}

/// A slow measurement that finished in this unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    /// A rare-event estimate; the cycle's rates now include it.
    Rare(RareEstimate),
    Distance(DistanceReading),
    Worst(WorstCase),
    Robustness(Robustness),
}

/// The slow measurements of one model, a unit at a time.
#[derive(Debug, Clone)]
pub struct SlowCycle {
    settings: Settings,
    rates: Rates,
    geometry: Geometry,
    stage: Stage,
    rare_run: Option<RareRun>,
    search: Option<NearestSearch>,
    robust: Option<RobustnessRun>,
    pub d_e: PerSphere<Option<DistanceReading>>,
    pub worst: Option<WorstCase>,
    pub robustness: Option<Robustness>,
    /// What went wrong beside the numbers (an exact distance that could
    /// not be computed), in words.
    pub notes: Vec<String>,
}

impl SlowCycle {
    /// The cycle for a model whose cheap measurements gave `rates`, with
    /// the exact geometry they were computed from.
    pub fn new(settings: &Settings, rates: Rates, geometry: Geometry) -> Self {
        let mut c = Self {
            settings: settings.clone(),
            rates,
            geometry,
            stage: Stage::FIRST,
            rare_run: None,
            search: None,
            robust: None,
            d_e: PerSphere::default(),
            worst: None,
            robustness: None,
            notes: Vec::new(),
        };
        c.skip_empty();
        c
    }

    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// The rates d(E) is compared at: the cheap step's, with any
    /// rare-event estimate of this cycle.
    pub fn rates(&self) -> &Rates {
        &self.rates
    }

    fn next_stage(&mut self) {
        self.stage = self.stage.after();
        self.skip_empty();
    }

    fn skip_empty(&mut self) {
        loop {
            let s = &self.settings;
            let empty = match self.stage {
                Stage::Rare(sphere) => !s.rare_when.wants(self.rates.get(sphere)),
                Stage::Nearest(_) => s.starts == 0,
                Stage::Worst => s.worst_starts == 0,
                Stage::Robust => s.robust_points == 0,
                Stage::Done => false,
            };
            if !empty {
                return;
            }
            self.stage = self.stage.after();
        }
    }

    /// One unit of work. A measurement that fails for any reason but a
    /// cancel is given up (the error says why) and the cycle moves on; a
    /// cancelled unit can be run again.
    pub fn advance(
        &mut self,
        model: &Model,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<Option<Finished>, MeasureError> {
        let r = self.unit(model, threads, cancel);
        if let Err(e) = &r
            && !e.is_cancelled()
        {
            self.rare_run = None;
            self.search = None;
            self.robust = None;
            self.next_stage();
        }
        r
    }

    /// A unit of the rare-event estimate on `sphere`: one repeat per
    /// thread, seconds at n = 500.
    fn rare_unit(
        &mut self,
        model: &Model,
        sphere: Sphere,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<Option<Finished>, MeasureError> {
        let s = &self.settings;
        if self.rare_run.is_none() {
            let seed = rare_rate::seed(s.seed, sphere);
            self.rare_run = Some(RareRun::new(sphere, s.radius as f32, &s.rare, seed)?);
        }
        let Some(run) = self.rare_run.as_mut() else {
            return Ok(None);
        };
        let Some(e) = run.advance(model, threads.max(1), threads, cancel)? else {
            return Ok(None);
        };
        self.rare_run = None;
        self.rates = self.rates.with_rare(s.n, s.radius, sphere, e.clone());
        self.next_stage();
        Ok(Some(Finished::Rare(e)))
    }

    fn unit(
        &mut self,
        model: &Model,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<Option<Finished>, MeasureError> {
        let s = self.settings.clone();
        match self.stage {
            Stage::Done => Ok(None),
            Stage::Rare(sphere) => self.rare_unit(model, sphere, threads, cancel),
            Stage::Nearest(sphere) => {
                // An exact rate of 0 means no error set: nothing to find.
                if self.rates.get(sphere).mu.is_some_and(|m| m.rate.is_zero()) {
                    self.next_stage();
                    return Ok(None);
                }
                let starts = Starts {
                    seed: s.seed,
                    sphere,
                    outer_radius: s.radius,
                    count: s.starts,
                };
                if self.search.is_none() {
                    self.search = Some(NearestSearch::new(model, starts, &s.attack)?);
                }
                let Some(search) = self.search.as_mut() else {
                    return Ok(None);
                };
                if !search.advance(model, NEAREST_UNIT, threads, cancel)? {
                    return Ok(None);
                }
                let Some(nearest) = self.search.take().and_then(|s| s.result()) else {
                    return Ok(None);
                };
                let exact = match exact_distances(&self.geometry, sphere, starts.points(s.n).view())
                {
                    Ok(d) => d,
                    Err(e) => {
                        self.notes.push(format!(
                            "{} d(E): no exact distances ({e}); the reading has no exact reference",
                            sphere.name()
                        ));
                        None
                    }
                };
                let reading = DistanceReading::new(
                    nearest,
                    self.rates.get(sphere).mu,
                    s.n,
                    sphere.radius(s.radius),
                    s.attack.halvings,
                    exact.as_deref(),
                );
                *self.d_e.get_mut(sphere) = Some(reading.clone());
                self.next_stage();
                Ok(Some(Finished::Distance(reading)))
            }
            Stage::Worst => {
                let w = worst_case_cancellable(
                    model,
                    s.seed,
                    s.worst_starts,
                    s.radius as f32,
                    &s.attack,
                    threads,
                    cancel,
                )?;
                self.worst = Some(w);
                self.next_stage();
                Ok(Some(Finished::Worst(w)))
            }
            Stage::Robust => {
                let run = self.robust.get_or_insert_with(|| {
                    RobustnessRun::new(s.seed, s.n, s.radius, s.robust_points, s.noise_samples)
                });
                if !run.advance(model, threads, cancel)? {
                    return Ok(None);
                }
                let corollary = [Sphere::Inner, Sphere::Outer]
                    .into_iter()
                    .filter_map(|sp| {
                        let d = self.d_e.get(sp).as_ref()?;
                        super::corollary::corollary(s.n, sp.radius(s.radius), d)
                    })
                    .collect();
                let r = run.result(corollary).expect("a finished run has a result");
                self.robust = None;
                self.robustness = Some(r.clone());
                self.next_stage();
                Ok(Some(Finished::Robustness(r)))
            }
        }
    }
}

/// Every measurement of `model`, start to end.
pub fn measure(
    model: &Model,
    settings: &Settings,
    threads: usize,
    cancel: &Cancel,
) -> Result<Measurement, MeasureError> {
    let mut est = ErrorEstimator::new(settings.seed, settings.radius as f32);
    let cheap = cheap(model, settings, &mut est, 0, threads, cancel)?;
    let mut cycle = SlowCycle::new(settings, cheap.rates.clone(), cheap.geometry.clone());
    while !cycle.is_done() {
        cycle.advance(model, threads, cancel)?;
    }
    Ok(Measurement::new(settings, cheap, cycle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};

    /// A quadratic net in the basis e_i with alphas (2.2, 0.9, ...): inner
    /// errors on the double cap |x_1| > 0.28, none on the outer sphere.
    fn double_cap(n: usize) -> Model {
        let mut alphas = vec![0.9; n];
        alphas[0] = 2.2;
        Model::quad_with_alphas(&alphas, n, &mut rng_for(5, Stream::Init, 0))
    }

    fn settings(n: usize) -> Settings {
        let mut c = crate::config::preset("quad-paper").unwrap().config;
        c.data.n = n;
        c.eval.samples = 20_000;
        c.attack.starts = 24;
        c.attack.steps = 300;
        Settings::from_config(&c)
    }

    /// The record without its timings (NaN fields compare as text).
    fn without_timings(mut m: Measurement) -> String {
        for d in [&mut m.d_e.inner, &mut m.d_e.outer].into_iter().flatten() {
            d.nearest.searches_per_s = 0.0;
        }
        serde_json::to_string(&m).unwrap()
    }

    #[test]
    fn one_pass_gives_every_number_the_same_for_any_thread_count() {
        let (n, model) = (20, double_cap(20));
        let s = settings(n);
        let m = measure(&model, &s, 2, &Cancel::never()).unwrap();
        let inner = m.rates.inner.mu.unwrap();
        assert_eq!(inner.source, crate::measure::RateSource::Exact);
        assert!(m.rates.outer.mu.unwrap().rate.is_zero());
        let d = m.d_e.inner.as_ref().unwrap();
        assert_eq!((d.nearest.found, d.nearest.starts), (24, 24));
        assert_eq!(d.mu, Some(inner));
        assert!(d.ratio().is_some() && m.rates.bound.inner.is_some());
        // The outer sphere has exactly no error: nothing to search for.
        assert!(m.d_e.outer.is_none());
        let q = m.quad.as_ref().unwrap();
        assert!(q.band_applies && q.bad_high == Some(1) && q.worst_loss_inner.is_some());
        let r = m.robustness.as_ref().unwrap();
        assert_eq!(r.points, 12);
        assert_eq!(r.corollary.len(), 1, "the outer sphere has no d(E)");
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("outer: exact error rate 0"))
        );
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("not independent samples"))
        );
        let one = measure(&model, &s, 1, &Cancel::never()).unwrap();
        assert_eq!(without_timings(m), without_timings(one));
    }

    #[test]
    fn a_rate_below_sampling_is_estimated_first_and_d_e_is_read_there() {
        use crate::attack::RareOutcome;
        use crate::measure::RateSource;
        let n = 20;
        let t = crate::stats::cap::cap_threshold(n, 1e-8).unwrap() as f32;
        let exact = crate::stats::cap::cap_measure(n, t as f64).unwrap();
        let model = Model::cap(n, t, 1.3);
        let s = Settings {
            worst_starts: 0,
            robust_points: 0,
            ..settings(n)
        };
        let m = measure(&model, &s, 2, &Cancel::never()).unwrap();
        assert_eq!(m.rates.inner.sampled.errors, 0);
        let inner = m.rates.inner.mu.unwrap();
        assert_eq!(inner.source, RateSource::Rare);
        let ratio = inner.rate.mu / exact;
        assert!(
            ratio > 0.5 && ratio < 2.0,
            "{inner:?} against exact {exact:e}"
        );
        let d = m.d_e.inner.as_ref().unwrap();
        assert_eq!(d.mu, Some(inner));
        assert!(d.ratio().is_some() && d.bound_at_lo.is_some());
        // The cap net has no outer error at all, and its outer score peaks
        // at a single point, the pole: the levels close in on it until the
        // moves stop mixing. No number is reported, not even a bound, and
        // the rate falls back to sampling's upper bound.
        let outer = &m.rates.outer;
        let rare = outer.rare.as_ref().unwrap();
        assert!(
            matches!(rare.outcome, RareOutcome::NotMixed { .. }),
            "{}",
            rare.summary()
        );
        let mu = outer.mu.unwrap();
        assert_eq!(
            (mu.source, mu.hi),
            (RateSource::UpperBound, outer.sampled.hi)
        );
        assert!(m.notes.iter().any(|n| n.contains("did not mix")));
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("inner error rate") && n.contains("AMS"))
        );
        let never = Settings {
            rare_when: RareWhen::Never,
            ..s
        };
        let m = measure(&model, &never, 2, &Cancel::never()).unwrap();
        assert!(m.rates.inner.rare.is_none());
        assert_eq!(m.rates.inner.mu.unwrap().source, RateSource::UpperBound);
    }

    #[test]
    fn a_cancelled_measurement_says_so() {
        let model = double_cap(20);
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let e = measure(&model, &settings(20), 1, &Cancel::on(flag)).unwrap_err();
        assert!(e.is_cancelled());
    }
}
