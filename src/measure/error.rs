//! Why a measurement did not finish.

use crate::attack::AttackError;
use crate::stats::StatsError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    #[error(transparent)]
    Attack(#[from] AttackError),
    #[error(transparent)]
    Stats(#[from] StatsError),
}

impl MeasureError {
    /// The measurement was stopped by its `Cancel` (a signal, a newer model,
    /// the end of the run): nothing is wrong, and it is redone on resume.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, MeasureError::Attack(AttackError::Cancelled))
    }
}
