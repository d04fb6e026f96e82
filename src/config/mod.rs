//! Run configuration: presets are TOML files of this shape, `--set k=v` and
//! live edits change single fields, and everything passes `validate` once
//! before a run uses it.

mod edit;
mod presets;
mod validate;

pub use edit::{LIVE_KEYS, is_live};
pub use presets::{PRESETS, Preset, preset};
pub use validate::ConfigError;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// One line shown by `spheres presets`.
    pub description: String,
    pub seed: u64,
    /// Training steps of the whole run.
    pub steps: u64,
    pub data: Data,
    pub model: ModelConfig,
    pub train: Train,
    pub eval: Eval,
    pub attack: Attack,
    pub run: RunConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// Input dimension.
    pub n: usize,
    /// Outer sphere radius (inner is 1).
    pub radius: f64,
    /// Fixed training-set size; 0 means a fresh batch every step.
    pub train_size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// "relu" or "quad".
    pub kind: String,
    /// ReLU net: hidden width and number of hidden layers.
    pub width: usize,
    pub depth: usize,
    pub batch_norm: bool,
    /// Quadratic net: rows of W.
    pub hidden: usize,
    /// "default" (PyTorch's initialisation) or, for the quadratic net,
    /// "perfect" (the max-margin ellipsoid: zero error at step 0).
    pub init: String,
    /// Quadratic net: factor on the initial w and b. The boundary and the
    /// alphas stay, the logits scale: a perfect initialisation at 20 starts
    /// at confident logits instead of +-0.25. Absent in older configs,
    /// which therefore load as 1.
    #[serde(default = "unit_scale")]
    pub init_scale: f64,
}

fn unit_scale() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Train {
    /// "adam" or "sgd".
    pub optimizer: String,
    pub lr: f64,
    pub batch: usize,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub momentum: f64,
    pub threads: usize,
    /// Steps between model copies handed to the evaluation thread.
    pub publish_every: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eval {
    /// Fresh points per Monte Carlo round (split between the spheres).
    pub samples: u64,
    /// Points for the final test error of a headless run.
    pub test_samples: u64,
    pub threads: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attack {
    /// Normalised step, as a fraction of the sphere's radius.
    pub step: f64,
    /// Step budget per start.
    pub steps: usize,
    /// Starting points per d(E) estimate; 0 turns attacks off.
    pub starts: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Minutes between automatic snapshots; 0 turns autosave off.
    pub autosave_min: f64,
    /// Snapshots kept in the run directory.
    pub keep: usize,
}

impl Config {
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError::Parse(e.message().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a config always serialises")
    }

    pub fn training_set(&self) -> crate::data::TrainingSet {
        match self.data.train_size {
            0 => crate::data::TrainingSet::Online,
            n => crate::data::TrainingSet::Fixed(n),
        }
    }

    pub fn rule(&self) -> crate::nn::Rule {
        match self.train.optimizer.as_str() {
            "sgd" => crate::nn::Rule::Sgd {
                momentum: self.train.momentum as f32,
            },
            _ => crate::nn::Rule::Adam {
                beta1: self.train.beta1 as f32,
                beta2: self.train.beta2 as f32,
                eps: self.train.eps as f32,
            },
        }
    }
}
