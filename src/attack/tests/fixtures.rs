//! Models with closed-form error sets.

use rand::RngExt;

use crate::nn::Model;
use crate::rng::{Stream, rng_for};

/// Outer radius for cap models used in attacks: with m = (1 + R) / 2 = 3 the
/// cap branch of the logit wins everywhere on the inner sphere, so every
/// gradient points along the sphere toward the cap and the attack's path is
/// the geodesic to it.
pub const FAR: f32 = 5.0;

/// A quadratic net with every alpha inside [1/R^2, 1] for R = 1.3: it makes
/// no error on either sphere.
pub fn perfect_quad(n: usize) -> Model {
    let mut rng = rng_for(11, Stream::Init, 0);
    let alphas: Vec<f64> = (0..n).map(|_| rng.random_range(0.7..0.95)).collect();
    Model::quad_with_alphas(&alphas, n, &mut rng)
}

/// Euclidean distance from unit `x` (first coordinate `x1`) to the cap
/// {x_1 > t} along the sphere: 2 sin((theta - theta0)+ / 2).
pub fn cap_distance(x1: f64, t: f64) -> f64 {
    let d = (x1.clamp(-1.0, 1.0).acos() - t.acos()).max(0.0);
    2.0 * (0.5 * d).sin()
}

/// Euclidean distance from unit `x` to the cone {y_1 > t |y|} in R^n.
pub fn cone_distance(x1: f64, t: f64) -> f64 {
    let d = (x1.clamp(-1.0, 1.0).acos() - t.acos()).max(0.0);
    if d >= std::f64::consts::FRAC_PI_2 {
        1.0
    } else {
        d.sin()
    }
}
