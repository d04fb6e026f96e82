//! Quadratic net y(x) = w * sum_i (W x)_i^2 + b: its decision boundary is an
//! ellipsoid, which makes its error rate computable exactly.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rand::RngExt;
use rand_distr::StandardNormal;

use super::params::{Layout, MatSlot, VecSlot};
use super::placement::{PlacedMatrix, lane};
use crate::gemm::{Parallelism, matmul};
use crate::rng::Rng;

#[derive(Debug, Clone)]
pub struct QuadNet {
    pub n: usize,
    pub hidden: usize,
    pub weight: MatSlot,
    pub w: VecSlot,
    pub b: VecSlot,
    pub layout: Layout,
}

#[derive(Debug, Clone)]
pub struct QuadWorkspace {
    z: PlacedMatrix,
    s: Vec<f32>,
    pub logits: Array2<f32>,
}

impl QuadNet {
    pub fn new(n: usize, hidden: usize) -> Self {
        let mut layout = Layout::default();
        let weight = MatSlot::new(&mut layout, "W.weight", hidden, n);
        let w = VecSlot::new(&mut layout, "w", 1);
        let b = VecSlot::new(&mut layout, "b", 1);
        Self {
            n,
            hidden,
            weight,
            w,
            b,
            layout,
        }
    }

    /// PyTorch's Linear default for W, w = 1, b = 0 (as the reference).
    pub fn init(&self, p: &mut [f32], rng: &mut Rng) {
        let k = 1.0 / (self.n as f32).sqrt();
        self.weight
            .view_mut(p)
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-k..k));
        self.w.slice_mut(p)[0] = 1.0;
        self.b.slice_mut(p)[0] = 0.0;
    }

    /// A net whose decision rule is "outer iff sum_i alpha_i z_i^2 > 1" in a
    /// random orthonormal basis z: W = Q diag(sqrt(alpha)), w = 1, b = -1,
    /// with Q an h x n matrix of orthonormal columns (needs h >= n and
    /// non-negative alphas). Every row of W is then generically non-zero,
    /// so training can move all of them.
    pub fn set_alphas(&self, p: &mut [f32], alphas: &[f64], rng: &mut Rng) {
        assert!(
            self.hidden >= self.n && alphas.len() == self.n,
            "need h >= n and n alphas"
        );
        let q = orthonormal_columns(self.hidden, self.n, rng);
        let mut wm = self.weight.view_mut(p);
        for i in 0..self.hidden {
            for j in 0..self.n {
                wm[[i, j]] = (q[[j, i]] * alphas[j].max(0.0).sqrt()) as f32;
            }
        }
        self.w.slice_mut(p)[0] = 1.0;
        self.b.slice_mut(p)[0] = -1.0;
    }

    /// Multiplies w and b by `s` > 0: the logits scale by s while the
    /// decision boundary, and with it the alphas d_i / (-b), stay.
    pub fn scale_output(&self, p: &mut [f32], s: f32) {
        self.w.slice_mut(p)[0] *= s;
        self.b.slice_mut(p)[0] *= s;
    }

    pub fn workspace(&self, batch: usize) -> QuadWorkspace {
        QuadWorkspace {
            z: PlacedMatrix::zeros(batch, self.hidden, lane(0)),
            s: vec![0.0; batch],
            logits: Array2::zeros((batch, 1)),
        }
    }

    pub fn forward(
        &self,
        p: &[f32],
        x: ArrayView2<'_, f32>,
        ws: &mut QuadWorkspace,
        par: Parallelism,
    ) {
        matmul(ws.z.view_mut(), x, self.weight.view(p).t(), false, par);
        let (w, b) = (self.w.slice(p)[0], self.b.slice(p)[0]);
        for ((s, zrow), y) in
            ws.s.iter_mut()
                .zip(ws.z.view().rows())
                .zip(ws.logits.iter_mut())
        {
            *s = zrow.iter().map(|v| v * v).sum();
            *y = w * *s + b;
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        p: &[f32],
        x: ArrayView2<'_, f32>,
        ws: &mut QuadWorkspace,
        dlogits: ArrayView2<'_, f32>,
        grads: Option<&mut [f32]>,
        dx: Option<ArrayViewMut2<'_, f32>>,
        par: Parallelism,
    ) {
        let w = self.w.slice(p)[0];
        let mut dw = 0.0;
        let mut db = 0.0;
        // dz = 2 w dy z, in place: z is not needed afterwards.
        for ((mut zrow, s), dy) in
            ws.z.view_mut()
                .rows_mut()
                .into_iter()
                .zip(&ws.s)
                .zip(dlogits.iter())
        {
            dw += dy * s;
            db += dy;
            let k = 2.0 * w * dy;
            zrow.iter_mut().for_each(|v| *v *= k);
        }
        if let Some(gr) = grads {
            matmul(self.weight.view_mut(gr), ws.z.view().t(), x, false, par);
            self.w.slice_mut(gr)[0] = dw;
            self.b.slice_mut(gr)[0] = db;
        }
        if let Some(dx) = dx {
            matmul(dx, ws.z.view(), self.weight.view(p), false, par);
        }
    }
}

/// `count` orthonormal vectors of length `dim` (the rows of the result), by
/// modified Gram-Schmidt on Gaussian vectors in f64. Once per run, so clarity
/// beats speed here.
fn orthonormal_columns(dim: usize, count: usize, rng: &mut Rng) -> Array2<f64> {
    let mut q = Array2::from_shape_simple_fn((count, dim), || rng.sample::<f64, _>(StandardNormal));
    for j in 0..count {
        let (done, mut rest) = q.view_mut().split_at(ndarray::Axis(0), j);
        let mut v = rest.row_mut(0);
        for k in 0..j {
            let dot = v.dot(&done.row(k));
            v.scaled_add(-dot, &done.row(k));
        }
        let norm = v.dot(&v).sqrt();
        v.mapv_inplace(|x| x / norm);
    }
    q
}
