//! Everything a run needs to continue bit for bit: the snapshot payload.

use serde::{Deserialize, Serialize};

use crate::nn::Optimizer;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// The resolved config (preset, overrides and live edits) as TOML.
    pub config: String,
    pub preset: String,
    pub step: u64,
    /// Training samples consumed; with the seed this is the data stream's
    /// whole state.
    pub samples: u64,
    pub params: Vec<f32>,
    pub buffers: Vec<f32>,
    pub optimizer: Optimizer,
    /// Wall time spent training before this snapshot, for ETA and reports.
    pub elapsed_s: f64,
}
