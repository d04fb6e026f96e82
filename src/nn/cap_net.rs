//! A fixed classifier whose error set is exactly a spherical cap, for tests
//! and calibration with closed-form answers. It says "outer" iff
//! x_1 > t ||x||  or  ||x|| > m,  m = (1 + R) / 2. On the inner sphere the
//! error set is the cap {x_1 > t}; on the outer sphere it makes no error.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

#[derive(Debug, Clone, PartialEq)]
pub struct CapNet {
    pub n: usize,
    pub t: f32,
    pub margin_radius: f32,
}

#[derive(Debug, Clone)]
pub struct CapWorkspace {
    norms: Vec<f32>,
    /// Which branch of the max won, per row (true: the cap branch).
    cap_branch: Vec<bool>,
    pub logits: Array2<f32>,
}

impl CapNet {
    pub fn new(n: usize, t: f32, radius: f32) -> Self {
        Self {
            n,
            t,
            margin_radius: 0.5 * (1.0 + radius),
        }
    }

    pub fn workspace(&self, batch: usize) -> CapWorkspace {
        CapWorkspace {
            norms: vec![0.0; batch],
            cap_branch: vec![false; batch],
            logits: Array2::zeros((batch, 1)),
        }
    }

    /// logit = max(x_1 - t ||x||, ||x|| - m): positive exactly on the
    /// "outer" region described above.
    pub fn forward(&self, x: ArrayView2<'_, f32>, ws: &mut CapWorkspace) {
        for (i, row) in x.rows().into_iter().enumerate() {
            let norm = row.dot(&row).sqrt();
            let cap = row[0] - self.t * norm;
            let radial = norm - self.margin_radius;
            ws.norms[i] = norm;
            ws.cap_branch[i] = cap >= radial;
            ws.logits[[i, 0]] = cap.max(radial);
        }
    }

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
            let norm = ws.norms[i].max(f32::MIN_POSITIVE);
            // d||x||/dx = x / ||x||.
            let radial_coef = if ws.cap_branch[i] { -self.t } else { 1.0 };
            for (j, (o, v)) in out.iter_mut().zip(row.iter()).enumerate() {
                let e1 = if j == 0 && ws.cap_branch[i] { 1.0 } else { 0.0 };
                *o = dy * (e1 + radial_coef * v / norm);
            }
        }
    }
}
