//! d(E) on one sphere as every consumer shows it: the nearest-error
//! search's upper estimate, the rate it is compared at, the bounds there,
//! and the exact mean over the same starts where the error set is known.

use serde::{Deserialize, Serialize};

use super::bounds::{Bounds, bounds_on};
use super::rate::{RateChoice, RateSource};
use crate::attack::NearestError;
use crate::stats::spread::mean_and_se;

/// Readings where more than this fraction of starts found no error of
/// their own are left out of the report's reading and per-decade medians:
/// their values rest on other starts' errors and run high.
pub const MAX_UNFOUND: f64 = 0.1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistanceReading {
    #[serde(flatten)]
    pub nearest: NearestError,
    /// The rate the bounds are taken at (`rate::choose`). Logged as
    /// `rate_choice`: records written before used `mu` for a bare number.
    #[serde(default, rename = "rate_choice")]
    pub mu: Option<RateChoice>,
    /// The bounds at `mu`, on this sphere's radius.
    #[serde(default)]
    pub bound: Option<Bounds>,
    /// The bounds at the low end of mu's interval: the largest bound the
    /// data allow (equal to `bound` for an exact rate, none for an upper
    /// bound, whose interval reaches 0).
    #[serde(default)]
    pub bound_at_lo: Option<Bounds>,
    /// Mean and standard error of the exact d(x, E) over the same starts,
    /// where the error set is known in closed form.
    #[serde(default)]
    pub exact_mean: Option<f64>,
    #[serde(default)]
    pub exact_se: Option<f64>,
    /// Distance resolution of the bisections (a chord of the sphere's
    /// diameter halved `halvings` times).
    #[serde(default)]
    pub resolution: f64,
}

impl DistanceReading {
    /// `radius` is the sphere's own radius; `exact` the exact per-start
    /// distances, when known.
    pub fn new(
        nearest: NearestError,
        mu: Option<RateChoice>,
        n: usize,
        radius: f64,
        halvings: u32,
        exact: Option<&[f64]>,
    ) -> Self {
        let bound = mu.and_then(|m| bounds_on(n, radius, &m.rate));
        let bound_at_lo = mu
            .filter(|m| m.source != RateSource::UpperBound)
            .and_then(|m| bounds_on(n, radius, &m.low()));
        let (exact_mean, exact_se) = match exact {
            Some(d) if !d.is_empty() => {
                let (m, se) = mean_and_se(d);
                (Some(m), se.is_finite().then_some(se))
            }
            _ => (None, None),
        };
        Self {
            nearest,
            mu,
            bound,
            bound_at_lo,
            exact_mean,
            exact_se,
            resolution: 2.0 * radius / 2f64.powi(halvings as i32),
        }
    }

    /// The upper estimate of d(E), when any start found an error.
    pub fn mean(&self) -> Option<f64> {
        let m = self.nearest.mean_distance;
        (self.nearest.found > 0 && m.is_finite()).then_some(m)
    }

    /// Standard error over starts of `mean` (0 for a single start).
    pub fn se(&self) -> f64 {
        let se = self.nearest.se;
        if se.is_finite() { se } else { 0.0 }
    }

    pub fn unfound_fraction(&self) -> f64 {
        self.nearest.unfound_fraction()
    }

    /// What the number is, for every place that shows it.
    pub fn label(&self) -> String {
        let n = &self.nearest;
        if !n.every_start {
            return format!(
                "mean over the {}/{} starts that found an error (an older record: not an upper estimate)",
                n.found, n.starts
            );
        }
        if n.found == 0 {
            return format!("no error found from any of {} starts", n.starts);
        }
        format!(
            "mean of per-start upper bounds, {}/{} found",
            n.found, n.starts
        )
    }

    /// d(E) over the cap bound at mu.
    pub fn ratio(&self) -> Option<f64> {
        let b = self.bound?.cap;
        (b > 0.0).then(|| self.mean().map(|d| d / b)).flatten()
    }

    /// The attack's relative bias against the exact mean on the same
    /// starts, where that is known.
    pub fn bias(&self) -> Option<f64> {
        let exact = self.exact_mean.filter(|e| *e > 0.0)?;
        Some((self.mean()? - exact) / exact)
    }

    /// How far the estimate may lie above the cap bound before the excess
    /// is more than its uncertainty: the bound at the low end of mu plus two
    /// standard errors over starts plus the bisection's resolution.
    /// Infinite where mu's interval reaches 0.
    pub fn allowed(&self) -> f64 {
        self.bound_at_lo.map_or(f64::INFINITY, |b| b.cap) + 2.0 * self.se() + self.resolution
    }

    /// Above the cap curve beyond its uncertainty. The estimate is an upper
    /// one, so this can be the attack's looseness rather than a broken
    /// theorem; a reading says so.
    pub fn above_bound(&self) -> bool {
        self.mean().is_some_and(|d| d > self.allowed())
    }

    /// Found fraction high enough for the reading.
    pub fn usable(&self) -> bool {
        self.mean().is_some() && self.nearest.every_start && self.unfound_fraction() <= MAX_UNFOUND
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Sphere;
    use crate::measure::rate::{Rate, choose};
    use crate::stats::rate_estimate;

    fn nearest(found: usize, starts: usize, mean: f64) -> NearestError {
        NearestError {
            sphere: Sphere::Inner,
            starts,
            found,
            mean_distance: mean,
            se: 0.01,
            distances: vec![mean; starts],
            searches_per_s: 1.0,
            every_start: true,
        }
    }

    #[test]
    fn a_quadratic_net_reads_at_its_exact_rate() {
        // The example: exact mu 2e-34, d(E) 0.96 at n = 100 is
        // about 0.94 of the bound, not 2.4 (the bound at the sampled upper
        // bound would be far smaller).
        let exact = Rate::exact(2e-34, (2e-34f64).ln());
        let mu = choose(Some(exact), None, Some(&rate_estimate(0, 100_000)));
        let r = DistanceReading::new(nearest(200, 200, 0.96), mu, 100, 1.0, 20, None);
        let ratio = r.ratio().unwrap();
        assert!((ratio - 0.94).abs() < 0.02, "{ratio}");
        assert_eq!(r.bound, r.bound_at_lo);
        assert!(!r.above_bound());
        let sampled = choose(None, None, Some(&rate_estimate(0, 100_000)));
        let wrong = DistanceReading::new(nearest(200, 200, 0.96), sampled, 100, 1.0, 20, None);
        assert!(wrong.ratio().unwrap() > 2.0 && wrong.bound_at_lo.is_none());
    }

    #[test]
    fn labels_say_what_is_known() {
        let mu = choose(None, None, Some(&rate_estimate(30, 10_000)));
        let r = DistanceReading::new(nearest(197, 200, 0.2), mu, 100, 1.0, 20, None);
        assert_eq!(r.label(), "mean of per-start upper bounds, 197/200 found");
        assert!(r.usable());
        let r = DistanceReading::new(nearest(150, 200, 0.2), mu, 100, 1.0, 20, None);
        assert!(!r.usable() && (r.unfound_fraction() - 0.25).abs() < 1e-12);
        let none = DistanceReading::new(nearest(0, 20, f64::NAN), mu, 100, 1.0, 20, None);
        assert_eq!(none.mean(), None);
        assert!(none.label().contains("no error found") && !none.above_bound());
        let mut old = nearest(18, 20, 0.3);
        old.every_start = false;
        let old = DistanceReading::new(old, mu, 100, 1.0, 20, None);
        assert!(old.label().contains("older record") && !old.usable());
    }

    #[test]
    fn exact_distances_give_the_bias_and_the_outer_bound_scales() {
        let mu = choose(None, None, Some(&rate_estimate(30, 10_000)));
        let r = DistanceReading::new(nearest(20, 20, 0.21), mu, 100, 1.3, 20, Some(&[0.2; 20]));
        assert!((r.exact_mean.unwrap() - 0.2).abs() < 1e-15);
        assert!((r.bias().unwrap() - 0.05).abs() < 1e-12);
        let unit = DistanceReading::new(nearest(20, 20, 0.21), mu, 100, 1.0, 20, None);
        assert!((r.bound.unwrap().cap - 1.3 * unit.bound.unwrap().cap).abs() < 1e-12);
    }
}
