//! The eigendecomposition of a quadratic net, computed once, and in its
//! basis the error set of each sphere.
//!
//! With w W^T W = V diag(d) V^T (V's columns orthonormal eigenvectors) and
//! u = V^T x / r for a point x of radius r:
//!
//! * inner (r = 1): wrong iff y > 0 iff sum (d_i + b) u_i^2 > 0, using
//!   |u| = 1;
//! * outer (r = R): wrong iff y <= 0 iff sum -(R^2 d_i + b) u_i^2 >= 0.
//!
//! So each sphere's error set is {u : sum c_i u_i^2 > 0} (with the ties on
//! the outer sphere) for one coefficient vector c, in every sign regime of
//! w and b with no special case. For b < 0 these are the paper's
//! alpha_i - 1 and R^2 alpha_i - 1 up to the positive factor -b.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};
use ndarray::{ArrayView1, ArrayView2};

use super::super::error::{Result, StatsError, invalid};
use super::analysis::{QuadAnalysis, from_eigenvalues};
use super::params::{check_parameters, check_radius, flatten, gram, scaled_eigenvalues};
use super::secular::{ErrorSet, Nearest};
use super::worst_case::WorstCaseLoss;
use crate::data::Sphere;

/// A quadratic net's eigenbasis (n x n, f64) and both spheres' error sets
/// in it. Large (8 n^2 bytes): built once per model and kept apart from
/// the small `QuadAnalysis` that is logged.
#[derive(Debug, Clone)]
pub struct QuadGeometry {
    radius: f64,
    b: f64,
    /// w times the eigenvalues of W^T W (clamped at 0), in the order of
    /// `basis`'s columns.
    d: Vec<f64>,
    /// Orthonormal eigenvectors of W^T W, one per column.
    basis: Mat<f64>,
    inner: ErrorSet,
    outer: ErrorSet,
}

impl QuadGeometry {
    /// From W (h x n, any layout), the outer scalars w and b and the outer
    /// radius R: one self-adjoint eigendecomposition of W^T W in f64.
    pub fn new(weights: ArrayView2<'_, f32>, w: f64, b: f64, radius: f64) -> Result<Self> {
        check_radius(radius)?;
        let (h, n) = weights.dim();
        let flat = flatten(weights);
        check_parameters(&flat, h, n, w, b)?;
        let eig = gram(&flat, h, n)
            .self_adjoint_eigen(Side::Lower)
            .map_err(|e| StatsError::NoConvergence(format!("eigenvectors of W^T W: {e:?}")))?;
        let s = eig.S().column_vector();
        let d = scaled_eigenvalues(w, (0..n).map(|i| s[i]));
        let basis = eig.U().to_owned();
        let r2 = radius * radius;
        let inner: Vec<f64> = d.iter().map(|d| d + b).collect();
        let outer: Vec<f64> = d.iter().map(|d| -(r2 * d + b)).collect();
        Ok(QuadGeometry {
            radius,
            b,
            inner: ErrorSet::new(&inner, false)?,
            outer: ErrorSet::new(&outer, true)?,
            d,
            basis,
        })
    }

    /// The geometry of `model` when it is a quadratic net (None otherwise).
    pub fn from_model(model: &crate::nn::Model, radius: f64) -> Result<Option<Self>> {
        let crate::nn::Arch::Quad(net) = &model.arch else {
            return Ok(None);
        };
        let p = &model.params;
        let (w, b) = (net.w.slice(p)[0] as f64, net.b.slice(p)[0] as f64);
        QuadGeometry::new(net.weight.view(p), w, b, radius).map(Some)
    }

    /// Input dimension n.
    pub fn dim(&self) -> usize {
        self.d.len()
    }

    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// w times the eigenvalues of W^T W, in the basis' order.
    pub fn eigenvalues(&self) -> &[f64] {
        &self.d
    }

    pub fn error_set(&self, sphere: Sphere) -> &ErrorSet {
        match sphere {
            Sphere::Inner => &self.inner,
            Sphere::Outer => &self.outer,
        }
    }

    /// The error rates, alphas and worst-case losses from this
    /// decomposition's eigenvalues.
    pub fn analysis(&self) -> Result<QuadAnalysis> {
        from_eigenvalues(&self.d, self.b, self.radius)
    }

    pub fn worst_case(&self) -> WorstCaseLoss {
        WorstCaseLoss::from_eigenvalues(&self.d, self.b, self.radius)
    }

    /// V^T x for the rows of `x` (m x n): coordinates in the eigenbasis.
    pub(super) fn to_basis(&self, x: &Mat<f64>) -> Mat<f64> {
        let mut z = Mat::<f64>::zeros(x.nrows(), self.dim());
        matmul(
            z.as_mut(),
            Accum::Replace,
            x.as_ref(),
            self.basis.as_ref(),
            1.0,
            Par::Seq,
        );
        z
    }

    fn input_coordinates(&self, v: &[f64], scale: f64) -> Vec<f64> {
        let n = self.dim();
        (0..n)
            .map(|i| scale * (0..n).map(|j| self.basis[(i, j)] * v[j]).sum::<f64>())
            .collect()
    }

    /// The point of `sphere` nearest to `x` that the net misclassifies, in
    /// input coordinates, with its Euclidean distance. `x` must lie on the
    /// sphere (relative tolerance 1e-4); its direction is used, on the
    /// sphere's nominal radius.
    pub fn nearest_error(&self, sphere: Sphere, x: ArrayView1<'_, f32>) -> Result<Nearest> {
        let r = sphere.radius(self.radius);
        self.check_point(sphere, 0, x.iter().map(|&v| v as f64))?;
        let row = Mat::<f64>::from_fn(1, x.len(), |_, j| x[j] as f64);
        let z = self.to_basis(&row);
        let u: Vec<f64> = (0..self.dim()).map(|j| z[(0, j)]).collect();
        Ok(match self.error_set(sphere).nearest(&u)? {
            Nearest::At { point, distance } => Nearest::At {
                point: self.input_coordinates(&point, r),
                distance: r * distance,
            },
            other => other,
        })
    }

    /// Refuses point `index` unless it has n finite coordinates and lies on
    /// `sphere`.
    pub(super) fn check_point(
        &self,
        sphere: Sphere,
        index: usize,
        x: impl ExactSizeIterator<Item = f64>,
    ) -> Result<()> {
        if x.len() != self.dim() {
            return invalid(format!(
                "point {index} has {} coordinates, the net takes {}",
                x.len(),
                self.dim()
            ));
        }
        let norm2: f64 = x.map(|v| v * v).sum();
        let (norm, r) = (norm2.sqrt(), sphere.radius(self.radius));
        if !norm.is_finite() {
            return invalid(format!("point {index} has a non-finite coordinate"));
        }
        if (norm - r).abs() > 1e-4 * r {
            return invalid(format!(
                "point {index} has norm {norm}, not on the {} sphere of radius {r}",
                sphere.name()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::analysis::analyse;
    use super::*;
    use crate::rng::{Stream, rng_for};
    use rand_distr::{Distribution, StandardNormal};

    fn random_w(h: usize, n: usize, seed: u64) -> Vec<f32> {
        let mut rng = rng_for(seed, Stream::Init, 0);
        (0..h * n)
            .map(|_| StandardNormal.sample(&mut rng))
            .map(|v: f64| (v / (h as f64).sqrt()) as f32)
            .collect()
    }

    #[test]
    fn decomposition_reconstructs_w_transpose_w_and_matches_the_analysis() {
        let (h, n, w, b) = (9, 6, 1.5, -1.2);
        let wm = random_w(h, n, 4);
        let view = ArrayView2::from_shape((h, n), &wm).unwrap();
        let g = QuadGeometry::new(view, w, b, 1.3).unwrap();
        // w W^T W = V diag(d) V^T, entry by entry.
        for i in 0..n {
            for j in 0..n {
                let want: f64 = w
                    * (0..h)
                        .map(|k| wm[k * n + i] as f64 * wm[k * n + j] as f64)
                        .sum::<f64>();
                let got: f64 = (0..n)
                    .map(|k| g.basis[(i, k)] * g.d[k] * g.basis[(j, k)])
                    .sum();
                assert!((got - want).abs() < 1e-13, "({i}, {j}): {got} vs {want}");
            }
        }
        let a = analyse(&wm, h, n, w, b, 1.3).unwrap();
        let from_geometry = g.analysis().unwrap();
        for (x, y) in a.alphas.iter().zip(&from_geometry.alphas) {
            assert!((x - y).abs() < 1e-13);
        }
        assert!((a.inner_exact - from_geometry.inner_exact).abs() < 1e-12);
        assert_eq!(g.worst_case(), from_geometry.worst_loss.unwrap());
    }

    #[test]
    fn nearest_errors_are_misclassified_by_the_net_itself() {
        // Every sign regime: the returned point, in input coordinates, is on
        // the sphere, at the returned distance, and y(point) is on the
        // wrong side (to rounding).
        let (h, n, r) = (7, 5, 1.3);
        let wm = random_w(h, n, 8);
        let view = ArrayView2::from_shape((h, n), &wm).unwrap();
        let y = |w: f64, b: f64, x: &[f64]| -> f64 {
            w * (0..h)
                .map(|i| {
                    (0..n)
                        .map(|j| wm[i * n + j] as f64 * x[j])
                        .sum::<f64>()
                        .powi(2)
                })
                .sum::<f64>()
                + b
        };
        let mut seen = 0;
        for (w, b) in [
            (1.0, -1.0),
            (1.0, 0.8),
            (-1.0, 1.2),
            (1.0, 0.0),
            (-0.5, -0.1),
        ] {
            let g = QuadGeometry::new(view, w, b, r).unwrap();
            for sphere in Sphere::BOTH {
                let rad = sphere.radius(r);
                for k in 0..20 {
                    let mut rng = rng_for(k, Stream::Eval, 0);
                    let g0: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
                    let norm = g0.iter().map(|v| v * v).sum::<f64>().sqrt();
                    let x: Vec<f32> = g0.iter().map(|v| (rad * v / norm) as f32).collect();
                    let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
                    match g.nearest_error(sphere, ArrayView1::from(&x)).unwrap() {
                        Nearest::At { point, distance } => {
                            seen += 1;
                            let pn = point.iter().map(|v| v * v).sum::<f64>().sqrt();
                            assert!((pn - rad).abs() < 1e-12);
                            let xn = xd.iter().map(|v| v * v).sum::<f64>().sqrt();
                            let dist: f64 = point
                                .iter()
                                .zip(&xd)
                                .map(|(p, x)| (p - x * rad / xn).powi(2))
                                .sum::<f64>()
                                .sqrt();
                            assert!((dist - distance).abs() < 1e-12);
                            let yp = y(w, b, &point);
                            let tol = 1e-12 * (1.0 + b.abs() + w.abs());
                            match sphere {
                                Sphere::Inner => assert!(yp > -tol, "{w} {b}: y = {yp}"),
                                Sphere::Outer => assert!(yp < tol, "{w} {b}: y = {yp}"),
                            }
                            // ... and x itself is not.
                            let yx = y(w, b, &xd);
                            assert!(match sphere {
                                Sphere::Inner => yx <= 0.0,
                                Sphere::Outer => yx > 0.0,
                            });
                        }
                        Nearest::Inside => {
                            let yx = y(w, b, &xd);
                            assert!(match sphere {
                                Sphere::Inner => yx > -1e-6,
                                Sphere::Outer => yx < 1e-6,
                            });
                        }
                        Nearest::Empty => {}
                    }
                }
            }
        }
        assert!(seen >= 30, "only {seen} points outside E");
    }

    #[test]
    fn bad_points_name_the_problem() {
        let wm = random_w(3, 3, 1);
        let g = QuadGeometry::new(ArrayView2::from_shape((3, 3), &wm).unwrap(), 1.0, -1.0, 1.3)
            .unwrap();
        let off = [1.3f32, 0.0, 0.0];
        let e = g
            .nearest_error(Sphere::Inner, ArrayView1::from(&off))
            .unwrap_err();
        assert!(e.to_string().contains("not on the inner sphere"), "{e}");
        let short = [1.0f32, 0.0];
        let e = g
            .nearest_error(Sphere::Inner, ArrayView1::from(&short))
            .unwrap_err();
        assert!(e.to_string().contains("2 coordinates"), "{e}");
        let nan = [f32::NAN, 0.0, 0.0];
        assert!(
            g.nearest_error(Sphere::Outer, ArrayView1::from(&nan))
                .is_err()
        );
        assert!(
            QuadGeometry::new(ArrayView2::from_shape((3, 3), &wm).unwrap(), 1.0, -1.0, 0.9)
                .is_err()
        );
    }
}
