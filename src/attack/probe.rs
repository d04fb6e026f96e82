//! Logits and input gradients for a batch of points, with the per-row loss
//! and decision rules every attack shares.

use ndarray::{Array2, ArrayView2};

use crate::gemm::Parallelism;
use crate::nn::{Model, Workspace};

/// One chunk's scratch space. Products run single-threaded inside a chunk:
/// parallelism comes from running chunks side by side, which keeps every
/// number independent of the thread count.
pub(crate) struct Probe {
    ws: Workspace,
    dlogits: Array2<f32>,
    pub dx: Array2<f32>,
}

impl Probe {
    pub fn new(model: &Model, batch: usize) -> Self {
        Self {
            ws: model.workspace(batch, Parallelism(1)),
            dlogits: Array2::zeros((batch, 1)),
            dx: Array2::zeros((batch, model.dim())),
        }
    }

    pub fn forward(&mut self, model: &Model, x: ArrayView2<'_, f32>) -> &[f32] {
        model.forward_eval(x, &mut self.ws);
        self.ws.logits()
    }

    /// Input gradient of sum_i dir_i * logit_i through the last `forward`
    /// on the same `x`, into `self.dx`.
    pub fn backward(&mut self, model: &Model, x: ArrayView2<'_, f32>, dir: &[f32]) {
        for (d, s) in self.dlogits.iter_mut().zip(dir) {
            *d = *s;
        }
        model.backward(
            x,
            &mut self.ws,
            self.dlogits.view(),
            None,
            Some(self.dx.view_mut()),
        );
    }
}

/// A non-finite logit counts as wrong whatever the label: an estimate must
/// not look better because the model broke.
pub(crate) fn misclassified(logit: f32, label: f32) -> bool {
    !logit.is_finite() || (logit > 0.0) != (label > 0.5)
}

/// Per-point sigmoid cross-entropy, in the overflow-free form of `nn::loss`.
pub(crate) fn loss(logit: f32, label: f32) -> f64 {
    let z = logit as f64;
    let y = label as f64;
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// Sign of d loss / d logit. The loss is monotone in the logit, so ascending
/// `ascent_sign * logit` with normalised steps follows the loss gradient
/// exactly, without the sigmoid factor that underflows for confident points.
pub(crate) fn ascent_sign(label: f32) -> f32 {
    if label > 0.5 { -1.0 } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_matches_naive_formula_and_rules_agree() {
        let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
        for (z, y) in [(0.3f32, 1.0f32), (-2.0, 1.0), (1.5, 0.0), (-0.7, 0.0)] {
            let naive =
                -(y as f64 * sig(z as f64).ln() + (1.0 - y as f64) * (1.0 - sig(z as f64)).ln());
            assert!((loss(z, y) - naive).abs() < 1e-9);
        }
        assert!(loss(-200.0, 1.0).is_finite() && loss(200.0, 0.0) > 199.0);
        assert!(misclassified(0.1, 0.0) && !misclassified(0.1, 1.0));
        assert!(misclassified(f32::NAN, 0.0) && misclassified(f32::NAN, 1.0));
        assert_eq!(ascent_sign(0.0), 1.0);
        assert_eq!(ascent_sign(1.0), -1.0);
    }
}
