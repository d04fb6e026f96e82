//! Imhof's (1961) inversion formula for P(Q > t).

use super::form::Form;
use crate::stats::error::{Result, StatsError};
use crate::stats::quadrature::{Tolerance, integrate_pieces};

pub(super) fn imhof_form(form: &Form) -> Result<f64> {
    let (w, t) = (&form.w, form.t);
    let n = w.len() as f64;
    // Truncate where the envelope's tail, bounded with the k largest
    // weights, is below 1e-14: int_U^inf du / (u rho(u)) <=
    // (2/k) U^{-k/2} prod_{i<=k} |w_i|^{-1/2}.
    let mut mags: Vec<f64> = w.iter().map(|l| l.abs()).collect();
    mags.sort_by(|a, b| b.total_cmp(a));
    let mut ln_u = f64::INFINITY;
    let mut sum_ln = 0.0;
    for (i, m) in mags.iter().enumerate() {
        sum_ln += m.ln();
        let k = (i + 1) as f64;
        let cand = (2.0 / k) * ((2.0 / k).ln() - 0.5 * sum_ln - (1e-14f64).ln());
        ln_u = ln_u.min(cand);
    }
    let upper = ln_u.exp();
    let periods = upper * t.abs() / (4.0 * std::f64::consts::PI);
    if !upper.is_finite() || periods > 1e4 {
        return Err(StatsError::NoConvergence(
            "Imhof integrand decays too slowly".into(),
        ));
    }
    let integrand = |u: f64| {
        if u == 0.0 {
            return 0.5 * (w.iter().sum::<f64>() - t);
        }
        let theta = 0.5 * w.iter().map(|l| (l * u).atan()).sum::<f64>() - 0.5 * t * u;
        let ln_rho = 0.25 * w.iter().map(|l| (l * u * l * u).ln_1p()).sum::<f64>();
        theta.sin() / u * (-ln_rho).exp()
    };
    let pieces = (periods.ceil() as usize).clamp(1, 10_000) + (n as usize).min(64);
    let points: Vec<f64> = (0..=pieces)
        .map(|i| upper * i as f64 / pieces as f64)
        .collect();
    // Rounding floors each piece's error estimate at ~1e-14 of its |f|
    // mass, so ask for what the sum of floors allows.
    let tol = Tolerance {
        abs: 5e-13,
        rel: 0.0,
        max_intervals: 50_000,
    };
    let r = integrate_pieces(integrand, &points, tol)?;
    if !r.converged {
        return Err(StatsError::NoConvergence(format!(
            "Imhof integral: error estimate {:e}",
            r.error
        )));
    }
    Ok((0.5 + r.value / std::f64::consts::PI).clamp(0.0, 1.0))
}
