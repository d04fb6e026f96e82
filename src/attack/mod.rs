//! Error-rate estimates and adversarial attacks: how often a model is wrong,
//! and how close its errors are to the data.

mod arc_bisect;
mod boundary_walk;
pub mod cancel;
mod error;
pub mod estimator;
pub mod manifold;
pub mod nearest;
pub mod noise;
pub mod offmanifold;
mod pool;
mod probe;
pub mod rare;
pub mod slice;
mod sphere;
pub mod worst;

#[cfg(test)]
mod tests;

pub use cancel::Cancel;
pub use error::AttackError;
pub use estimator::{ErrorEstimator, McEstimate};
pub use manifold::{
    ManifoldOutcome, ManifoldParams, Mode, manifold_attack, manifold_attack_cancellable,
};
pub use nearest::{NearestError, NearestSearch, Starts, inner_starts, nearest_error};
pub use noise::{NoiseRate, noise_error};
pub use offmanifold::{MinNorm, MinNormParams, PgdParams, RobustAccuracy, min_norm_l2, pgd_l2};
pub use rare::{RareEstimate, RareOutcome, RareParams, RareRun, estimate_rare};
pub use slice::{DecisionSlice, SliceKind, SliceParams, decision_slice};
pub use worst::{WorstCase, worst_case, worst_case_cancellable};
