//! A fixed classifier whose error set is exactly a spherical cap, for tests
//! and calibration with closed-form answers:
//!   logit = x_1 / ||x|| - t + K (||x|| - 1),   K = 2 / (R - 1).
//! On the inner sphere the logit is x_1 - t, so the error set is the cap
//! {x_1 > t}; on the outer sphere it is at least 1 - t > 0: no error. Its
//! tangential gradient on the sphere is non-zero everywhere but the poles,
//! so manifold attacks can walk to the cap from any start.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

#[derive(Debug, Clone, PartialEq)]
pub struct CapNet {
    pub n: usize,
    pub t: f32,
    /// K: large enough that the outer sphere is always classified outer.
    pub radial: f32,
}

#[derive(Debug, Clone)]
pub struct CapWorkspace {
    norms: Vec<f32>,
    pub logits: Array2<f32>,
}

impl CapNet {
    pub fn new(n: usize, t: f32, radius: f32) -> Self {
        Self {
            n,
            t,
            radial: 2.0 / (radius - 1.0),
        }
    }

    pub fn workspace(&self, batch: usize) -> CapWorkspace {
        CapWorkspace {
            norms: vec![0.0; batch],
            logits: Array2::zeros((batch, 1)),
        }
    }

    pub fn forward(&self, x: ArrayView2<'_, f32>, ws: &mut CapWorkspace) {
        for (i, row) in x.rows().into_iter().enumerate() {
            let norm = row.dot(&row).sqrt().max(f32::MIN_POSITIVE);
            ws.norms[i] = norm;
            ws.logits[[i, 0]] = row[0] / norm - self.t + self.radial * (norm - 1.0);
        }
    }

    /// d logit / dx = e_1 / ||x|| - x_1 x / ||x||^3 + K x / ||x||.
    pub fn backward(
        &self,
        x: ArrayView2<'_, f32>,
        ws: &CapWorkspace,
        dlogits: ArrayView2<'_, f32>,
        dx: Option<ArrayViewMut2<'_, f32>>,
    ) {
        let Some(mut dx) = dx else { return };
        for (i, (row, mut out)) in x.rows().into_iter().zip(dx.rows_mut()).enumerate() {
            let dy = dlogits[[i, 0]];
            let norm = ws.norms[i];
            let coef = self.radial / norm - row[0] / (norm * norm * norm);
            for (j, (o, v)) in out.iter_mut().zip(row.iter()).enumerate() {
                let e1 = if j == 0 { 1.0 / norm } else { 0.0 };
                *o = dy * (e1 + coef * v);
            }
        }
    }
}
