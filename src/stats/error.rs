//! The one error type of the statistics module.

/// Why a statistical computation refused its input or could not finish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// An argument outside the function's domain; the message names it.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// An iterative method did not reach its tolerance.
    #[error("no convergence: {0}")]
    NoConvergence(String),
}

pub type Result<T> = std::result::Result<T, StatsError>;

/// Shorthand used by argument checks across the module.
pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T> {
    Err(StatsError::Invalid(msg.into()))
}
