//! Geometry on a sphere centred at the origin, in f64 accumulators so that
//! thousands of renormalised steps do not drift.

/// A tangent gradient smaller than this fraction of the full gradient is
/// rounding noise of a purely radial one: there is no direction to move in
/// along the sphere.
pub(crate) const STUCK: f64 = 1e-5;

pub(crate) fn norm(v: &[f32]) -> f64 {
    v.iter()
        .map(|&a| (a as f64) * (a as f64))
        .sum::<f64>()
        .sqrt()
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&p, &q)| p as f64 * q as f64).sum()
}

pub(crate) fn distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&p, &q)| (p as f64 - q as f64).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Removes from `g` its component along `x`, leaving the tangent part.
pub(crate) fn project_tangent(g: &mut [f32], x: &[f32]) {
    let xx = dot(x, x);
    if xx > 0.0 {
        let k = (dot(g, x) / xx) as f32;
        g.iter_mut().zip(x).for_each(|(a, &b)| *a -= k * b);
    }
}

/// Scales `x` to norm `radius` (no-op for the zero vector).
pub(crate) fn rescale(x: &mut [f32], radius: f64) {
    let n = norm(x);
    if n > 0.0 {
        let k = (radius / n) as f32;
        x.iter_mut().for_each(|a| *a *= k);
    }
}

/// The point at fraction `lambda` of the arc from `a` to `b` (both of norm
/// `radius`), by normalised linear interpolation: not uniform in arc length,
/// but it stays on the short great-circle arc, which is all bisection needs.
pub(crate) fn arc_point(a: &[f32], b: &[f32], lambda: f64, radius: f64, out: &mut [f32]) {
    let l = lambda as f32;
    out.iter_mut()
        .zip(a.iter().zip(b))
        .for_each(|(o, (&p, &q))| *o = (1.0 - l) * p + l * q);
    rescale(out, radius);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tangent_is_orthogonal_and_arc_stays_on_the_sphere() {
        let x = [3.0f32, 4.0, 0.0];
        let mut g = [1.0f32, 1.0, 1.0];
        project_tangent(&mut g, &x);
        assert!(dot(&g, &x).abs() < 1e-6);
        assert!((g[2] - 1.0).abs() < 1e-7);
        let a = [2.0f32, 0.0, 0.0];
        let b = [0.0f32, 2.0, 0.0];
        let mut m = [0.0f32; 3];
        arc_point(&a, &b, 0.5, 2.0, &mut m);
        assert!((norm(&m) - 2.0).abs() < 1e-6);
        assert!((m[0] - m[1]).abs() < 1e-6 && m[2] == 0.0);
        assert!((distance(&a, &b) - 8f64.sqrt()).abs() < 1e-9);
    }
}
