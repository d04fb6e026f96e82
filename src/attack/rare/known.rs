//! Quadratic nets with exact error rates of a chosen size, the known
//! answers the estimator is checked against.

use crate::attack::AttackError;
use crate::stats::{QuadAnalysis, analyse_alphas};

/// Alphas above 1, which carry the inner errors.
const HIGH: usize = 5;

fn design(n: usize, lows: usize, high: f64, low: f64) -> Vec<f64> {
    let rest = n - HIGH - lows;
    let mut a: Vec<f64> = (0..rest)
        .map(|i| 0.65 + 0.3 * i as f64 / (rest.max(2) - 1) as f64)
        .collect();
    a.extend([high; HIGH]);
    a.extend(std::iter::repeat_n(low, lows));
    a
}

/// n alphas for outer radius `radius` whose exact inner and outer error
/// rates both lie within 10% of `rate`: alphas spread over [0.65, 0.95]
/// (inside the band [1/R^2, 1] for R >= 1.25, the paper's 1.3 included),
/// five equal alphas above 1 and m equal ones below 1/R^2, each group's
/// value solved by bisection on the exact tails. m starts at 5 and doubles
/// until alphas of 0 would give more than the target outer rate (a larger
/// n needs more of them). Returns the alphas and their exact analysis.
pub fn alphas_for_rate(
    n: usize,
    radius: f64,
    rate: f64,
) -> Result<(Vec<f64>, QuadAnalysis), AttackError> {
    let stats = |e: crate::stats::StatsError| AttackError::Param(e.to_string());
    if n < 2 * HIGH + 2 {
        return Err(AttackError::Param(format!(
            "need n >= {} for the error design, got {n}",
            2 * HIGH + 2
        )));
    }
    if !(rate > 0.0 && rate < 0.1) {
        return Err(AttackError::Param(format!(
            "target rate must lie in (0, 0.1), got {rate}"
        )));
    }
    let want = rate.ln();
    let r2 = radius * radius;
    let mut lows = HIGH;
    while analyse_alphas(&design(n, lows, 1.5, 0.0), radius)
        .map_err(stats)?
        .ln_outer_exact
        < want + 10f64.ln()
    {
        if 2 * lows + HIGH + 2 > n {
            return Err(AttackError::Param(format!(
                "no design at n = {n} reaches an outer rate of {rate}"
            )));
        }
        lows *= 2;
    }
    let (mut high, mut low) = (1.5, 0.5 / r2);
    // The two rates depend almost only on their own group: two sweeps of
    // one-dimensional bisections settle both.
    for _ in 0..2 {
        let (mut a, mut b) = (1.0f64, 1e6f64);
        for _ in 0..60 {
            let m = (a * b).sqrt();
            let an = analyse_alphas(&design(n, lows, m, low), radius).map_err(stats)?;
            if an.ln_inner_exact < want {
                a = m
            } else {
                b = m
            }
        }
        high = (a * b).sqrt();
        let (mut a, mut b) = (0.0f64, 1.0 / r2);
        for _ in 0..60 {
            let m = 0.5 * (a + b);
            let an = analyse_alphas(&design(n, lows, high, m), radius).map_err(stats)?;
            if an.ln_outer_exact < want {
                b = m
            } else {
                a = m
            }
        }
        low = 0.5 * (a + b);
    }
    let alphas = design(n, lows, high, low);
    let an = analyse_alphas(&alphas, radius).map_err(stats)?;
    Ok((alphas, an))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_rates_land_near_the_target() {
        for (n, rate) in [(100, 1e-3), (100, 1e-12), (100, 1e-30), (500, 1e-3)] {
            let (a, an) = alphas_for_rate(n, 1.3, rate).unwrap();
            assert_eq!(a.len(), n);
            assert_eq!(an.bad_high, HIGH);
            assert!(an.bad_low >= HIGH);
            for ln in [an.ln_inner_exact, an.ln_outer_exact] {
                assert!((ln - rate.ln()).abs() < 0.1, "{rate}: {}", ln.exp());
            }
        }
        assert!(alphas_for_rate(8, 1.3, 1e-6).is_err());
        assert!(alphas_for_rate(100, 1.3, 0.5).is_err());
    }
}
