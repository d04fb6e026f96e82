//! Checks on a quadratic net's parameters, and W^T W with its spectrum in
//! f64.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use ndarray::ArrayView2;

use super::super::error::{Result, invalid};

pub(super) fn check_radius(radius: f64) -> Result<()> {
    if !(radius > 1.0 && radius.is_finite()) {
        return invalid(format!(
            "outer radius R must be finite and > 1, got {radius}"
        ));
    }
    Ok(())
}

/// Refuses an empty, mis-sized or non-finite W and non-finite scalars.
pub(super) fn check_parameters(weights: &[f32], h: usize, n: usize, w: f64, b: f64) -> Result<()> {
    if h == 0 || n == 0 {
        return invalid(format!("W must be non-empty, got {h} x {n}"));
    }
    if weights.len() != h * n {
        return invalid(format!(
            "W has {} entries, expected h x n = {h} x {n}",
            weights.len()
        ));
    }
    if let Some((i, v)) = weights.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return invalid(format!(
            "W entry {i} (row {}, col {}) is not finite: {v}",
            i / n,
            i % n
        ));
    }
    if !w.is_finite() {
        return invalid(format!("output weight w must be finite, got {w}"));
    }
    if !b.is_finite() {
        return invalid(format!("output bias b must be finite, got {b}"));
    }
    Ok(())
}

/// W^T W in f64 for W given h x n row-major.
pub(super) fn gram(weights: &[f32], h: usize, n: usize) -> Mat<f64> {
    let wm = Mat::<f64>::from_fn(h, n, |i, j| weights[i * n + j] as f64);
    let mut gram = Mat::<f64>::zeros(n, n);
    matmul(
        gram.as_mut(),
        Accum::Replace,
        wm.transpose(),
        wm.as_ref(),
        1.0,
        Par::rayon(0),
    );
    gram
}

/// d = w times the eigenvalues of W^T W. W^T W is positive semi-definite;
/// rounding can leave -1e-13 where the true eigenvalue is 0 (always so when
/// h < n), so eigenvalues are clamped at 0 first.
pub(super) fn scaled_eigenvalues(w: f64, eigenvalues: impl Iterator<Item = f64>) -> Vec<f64> {
    eigenvalues.map(|e| w * e.max(0.0)).collect()
}

/// W as a row-major vector, whatever the view's memory layout.
pub(super) fn flatten(weights: ArrayView2<'_, f32>) -> Vec<f32> {
    weights.iter().copied().collect()
}
