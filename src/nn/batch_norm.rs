//! Batch normalisation over the batch axis, PyTorch conventions: biased
//! variance to normalise, unbiased variance into the running estimate,
//! running = (1 - momentum) running + momentum batch, momentum 0.1, eps 1e-5.

use ndarray::{ArrayView2, ArrayViewMut2};

use super::params::{Layout, VecSlot};

pub const MOMENTUM: f32 = 0.1;
pub const EPS: f32 = 1e-5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchNorm {
    pub gamma: VecSlot,
    pub beta: VecSlot,
    /// Offsets into the model's buffers, not its parameters.
    pub running_mean: VecSlot,
    pub running_var: VecSlot,
}

impl BatchNorm {
    pub fn new(params: &mut Layout, buffers: &mut Layout, prefix: &str, dim: usize) -> Self {
        Self {
            gamma: VecSlot::new(params, &format!("{prefix}.weight"), dim),
            beta: VecSlot::new(params, &format!("{prefix}.bias"), dim),
            running_mean: VecSlot::new(buffers, &format!("{prefix}.running_mean"), dim),
            running_var: VecSlot::new(buffers, &format!("{prefix}.running_var"), dim),
        }
    }

    pub fn init(&self, p: &mut [f32], buffers: &mut [f32]) {
        self.gamma.slice_mut(p).fill(1.0);
        self.beta.slice_mut(p).fill(0.0);
        self.running_mean.slice_mut(buffers).fill(0.0);
        self.running_var.slice_mut(buffers).fill(1.0);
    }

    /// Normalises `z` in place with batch statistics (it becomes x-hat),
    /// stores 1/sqrt(var + eps) in `inv_std`, and updates running stats.
    pub fn normalise_train(
        &self,
        buffers: &mut [f32],
        mut z: ArrayViewMut2<'_, f32>,
        mean: &mut [f32],
        inv_std: &mut [f32],
    ) {
        let b = z.nrows() as f32;
        mean.fill(0.0);
        inv_std.fill(0.0);
        for row in z.rows() {
            for (m, v) in mean.iter_mut().zip(row.iter()) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= b);
        for row in z.rows() {
            for ((s, m), v) in inv_std.iter_mut().zip(mean.iter()).zip(row.iter()) {
                *s += (v - m) * (v - m);
            }
        }
        let unbias = if b > 1.0 { b / (b - 1.0) } else { 1.0 };
        let rm = self.running_mean.slice_mut(buffers);
        for (r, m) in rm.iter_mut().zip(mean.iter()) {
            *r = (1.0 - MOMENTUM) * *r + MOMENTUM * m;
        }
        let rv = self.running_var.slice_mut(buffers);
        for (r, s) in rv.iter_mut().zip(inv_std.iter()) {
            *r = (1.0 - MOMENTUM) * *r + MOMENTUM * (s / b) * unbias;
        }
        inv_std
            .iter_mut()
            .for_each(|s| *s = 1.0 / (*s / b + EPS).sqrt());
        for mut row in z.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(mean.iter()).zip(inv_std.iter()) {
                *v = (*v - m) * s;
            }
        }
    }

    /// Normalises `z` in place with the running statistics (inference).
    pub fn normalise_eval(
        &self,
        buffers: &[f32],
        mut z: ArrayViewMut2<'_, f32>,
        inv_std: &mut [f32],
    ) {
        let rm = self.running_mean.slice(buffers);
        for (s, v) in inv_std.iter_mut().zip(self.running_var.slice(buffers)) {
            *s = 1.0 / (v + EPS).sqrt();
        }
        for mut row in z.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(rm.iter()).zip(inv_std.iter()) {
                *v = (*v - m) * s;
            }
        }
    }

    /// Turns `g` (gradient w.r.t. the BN output) into the gradient w.r.t.
    /// its input, in place, writing dgamma/dbeta into `grads` when given.
    /// `batch_stats` says whether the forward pass used batch statistics,
    /// which couples every row's gradient to the others.
    pub fn backward(
        &self,
        p: &[f32],
        grads: Option<&mut [f32]>,
        xhat: ArrayView2<'_, f32>,
        inv_std: &[f32],
        mut g: ArrayViewMut2<'_, f32>,
        batch_stats: bool,
        dgamma: &mut [f32],
        dbeta: &mut [f32],
    ) {
        dgamma.fill(0.0);
        dbeta.fill(0.0);
        for (grow, xrow) in g.rows().into_iter().zip(xhat.rows()) {
            for (((dg, db), gv), xv) in dgamma
                .iter_mut()
                .zip(dbeta.iter_mut())
                .zip(grow.iter())
                .zip(xrow.iter())
            {
                *dg += gv * xv;
                *db += gv;
            }
        }
        if let Some(grads) = grads {
            self.gamma.slice_mut(grads).copy_from_slice(dgamma);
            self.beta.slice_mut(grads).copy_from_slice(dbeta);
        }
        let gamma = self.gamma.slice(p);
        let b = g.nrows() as f32;
        for (mut grow, xrow) in g.rows_mut().into_iter().zip(xhat.rows()) {
            for (j, (gv, xv)) in grow.iter_mut().zip(xrow.iter()).enumerate() {
                let scale = gamma[j] * inv_std[j];
                *gv = if batch_stats {
                    scale * (*gv - (dbeta[j] + xv * dgamma[j]) / b)
                } else {
                    scale * *gv
                };
            }
        }
    }
}
