//! The report's automatic reading of the central figure: how many points
//! lie above the exact-cap curve beyond their uncertainty (the
//! isoperimetric theorem allows none), and how close the models come to
//! it, as the median of d(E) / bound per decade of error rate.

use super::checkpoint::Checkpoint;
use crate::stats::median;

#[derive(Debug, Clone, PartialEq)]
pub struct Decade {
    /// Error rates in [10^exponent, 10^(exponent + 1)).
    pub exponent: i32,
    pub count: usize,
    pub median_ratio: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Checkpoints with a d(E) estimate.
    pub measured: usize,
    /// Of those, the ones whose error rate is only an upper bound.
    pub upper_only: usize,
    /// (model, train_size, step) of points above the curve beyond noise.
    pub above: Vec<(String, u64, u64)>,
    pub decades: Vec<Decade>,
}

/// Decade ratios use only points with sampled errors: at an upper-bound mu
/// the bound is not known, so a ratio there means nothing.
pub fn read<'a>(points: impl IntoIterator<Item = &'a Checkpoint>) -> Reading {
    let mut r = Reading {
        measured: 0,
        upper_only: 0,
        above: Vec::new(),
        decades: Vec::new(),
    };
    let mut by_decade: std::collections::BTreeMap<i32, Vec<f64>> = Default::default();
    for c in points {
        if c.mean_distance.is_none() {
            continue;
        }
        r.measured += 1;
        if c.mu_upper_only {
            r.upper_only += 1;
        }
        if c.above_bound() {
            r.above.push((c.model.clone(), c.train_size, c.step));
        }
        if let (false, Some(ratio)) = (c.mu_upper_only, c.ratio()) {
            by_decade
                .entry(c.mu.log10().floor() as i32)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::RateEstimate;

    fn point(mu: f64, d: f64, se: f64, bound: f64, bound_lo: Option<f64>) -> Checkpoint {
        Checkpoint {
            step: 1,
            model: "relu".into(),
            train_size: 0,
            n: 100,
            inner: RateEstimate {
                errors: 10,
                samples: 1000,
                rate: mu,
                lo: mu / 2.0,
                hi: mu * 2.0,
            },
            mu,
            mu_upper_only: bound_lo.is_none(),
            starts: 10,
            found: 10,
            mean_distance: Some(d),
            distance_se: Some(se),
            resolution: 0.0,
            unfound: 0.0,
            bound_cap: Some(bound),
            bound_optimal: Some(bound),
            bound_cap_at_lo: bound_lo,
            bad_alphas: None,
            exact_inner: None,
            bound_cap_exact: None,
            train_loss: 0.1,
            elapsed_s: 1.0,
        }
    }

    #[test]
    fn only_points_beyond_two_standard_errors_count_as_above() {
        let pts = vec![
            // well below
            point(0.01, 0.10, 0.01, 0.20, Some(0.21)),
            // above the bound but within 2 se of the bound at mu_lo
            point(0.01, 0.22, 0.01, 0.20, Some(0.21)),
            // clearly above
            point(0.02, 0.30, 0.01, 0.20, Some(0.21)),
            // far above at an upper-bound mu: the bound there is unknown
            point(1e-5, 0.90, 0.01, 0.40, None),
        ];
        let r = read(&pts);
        assert_eq!((r.measured, r.upper_only), (4, 1));
        assert_eq!(r.above.len(), 1);
        assert_eq!(r.above[0].2, 1);
    }

    #[test]
    fn an_exact_quadratic_bound_overrides_the_sampled_interval() {
        let mut p = point(1e-5, 0.90, 0.01, 0.40, None);
        assert!(!p.above_bound());
        p.bound_cap_exact = Some(0.5);
        assert!(p.above_bound());
        p.bound_cap_exact = Some(0.95);
        assert!(!p.above_bound());
    }

    #[test]
    fn medians_are_taken_per_decade_of_error_rate() {
        let pts = vec![
            point(0.011, 0.10, 0.0, 0.20, Some(0.2)),
            point(0.050, 0.15, 0.0, 0.20, Some(0.2)),
            point(0.090, 0.18, 0.0, 0.20, Some(0.2)),
            point(0.200, 0.05, 0.0, 0.10, Some(0.1)),
            point(1e-6, 0.05, 0.0, 0.10, None),
        ];
        let r = read(&pts);
        assert_eq!(r.decades.len(), 2);
        assert_eq!((r.decades[0].exponent, r.decades[0].count), (-2, 3));
        assert!((r.decades[0].median_ratio - 0.75).abs() < 1e-12);
        assert_eq!((r.decades[1].exponent, r.decades[1].count), (-1, 1));
        assert!((r.decades[1].median_ratio - 0.5).abs() < 1e-12);
    }
}
