//! Both spheres' error rates as measured (Monte Carlo, exact where known)
//! with the rate chosen for each and the bounds there: the cheap part of a
//! measurement, redone at every model publication.

use serde::{Deserialize, Serialize};

use super::bounds::{Bounds, bounds_on};
use super::per_sphere::PerSphere;
use super::rare_rate::RareRate;
use super::rate::{Rate, RateChoice, RateSource, choose};
use crate::attack::McEstimate;
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
    /// The rate every consumer uses (`rate::choose`).
    pub mu: Option<RateChoice>,
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
        rare: &PerSphere<Option<RareRate>>,
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
            RateReading {
                sampled: est.unwrap_or_else(|| rate_estimate(0, 0)),
                exact: exact.map(|r| r.mu),
                ln_exact: exact.map(|r| r.ln_mu).filter(|l| l.is_finite()),
                mu: choose(exact, rare.get(s).as_ref(), est.as_ref()),
            }
        };
        let (inner, outer) = (reading(Sphere::Inner), reading(Sphere::Outer));
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
        let relu = Rates::choose(100, 1.3, Some(&mc), None, &PerSphere::default());
        assert_eq!(relu.inner.mu.unwrap().source, RateSource::UpperBound);
        assert_eq!((relu.inner.exact, relu.bound_at_lo.inner), (None, None));
        let text = serde_json::to_value(&relu).unwrap();
        for key in ["rate", "lo", "hi", "errors", "samples", "exact", "ln_exact"] {
            assert!(text["inner"].get(key).is_some(), "{key} missing: {text}");
        }
        assert!(text["bound"]["inner"]["cap"].is_number());
    }
}
