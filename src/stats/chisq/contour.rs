//! Exact inversion of the moment generating function along a path through
//! the saddlepoint, with relative accuracy at any depth of the tail.

use super::form::Form;
use super::{Method, Tails};
use crate::stats::error::{Result, StatsError};
use crate::stats::quadrature::{Tolerance, integrate_pieces};

/// Minimal complex arithmetic for the contour integrand.
#[derive(Clone, Copy)]
struct C(f64, f64);

impl C {
    fn mul(self, o: C) -> C {
        C(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
    fn div(self, o: C) -> C {
        let d = o.0.hypot(o.1);
        let (a, b) = (o.0 / d, o.1 / d);
        C((self.0 * a + self.1 * b) / d, (self.1 * a - self.0 * b) / d)
    }
    fn exp(self) -> C {
        let m = self.0.exp();
        C(m * self.1.cos(), m * self.1.sin())
    }
    /// Principal ln(1 + self).
    fn ln_1p(self) -> C {
        let re = 0.5 * (self.0 * (2.0 + self.0) + self.1 * self.1).ln_1p();
        C(re, self.1.atan2(1.0 + self.0))
    }
}

pub(super) fn contour_form(form: &Form) -> Result<Tails> {
    use std::f64::consts::PI;
    let t = form.t;
    let shat = form.saddlepoint()?;
    // Near the mean the saddlepoint sits on the pole at s = 0; any c in the
    // domain is exact, so step off to a fraction of a standard deviation.
    let sd0 = form.k2(0.0).sqrt();
    let mut c = shat;
    if (shat * form.k2(shat).sqrt()).abs() < 0.3 {
        let side = if shat >= 0.0 { 1.0 } else { -1.0 };
        let room = if side > 0.0 { form.s_hi } else { -form.s_lo };
        c = side * (0.3 / sd0).min(0.5 * room);
    }
    let upper_side = c > 0.0;
    let k2 = form.k2(c);
    let sigma = 1.0 / k2.sqrt();
    // Bend the path towards where e^{-st} decays, but pass the nearest
    // singularity (branch point or the pole at 0) at least ~sigma away.
    let kappa = if t == 0.0 {
        0.0
    } else {
        let delta = if t > 0.0 {
            let mut d = form.s_hi - c;
            if c < 0.0 {
                d = d.min(-c);
            }
            d
        } else {
            let mut d = c - form.s_lo;
            if c > 0.0 {
                d = d.min(c);
            }
            d
        };
        t.signum() * (k2 / (2.0 * t.abs())).min(0.25 * delta * k2)
    };
    // ln(1 - 2 l s) - ln(1 - 2 l c) = ln(1 - v_l (s - c)).
    let v: Vec<f64> = form
        .w
        .iter()
        .map(|l| 2.0 * l / (1.0 - 2.0 * l * c))
        .collect();
    // Integrate in u = y / sigma so the breaks and the map of [0, inf) onto
    // [0, 1) see unit scales whatever the magnitude of c.
    let integrand = |u: f64| {
        let y = sigma * u;
        let d = C(kappa * y * y, y);
        let mut expo = C(-d.0 * t, -d.1 * t);
        for &vl in &v {
            let l = C(-vl * d.0, -vl * d.1).ln_1p();
            expo.0 -= 0.5 * l.0;
            expo.1 -= 0.5 * l.1;
        }
        let f = expo.exp().mul(C(2.0 * kappa * y, 1.0)).div(C(c + d.0, d.1));
        sigma * f.1
    };
    let mut points = vec![0.0];
    let mut p = 0.25 * (c.abs() / sigma).min(1.0);
    while p < 256.0 {
        points.push(p);
        p *= 2.0;
    }
    points.push(f64::INFINITY);
    let r = integrate_pieces(integrand, &points, Tolerance::relative(1e-12))?;
    let value = r.value / PI * if upper_side { 1.0 } else { -1.0 };
    // Accept a slightly unconverged integral when its own error estimate
    // is still far inside what callers need.
    if value.is_nan() || value <= 0.0 || !(r.converged || r.error <= 1e-10 * value.abs()) {
        return Err(StatsError::NoConvergence(format!(
            "contour integral at t = {t}: {value:e} +- {:e}",
            r.error
        )));
    }
    let ln_p = (form.k(c) - c * t + value.ln()).min(0.0);
    Ok(Tails::from_ln_side(ln_p, upper_side, Method::Contour))
}
