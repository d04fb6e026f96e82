//! Why an attack or estimate refused its input. Workers turn these into
//! `Event::Warning`s instead of crashing the run.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttackError {
    #[error("points have dimension {got}, the model expects {expected}")]
    Dimension { expected: usize, got: usize },
    #[error("{points} points but {labels} labels")]
    Labels { points: usize, labels: usize },
    #[error("point {0} is not finite or has zero norm")]
    BadPoint(usize),
    #[error("the model has non-finite weights")]
    NonFiniteModel,
    #[error("invalid parameter: {0}")]
    Param(String),
    #[error("cancelled")]
    Cancelled,
}

/// Checks shared by every attack on explicit starting points.
pub(crate) fn check_points(
    model: &crate::nn::Model,
    points: ndarray::ArrayView2<'_, f32>,
    labels: &[f32],
) -> Result<(), AttackError> {
    if points.ncols() != model.dim() {
        return Err(AttackError::Dimension {
            expected: model.dim(),
            got: points.ncols(),
        });
    }
    if points.nrows() != labels.len() {
        return Err(AttackError::Labels {
            points: points.nrows(),
            labels: labels.len(),
        });
    }
    if !model.is_finite() {
        return Err(AttackError::NonFiniteModel);
    }
    for (i, row) in points.rows().into_iter().enumerate() {
        let norm2: f32 = row.dot(&row);
        if !norm2.is_finite() || norm2 == 0.0 {
            return Err(AttackError::BadPoint(i));
        }
    }
    Ok(())
}
