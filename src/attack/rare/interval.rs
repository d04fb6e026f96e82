//! The 95% interval from independent repeats.
//!
//! Each repeat's estimate is (nearly) unbiased but skewed, roughly
//! log-normal. The combined estimate is their plain mean m; its interval is
//! m exp(+-t h) with h = cv / sqrt(R), cv the repeats' sample coefficient
//! of variation and t Student's 97.5% quantile on R - 1 degrees of freedom
//! (the delta method on ln m). Built from the spread of independent
//! repeats, the interval needs no model of how correlated the moves left
//! the particles; the coverage tests check it against exact tails.

use crate::stats::beta::beta_inc_inv;

/// A mean of repeats and its interval, in logs where rates underflow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub ln_mean: f64,
    /// Half-width of the interval of ln m: t cv / sqrt(R).
    pub ln_half: f64,
}

impl Interval {
    pub fn mean(&self) -> f64 {
        self.ln_mean.exp()
    }

    pub fn lo(&self) -> f64 {
        (self.ln_mean - self.ln_half).exp()
    }

    pub fn hi(&self) -> f64 {
        (self.ln_mean + self.ln_half).exp()
    }

    /// (hi - lo) / (2 m) = sinh(ln_half).
    pub fn relative_half_width(&self) -> f64 {
        self.ln_half.sinh()
    }

    /// Repeats that should bring the relative half-width to `target`, from
    /// `repeats` so far (the half-width shrinks as 1 / sqrt(R)).
    pub fn repeats_for(&self, repeats: usize, target: f64) -> usize {
        let want = target.asinh();
        let r = repeats as f64 * (self.ln_half / want).powi(2);
        if r.is_finite() {
            r.ceil().min(usize::MAX as f64 / 2.0) as usize
        } else {
            usize::MAX / 2
        }
    }
}

/// Mean and interval of repeats given by their logs (-inf for a repeat
/// that estimated zero). None with fewer than two repeats or when every
/// repeat is zero.
pub(crate) fn mean_interval(ln_values: &[f64]) -> Option<Interval> {
    let r = ln_values.len();
    if r < 2 {
        return None;
    }
    let top = ln_values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY || top.is_nan() {
        return None;
    }
    let w: Vec<f64> = ln_values.iter().map(|&l| (l - top).exp()).collect();
    let mean_w = w.iter().sum::<f64>() / r as f64;
    let ln_mean = top + mean_w.ln();
    let var = w.iter().map(|v| (v / mean_w - 1.0).powi(2)).sum::<f64>() / (r - 1) as f64;
    let t = student_t_975(r - 1);
    Some(Interval {
        ln_mean,
        ln_half: t * (var / r as f64).sqrt(),
    })
}

/// Student's t 97.5% quantile on `nu` degrees of freedom, from
/// P(|T| > t) = I_{nu / (nu + t^2)}(nu / 2, 1 / 2).
pub(crate) fn student_t_975(nu: usize) -> f64 {
    let nu = nu.max(1) as f64;
    match beta_inc_inv(0.5 * nu, 0.5, 0.05) {
        Ok(x) if x > 0.0 => (nu * (1.0 - x) / x).sqrt(),
        // The normal quantile, the limit for large nu.
        _ => 1.959_963_984_540_054,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Published two-sided 95% critical values.
        for (nu, t) in [
            (1, 12.706_204_736),
            (4, 2.776_445_105),
            (9, 2.262_157_163),
            (19, 2.093_024_054),
            (1000, 1.962_339_081),
        ] {
            let got = student_t_975(nu);
            assert!((got - t).abs() < 1e-6 * t, "nu {nu}: {got} vs {t}");
        }
    }

    #[test]
    fn interval_of_known_values() {
        // Values 1, 2, 3 (x 1e-200): mean 2, cv = 1 / 2, h = 4.303 * 0.5 / sqrt(3).
        let ln: Vec<f64> = [1.0f64, 2.0, 3.0]
            .iter()
            .map(|v| v.ln() - 200.0 * 10f64.ln())
            .collect();
        let iv = mean_interval(&ln).unwrap();
        assert!((iv.ln_mean - (2f64.ln() - 200.0 * 10f64.ln())).abs() < 1e-12);
        let h = 4.302_652_730 * 0.5 / 3f64.sqrt();
        assert!((iv.ln_half - h).abs() < 1e-6, "{}", iv.ln_half);
        assert!((iv.mean() / 2e-200 - 1.0).abs() < 1e-12, "{}", iv.mean());
        // Far below the smallest double the logs still carry the answer.
        let tiny: Vec<f64> = ln.iter().map(|l| l - 1000.0).collect();
        let iv2 = mean_interval(&tiny).unwrap();
        assert_eq!(iv2.mean(), 0.0);
        assert!((iv2.ln_mean - iv.ln_mean + 1000.0).abs() < 1e-9);
        assert!((iv2.ln_half - iv.ln_half).abs() < 1e-12);
    }

    #[test]
    fn degenerate_repeats() {
        assert!(mean_interval(&[-3.0]).is_none());
        assert!(mean_interval(&[f64::NEG_INFINITY; 3]).is_none());
        // A zero repeat counts as zero in the mean.
        let iv = mean_interval(&[0.0, f64::NEG_INFINITY]).unwrap();
        assert!((iv.mean() - 0.5).abs() < 1e-12);
        // Identical repeats: zero width.
        let iv = mean_interval(&[-5.0; 4]).unwrap();
        assert_eq!(iv.ln_half, 0.0);
        assert_eq!(iv.relative_half_width(), 0.0);
        assert_eq!(iv.repeats_for(4, 0.25), 0);
        let iv = Interval {
            ln_mean: 0.0,
            ln_half: 2.0 * 0.25f64.asinh(),
        };
        assert_eq!(iv.repeats_for(10, 0.25), 40);
    }
}
