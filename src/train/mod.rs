//! The training loop as a library type: step it, read its metrics, change
//! its hyperparameters between steps, save and restore its whole state.

mod state;
mod trainer;

pub use state::TrainerState;
pub use trainer::{StepOutcome, Trainer};
