//! Where the exact geometry of a model enters the pipeline: for a
//! quadratic net, one eigendecomposition of W^T W per model version
//! (`stats::quadnet::QuadGeometry`), shared by the cheap step (alphas,
//! exact error rates, the closed-form worst case) and the slow cycle
//! (exact d(x, E) at the attack's own starts, which measures the attack's
//! bias on that model).
//!
//! Memory. The eigenbasis is n x n in f64 and the Gram matrix and the
//! solver's workspace as much again, about 24 n^2 bytes in all: 6 MB at
//! n = 500, 400 MB at `MAX_EXACT_N`. Above that the decomposition is not
//! attempted (n = 100000 would need 240 GB); such a net is measured like
//! any other model, and a note says why.

use std::sync::Arc;

use ndarray::ArrayView2;

use super::error::MeasureError;
use crate::data::Sphere;
use crate::nn::{Arch, Model};
use crate::stats::QuadAnalysis;
use crate::stats::quadnet::QuadGeometry;

/// Largest input dimension whose quadratic net is decomposed.
pub const MAX_EXACT_N: usize = 4096;

/// What is known of a model in closed form.
#[derive(Debug, Clone, Default)]
pub enum Geometry {
    /// Not a quadratic net.
    #[default]
    None,
    /// A quadratic net too wide for its eigendecomposition here.
    TooLarge { n: usize },
    /// A quadratic net's eigenbasis and error sets (shared, not copied:
    /// the cheap step and the slow cycle hold the same one).
    Quad(Arc<QuadGeometry>),
}

impl Geometry {
    /// The decomposition of `model` (outer radius `radius`), once.
    pub fn of(model: &Model, radius: f64) -> Result<Self, MeasureError> {
        let Arch::Quad(_) = &model.arch else {
            return Ok(Geometry::None);
        };
        let n = model.dim();
        if n > MAX_EXACT_N {
            return Ok(Geometry::TooLarge { n });
        }
        Ok(QuadGeometry::from_model(model, radius)?
            .map_or(Geometry::None, |g| Geometry::Quad(Arc::new(g))))
    }

    pub fn quad(&self) -> Option<&QuadGeometry> {
        match self {
            Geometry::Quad(g) => Some(g),
            _ => None,
        }
    }

    /// Alphas, exact rates and worst-case losses from the decomposition's
    /// eigenvalues (no second decomposition).
    pub fn analysis(&self) -> Result<Option<QuadAnalysis>, MeasureError> {
        Ok(self.quad().map(|g| g.analysis()).transpose()?)
    }

    /// Why a quadratic net has no exact numbers, where that is so.
    pub fn note(&self) -> Option<String> {
        let Geometry::TooLarge { n } = self else {
            return None;
        };
        let gb = 24.0 * (*n as f64).powi(2) / 1e9;
        Some(format!(
            "quadratic net at n = {n}: its exact analysis needs an n x n eigendecomposition (about {gb:.1} GB), which is not attempted above n = {MAX_EXACT_N}; rates are sampled and d(E) has no exact reference"
        ))
    }
}

/// Exact d(x, E) for each row of `starts` (points of `sphere`), when the
/// error set is known in closed form; None otherwise, and None when the
/// sphere has no error at all.
pub fn exact_distances(
    geometry: &Geometry,
    sphere: Sphere,
    starts: ArrayView2<'_, f32>,
) -> Result<Option<Vec<f64>>, MeasureError> {
    let Some(g) = geometry.quad() else {
        return Ok(None);
    };
    Ok(g.distances_to_errors(sphere, starts)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::Cancel;
    use crate::measure::pipeline::{Settings, measure};

    /// A CI-sized quadratic net trained here in about a second: n = 50,
    /// h = 100, 1000 steps of batch 50 at lr 3e-3, which leaves error rates
    /// of about 1e-1 (inner) and 1e-2 (outer). The attack's bias grows as
    /// the errors get farther (about +1% at these rates, +2.4% at 5e-5,
    /// +3-5% at 1e-6..1e-8 on nets of this size): the report measures it on
    /// every trained quadratic net of a sweep.
    fn trained_quad() -> (Model, Settings) {
        let mut c = crate::config::preset("quad-paper").unwrap().config;
        c.data.n = 50;
        c.model.hidden = 100;
        c.train.lr = 3e-3;
        c.steps = 1000;
        c.eval.samples = 50_000;
        c.attack.starts = 100;
        c.train.threads = 1;
        let mut t = crate::train::Trainer::new(c.clone(), "quad-test");
        while t.step < c.steps {
            assert!(t.step().is_finite());
        }
        let settings = Settings {
            worst_starts: 0,
            robust_points: 0,
            ..Settings::from_config(&c)
        };
        (t.model, settings)
    }

    #[test]
    fn the_attack_comes_within_three_percent_of_the_exact_d_e_on_a_trained_net() {
        let (model, s) = trained_quad();
        let m = measure(&model, &s, 2, &Cancel::never()).unwrap();
        let geometry = Geometry::of(&model, s.radius).unwrap();
        for sphere in Sphere::BOTH {
            let d = m.distance(sphere).expect("both spheres have errors");
            let n = &d.nearest;
            let exact = d.exact_mean.expect("a quadratic net has exact distances");
            let bias = d.bias().unwrap();
            assert!(n.found * 100 >= 95 * n.starts, "{}/{}", n.found, n.starts);
            assert!(bias.abs() <= 0.03, "{}: bias {bias}", sphere.name());
            assert!(d.exact_se.unwrap() > 0.0 && d.exact_se.unwrap() < exact);
            // Start by start the attack's value bounds the exact distance
            // from above, to the bisection's resolution and f32 rounding.
            let starts = crate::attack::Starts {
                seed: s.seed,
                sphere,
                outer_radius: s.radius,
                count: s.starts,
            };
            let each = exact_distances(&geometry, sphere, starts.points(s.n).view())
                .unwrap()
                .unwrap();
            for (i, (a, e)) in n.distances.iter().zip(&each).enumerate() {
                assert!(*a >= e - d.resolution - 1e-5, "start {i}: {a} < exact {e}");
            }
            let mean = each.iter().sum::<f64>() / each.len() as f64;
            assert!((mean - exact).abs() < 1e-12);
        }
        // The alphas came from the same decomposition as the distances.
        let q = m.quad.as_ref().unwrap();
        assert!(q.exact_worst_loss_inner.is_some() && q.bad().unwrap() > 0);
    }

    #[test]
    fn other_models_and_wide_nets_have_no_exact_geometry() {
        let cap = Model::cap(10, 0.5, 1.3);
        assert!(matches!(Geometry::of(&cap, 1.3).unwrap(), Geometry::None));
        let x = ndarray::Array2::<f32>::zeros((1, 10));
        assert_eq!(
            exact_distances(&Geometry::None, Sphere::Inner, x.view()).unwrap(),
            None
        );
        let wide = Geometry::TooLarge { n: 100_000 };
        assert!(wide.analysis().unwrap().is_none());
        let note = wide.note().unwrap();
        assert!(note.contains("240.0 GB") && note.contains("4096"), "{note}");
    }
}
