//! Both spheres' error rates as measured (Monte Carlo, exact where known,
//! rare-event where it ran) with the rate chosen for each and the bounds
//! there: the cheap part of a measurement, redone at every model
//! publication, and redone again when a rare-event estimate arrives.

use serde::{Deserialize, Serialize};

use super::bounds::{Bounds, bounds_on};
use super::per_sphere::PerSphere;
use super::rate::{Rate, RateChoice, RateSource, choose};
use crate::attack::{McEstimate, RareEstimate};
use crate::data::Sphere;
use crate::stats::{QuadAnalysis, RateEstimate, rate_estimate};

/// One sphere's error rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateReading {
    /// The Monte Carlo count and rate with its 95% Clopper-Pearson
    /// interval (no samples: rate 0 in [0, 1]).
    #[serde(flatten)]
    pub sampled: RateEstimate,
    /// The exact rate, where known (quadratic nets).
    pub exact: Option<f64>,
    /// Its natural log, finite where the rate underflows. Null both where
    /// no exact rate exists and where it is exactly 0 (JSON has no -inf);
    /// `exact` tells the two apart.
    pub ln_exact: Option<f64>,
    /// The rare-event estimate, where one ran: `rate` null when it only
    /// bounds the rate (`hi` is then the bound) or could not estimate it
    /// (`outcome` says why). Absent in records written before.
    #[serde(default)]
    pub rare: Option<Box<RareEstimate>>,
    /// The rate every consumer uses (`rate::choose`).
    pub mu: Option<RateChoice>,
}

impl RateReading {
    pub fn new(
        sampled: Option<RateEstimate>,
        exact: Option<Rate>,
        rare: Option<RareEstimate>,
    ) -> Self {
        let mu = choose(exact, rare.as_ref(), sampled.as_ref());
        Self {
            sampled: sampled.unwrap_or_else(|| rate_estimate(0, 0)),
            exact: exact.map(|r| r.mu),
            ln_exact: exact.map(|r| r.ln_mu).filter(|l| l.is_finite()),
            rare: rare.map(Box::new),
            mu,
        }
    }

    /// The exact rate with its log (-inf for a rate of exactly 0).
    pub fn exact_rate(&self) -> Option<Rate> {
        let mu = self.exact?;
        Some(Rate::exact(
            mu,
            self.ln_exact
                .unwrap_or(if mu > 0.0 { mu.ln() } else { f64::NEG_INFINITY }),
        ))
    }

    /// The same reading with a rare-event estimate, the rate chosen again.
    pub fn with_rare(&self, rare: RareEstimate) -> Self {
        let sampled = (self.sampled.samples > 0).then_some(self.sampled);
        Self::new(sampled, self.exact_rate(), Some(rare))
    }
}

/// Both spheres, with the bounds at each chosen rate on its own radius.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub inner: RateReading,
    pub outer: RateReading,
    pub bound: PerSphere<Option<Bounds>>,
    /// At the low end of each rate's interval (None for an upper bound).
    pub bound_at_lo: PerSphere<Option<Bounds>>,
}

impl Rates {
    /// The rate choice for both spheres from what was measured.
    pub fn choose(
        n: usize,
        radius: f64,
        sampled: Option<&McEstimate>,
        quad: Option<&QuadAnalysis>,
        rare: &PerSphere<Option<RareEstimate>>,
    ) -> Self {
        let reading = |s: Sphere| {
            let est = sampled.map(|e| match s {
                Sphere::Inner => e.inner,
                Sphere::Outer => e.outer,
            });
            let exact = quad.map(|q| match s {
                Sphere::Inner => Rate::exact(q.inner_exact, q.ln_inner_exact),
                Sphere::Outer => Rate::exact(q.outer_exact, q.ln_outer_exact),
            });
            RateReading::new(est, exact, rare.get(s).clone())
        };
        Self::from_readings(n, radius, reading(Sphere::Inner), reading(Sphere::Outer))
    }

    /// The bounds at both readings' chosen rates.
    pub fn from_readings(n: usize, radius: f64, inner: RateReading, outer: RateReading) -> Self {
        let at = |r: &RateReading, s: Sphere, low: bool| {
            let m = r.mu?;
            if low && m.source == RateSource::UpperBound {
                return None;
            }
            let rate = if low { m.low() } else { m.rate };
            bounds_on(n, s.radius(radius), &rate)
        };
        Self {
            bound: PerSphere {
                inner: at(&inner, Sphere::Inner, false),
                outer: at(&outer, Sphere::Outer, false),
            },
            bound_at_lo: PerSphere {
                inner: at(&inner, Sphere::Inner, true),
                outer: at(&outer, Sphere::Outer, true),
            },
            inner,
            outer,
        }
    }

    /// These rates with a rare-event estimate on `sphere`.
    pub fn with_rare(&self, n: usize, radius: f64, sphere: Sphere, rare: RareEstimate) -> Self {
        let mut readings = PerSphere {
            inner: self.inner.clone(),
            outer: self.outer.clone(),
        };
        let r = readings.get_mut(sphere);
        *r = r.with_rare(rare);
        Self::from_readings(n, radius, readings.inner, readings.outer)
    }

    pub fn get(&self, s: Sphere) -> &RateReading {
        match s {
            Sphere::Inner => &self.inner,
            Sphere::Outer => &self.outer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::RareOutcome;
    use crate::measure::rate::tests::rare;
    use crate::stats::analyse_alphas;

    #[test]
    fn a_quadratic_net_uses_its_exact_rates_and_others_their_samples() {
        let mut alphas = vec![1.05; 3];
        alphas.extend(vec![0.8; 97]);
        let q = analyse_alphas(&alphas, 1.3).unwrap();
        let mc = McEstimate {
            inner: rate_estimate(0, 50_000),
            outer: rate_estimate(0, 50_000),
            samples_per_s: 1.0,
        };
        let r = Rates::choose(100, 1.3, Some(&mc), Some(&q), &PerSphere::default());
        let inner = r.inner.mu.unwrap();
        assert_eq!(
            (inner.source, inner.rate.mu),
            (RateSource::Exact, q.inner_exact)
        );
        assert!(q.inner_exact > 0.0 && r.bound.inner.is_some());
        // No alpha below 1/R^2: the outer error set is empty, exactly.
        assert_eq!(r.outer.exact, Some(0.0));
        assert_eq!((r.outer.ln_exact, r.bound.outer), (None, None));
        assert!(r.outer.mu.unwrap().rate.is_zero());
        assert!(r.outer.exact_rate().unwrap().is_zero());
        let relu = Rates::choose(100, 1.3, Some(&mc), None, &PerSphere::default());
        assert_eq!(relu.inner.mu.unwrap().source, RateSource::UpperBound);
        assert_eq!((relu.inner.exact, relu.bound_at_lo.inner), (None, None));
        let text = serde_json::to_value(&relu).unwrap();
        for key in [
            "rate", "lo", "hi", "errors", "samples", "exact", "ln_exact", "rare",
        ] {
            assert!(text["inner"].get(key).is_some(), "{key} missing: {text}");
        }
        assert!(text["inner"]["rare"].is_null() && text["inner"]["exact"].is_null());
        assert!(text["bound"]["inner"]["cap"].is_number());
        // A record written before rare-event estimates existed still reads.
        let mut old = text.clone();
        old["inner"].as_object_mut().unwrap().remove("rare");
        let back: Rates = serde_json::from_value(old).unwrap();
        assert_eq!(back, relu);
    }

    #[test]
    fn a_rare_event_estimate_moves_the_rate_and_the_bound_where_sampling_saw_nothing() {
        let mc = McEstimate {
            inner: rate_estimate(0, 50_000),
            outer: rate_estimate(3, 50_000),
            samples_per_s: 1.0,
        };
        let r = Rates::choose(100, 1.3, Some(&mc), None, &PerSphere::default());
        let est = rare(
            RareOutcome::Estimate { target_met: true },
            Some(3e-9),
            2e-9,
            4.5e-9,
        );
        let with = r.with_rare(100, 1.3, Sphere::Inner, est);
        let mu = with.inner.mu.unwrap();
        assert_eq!(
            (mu.source, mu.rate.mu, mu.lo, mu.hi),
            (RateSource::Rare, 3e-9, 2e-9, 4.5e-9)
        );
        // A smaller rate, a larger bound; the low end bounds larger still.
        let (b, lo) = (with.bound.inner.unwrap(), with.bound_at_lo.inner.unwrap());
        assert!(b.cap > r.bound.inner.unwrap().cap && lo.cap > b.cap);
        assert_eq!(with.outer, r.outer);
        let json = serde_json::to_value(&with).unwrap();
        let rare_json = &json["inner"]["rare"];
        for key in ["rate", "lo", "hi", "method", "evaluations", "outcome"] {
            assert!(rare_json.get(key).is_some(), "{key} missing: {rare_json}");
        }
        assert_eq!(rare_json["method"], "AMS");
        assert_eq!(serde_json::from_value::<Rates>(json).unwrap(), with);
    }
}
