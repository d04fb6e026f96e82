//! One type for every architecture, so trainer, attacks, snapshots and the
//! UI handle models without caring which kind they hold.

use ndarray::{ArrayView2, ArrayViewMut2};

use super::cap_net::{CapNet, CapWorkspace};
use super::params::Layout;
use super::quad_net::{QuadNet, QuadWorkspace};
use super::relu_net::{Buffers, ReluNet, ReluWorkspace};
use crate::gemm::Parallelism;
use crate::rng::Rng;

#[derive(Debug, Clone)]
pub enum Arch {
    Relu(ReluNet),
    Quad(QuadNet),
    Cap(CapNet),
}

/// Architecture plus its parameters and (batch norm) buffers.
#[derive(Debug, Clone)]
pub struct Model {
    pub arch: Arch,
    pub params: Vec<f32>,
    pub buffers: Vec<f32>,
}

#[derive(Debug, Clone)]
enum Cache {
    Relu(ReluWorkspace),
    Quad(QuadWorkspace),
    Cap(CapWorkspace),
}

/// Scratch space for one batch size; reusing it keeps steps allocation-free.
#[derive(Debug, Clone)]
pub struct Workspace {
    batch: usize,
    pub par: Parallelism,
    cache: Cache,
}

impl Workspace {
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The logits of the last forward pass.
    pub fn logits(&self) -> &[f32] {
        let l = match &self.cache {
            Cache::Relu(w) => &w.logits,
            Cache::Quad(w) => &w.logits,
            Cache::Cap(w) => &w.logits,
        };
        l.as_slice().expect("contiguous")
    }
}

impl Model {
    pub fn relu(n: usize, width: usize, depth: usize, batch_norm: bool, rng: &mut Rng) -> Self {
        let net = ReluNet::new(n, width, depth, batch_norm);
        let mut params = vec![0.0; net.layout.total];
        let mut buffers = vec![0.0; net.buffer_layout.total];
        net.init(&mut params, &mut buffers, rng);
        Self {
            arch: Arch::Relu(net),
            params,
            buffers,
        }
    }

    pub fn quad(n: usize, hidden: usize, rng: &mut Rng) -> Self {
        let net = QuadNet::new(n, hidden);
        let mut params = vec![0.0; net.layout.total];
        net.init(&mut params, rng);
        Self {
            arch: Arch::Quad(net),
            params,
            buffers: Vec::new(),
        }
    }

    /// A quadratic net with decision rule sum alpha_i z_i^2 > 1.
    pub fn quad_with_alphas(alphas: &[f64], hidden: usize, rng: &mut Rng) -> Self {
        let net = QuadNet::new(alphas.len(), hidden);
        let mut params = vec![0.0; net.layout.total];
        net.set_alphas(&mut params, alphas, rng);
        Self {
            arch: Arch::Quad(net),
            params,
            buffers: Vec::new(),
        }
    }

    pub fn cap(n: usize, t: f32, radius: f32) -> Self {
        Self {
            arch: Arch::Cap(CapNet::new(n, t, radius)),
            params: Vec::new(),
            buffers: Vec::new(),
        }
    }

    /// Input dimension.
    pub fn dim(&self) -> usize {
        match &self.arch {
            Arch::Relu(m) => m.n,
            Arch::Quad(m) => m.n,
            Arch::Cap(m) => m.n,
        }
    }

    pub fn kind(&self) -> &'static str {
        match &self.arch {
            Arch::Relu(_) => "relu",
            Arch::Quad(_) => "quad",
            Arch::Cap(_) => "cap",
        }
    }

    pub fn layout(&self) -> Layout {
        match &self.arch {
            Arch::Relu(m) => m.layout.clone(),
            Arch::Quad(m) => m.layout.clone(),
            Arch::Cap(_) => Layout::default(),
        }
    }

    pub fn buffer_layout(&self) -> Layout {
        match &self.arch {
            Arch::Relu(m) => m.buffer_layout.clone(),
            _ => Layout::default(),
        }
    }

    pub fn is_finite(&self) -> bool {
        self.params
            .iter()
            .chain(&self.buffers)
            .all(|v| v.is_finite())
    }

    pub fn workspace(&self, batch: usize, par: Parallelism) -> Workspace {
        let cache = match &self.arch {
            Arch::Relu(m) => Cache::Relu(m.workspace(batch)),
            Arch::Quad(m) => Cache::Quad(m.workspace(batch)),
            Arch::Cap(m) => Cache::Cap(m.workspace(batch)),
        };
        Workspace { batch, par, cache }
    }

    /// Re-creates `ws` if it was made for another batch size or model kind.
    pub fn fit_workspace(&self, ws: &mut Workspace, batch: usize) {
        let same_kind = matches!(
            (&self.arch, &ws.cache),
            (Arch::Relu(_), Cache::Relu(_))
                | (Arch::Quad(_), Cache::Quad(_))
                | (Arch::Cap(_), Cache::Cap(_))
        );
        if ws.batch != batch || !same_kind {
            *ws = self.workspace(batch, ws.par);
        }
    }

    /// Training-mode forward pass: batch norm uses batch statistics and
    /// updates its running estimates.
    pub fn forward_train(&mut self, x: ArrayView2<'_, f32>, ws: &mut Workspace) {
        assert_eq!(x.nrows(), ws.batch, "workspace is for another batch size");
        match (&self.arch, &mut ws.cache) {
            (Arch::Relu(m), Cache::Relu(c)) => m.forward(
                &self.params,
                Buffers::Train(&mut self.buffers),
                x,
                c,
                ws.par,
            ),
            _ => self.forward_eval(x, ws),
        }
    }

    /// Inference-mode forward pass (batch norm uses running statistics).
    pub fn forward_eval(&self, x: ArrayView2<'_, f32>, ws: &mut Workspace) {
        assert_eq!(x.nrows(), ws.batch, "workspace is for another batch size");
        match (&self.arch, &mut ws.cache) {
            (Arch::Relu(m), Cache::Relu(c)) => {
                m.forward(&self.params, Buffers::Eval(&self.buffers), x, c, ws.par)
            }
            (Arch::Quad(m), Cache::Quad(c)) => m.forward(&self.params, x, c, ws.par),
            (Arch::Cap(m), Cache::Cap(c)) => m.forward(x, c),
            _ => panic!("workspace was made for another model kind"),
        }
    }

    /// Back-propagates `dlogits` (batch x 1) through the last forward pass
    /// made with `ws`. Parameter gradients overwrite `grads`; the gradient
    /// with respect to the input goes to `dx`.
    pub fn backward(
        &self,
        x: ArrayView2<'_, f32>,
        ws: &mut Workspace,
        dlogits: ArrayView2<'_, f32>,
        grads: Option<&mut [f32]>,
        dx: Option<ArrayViewMut2<'_, f32>>,
    ) {
        let par = ws.par;
        match (&self.arch, &mut ws.cache) {
            (Arch::Relu(m), Cache::Relu(c)) => {
                m.backward(&self.params, x, c, dlogits, grads, dx, par)
            }
            (Arch::Quad(m), Cache::Quad(c)) => {
                m.backward(&self.params, x, c, dlogits, grads, dx, par)
            }
            (Arch::Cap(m), Cache::Cap(c)) => m.backward(x, c, dlogits, dx),
            _ => panic!("workspace was made for another model kind"),
        }
    }

    /// Names a PyTorch state_dict of this model has beyond [`Self::tensors`]:
    /// each batch norm's `num_batches_tracked` counter.
    pub fn batches_tracked_names(&self) -> Vec<String> {
        super::batch_norm::BatchNorm::batches_tracked_names(&self.buffer_layout())
    }

    /// Subtracts `c` from every logit through the output bias (the cap
    /// net's threshold): the decision boundary moves outwards for c > 0, so
    /// the inner error rate falls and the outer one rises, continuously in c.
    pub fn shift_output_bias(&mut self, c: f32) {
        match &mut self.arch {
            // The output layer is the last tensor of the layout: its bias.
            Arch::Relu(m) => {
                let slot = m.layout.slots.last().expect("output bias").range();
                self.params[slot].iter_mut().for_each(|b| *b -= c);
            }
            Arch::Quad(m) => m.b.slice_mut(&mut self.params)[0] -= c,
            Arch::Cap(m) => m.t += c,
        }
    }

    /// Every tensor by name: parameters, then buffers.
    pub fn tensors(&self) -> Vec<(String, Vec<usize>, &[f32])> {
        let params = self
            .layout()
            .slots
            .into_iter()
            .map(|s| (s.name.clone(), s.shape.clone(), &self.params[s.range()]));
        let buffers = self
            .buffer_layout()
            .slots
            .into_iter()
            .map(|s| (s.name.clone(), s.shape.clone(), &self.buffers[s.range()]));
        params.chain(buffers).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};

    #[test]
    fn each_batch_norm_has_a_batches_tracked_name() {
        let mut rng = rng_for(1, Stream::Init, 0);
        let bn = Model::relu(10, 16, 2, true, &mut rng);
        assert_eq!(
            bn.batches_tracked_names(),
            ["1.num_batches_tracked", "4.num_batches_tracked"]
        );
        assert!(
            Model::relu(10, 16, 2, false, &mut rng)
                .batches_tracked_names()
                .is_empty()
        );
        assert!(
            Model::quad(10, 4, &mut rng)
                .batches_tracked_names()
                .is_empty()
        );
    }

    fn logits(model: &Model, x: ArrayView2<'_, f32>) -> Vec<f32> {
        let mut ws = model.workspace(x.nrows(), Parallelism(1));
        model.forward_eval(x, &mut ws);
        ws.logits().to_vec()
    }

    #[test]
    fn shifting_the_output_bias_lowers_every_logit_by_c() {
        let mut rng = rng_for(2, Stream::Init, 0);
        let x = ndarray::Array2::from_shape_fn((5, 6), |(i, j)| ((i * 7 + j) as f32).sin());
        for model in [
            Model::relu(6, 8, 2, true, &mut rng),
            Model::relu(6, 8, 1, false, &mut rng),
            Model::quad(6, 8, &mut rng),
            Model::cap(6, 0.2, 1.3),
        ] {
            let before = logits(&model, x.view());
            let mut shifted = model.clone();
            shifted.shift_output_bias(0.75);
            let after = logits(&shifted, x.view());
            for (b, a) in before.iter().zip(&after) {
                assert!((b - a - 0.75).abs() < 1e-5, "{}: {b} -> {a}", model.kind());
            }
        }
    }
}
