//! Which error rate every consumer uses. One decision, in this order:
//!
//! 1. the exact rate (a quadratic net's chi-square tail), even when it is 0
//!    or below the smallest double;
//! 2. a rare-event estimate, when it gives a rate;
//! 3. the Monte Carlo estimate, when errors were seen;
//! 4. otherwise the tightest upper bound at hand (the Monte Carlo one-sided
//!    95% bound, or the bound of a rare-event estimate that stalled below
//!    zero; one whose moves did not mix bounds nothing).
//!
//! A larger rate gives a smaller bound, so a point placed at an upper bound
//! is compared with a bound that is, if anything, too strict.

use std::f64::consts::LN_10;

use serde::{Deserialize, Serialize};

use super::rare_rate::{bound_of, rate_of};
use crate::attack::RareEstimate;
use crate::stats::RateEstimate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Exact,
    Rare,
    Sampled,
    UpperBound,
}

impl RateSource {
    pub fn describe(self) -> &'static str {
        match self {
            RateSource::Exact => "exact",
            RateSource::Rare => "rare-event estimate",
            RateSource::Sampled => "Monte Carlo estimate",
            RateSource::UpperBound => "upper bound (no error sampled)",
        }
    }
}

/// A rate in both forms: `mu` underflows to 0 below about 1e-308, `ln_mu`
/// keeps the value (it is -inf only for a rate that is exactly 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub mu: f64,
    #[serde(with = "ln_serde")]
    pub ln_mu: f64,
}

impl Rate {
    pub fn from_mu(mu: f64) -> Self {
        Self { mu, ln_mu: mu.ln() }
    }

    /// The rate 10^x, kept in ln where 10^x underflows.
    pub fn from_log10(x: f64) -> Self {
        Self {
            mu: 10f64.powf(x),
            ln_mu: x * LN_10,
        }
    }

    /// Both forms as computed (an exact tail gives both to full accuracy).
    pub fn exact(mu: f64, ln_mu: f64) -> Self {
        Self { mu, ln_mu }
    }

    pub fn log10(&self) -> f64 {
        self.ln_mu / LN_10
    }

    /// Exactly zero: no error set at all.
    pub fn is_zero(&self) -> bool {
        self.ln_mu == f64::NEG_INFINITY
    }

    /// Positive but below the smallest double.
    pub fn underflows(&self) -> bool {
        self.mu == 0.0 && self.ln_mu.is_finite()
    }
}

/// The rate consumers use, where it came from and its 95% interval (a
/// point for exact rates, [0, hi] for an upper bound).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateChoice {
    pub source: RateSource,
    #[serde(flatten)]
    pub rate: Rate,
    pub lo: f64,
    pub hi: f64,
}

impl RateChoice {
    /// The low end of the interval as a rate (exact rates keep their log).
    pub fn low(&self) -> Rate {
        match self.source {
            RateSource::Exact => self.rate,
            _ => Rate::from_mu(self.lo),
        }
    }
}

/// The one decision. None when nothing is known (no exact rate, no
/// samples, no rare-event rate or bound).
pub fn choose(
    exact: Option<Rate>,
    rare: Option<&RareEstimate>,
    sampled: Option<&RateEstimate>,
) -> Option<RateChoice> {
    if let Some(rate) = exact {
        return Some(RateChoice {
            source: RateSource::Exact,
            rate,
            lo: rate.mu,
            hi: rate.mu,
        });
    }
    if let Some(r) = rare
        && let Some((mu, ln_mu)) = rate_of(r)
    {
        return Some(RateChoice {
            source: RateSource::Rare,
            rate: Rate::exact(mu, ln_mu),
            lo: r.lo,
            hi: r.hi,
        });
    }
    let sampled = sampled.filter(|s| s.samples > 0);
    if let Some(s) = sampled
        && s.errors > 0
    {
        return Some(RateChoice {
            source: RateSource::Sampled,
            rate: Rate::from_mu(s.rate),
            lo: s.lo,
            hi: s.hi,
        });
    }
    let hi = sampled
        .map(|s| s.hi)
        .into_iter()
        .chain(rare.and_then(bound_of))
        .filter(|h| h.is_finite())
        .reduce(f64::min)?;
    Some(RateChoice {
        source: RateSource::UpperBound,
        rate: Rate::from_mu(hi),
        lo: 0.0,
        hi,
    })
}

/// ln of a rate in JSON: -inf (a rate of exactly 0) is written as null,
/// which JSON can hold, and read back as -inf.
mod ln_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::attack::RareOutcome;
    use crate::stats::rate_estimate;

    /// A rare-event result with `outcome` and the given numbers.
    pub(crate) fn rare(outcome: RareOutcome, rate: Option<f64>, lo: f64, hi: f64) -> RareEstimate {
        let passed = !matches!(outcome, RareOutcome::NotMixed { .. });
        RareEstimate {
            sphere: crate::data::Sphere::Inner,
            rate,
            lo,
            hi,
            ln_rate: rate.map(f64::ln),
            method: "AMS".into(),
            evaluations: 1000,
            repeats: 10,
            particles: 100,
            levels: 20.0,
            outcome,
            mixing: crate::attack::rare::Mixing {
                passed,
                acceptance: 0.3,
                min_acceptance: 0.2,
                correlation: 0.1,
                stuck: 0.0,
            },
        }
    }

    #[test]
    fn the_order_is_exact_rare_sampled_then_the_tightest_upper_bound() {
        let seen = rate_estimate(5, 10_000);
        let none = rate_estimate(0, 10_000);
        let estimate = RareOutcome::Estimate { target_met: true };
        let stalled = RareOutcome::Stalled {
            level: -0.5,
            max_score: -0.4,
            cause: crate::attack::rare::StallCause::Floor,
        };
        let estimated = rare(estimate.clone(), Some(2e-9), 1e-9, 4e-9);
        let rare_bound = rare(stalled, None, 0.0, 1e-7);
        // A net with exact mu = 2e-34 is placed there, not at the sample.
        let exact = Rate::exact(2e-34, (2e-34f64).ln());
        let c = choose(Some(exact), Some(&estimated), Some(&seen)).unwrap();
        assert_eq!(
            (c.source, c.rate.mu, c.lo, c.hi),
            (RateSource::Exact, 2e-34, 2e-34, 2e-34)
        );
        let c = choose(None, Some(&estimated), Some(&seen)).unwrap();
        assert_eq!((c.source, c.rate.mu, c.lo), (RateSource::Rare, 2e-9, 1e-9));
        let c = choose(None, None, Some(&seen)).unwrap();
        assert_eq!((c.source, c.rate.mu), (RateSource::Sampled, 5e-4));
        assert_eq!((c.lo, c.hi), (seen.lo, seen.hi));
        let c = choose(None, None, Some(&none)).unwrap();
        assert_eq!(
            (c.source, c.rate.mu, c.lo),
            (RateSource::UpperBound, none.hi, 0.0)
        );
        // The stalled estimate's bound is tighter than the sampling bound.
        let c = choose(None, Some(&rare_bound), Some(&none)).unwrap();
        assert_eq!((c.source, c.rate.mu), (RateSource::UpperBound, 1e-7));
        let c = choose(None, Some(&rare_bound), None).unwrap();
        assert_eq!((c.source, c.rate.mu), (RateSource::UpperBound, 1e-7));
        // Moves that did not mix give neither a rate nor a bound.
        let lost = RareOutcome::NotMixed {
            level: -0.2,
            ln_reached: -30.0,
        };
        let not_mixed = rare(lost, None, 0.0, 1e-12);
        let c = choose(None, Some(&not_mixed), Some(&none)).unwrap();
        assert_eq!((c.source, c.rate.mu), (RateSource::UpperBound, none.hi));
        assert_eq!(choose(None, Some(&not_mixed), None), None);
        // A rate below the smallest double keeps its log.
        let mut deep = rare(estimate, Some(0.0), 0.0, 0.0);
        deep.ln_rate = Some(-800.0);
        let c = choose(None, Some(&deep), Some(&none)).unwrap();
        assert!(c.rate.underflows() && c.rate.ln_mu == -800.0);
        assert_eq!(choose(None, None, Some(&rate_estimate(0, 0))), None);
        assert_eq!(choose(None, None, None), None);
        let r = Rate::from_log10(-400.0);
        assert!(r.underflows() && (r.log10() + 400.0).abs() < 1e-12);
    }

    #[test]
    fn exact_zero_and_underflow_keep_their_logs_through_json() {
        let zero = Rate::exact(0.0, f64::NEG_INFINITY);
        assert!(zero.is_zero() && !zero.underflows());
        let tiny = Rate::exact(0.0, -1000.0);
        assert!(tiny.underflows() && !tiny.is_zero());
        assert!((tiny.log10() + 1000.0 / LN_10).abs() < 1e-12);
        for r in [zero, tiny, Rate::from_mu(0.25)] {
            let c = choose(Some(r), None, None).unwrap();
            let text = serde_json::to_string(&c).unwrap();
            let back: RateChoice = serde_json::from_str(&text).unwrap();
            assert_eq!(back, c, "{text}");
        }
        let text = serde_json::to_string(&choose(Some(zero), None, None).unwrap()).unwrap();
        assert!(
            text.contains("\"ln_mu\":null") && text.contains("\"source\":\"exact\""),
            "{text}"
        );
    }
}
