//! The report's automatic reading of the central figure, per sphere: how
//! many points lie above the exact-cap curve beyond their uncertainty, and
//! how close the models come to it, as the median of d(E) / bound per
//! decade of error rate; and how d(E) changed over each point's training.
//!
//! Left out: checkpoints whose exact error rate is 0 (no error set, no
//! d(E)), and checkpoints where more than `MAX_UNFOUND` of the starts found
//! no error of their own (their values rest on other starts' errors and
//! run high). Every d(E) here is an upper estimate, so a point above the
//! curve can be the attack's fault rather than the theorem's.
//!
//! The checkpoints of a run share their starts and Monte Carlo points (and
//! sweep points with one seed and n share them too): the per-decade
//! medians describe the points, they are not averages of independent
//! measurements, and a change between two checkpoints is judged by the
//! paired standard error over the shared starts.

use super::checkpoint::Checkpoint;
use super::load::PointData;
use crate::data::Sphere;
use crate::measure::RateSource;
use crate::stats::median;
use crate::stats::spread::{mean_and_se, paired_difference};

#[derive(Debug, Clone, PartialEq)]
pub struct Decade {
    /// Error rates in [10^exponent, 10^(exponent + 1)).
    pub exponent: i32,
    pub count: usize,
    pub median_ratio: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub sphere: Sphere,
    /// Checkpoints with a d(E) estimate on this sphere.
    pub measured: usize,
    /// Of those, left out for a high unfound fraction.
    pub left_out: usize,
    /// Checkpoints left out because their exact error rate is 0.
    pub zero_rate: usize,
    /// Of the points read: at the one-sided upper bound of mu, at an
    /// exact rate, and at a rare-event estimate.
    pub upper_only: usize,
    pub exact: usize,
    pub rare: usize,
    /// (model, train_size, step) of points above the curve beyond noise.
    pub above: Vec<(String, u64, u64)>,
    pub decades: Vec<Decade>,
}

impl Reading {
    pub fn read(&self) -> usize {
        self.measured - self.left_out
    }
}

/// Decade ratios use only points whose rate is more than an upper bound:
/// at an upper bound the bound at the true rate is not known.
pub fn read<'a>(points: impl IntoIterator<Item = &'a Checkpoint>, sphere: Sphere) -> Reading {
    let mut r = Reading {
        sphere,
        measured: 0,
        left_out: 0,
        zero_rate: 0,
        upper_only: 0,
        exact: 0,
        rare: 0,
        above: Vec::new(),
        decades: Vec::new(),
    };
    let mut by_decade: std::collections::BTreeMap<i32, Vec<f64>> = Default::default();
    for c in points {
        let Some(d) = c.distance(sphere) else {
            continue;
        };
        let Some(mu) = d.mu else { continue };
        if mu.rate.is_zero() {
            r.zero_rate += 1;
            continue;
        }
        if d.mean().is_none() {
            continue;
        }
        r.measured += 1;
        if !d.usable() {
            r.left_out += 1;
            continue;
        }
        match mu.source {
            RateSource::UpperBound => r.upper_only += 1,
            RateSource::Exact => r.exact += 1,
            RateSource::Rare => r.rare += 1,
            RateSource::Sampled => {}
        }
        if d.above_bound() {
            r.above.push((c.model.clone(), c.train_size, c.step));
        }
        if let (true, Some(ratio)) = (mu.source != RateSource::UpperBound, d.ratio()) {
            by_decade
                .entry(mu.rate.log10().floor() as i32)
                .or_default()
                .push(ratio);
        }
    }
    r.decades = by_decade
        .into_iter()
        .map(|(exponent, ratios)| Decade {
            exponent,
            count: ratios.len(),
            median_ratio: median(&ratios),
        })
        .collect();
    r
}

/// d(E) on the inner sphere at a point's first and last usable
/// checkpoints, and the change with its paired standard error (over the
/// shared starts) beside the error the two means would have if they were
/// independent.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub point: String,
    pub from_step: u64,
    pub to_step: u64,
    pub from: f64,
    pub to: f64,
    pub change: f64,
    pub paired_se: f64,
    pub unpaired_se: f64,
}

pub fn changes(points: &[PointData]) -> Vec<Change> {
    points
        .iter()
        .filter_map(|p| {
            let usable: Vec<_> = p
                .checkpoints
                .iter()
                .filter_map(|c| Some((c.step, c.distance(Sphere::Inner)?)))
                .filter(|(_, d)| d.usable())
                .collect();
            let (&(s0, a), &(s1, b)) = (usable.first()?, usable.last()?);
            if s0 == s1 {
                return None;
            }
            let (da, db) = (&a.nearest.distances, &b.nearest.distances);
            let (change, paired_se) = paired_difference(da, db)?;
            let unpaired_se = (mean_and_se(da).1.powi(2) + mean_and_se(db).1.powi(2)).sqrt();
            Some(Change {
                point: p.plan.name.clone(),
                from_step: s0,
                to_step: s1,
                from: a.mean()?,
                to: b.mean()?,
                change,
                paired_se,
                unpaired_se,
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::attack::NearestError;
    use crate::measure::{
        DistanceReading, Measurement, PerSphere, Rate, RateReading, Rates, choose,
    };
    use crate::stats::{RateEstimate, rate_estimate};

    /// A checkpoint at rate `mu` (sampled with errors, or an upper bound
    /// when `upper`) with inner d(E) `d` and standard error `se`.
    pub(crate) fn point(mu: f64, d: f64, se: f64, upper: bool) -> Checkpoint {
        let sampled = if upper {
            RateEstimate {
                errors: 0,
                samples: 100_000,
                rate: 0.0,
                lo: 0.0,
                hi: mu,
            }
        } else {
            RateEstimate {
                errors: 10,
                samples: 1000,
                rate: mu,
                lo: mu / 2.0,
                hi: mu * 2.0,
            }
        };
        with_rate(choose(None, None, Some(&sampled)), sampled, d, se)
    }

    pub(crate) fn with_rate(
        mu: Option<crate::measure::RateChoice>,
        sampled: RateEstimate,
        d: f64,
        se: f64,
    ) -> Checkpoint {
        let nearest = NearestError {
            sphere: Sphere::Inner,
            starts: 10,
            found: 10,
            mean_distance: d,
            se,
            distances: vec![d; 10],
            searches_per_s: 1.0,
            every_start: true,
        };
        let reading = DistanceReading::new(nearest, mu, 100, 1.0, 20, None);
        let rates = Rates {
            inner: RateReading {
                sampled,
                exact: None,
                ln_exact: None,
                rare: None,
                mu,
            },
            outer: RateReading {
                sampled: rate_estimate(0, 0),
                exact: None,
                ln_exact: None,
                rare: None,
                mu: None,
            },
            bound: PerSphere {
                inner: reading.bound,
                outer: None,
            },
            bound_at_lo: PerSphere {
                inner: reading.bound_at_lo,
                outer: None,
            },
        };
        Checkpoint {
            step: 1,
            model: "relu".into(),
            train_size: 0,
            measurement: Measurement {
                n: 100,
                radius: 1.3,
                rates,
                d_e: PerSphere {
                    inner: Some(reading),
                    outer: None,
                },
                quad: None,
                worst_case: None,
                robustness: None,
                notes: Vec::new(),
            },
            train_loss: 0.1,
            elapsed_s: 1.0,
        }
    }

    fn cap_at(mu: f64) -> f64 {
        crate::stats::cap::cap_distance_euclidean(100, mu).unwrap()
    }

    #[test]
    fn only_points_beyond_two_standard_errors_count_as_above() {
        // The bound at the low end of mu (mu / 2) is what a point must beat.
        let lo = cap_at(0.005);
        let pts = vec![
            point(0.01, 0.5 * lo, 0.01, false),
            point(0.01, lo + 0.01, 0.01, false),
            point(0.01, lo + 0.05, 0.01, false),
            // Far above at an upper-bound mu: the bound there is unknown.
            point(1e-5, 0.95, 0.01, true),
        ];
        let r = read(&pts, Sphere::Inner);
        assert_eq!((r.measured, r.upper_only, r.left_out), (4, 1, 0));
        assert_eq!(r.above.len(), 1);
    }

    #[test]
    fn an_exact_rate_is_judged_without_an_interval_and_zero_is_left_out() {
        let exact = choose(Some(Rate::from_mu(1e-5)), None, None);
        let sampled = rate_estimate(0, 100_000);
        let b = cap_at(1e-5);
        let r = read(&[with_rate(exact, sampled, b + 0.05, 0.01)], Sphere::Inner);
        assert_eq!((r.exact, r.above.len()), (1, 1));
        let r = read(&[with_rate(exact, sampled, b - 0.05, 0.01)], Sphere::Inner);
        assert_eq!((r.above.len(), r.decades[0].exponent), (0, -5));
        let zero = choose(Some(Rate::exact(0.0, f64::NEG_INFINITY)), None, None);
        let r = read(&[with_rate(zero, sampled, 0.5, 0.01)], Sphere::Inner);
        assert_eq!((r.zero_rate, r.measured), (1, 0));
        // Where sampling saw nothing, a rare-event rate places the point.
        let est = crate::measure::rate::tests::rare(
            crate::attack::RareOutcome::Estimate { target_met: true },
            Some(3e-9),
            2e-9,
            4.5e-9,
        );
        let rare = choose(None, Some(&est), Some(&sampled));
        let r = read(&[with_rate(rare, sampled, 0.3, 0.01)], Sphere::Inner);
        assert_eq!((r.rare, r.upper_only, r.decades[0].exponent), (1, 0, -9));
    }

    #[test]
    fn medians_are_taken_per_decade_and_high_unfound_points_left_out() {
        let mut pts = vec![
            point(0.011, 0.10, 0.0, false),
            point(0.050, 0.15, 0.0, false),
            point(0.090, 0.18, 0.0, false),
            point(0.200, 0.05, 0.0, false),
            point(1e-6, 0.05, 0.0, true),
        ];
        let mut unfound = point(0.02, 0.2, 0.0, false);
        if let Some(d) = unfound.measurement.d_e.inner.as_mut() {
            d.nearest.found = 8;
        }
        pts.push(unfound);
        let r = read(&pts, Sphere::Inner);
        assert_eq!((r.measured, r.left_out, r.read()), (6, 1, 5));
        assert_eq!(r.decades.len(), 2);
        assert_eq!((r.decades[0].exponent, r.decades[0].count), (-2, 3));
        let want = median(&[
            0.10 / cap_at(0.011),
            0.15 / cap_at(0.05),
            0.18 / cap_at(0.09),
        ]);
        assert!((r.decades[0].median_ratio - want).abs() < 1e-12);
        assert_eq!((r.decades[1].exponent, r.decades[1].count), (-1, 1));
        assert!(read(&pts, Sphere::Outer).decades.is_empty());
    }
}
