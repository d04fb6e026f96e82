//! Where exact per-point distances to the error set enter the pipeline.
//!
//! For a quadratic net, d(x, E) is known exactly (the nearest point of an
//! ellipsoid's intersection with the sphere, by a secular equation). With
//! it, a reading carries the exact mean over the same starts beside the
//! attack's upper estimate, which measures the attack's bias on that model.
//! No such solver is part of this build: `exact_distances` gives None, and
//! the exact geometry plugs in here, and only here.

use ndarray::ArrayView2;

use crate::data::Sphere;
use crate::nn::Model;

/// Exact d(x, E) for each row of `starts` (points of `sphere`, outer radius
/// `radius`), when the model's error set is known in closed form.
pub fn exact_distances(
    _model: &Model,
    _sphere: Sphere,
    _radius: f64,
    _starts: ArrayView2<'_, f32>,
) -> Option<Vec<f64>> {
    None
}
