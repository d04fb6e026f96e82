//! A quadratic net's alphas and worst cases as the measurement reports them.

use serde::{Deserialize, Serialize};

use crate::attack::WorstCase;
use crate::stats::quadnet::{QuadAnalysis, Regime};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuadSummary {
    /// "ellipsoid" (b < 0), "inverted" (b > 0) or "cone" (b = 0).
    pub regime: String,
    /// Whether the band [1/R^2, 1] is the zero-error condition. It is only
    /// for the ellipsoid: with b > 0 no alphas give zero error (the decision
    /// flips inside the ellipsoid), with b = 0 there are no alphas.
    pub band_applies: bool,
    /// Alphas below 1/R^2 and above 1 (None where the band does not apply).
    pub bad_low: Option<usize>,
    pub bad_high: Option<usize>,
    /// Ascending; empty in the cone regime.
    pub alphas: Vec<f64>,
    /// The paper's CLT estimates beside the exact rates.
    pub inner_clt: f64,
    pub outer_clt: f64,
    /// Largest loss the worst-case attack reached per sphere (None when it
    /// did not run, or no start fell on that sphere): a check on the exact
    /// values below, which it can approach but not exceed.
    pub worst_loss_inner: Option<f64>,
    pub worst_loss_outer: Option<f64>,
    /// The largest loss on each sphere, exact (closed form from the
    /// extreme eigenvalues). Absent in records written before.
    #[serde(default)]
    pub exact_worst_loss_inner: Option<f64>,
    #[serde(default)]
    pub exact_worst_loss_outer: Option<f64>,
}

impl QuadSummary {
    pub fn new(a: &QuadAnalysis, worst: Option<&WorstCase>) -> Self {
        let band_applies = a.regime == Regime::Ellipsoid;
        Self {
            regime: match a.regime {
                Regime::Ellipsoid => "ellipsoid",
                Regime::Inverted => "inverted",
                Regime::Cone => "cone",
            }
            .into(),
            band_applies,
            bad_low: band_applies.then_some(a.bad_low),
            bad_high: band_applies.then_some(a.bad_high),
            alphas: a.alphas.clone(),
            inner_clt: a.inner_clt,
            outer_clt: a.outer_clt,
            worst_loss_inner: worst.and_then(|w| w.worst_loss_inner),
            worst_loss_outer: worst.and_then(|w| w.worst_loss_outer),
            exact_worst_loss_inner: a.worst_loss.map(|w| w.inner),
            exact_worst_loss_outer: a.worst_loss.map(|w| w.outer),
        }
    }

    /// Alphas outside the band, where the band means something.
    pub fn bad(&self) -> Option<usize> {
        Some(self.bad_low? + self.bad_high?)
    }

    /// The exact largest loss over both spheres.
    pub fn exact_worst_loss(&self) -> Option<f64> {
        Some(
            self.exact_worst_loss_inner?
                .max(self.exact_worst_loss_outer?),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quadnet::analyse;

    #[test]
    fn the_band_is_flagged_when_b_is_positive() {
        let d = [0.8f64, 0.9, 0.7];
        let mut w = vec![0.0f32; 9];
        for (i, v) in d.iter().enumerate() {
            w[i * 3 + i] = v.sqrt() as f32;
        }
        let ell = QuadSummary::new(&analyse(&w, 3, 3, 1.0, -1.0, 1.3).unwrap(), None);
        assert!(ell.band_applies && ell.bad() == Some(0));
        // y ranges over [0.7 - 1, 0.9 - 1] on the inner sphere.
        let inner = crate::stats::quadnet::softplus(0.9 - 1.0);
        assert!((ell.exact_worst_loss_inner.unwrap() - inner).abs() < 1e-6);
        assert!(ell.exact_worst_loss().unwrap() >= inner);
        let inv = QuadSummary::new(&analyse(&w, 3, 3, -1.0, 1.0, 1.3).unwrap(), None);
        assert_eq!((inv.regime.as_str(), inv.band_applies), ("inverted", false));
        assert_eq!((inv.bad_low, inv.bad_high, inv.bad()), (None, None, None));
    }
}
