//! Exact (Clopper-Pearson) confidence intervals for a Monte Carlo error rate.

use super::beta::beta_inc_inv_ln;

/// Two-sided exact binomial interval for `errors` out of `samples` at
/// `confidence` (e.g. 0.95).
///
/// With zero errors the lower end is 0 and nothing is spent on it, so the
/// upper end is the one-sided bound 1 - (1 - confidence)^(1/n) (the "rule
/// of three" for 95%); all successes mirror that. The function is total so
/// that a monitor can call it on every update: `samples == 0` gives (0, 1),
/// `errors > samples` is treated as `errors == samples`, and a confidence
/// outside (0, 1) or NaN gives the uninformative (0, 1).
pub fn clopper_pearson(errors: u64, samples: u64, confidence: f64) -> (f64, f64) {
    if samples == 0 || !(confidence > 0.0 && confidence < 1.0) {
        return (0.0, 1.0);
    }
    let k = errors.min(samples) as f64;
    let n = samples as f64;
    let alpha = 1.0 - confidence;
    // (1 - confidence)^(1/n) written to keep digits when it is close to 1.
    let one_sided = -(alpha.ln() / n).exp_m1();
    if k == 0.0 {
        return (0.0, one_sided);
    }
    if k == n {
        return (1.0 - one_sided, 1.0);
    }
    let half = 0.5 * alpha;
    // lo: P[Bin(n, lo) >= k] = alpha/2, i.e. the alpha/2 quantile of
    // Beta(k, n-k+1); hi: the 1-alpha/2 quantile of Beta(k+1, n-k).
    let lo = beta_inc_inv_ln(k, n - k + 1.0, half.ln()).unwrap_or(0.0);
    let hi = beta_inc_inv_ln(k + 1.0, n - k, (-half).ln_1p()).unwrap_or(1.0);
    (lo, hi)
}

/// Monte Carlo error count on one sphere with an exact (Clopper-Pearson)
/// 95% interval. With zero errors `lo` is 0 and `hi` is the one-sided bound.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RateEstimate {
    pub errors: u64,
    pub samples: u64,
    pub rate: f64,
    pub lo: f64,
    pub hi: f64,
}

impl RateEstimate {
    /// True when no error has been seen: only an upper bound is known.
    pub fn upper_bound_only(&self) -> bool {
        self.errors == 0
    }
}

/// The rate with its 95% interval, or its one-sided bound with no errors.
impl std::fmt::Display for RateEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.upper_bound_only() {
            write!(
                f,
                "< {:.2e} (no errors in {}; one-sided 95%)",
                self.hi, self.samples
            )
        } else {
            write!(
                f,
                "{:.3e} [{:.2e}, {:.2e}] ({} errors in {})",
                self.rate, self.lo, self.hi, self.errors, self.samples
            )
        }
    }
}

/// Error count with its rate and 95% Clopper-Pearson interval. No samples
/// give rate 0 in [0, 1].
pub fn rate_estimate(errors: u64, samples: u64) -> RateEstimate {
    let errors = errors.min(samples);
    let rate = if samples == 0 {
        0.0
    } else {
        errors as f64 / samples as f64
    };
    let (lo, hi) = clopper_pearson(errors, samples, 0.95);
    RateEstimate {
        errors,
        samples,
        rate,
        lo,
        hi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn known_intervals() {
        // Reference values by bisection on 30-digit incomplete beta.
        let (lo, hi) = clopper_pearson(5, 100, 0.95);
        assert!(rel(lo, 0.016_431_879_182_052_16) < 1e-9, "{lo}");
        assert!(rel(hi, 0.112_834_911_105_462_75) < 1e-9, "{hi}");
        let (lo, hi) = clopper_pearson(1, 1000, 0.95);
        assert!(rel(lo, 2.531_748_749_129_404_5e-5) < 1e-9, "{lo}");
        assert!(rel(hi, 5.558_924_279_826_672e-3) < 1e-9, "{hi}");
        let (lo, hi) = clopper_pearson(100, 1001, 0.95);
        assert!(rel(lo, 0.082_022_546_071_744_52) < 1e-9, "{lo}");
        assert!(rel(hi, 0.120_169_129_875_860_59) < 1e-9, "{hi}");
    }

    #[test]
    fn zero_errors_give_the_one_sided_bound() {
        let (lo, hi) = clopper_pearson(0, 3000, 0.95);
        assert_eq!(lo, 0.0);
        assert!(rel(hi, 9.980_790_119_965_87e-4) < 1e-12, "{hi}");
        // Far beyond what 1 - 0.05^(1/n) computed naively would resolve.
        let (_, hi) = clopper_pearson(0, 1 << 50, 0.95);
        assert!(rel(hi, 2.995_732_273_553_991 / (1u64 << 50) as f64) < 1e-12);
        let (lo, hi) = clopper_pearson(3000, 3000, 0.95);
        assert!(hi == 1.0 && rel(1.0 - lo, 9.980_790_119_965_87e-4) < 1e-9);
    }

    #[test]
    fn degenerate_input_is_total() {
        assert_eq!(clopper_pearson(0, 0, 0.95), (0.0, 1.0));
        assert_eq!(clopper_pearson(3, 10, f64::NAN), (0.0, 1.0));
        assert_eq!(clopper_pearson(12, 10, 0.95), clopper_pearson(10, 10, 0.95));
        let e = rate_estimate(0, 0);
        assert_eq!((e.rate, e.lo, e.hi), (0.0, 0.0, 1.0));
        let e = rate_estimate(5, 100);
        assert!(e.rate == 0.05 && e.lo < 0.0165 && e.hi > 0.1128 && e.errors == 5);
    }

    proptest! {
        #[test]
        fn interval_contains_the_rate(n in 1u64..1_000_000, f in 0.0f64..=1.0, c in 0.5f64..0.999) {
            let k = ((n as f64) * f).round() as u64;
            let (lo, hi) = clopper_pearson(k, n, c);
            let rate = k as f64 / n as f64;
            prop_assert!(0.0 <= lo && lo <= rate && rate <= hi && hi <= 1.0, "{k}/{n}: {lo} {hi}");
            // A wider confidence can only widen the interval.
            let (lo2, hi2) = clopper_pearson(k, n, (c + 1.0) / 2.0);
            prop_assert!(lo2 <= lo * (1.0 + 1e-12) && hi2 >= hi * (1.0 - 1e-12));
        }
    }
}
