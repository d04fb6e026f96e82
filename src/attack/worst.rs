//! Worst-case against average loss: the manifold attack run for its whole
//! budget from points drawn like training data. A net can lower its average
//! loss while its worst case grows, which is what this tracks.

use ndarray::Array2;

use super::error::AttackError;
use super::manifold::{ManifoldParams, Mode, manifold_attack};
use crate::data::sample_point;
use crate::nn::Model;
use crate::rng::Stream;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorstCase {
    /// Mean loss over the attack's starting points after a worst-case
    /// manifold attack.
    pub worst_loss: f64,
    /// Mean loss over the same points before the attack.
    pub mean_loss: f64,
}

/// Attacks `starts` points (fair coin between the spheres of radius 1 and
/// `radius`, point i from `Stream::Attack` index i) in worst-case mode,
/// whatever `params.mode` says.
#[allow(clippy::too_many_arguments)]
pub fn worst_case(
    model: &Model,
    seed: u64,
    starts: usize,
    radius: f32,
    params: &ManifoldParams,
    threads: usize,
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
    let out = manifold_attack(model, x.view(), &labels, &params, threads)?;
    let mean =
        |f: fn(&super::ManifoldOutcome) -> f64| out.iter().map(f).sum::<f64>() / starts as f64;
    Ok(WorstCase {
        worst_loss: mean(|o| o.end_loss),
        mean_loss: mean(|o| o.start_loss),
    })
}
