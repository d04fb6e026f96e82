//! Models with closed-form error sets.

use rand::RngExt;

use crate::nn::Model;
use crate::rng::{Stream, rng_for};

/// Outer radius for cap models used in off-manifold attacks: far enough
/// that outer points are clearly apart from the boundary.
pub const FAR: f32 = 2.0;

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

/// Euclidean distance from a point of norm `rho` whose first coordinate is
/// `rho * c1` to the decision boundary of `Model::cap(n, t, radius)`,
/// {y : y_1/|y| - t + K (|y| - 1) = 0}, K = 2 / (radius - 1). By symmetry
/// the nearest boundary point lies in the plane of the point and e_1, where
/// the boundary is the curve r(phi) = 1 + (t - cos phi) / K; the distance
/// is minimised over phi on a fine grid, then refined by golden section.
pub fn boundary_distance(c1: f64, rho: f64, t: f64, radius: f64) -> f64 {
    let k = 2.0 / (radius - 1.0);
    let phi0 = c1.clamp(-1.0, 1.0).acos();
    let dist = |phi: f64| {
        let r = (1.0 + (t - phi.cos()) / k).max(0.0);
        (r * r + rho * rho - 2.0 * r * rho * (phi - phi0).cos())
            .max(0.0)
            .sqrt()
    };
    let grid = 20_000;
    let step = std::f64::consts::PI / grid as f64;
    let best = (0..=grid)
        .map(|i| i as f64 * step)
        .min_by(|a, b| dist(*a).total_cmp(&dist(*b)))
        .unwrap_or(0.0);
    let (mut lo, mut hi) = (
        (best - step).max(0.0),
        (best + step).min(std::f64::consts::PI),
    );
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let (a, b) = (hi - g * (hi - lo), lo + g * (hi - lo));
        if dist(a) < dist(b) { hi = b } else { lo = a }
    }
    dist(0.5 * (lo + hi))
}
