//! The measuring pipeline, written once: estimate -> mu -> d(E) -> alphas
//! -> bounds, and the slower measurements beside them.
//!
//! * `cheap`: the quadratic-net analysis (exact rates, alphas), a Monte
//!   Carlo estimate on both spheres, rare-event estimates where available,
//!   then the rate choice and the bounds at it. Seconds at most.
//! * `SlowCycle`: d(E) on the inner then the outer sphere, the worst-case
//!   attack, off-manifold robustness. Minutes at n = 500, in units of
//!   seconds that a caller may interleave with other work or stop between.
//! * `measure`: both, start to end (`spheres eval`, sweep checkpoints).
//!
//! Everything is a function of the model and the settings: the starts, the
//! Monte Carlo points and the robustness points come from the seed, so two
//! measurements of one run (its checkpoints) share them.

use super::distance::DistanceReading;
use super::error::MeasureError;
use super::exact_geometry::exact_distances;
use super::measurement::Measurement;
use super::per_sphere::PerSphere;
use super::rare_rate::rare_rates;
use super::rates::Rates;
use super::robustness::{Robustness, RobustnessRun};
use crate::attack::{
    Cancel, ErrorEstimator, ManifoldParams, McEstimate, NearestSearch, Starts, WorstCase,
    worst_case_cancellable,
};
use crate::config::Config;
use crate::data::Sphere;
use crate::nn::Model;
use crate::stats::QuadAnalysis;
use crate::stats::quadnet::analyse_model;

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
        }
    }
}

/// The cheap part of a measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Cheap {
    pub sampled: Option<McEstimate>,
    pub quad: Option<QuadAnalysis>,
    pub rates: Rates,
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
    let mut left = more;
    let mut last = None;
    while left > 0 {
        cancel.check()?;
        let take = left.min(ROUND);
        last = Some(est.run(model, version, take, threads)?);
        left -= take;
    }
    Ok(last)
}

/// Analysis, estimate, rate choice and bounds for model `version` on the
/// estimator `est` (which keeps accumulating while the version stays).
pub fn cheap(
    model: &Model,
    s: &Settings,
    est: &mut ErrorEstimator,
    version: u64,
    threads: usize,
    cancel: &Cancel,
) -> Result<Cheap, MeasureError> {
    let quad = analyse_model(model, s.radius)?;
    let sampled = sample(est, model, version, s.samples, threads, cancel)?;
    let rare = rare_rates(model, s.seed, s.radius);
    let rates = Rates::choose(s.n, s.radius, sampled.as_ref(), quad.as_ref(), &rare);
    Ok(Cheap {
        sampled,
        quad,
        rates,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Nearest(Sphere),
    Worst,
    Robust,
    Done,
}

/// A slow measurement that finished in this unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    Distance(DistanceReading),
    Worst(WorstCase),
    Robustness(Robustness),
}

/// The slow measurements of one model, a unit at a time.
#[derive(Debug, Clone)]
pub struct SlowCycle {
    settings: Settings,
    rates: Rates,
    stage: Stage,
    search: Option<NearestSearch>,
    robust: Option<RobustnessRun>,
    pub d_e: PerSphere<Option<DistanceReading>>,
    pub worst: Option<WorstCase>,
    pub robustness: Option<Robustness>,
}

impl SlowCycle {
    /// The cycle for a model whose cheap measurements gave `rates`.
    pub fn new(settings: &Settings, rates: Rates) -> Self {
        let mut c = Self {
            settings: settings.clone(),
            rates,
            stage: Stage::Nearest(Sphere::Inner),
            search: None,
            robust: None,
            d_e: PerSphere::default(),
            worst: None,
            robustness: None,
        };
        c.skip_empty();
        c
    }

    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    fn next_stage(&mut self) {
        self.stage = match self.stage {
            Stage::Nearest(Sphere::Inner) => Stage::Nearest(Sphere::Outer),
            Stage::Nearest(Sphere::Outer) => Stage::Worst,
            Stage::Worst => Stage::Robust,
            Stage::Robust | Stage::Done => Stage::Done,
        };
        self.skip_empty();
    }

    fn skip_empty(&mut self) {
        let s = &self.settings;
        loop {
            let empty = match self.stage {
                Stage::Nearest(_) => s.starts == 0,
                Stage::Worst => s.worst_starts == 0,
                Stage::Robust => s.robust_points == 0,
                Stage::Done => false,
            };
            if !empty {
                return;
            }
            self.stage = match self.stage {
                Stage::Nearest(Sphere::Inner) => Stage::Nearest(Sphere::Outer),
                Stage::Nearest(Sphere::Outer) => Stage::Worst,
                Stage::Worst => Stage::Robust,
                _ => Stage::Done,
            };
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
            self.search = None;
            self.robust = None;
            self.next_stage();
        }
        r
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
                let exact = exact_distances(model, sphere, s.radius, starts.points(s.n).view());
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
    let mut cycle = SlowCycle::new(settings, cheap.rates.clone());
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
    fn a_cancelled_measurement_says_so() {
        let model = double_cap(20);
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let e = measure(&model, &settings(20), 1, &Cancel::on(flag)).unwrap_err();
        assert!(e.is_cancelled());
    }
}
