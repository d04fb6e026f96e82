//! The cumulant generating function of Q = sum lambda_i g_i^2 and its real
//! saddlepoint, shared by the contour integral and Lugannani-Rice.

use crate::stats::error::{Result, StatsError};

/// Non-zero weights rescaled by their largest magnitude, with t rescaled
/// alike (the tails are scale invariant).
pub(super) struct Form {
    pub(super) w: Vec<f64>,
    pub(super) t: f64,
    /// Saddlepoint domain (s_lo, s_hi); infinite when no weight of that sign.
    pub(super) s_lo: f64,
    pub(super) s_hi: f64,
}

impl Form {
    pub(super) fn k(&self, s: f64) -> f64 {
        -0.5 * self.w.iter().map(|l| (-2.0 * l * s).ln_1p()).sum::<f64>()
    }
    pub(super) fn k1(&self, s: f64) -> f64 {
        self.w.iter().map(|l| l / (1.0 - 2.0 * l * s)).sum()
    }
    pub(super) fn k2(&self, s: f64) -> f64 {
        self.w
            .iter()
            .map(|l| {
                let r = l / (1.0 - 2.0 * l * s);
                2.0 * r * r
            })
            .sum()
    }

    /// Root of K'(s) = t. K' increases across the domain; Newton steps are
    /// kept inside a shrinking bracket.
    pub(super) fn saddlepoint(&self) -> Result<f64> {
        let t = self.t;
        let (mut lo, mut hi) = (self.s_lo, self.s_hi);
        let mut s = 0.0;
        if !lo.is_finite() || !hi.is_finite() {
            // Find a finite bracket by doubling away from 0.
            let up = self.k1(0.0) < t;
            let mut step = 1.0;
            for _ in 0..2100 {
                let probe = if up { step } else { -step };
                if (up && probe >= hi) || (!up && probe <= lo) {
                    break;
                }
                if (self.k1(probe) < t) == up {
                    if up { lo = probe } else { hi = probe }
                } else {
                    if up {
                        hi = probe
                    } else {
                        lo = probe
                    }
                    break;
                }
                step *= 2.0;
            }
            if up && lo < 0.0 {
                lo = 0.0;
            }
            if !up && hi > 0.0 {
                hi = 0.0;
            }
            if !lo.is_finite() || !hi.is_finite() {
                return Err(StatsError::NoConvergence(format!(
                    "saddlepoint for t = {t} out of reach"
                )));
            }
        }
        if !(s > lo && s < hi) {
            s = 0.5 * (lo + hi);
        }
        for _ in 0..500 {
            let f = self.k1(s) - t;
            if f > 0.0 {
                hi = s;
            } else {
                lo = s;
            }
            let mut next = s - f / self.k2(s);
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - s).abs() <= 1e-15 * s.abs().max(1e-300) || hi - lo <= 1e-15 * hi.abs() {
                return Ok(next);
            }
            s = next;
        }
        Ok(s)
    }
}
