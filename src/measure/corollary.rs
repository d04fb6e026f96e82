//! The corollary of the isoperimetric theorem, measured: the fraction of
//! starts within eps of an error against the eps-expansion of a cap of the
//! same measure, P(x_1 >= cos(theta0 + delta)), delta the angle a chord of
//! length eps subtends. The theorem says the true fraction is at least the
//! cap's. The measured fraction is built from upper bounds on each start's
//! distance, so it is a lower estimate of the true one: falling short of
//! the cap curve can be the attack's looseness, lying above it cannot.

use serde::{Deserialize, Serialize};

use super::distance::DistanceReading;
use super::rate::Rate;
use crate::data::Sphere;
use crate::stats::cap::{cap_angle_ln, cap_measure};

/// eps as multiples of the cap bound at mu (or of d(E) without a bound):
/// the curve's rise happens on that scale at any n.
pub const EPS_MULTIPLES: [f64; 7] = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corollary {
    pub sphere: Sphere,
    /// What `eps` is a multiple of (`EPS_MULTIPLES`): "cap bound", or
    /// "d(E)" where no bound is known.
    pub unit: String,
    /// Euclidean distances on the sphere's own radius.
    pub eps: Vec<f64>,
    /// Fraction of starts whose found nearest error lies within eps (a
    /// lower estimate of P(d(x, E) <= eps)).
    pub within: Vec<f64>,
    /// The cap's expansion at the same eps (the theorem's lower bound);
    /// None where mu is unknown or not in (0, 1).
    pub cap_expansion: Vec<Option<f64>>,
}

/// The expansion of a cap of measure `mu` on S^{n-1} by a chord of `eps`
/// on a sphere of radius `radius` (from ln mu, so a rate below the
/// smallest double has one too).
pub fn cap_expansion(n: usize, mu: &Rate, eps: f64, radius: f64) -> Option<f64> {
    let theta0 = cap_angle_ln(n, mu.ln_mu).ok()?;
    let half = (eps / (2.0 * radius)).clamp(0.0, 1.0);
    let theta = theta0 + 2.0 * half.asin();
    if theta >= std::f64::consts::PI {
        return Some(1.0);
    }
    cap_measure(n, theta.cos()).ok()
}

pub fn corollary(n: usize, radius: f64, d: &DistanceReading) -> Option<Corollary> {
    let (scale, unit) = match (d.bound, d.mean()) {
        (Some(b), _) => (b.cap, "cap bound"),
        (None, Some(m)) => (m, "d(E)"),
        _ => return None,
    };
    if scale.is_nan() || scale <= 0.0 || d.nearest.distances.is_empty() {
        return None;
    }
    let eps: Vec<f64> = EPS_MULTIPLES.iter().map(|m| m * scale).collect();
    let all = d.nearest.distances.len() as f64;
    let within = eps
        .iter()
        .map(|e| d.nearest.distances.iter().filter(|x| **x <= *e).count() as f64 / all)
        .collect();
    let mu = d.mu.map(|m| m.rate);
    let cap = eps
        .iter()
        .map(|e| mu.and_then(|m| cap_expansion(n, &m, *e, radius)))
        .collect();
    Some(Corollary {
        sphere: d.nearest.sphere,
        unit: unit.into(),
        eps,
        within,
        cap_expansion: cap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::normal;

    #[test]
    fn the_cap_expansion_starts_at_mu_and_follows_the_gaussian_corollary() {
        let (n, mu) = (500, 1e-4);
        let rate = Rate::from_mu(mu);
        assert!((cap_expansion(n, &rate, 0.0, 1.0).unwrap() / mu - 1.0).abs() < 1e-9);
        // In high dimension mu(E_eps) ~ Phi(Phi^-1(mu) + eps sqrt(n)).
        for eps in [0.05, 0.1, 0.2] {
            let exact = cap_expansion(n, &rate, eps, 1.0).unwrap();
            let z = normal::quantile(mu).unwrap() + eps * (n as f64).sqrt();
            let gauss = normal::cdf(z);
            assert!(
                (exact - gauss).abs() < 0.03,
                "eps {eps}: {exact} vs {gauss}"
            );
        }
        // A chord of 2 (the diameter) swallows the sphere.
        assert_eq!(cap_expansion(n, &rate, 2.0, 1.0), Some(1.0));
        // On the outer sphere the same chord is a smaller angle.
        assert!(
            cap_expansion(n, &rate, 0.1, 1.3).unwrap() < cap_expansion(n, &rate, 0.1, 1.0).unwrap()
        );
        // Below the smallest double the cap still has an expansion.
        let deep = Rate::from_log10(-400.0);
        let grown = cap_expansion(n, &deep, 0.5, 1.0).unwrap();
        assert!(grown > 1e-200 && grown < 1e-50, "{grown}");
        assert_eq!(
            cap_expansion(n, &Rate::exact(0.0, f64::NEG_INFINITY), 0.1, 1.0),
            None
        );
    }
}
