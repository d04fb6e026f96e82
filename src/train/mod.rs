//! The training loop as a library type: step it, read its metrics, change
//! its hyperparameters between steps, save and restore its whole state.

mod state;
mod test_error;
mod trainer;

pub use state::TrainerState;
pub use test_error::test_error;
pub use trainer::{StepOutcome, Trainer};
