//! A model shifted to a chosen error rate: subtracting c from the logit
//! lowers the inner error rate continuously, which gives nets with rates as
//! small as wanted for tests and benchmarks.

use super::{RareParams, estimate_rare};
use crate::attack::{AttackError, Cancel};
use crate::data::Sphere;
use crate::nn::Model;

/// The shift c >= 0 (to `Model::shift_output_bias`) whose inner error rate,
/// as estimated with `params`, is within a factor of about 3 of `rate`.
/// Doubles c until the rate falls below `rate`, then interpolates ln rate
/// linearly in c on the bracket (false position) for up to 8 estimates.
pub fn shift_for_inner_rate(
    model: &Model,
    radius: f32,
    rate: f64,
    params: &RareParams,
    seed: u64,
    threads: usize,
    cancel: &Cancel,
) -> Result<f32, AttackError> {
    if !(rate > 0.0 && rate < 1.0) {
        return Err(AttackError::Param(format!(
            "target rate must lie in (0, 1), got {rate}"
        )));
    }
    let want = rate.ln();
    let ln_at = |c: f32| -> Result<f64, AttackError> {
        let mut m = model.clone();
        m.shift_output_bias(c);
        let e = estimate_rare(&m, Sphere::Inner, radius, params, seed, threads, cancel)?;
        // A stalled estimate only bounds the rate: its bound stands in,
        // and it is below the target whenever it matters here.
        Ok(e.ln_rate.unwrap_or_else(|| e.hi.ln()))
    };
    let (mut lo, mut ln_lo) = (0.0f32, ln_at(0.0)?);
    if ln_lo <= want {
        return Ok(0.0);
    }
    let mut hi = 0.5f32;
    let mut ln_hi = ln_at(hi)?;
    while ln_hi > want {
        (lo, ln_lo) = (hi, ln_hi);
        hi *= 2.0;
        if hi > 1e6 {
            return Err(AttackError::Param(format!(
                "no shift up to {hi} lowers the inner rate to {rate}"
            )));
        }
        ln_hi = ln_at(hi)?;
    }
    let mut best = (hi, ln_hi);
    for _ in 0..8 {
        if (best.1 - want).abs() < 3f64.ln() {
            break;
        }
        let f = ((want - ln_lo) / (ln_hi - ln_lo)).clamp(0.05, 0.95) as f32;
        let c = lo + f * (hi - lo);
        let ln_c = ln_at(c)?;
        if (ln_c - want).abs() < (best.1 - want).abs() {
            best = (c, ln_c);
        }
        if ln_c > want {
            (lo, ln_lo) = (c, ln_c);
        } else {
            (hi, ln_hi) = (c, ln_c);
        }
    }
    Ok(best.0)
}
