//! Batch normalisation over the batch axis, PyTorch conventions: biased
//! variance to normalise, unbiased variance into the running estimate,
//! running = (1 - momentum) running + momentum batch, momentum 0.1, eps 1e-5.

use ndarray::{ArrayView2, ArrayViewMut2};

/// A row-major workspace matrix as one slice.
fn rows_mut<'a>(z: &'a mut ArrayViewMut2<'_, f32>) -> &'a mut [f32] {
    z.as_slice_mut()
        .expect("workspace matrices are contiguous and row-major")
}

use super::params::{Layout, VecSlot};

pub const MOMENTUM: f32 = 0.1;
pub const EPS: f32 = 1e-5;

/// PyTorch's `BatchNorm1d` also keeps `<layer>.num_batches_tracked`, an
/// I64 count of training batches. With a fixed momentum nothing reads it,
/// so the model does not store it; export writes it, import ignores it.
pub const BATCHES_TRACKED: &str = "num_batches_tracked";
const RUNNING_MEAN: &str = "running_mean";

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
            running_mean: VecSlot::new(buffers, &format!("{prefix}.{RUNNING_MEAN}"), dim),
            running_var: VecSlot::new(buffers, &format!("{prefix}.running_var"), dim),
        }
    }

    /// The `num_batches_tracked` name of every batch norm whose running
    /// mean is in `buffers`, in layer order.
    pub fn batches_tracked_names(buffers: &Layout) -> Vec<String> {
        buffers
            .slots
            .iter()
            .filter_map(|s| s.name.strip_suffix(RUNNING_MEAN))
            .map(|prefix| format!("{prefix}{BATCHES_TRACKED}"))
            .collect()
    }

    pub fn init(&self, p: &mut [f32], buffers: &mut [f32]) {
        self.gamma.slice_mut(p).fill(1.0);
        self.beta.slice_mut(p).fill(0.0);
        self.running_mean.slice_mut(buffers).fill(0.0);
        self.running_var.slice_mut(buffers).fill(1.0);
    }

    /// Normalises `z` in place with batch statistics (it becomes x-hat),
    /// stores 1/sqrt(var + eps) in `inv_std`, and updates running stats.
    /// Every loop runs along contiguous rows so that it vectorises.
    pub fn normalise_train(
        &self,
        buffers: &mut [f32],
        mut z: ArrayViewMut2<'_, f32>,
        mean: &mut [f32],
        inv_std: &mut [f32],
    ) {
        let b = z.nrows() as f32;
        let z = rows_mut(&mut z);
        mean.fill(0.0);
        inv_std.fill(0.0);
        for row in z.chunks_exact(mean.len()) {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= b);
        for row in z.chunks_exact(mean.len()) {
            inv_std
                .iter_mut()
                .zip(mean.iter())
                .zip(row)
                .for_each(|((s, m), v)| *s += (v - m) * (v - m));
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
        for row in z.chunks_exact_mut(mean.len()) {
            row.iter_mut()
                .zip(mean.iter())
                .zip(inv_std.iter())
                .for_each(|((v, m), s)| *v = (*v - m) * s);
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
        for row in rows_mut(&mut z).chunks_exact_mut(rm.len()) {
            row.iter_mut()
                .zip(rm.iter())
                .zip(inv_std.iter())
                .for_each(|((v, m), s)| *v = (*v - m) * s);
        }
    }

    /// Turns `g` (gradient w.r.t. the BN output) into the gradient w.r.t.
    /// its input, in place, writing dgamma/dbeta into `grads` when given.
    /// `batch_stats` says whether the forward pass used batch statistics,
    /// which couples every row's gradient to the others.
    #[allow(clippy::too_many_arguments)]
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
        let width = dgamma.len();
        let xhat = xhat
            .as_slice()
            .expect("x-hat is a contiguous workspace buffer");
        let g = rows_mut(&mut g);
        for (grow, xrow) in g.chunks_exact(width).zip(xhat.chunks_exact(width)) {
            dgamma
                .iter_mut()
                .zip(grow)
                .zip(xrow)
                .for_each(|((dg, gv), xv)| *dg += gv * xv);
            dbeta.iter_mut().zip(grow).for_each(|(db, gv)| *db += gv);
        }
        if let Some(grads) = grads {
            self.gamma.slice_mut(grads).copy_from_slice(dgamma);
            self.beta.slice_mut(grads).copy_from_slice(dbeta);
        }
        let gamma = self.gamma.slice(p);
        let b = (g.len() / width.max(1)) as f32;
        // dx = gamma inv_std (g - (dbeta + x-hat dgamma) / B): dbeta and
        // dgamma become per-feature shift and slope (zero when the batch
        // statistics were not used), so the row loop is one fused pass.
        for (((sh, sl), ga), is) in dbeta
            .iter_mut()
            .zip(dgamma.iter_mut())
            .zip(gamma)
            .zip(inv_std)
        {
            let k = if batch_stats { ga * is / b } else { 0.0 };
            *sh *= k;
            *sl *= k;
        }
        for (grow, xrow) in g.chunks_exact_mut(width).zip(xhat.chunks_exact(width)) {
            let coefs = gamma
                .iter()
                .zip(inv_std)
                .zip(dbeta.iter())
                .zip(dgamma.iter());
            for ((gv, xv), (((ga, is), sh), sl)) in grow.iter_mut().zip(xrow).zip(coefs) {
                *gv = ga * is * *gv - sh - sl * xv;
            }
        }
    }
}
