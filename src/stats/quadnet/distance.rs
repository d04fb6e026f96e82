//! The exact d(E) of a quadratic net: the mean over given sphere points of
//! the exact distance to the nearest misclassified point of their sphere.
//!
//! The mean is a Monte Carlo estimate over the points (pass the attack's own
//! starting points to compare with it point for point); each distance in
//! it is exact. Points are projected onto the eigenbasis in fixed chunks,
//! in parallel when inside a rayon pool, and summed in their order, so the
//! numbers do not depend on the thread count.

use faer::Mat;
use ndarray::ArrayView2;
use rayon::prelude::*;

use super::super::error::{Result, StatsError, invalid};
use super::geometry::QuadGeometry;
use crate::data::Sphere;

const CHUNK: usize = 64;

/// d(E) over a set of sphere points.
#[derive(Debug, Clone, PartialEq)]
pub enum ExactDistance {
    /// The sphere has no misclassified point: d(E) does not exist. (The
    /// error set is a property of the sphere, so this holds for every
    /// point alike.)
    NoErrors { points: usize },
    /// Mean exact distance over `points` points, with its standard error
    /// (None for a single point); `inside` of them are misclassified
    /// themselves (distance 0, counted in the mean).
    Mean {
        mean: f64,
        std_error: Option<f64>,
        points: usize,
        inside: usize,
    },
}

impl QuadGeometry {
    /// The exact distance from each row of `points` (on `sphere`, relative
    /// tolerance 1e-4 on the radius) to the nearest error of that sphere;
    /// None when the sphere has no error.
    pub fn distances_to_errors(
        &self,
        sphere: Sphere,
        points: ArrayView2<'_, f32>,
    ) -> Result<Option<Vec<f64>>> {
        let (m, n) = points.dim();
        if m == 0 {
            return invalid("need at least one point");
        }
        for (i, row) in points.rows().into_iter().enumerate() {
            self.check_point(sphere, i, row.iter().map(|&v| v as f64))?;
        }
        let set = self.error_set(sphere);
        if set.is_empty() {
            return Ok(None);
        }
        let r = sphere.radius(self.radius());
        let starts: Vec<usize> = (0..m).step_by(CHUNK).collect();
        let chunks: Vec<Result<Vec<f64>>> = starts
            .par_iter()
            .map(|&start| {
                let rows = CHUNK.min(m - start);
                let x = Mat::<f64>::from_fn(rows, n, |i, j| points[[start + i, j]] as f64);
                let z = self.to_basis(&x);
                (0..rows)
                    .map(|i| {
                        let u: Vec<f64> = (0..n).map(|j| z[(i, j)]).collect();
                        let d = set.nearest(&u)?.distance().ok_or_else(|| {
                            StatsError::Invalid(format!("point {}: no error set", start + i))
                        })?;
                        Ok(r * d)
                    })
                    .collect()
            })
            .collect();
        let mut out = Vec::with_capacity(m);
        for chunk in chunks {
            out.extend(chunk?);
        }
        Ok(Some(out))
    }

    /// The exact d(E) of `sphere` averaged over `points`.
    pub fn mean_distance_to_errors(
        &self,
        sphere: Sphere,
        points: ArrayView2<'_, f32>,
    ) -> Result<ExactDistance> {
        let Some(d) = self.distances_to_errors(sphere, points)? else {
            return Ok(ExactDistance::NoErrors {
                points: points.nrows(),
            });
        };
        let m = d.len() as f64;
        let mean = d.iter().sum::<f64>() / m;
        let std_error = (d.len() > 1).then(|| {
            let var = d.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (m - 1.0);
            (var / m).sqrt()
        });
        Ok(ExactDistance::Mean {
            mean,
            std_error,
            points: d.len(),
            inside: d.iter().filter(|&&v| v == 0.0).count(),
        })
    }
}
