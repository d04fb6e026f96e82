//! ReLU MLP: n -> width (-> width ...) -> 1, optional batch norm on every
//! hidden layer. Parameter names follow PyTorch's `nn.Sequential` of
//! [Linear, BatchNorm1d, ReLU] * depth + [Linear], so exported weights load
//! into the reference PyTorch model with `load_state_dict`.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use super::batch_norm::BatchNorm;
use super::linear::Linear;
use super::params::Layout;
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
/// space; allocated once per batch size.
#[derive(Debug, Clone)]
pub struct ReluWorkspace {
    /// Per hidden layer: linear output, normalised in place when batch norm
    /// is on (it is then x-hat).
    pre: Vec<Array2<f32>>,
    /// Per hidden layer: output after ReLU.
    act: Vec<Array2<f32>>,
    inv_std: Vec<Vec<f32>>,
    mean: Vec<f32>,
    g: Array2<f32>,
    g2: Array2<f32>,
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
            pre: vec![Array2::zeros((batch, w)); d],
            act: vec![Array2::zeros((batch, w)); d],
            inv_std: vec![vec![0.0; w]; d],
            mean: vec![0.0; w],
            g: Array2::zeros((batch, w)),
            g2: Array2::zeros((batch, w)),
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
                    let (act, pre) = (contiguous_mut(act), pre.as_slice().expect("contiguous"));
                    for (arow, prow) in act.chunks_exact_mut(width).zip(pre.chunks_exact(width)) {
                        for (((a, z), g), b) in arow.iter_mut().zip(prow).zip(gamma).zip(beta) {
                            *a = (g * z + b).max(0.0);
                        }
                    }
                }
                None => {
                    let pre = pre.as_slice().expect("contiguous");
                    contiguous_mut(act)
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
            let act = ws.act[l].as_slice().expect("contiguous");
            contiguous_mut(&mut ws.g)
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

fn contiguous_mut(a: &mut Array2<f32>) -> &mut [f32] {
    a.as_slice_mut().expect("workspace matrices are contiguous")
}
