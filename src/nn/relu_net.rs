//! ReLU MLP: n -> width (-> width ...) -> 1, optional batch norm on every
//! hidden layer. Parameter names follow PyTorch's `nn.Sequential` of
//! [Linear, BatchNorm1d, ReLU] * depth + [Linear], so exported weights load
//! into the reference PyTorch model with `load_state_dict`.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use super::batch_norm::BatchNorm;
use super::linear::Linear;
use super::params::Layout;
use super::placement::{PlacedMatrix, lane};
use crate::gemm::{Parallelism, matmul};
use crate::rng::Rng;

/// Batch norm's running statistics: written in training mode, only read in
/// inference mode.
pub enum Buffers<'a> {
    Train(&'a mut [f32]),
    Eval(&'a [f32]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hidden {
    linear: Linear,
    bn: Option<BatchNorm>,
}

#[derive(Debug, Clone)]
pub struct ReluNet {
    pub n: usize,
    pub width: usize,
    hidden: Vec<Hidden>,
    out: Linear,
    pub layout: Layout,
    pub buffer_layout: Layout,
}

/// Activations kept from the forward pass for the backward pass, and scratch
/// space; allocated once per batch size, each matrix in its own page lane
/// (the loops sweep pairs of them).
#[derive(Debug, Clone)]
pub struct ReluWorkspace {
    /// Per hidden layer: linear output, normalised in place when batch norm
    /// is on (it is then x-hat).
    pre: Vec<PlacedMatrix>,
    /// Per hidden layer: output after ReLU.
    act: Vec<PlacedMatrix>,
    inv_std: Vec<Vec<f32>>,
    mean: Vec<f32>,
    g: PlacedMatrix,
    g2: PlacedMatrix,
    dgamma: Vec<f32>,
    dbeta: Vec<f32>,
    pub logits: Array2<f32>,
    batch_stats: bool,
}

impl ReluNet {
    pub fn new(n: usize, width: usize, depth: usize, batch_norm: bool) -> Self {
        let mut layout = Layout::default();
        let mut buffer_layout = Layout::default();
        let per_layer = if batch_norm { 3 } else { 2 };
        let hidden = (0..depth)
            .map(|l| {
                let fan_in = if l == 0 { n } else { width };
                let linear = Linear::new(&mut layout, &format!("{}", per_layer * l), fan_in, width);
                let bn = batch_norm.then(|| {
                    BatchNorm::new(
                        &mut layout,
                        &mut buffer_layout,
                        &format!("{}", per_layer * l + 1),
                        width,
                    )
                });
                Hidden { linear, bn }
            })
            .collect();
        let out = Linear::new(&mut layout, &format!("{}", per_layer * depth), width, 1);
        Self {
            n,
            width,
            hidden,
            out,
            layout,
            buffer_layout,
        }
    }

    pub fn depth(&self) -> usize {
        self.hidden.len()
    }

    pub fn batch_norm(&self) -> bool {
        self.hidden.first().is_some_and(|h| h.bn.is_some())
    }

    pub fn init(&self, p: &mut [f32], buffers: &mut [f32], rng: &mut Rng) {
        for h in &self.hidden {
            h.linear.init(p, rng);
            if let Some(bn) = &h.bn {
                bn.init(p, buffers);
            }
        }
        self.out.init(p, rng);
    }

    pub fn workspace(&self, batch: usize) -> ReluWorkspace {
        let d = self.depth();
        let w = self.width;
        ReluWorkspace {
            pre: (0..d)
                .map(|l| PlacedMatrix::zeros(batch, w, lane(2 * l)))
                .collect(),
            act: (0..d)
                .map(|l| PlacedMatrix::zeros(batch, w, lane(2 * l + 1)))
                .collect(),
            inv_std: vec![vec![0.0; w]; d],
            mean: vec![0.0; w],
            g: PlacedMatrix::zeros(batch, w, lane(2 * d)),
            g2: PlacedMatrix::zeros(batch, w, lane(2 * d + 1)),
            dgamma: vec![0.0; w],
            dbeta: vec![0.0; w],
            logits: Array2::zeros((batch, 1)),
            batch_stats: false,
        }
    }

    /// Logits into `ws.logits`. In training mode batch norm normalises with
    /// the batch's statistics and updates the running ones; in inference
    /// mode it uses the running statistics.
    pub fn forward(
        &self,
        p: &[f32],
        mut buffers: Buffers<'_>,
        x: ArrayView2<'_, f32>,
        ws: &mut ReluWorkspace,
        par: Parallelism,
    ) {
        ws.batch_stats = matches!(buffers, Buffers::Train(_));
        for (l, h) in self.hidden.iter().enumerate() {
            let (done, rest) = ws.act.split_at_mut(l);
            let input = if l == 0 { x } else { done[l - 1].view() };
            let pre = &mut ws.pre[l];
            h.linear.forward(p, input, pre.view_mut(), par);
            let act = &mut rest[0];
            match &h.bn {
                Some(bn) => {
                    match &mut buffers {
                        Buffers::Train(b) => {
                            bn.normalise_train(b, pre.view_mut(), &mut ws.mean, &mut ws.inv_std[l])
                        }
                        Buffers::Eval(b) => {
                            bn.normalise_eval(b, pre.view_mut(), &mut ws.inv_std[l])
                        }
                    }
                    let (gamma, beta) = (bn.gamma.slice(p), bn.beta.slice(p));
                    let width = gamma.len();
                    let (act, pre) = (act.as_slice_mut(), pre.as_slice());
                    for (arow, prow) in act.chunks_exact_mut(width).zip(pre.chunks_exact(width)) {
                        for (((a, z), g), b) in arow.iter_mut().zip(prow).zip(gamma).zip(beta) {
                            *a = (g * z + b).max(0.0);
                        }
                    }
                }
                None => {
                    let pre = pre.as_slice();
                    act.as_slice_mut()
                        .iter_mut()
                        .zip(pre)
                        .for_each(|(a, z)| *a = z.max(0.0));
                }
            }
        }
        let last = ws.act.last().expect("at least one hidden layer");
        self.out.forward(p, last.view(), ws.logits.view_mut(), par);
    }

    /// Back-propagates `dlogits` through the last forward pass. Parameter
    /// gradients overwrite `grads`; the input gradient goes to `dx`.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        p: &[f32],
        x: ArrayView2<'_, f32>,
        ws: &mut ReluWorkspace,
        dlogits: ArrayView2<'_, f32>,
        mut grads: Option<&mut [f32]>,
        dx: Option<ArrayViewMut2<'_, f32>>,
        par: Parallelism,
    ) {
        let last = ws.act.last().expect("at least one hidden layer");
        if let Some(gr) = grads.as_deref_mut() {
            self.out.backward_params(gr, last.view(), dlogits, par);
        }
        matmul(
            ws.g.view_mut(),
            dlogits,
            self.out.weight.view(p),
            false,
            par,
        );
        let mut dx = dx;
        for l in (0..self.depth()).rev() {
            let h = &self.hidden[l];
            let act = ws.act[l].as_slice();
            ws.g.as_slice_mut()
                .iter_mut()
                .zip(act)
                .for_each(|(g, a)| *g = if *a > 0.0 { *g } else { 0.0 });
            if let Some(bn) = &h.bn {
                bn.backward(
                    p,
                    grads.as_deref_mut(),
                    ws.pre[l].view(),
                    &ws.inv_std[l],
                    ws.g.view_mut(),
                    ws.batch_stats,
                    &mut ws.dgamma,
                    &mut ws.dbeta,
                );
            }
            let input = if l == 0 { x } else { ws.act[l - 1].view() };
            if let Some(gr) = grads.as_deref_mut() {
                h.linear.backward_params(gr, input, ws.g.view(), par);
            }
            if l > 0 {
                h.linear
                    .backward_input(p, ws.g.view(), ws.g2.view_mut(), par);
                std::mem::swap(&mut ws.g, &mut ws.g2);
            } else if let Some(dx) = dx.take() {
                h.linear.backward_input(p, ws.g.view(), dx, par);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::placement::{page_distance, page_offset};

    /// Every pair of workspace matrices a loop sweeps together starts at
    /// least 512 bytes apart within a page.
    #[test]
    fn workspace_matrices_take_separate_lanes() {
        let net = ReluNet::new(500, 1000, 2, true);
        let ws = net.workspace(50);
        let mats = [
            &ws.pre[0], &ws.act[0], &ws.pre[1], &ws.act[1], &ws.g, &ws.g2,
        ];
        let o = mats.map(|m| page_offset(m.as_slice().as_ptr()));
        for i in 0..o.len() {
            for j in 0..i {
                assert!(page_distance(o[i], o[j]) >= 512, "{o:?}");
            }
        }
    }
}
