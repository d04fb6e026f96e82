//! The Lugannani-Rice saddlepoint approximation.

use super::form::Form;
use super::{Method, Tails};
use crate::stats::error::{Result, StatsError};
use crate::stats::normal;

pub(super) fn lugannani_rice_form(form: &Form) -> Result<Tails> {
    let s = form.saddlepoint()?;
    let r = s * form.t - form.k(s);
    if r.is_nan() || r <= 0.0 || s == 0.0 {
        return Ok(Tails::from_upper(0.5, Method::LugannaniRice));
    }
    let w = s.signum() * (2.0 * r).sqrt();
    let u = s * form.k2(s).sqrt();
    // The tail on the saddlepoint's side: phi(|w|) (mills(|w|) + 1/|u| - 1/|w|).
    let (aw, au) = (w.abs(), u.abs());
    let ln_phi = -0.5 * aw * aw - 0.5 * (2.0 * std::f64::consts::PI).ln();
    let ln_mills = normal::ln_sf(aw) - ln_phi;
    let bracket = ln_mills.exp() + 1.0 / au - 1.0 / aw;
    if bracket.is_nan() || bracket <= 0.0 {
        return Err(StatsError::NoConvergence(
            "Lugannani-Rice gave a negative tail".into(),
        ));
    }
    Ok(Tails::from_ln_side(
        ln_phi + bracket.ln(),
        s > 0.0,
        Method::LugannaniRice,
    ))
}
