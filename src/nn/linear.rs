//! Fully connected layer, PyTorch conventions: weight is (out, in),
//! y = x W^T + b.

use ndarray::{ArrayView2, ArrayViewMut2};
use rand::RngExt;

use super::params::{Layout, MatSlot, VecSlot};
use crate::gemm::{Parallelism, matmul};
use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Linear {
    pub weight: MatSlot,
    pub bias: VecSlot,
}

impl Linear {
    pub fn new(layout: &mut Layout, prefix: &str, fan_in: usize, fan_out: usize) -> Self {
        let weight = MatSlot::new(layout, &format!("{prefix}.weight"), fan_out, fan_in);
        let bias = VecSlot::new(layout, &format!("{prefix}.bias"), fan_out);
        Self { weight, bias }
    }

    /// PyTorch's default: weight and bias uniform in +-1/sqrt(fan_in)
    /// (kaiming_uniform with a = sqrt(5) reduces to this bound).
    pub fn init(&self, p: &mut [f32], rng: &mut Rng) {
        let k = 1.0 / (self.weight.cols as f32).sqrt();
        self.weight
            .view_mut(p)
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-k..k));
        self.bias
            .slice_mut(p)
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-k..k));
    }

    pub fn forward(
        &self,
        p: &[f32],
        x: ArrayView2<'_, f32>,
        mut out: ArrayViewMut2<'_, f32>,
        par: Parallelism,
    ) {
        matmul(out.view_mut(), x, self.weight.view(p).t(), false, par);
        let b = self.bias.view(p);
        for mut row in out.rows_mut() {
            row += &b;
        }
    }

    /// Parameter gradients from `dz` (gradient at the output) and the input
    /// `x` that produced it. They overwrite `grads`: each parameter gets
    /// exactly one contribution per step, so no zeroing pass is needed.
    pub fn backward_params(
        &self,
        grads: &mut [f32],
        x: ArrayView2<'_, f32>,
        dz: ArrayView2<'_, f32>,
        par: Parallelism,
    ) {
        matmul(self.weight.view_mut(grads), dz.t(), x, false, par);
        column_sums(dz, self.bias.slice_mut(grads));
    }

    /// Gradient at the input: dx = dz W.
    pub fn backward_input(
        &self,
        p: &[f32],
        dz: ArrayView2<'_, f32>,
        dx: ArrayViewMut2<'_, f32>,
        par: Parallelism,
    ) {
        matmul(dx, dz, self.weight.view(p), false, par);
    }
}

/// `out[j] = sum_i a[i, j]`, without allocating.
pub fn column_sums(a: ArrayView2<'_, f32>, out: &mut [f32]) {
    out.fill(0.0);
    for row in a.rows() {
        for (o, v) in out.iter_mut().zip(row.iter()) {
            *o += v;
        }
    }
}
