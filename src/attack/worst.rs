//! Worst-case against average loss: the manifold attack run for its whole
//! budget from points drawn like training data. A net can lower its average
//! loss while its worst case grows, which is what this tracks.
//!
//! The worst case is the largest loss the attack reached over its starts,
//! a lower estimate of the true supremum on the spheres (the attack may
//! stop short of the global maximum, and more starts can only raise it).
//! The mean final loss is beside it: it says how typical that maximum is.

use ndarray::Array2;

use super::cancel::Cancel;
use super::error::AttackError;
use super::manifold::{ManifoldParams, Mode, manifold_attack_cancellable};
use crate::data::sample_point;
use crate::nn::Model;
use crate::rng::Stream;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorstCase {
    /// Largest loss over the starts after a worst-case manifold attack.
    pub worst_loss: f64,
    /// Mean loss over the same starts after the attack.
    #[serde(default = "nan", deserialize_with = "crate::serde_nan::f64")]
    pub mean_final_loss: f64,
    /// Mean loss over the same points before the attack.
    pub mean_loss: f64,
    /// The largest final loss among inner-sphere (outer-sphere) starts;
    /// None when no start fell on that sphere.
    #[serde(default)]
    pub worst_loss_inner: Option<f64>,
    #[serde(default)]
    pub worst_loss_outer: Option<f64>,
    /// Starts attacked. 0 in logs written before, where `worst_loss` was
    /// the mean final loss rather than the largest.
    #[serde(default)]
    pub starts: usize,
}

fn nan() -> f64 {
    f64::NAN
}

/// Attacks `starts` points (fair coin between the spheres of radius 1 and
/// `radius`, point i from `Stream::Attack` index i) in worst-case mode,
/// whatever `params.mode` says.
pub fn worst_case(
    model: &Model,
    seed: u64,
    starts: usize,
    radius: f32,
    params: &ManifoldParams,
    threads: usize,
) -> Result<WorstCase, AttackError> {
    worst_case_cancellable(
        model,
        seed,
        starts,
        radius,
        params,
        threads,
        &Cancel::never(),
    )
}

/// `worst_case` that stops within one gradient step of `cancel` tripping.
#[allow(clippy::too_many_arguments)]
pub fn worst_case_cancellable(
    model: &Model,
    seed: u64,
    starts: usize,
    radius: f32,
    params: &ManifoldParams,
    threads: usize,
    cancel: &Cancel,
) -> Result<WorstCase, AttackError> {
    if starts == 0 {
        return Err(AttackError::Param("need at least one start".into()));
    }
    if !(radius.is_finite() && radius > 1.0) {
        return Err(AttackError::Param(format!(
            "outer radius {radius} must exceed 1"
        )));
    }
    let mut x = Array2::zeros((starts, model.dim()));
    let mut labels = vec![0.0; starts];
    for (i, (mut row, y)) in x.rows_mut().into_iter().zip(&mut labels).enumerate() {
        let row = row.as_slice_mut().expect("contiguous");
        *y = sample_point(seed, Stream::Attack, i as u64, radius, row);
    }
    let params = ManifoldParams {
        mode: Mode::WorstCase,
        ..*params
    };
    let out = manifold_attack_cancellable(model, x.view(), &labels, &params, threads, cancel)?;
    let mean =
        |f: fn(&super::ManifoldOutcome) -> f64| out.iter().map(f).sum::<f64>() / starts as f64;
    // NaN losses (a broken model) must not hide behind a max that skips them.
    let largest = |keep: &dyn Fn(f32) -> bool| {
        out.iter()
            .zip(&labels)
            .filter(|(_, y)| keep(**y))
            .map(|(o, _)| o.end_loss)
            .reduce(|a, b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            })
    };
    Ok(WorstCase {
        worst_loss: largest(&|_| true).unwrap_or(f64::NAN),
        mean_final_loss: mean(|o| o.end_loss),
        mean_loss: mean(|o| o.start_loss),
        worst_loss_inner: largest(&|y| y < 0.5),
        worst_loss_outer: largest(&|y| y > 0.5),
        starts,
    })
}
