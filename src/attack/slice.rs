//! 2-D decision slices. `DecisionSlice` carries no centre: every slice is a
//! plane through the origin, so the inner sphere, the outer sphere and the
//! max-margin sphere cut it in concentric circles of radius 1, R and
//! (1 + R) / 2 about the grid's origin, and the UI can draw them from R.
//!
//! The plane always contains a unit vector u on the inner sphere:
//! - random/random: u = a random inner point x, v random, orthogonal to x;
//! - random/adversarial: u = x, v = the attack's direction at x (tangent
//!   part of the loss gradient), so the plane holds the great circle the
//!   manifold attack starts along;
//! - adversarial/adversarial: u = that direction, v = the attack's direction
//!   after `steps` manifold steps, orthonormalised against u.

use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::error::AttackError;
use super::manifold::{ManifoldParams, Mode, manifold_attack};
use super::pool;
use super::probe::{Probe, ascent_sign};
use super::sphere::{STUCK, dot, norm, project_tangent, rescale};
use crate::data::fill_direction;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SliceKind {
    #[serde(rename = "random/random")]
    RandomRandom,
    #[serde(rename = "random/adversarial")]
    RandomAdversarial,
    #[serde(rename = "adversarial/adversarial")]
    AdversarialAdversarial,
}

/// A 2-D slice of input space through a sphere point: `inner[r][c]` is true
/// where the model says "inner" at `u * xs[c] + v * ys[r]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecisionSlice {
    /// Logged as `plane`: a record's `kind` names the record.
    #[serde(rename = "plane")]
    pub kind: SliceKind,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Logged as one string per row, `#` for inner and `.` for outer: a
    /// tenth of the size of JSON booleans.
    #[serde(with = "bool_rows")]
    pub inner: Vec<Vec<bool>>,
    /// The outer sphere's radius R; the spheres' and the max-margin
    /// circle's radii in the plane follow from it.
    pub radius: f64,
}

mod bool_rows {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(rows: &[Vec<bool>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(rows.iter().map(|r| {
            r.iter()
                .map(|&b| if b { '#' } else { '.' })
                .collect::<String>()
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<bool>>, D::Error> {
        let rows = Vec::<String>::deserialize(d)?;
        rows.iter()
            .map(|r| {
                r.chars()
                    .map(|c| match c {
                        '#' => Ok(true),
                        '.' => Ok(false),
                        other => Err(serde::de::Error::custom(format!(
                            "slice cell {other:?} is neither '#' nor '.'"
                        ))),
                    })
                    .collect()
            })
            .collect()
    }
}

impl SliceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SliceKind::RandomRandom => "random/random",
            SliceKind::RandomAdversarial => "random/adversarial",
            SliceKind::AdversarialAdversarial => "adversarial/adversarial",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliceParams {
    /// Grid points per axis.
    pub grid: usize,
    /// Outer sphere radius R; the grid spans [-1.1 R, 1.1 R].
    pub radius: f32,
    /// Manifold steps between the two adversarial directions.
    pub steps: usize,
}

impl Default for SliceParams {
    fn default() -> Self {
        Self {
            grid: 41,
            radius: 1.3,
            steps: 20,
        }
    }
}

const CHUNK: usize = 256;

/// Slice number `index` of kind `kind` under `seed` (`Stream::Slice`).
pub fn decision_slice(
    model: &Model,
    seed: u64,
    index: u64,
    kind: SliceKind,
    params: &SliceParams,
    threads: usize,
) -> Result<DecisionSlice, AttackError> {
    if !((2..=1001).contains(&params.grid) && params.radius.is_finite() && params.radius > 1.0) {
        return Err(AttackError::Param(format!(
            "grid {} must be in 2..=1001 and radius {} above 1",
            params.grid, params.radius
        )));
    }
    if !model.is_finite() {
        return Err(AttackError::NonFiniteModel);
    }
    let n = model.dim();
    if n < 2 {
        return Err(AttackError::Param("slices need dimension >= 2".into()));
    }
    let mut rng = rng_for(seed, Stream::Slice, index);
    let mut x = vec![0.0f32; n];
    fill_direction(&mut rng, &mut x);
    let mut random = vec![0.0f32; n];
    fill_direction(&mut rng, &mut random);
    let (u, v) = match kind {
        SliceKind::RandomRandom => (x.clone(), random),
        SliceKind::RandomAdversarial => (x.clone(), attack_direction(model, &x)?),
        SliceKind::AdversarialAdversarial => {
            let first = attack_direction(model, &x)?;
            let params = ManifoldParams {
                mode: Mode::WorstCase,
                max_steps: params.steps.max(1),
                ..ManifoldParams::default()
            };
            let start = Array2::from_shape_vec((1, n), x.clone()).expect("shape");
            let moved = manifold_attack(model, start.view(), &[0.0], &params, 1)?;
            (first, attack_direction(model, &moved[0].end)?)
        }
    };
    let v = orthonormal_to(&u, v)?;
    let g = params.grid;
    let s = 1.1 * params.radius as f64;
    let axis: Vec<f64> = (0..g)
        .map(|i| -s + 2.0 * s * i as f64 / (g - 1) as f64)
        .collect();
    let points: Vec<(usize, usize)> = (0..g).flat_map(|r| (0..g).map(move |c| (r, c))).collect();
    let (u, v) = (Array1::from(u), Array1::from(v));
    let says_inner: Vec<bool> = pool::install(threads, || {
        points
            .par_chunks(CHUNK)
            .flat_map_iter(|chunk| {
                let mut batch = Array2::zeros((chunk.len(), n));
                for (mut row, &(r, c)) in batch.rows_mut().into_iter().zip(chunk) {
                    row.assign(&(&u * axis[c] as f32 + &v * axis[r] as f32));
                }
                let mut probe = Probe::new(model, chunk.len());
                let inner: Vec<bool> = probe
                    .forward(model, batch.view())
                    .iter()
                    .map(|&z| z <= 0.0)
                    .collect();
                inner.into_iter()
            })
            .collect()
    });
    Ok(DecisionSlice {
        kind,
        xs: axis.clone(),
        ys: axis,
        inner: says_inner.chunks(g).map(|r| r.to_vec()).collect(),
        radius: params.radius as f64,
    })
}

/// Unit tangent direction in which the loss of an inner point at `x` grows.
fn attack_direction(model: &Model, x: &[f32]) -> Result<Vec<f32>, AttackError> {
    let n = x.len();
    let xa = Array2::from_shape_vec((1, n), x.to_vec()).expect("shape");
    let mut probe = Probe::new(model, 1);
    probe.forward(model, xa.view());
    probe.backward(model, xa.view(), &[ascent_sign(0.0)]);
    let mut g = probe.dx.row(0).to_vec();
    let full = norm(&g);
    project_tangent(&mut g, x);
    let gn = norm(&g);
    if !(gn.is_finite() && gn > STUCK * full && gn > 0.0) {
        return Err(AttackError::Param(
            "the loss has no tangent gradient at this point".into(),
        ));
    }
    rescale(&mut g, 1.0);
    Ok(g)
}

/// `v` minus its component along unit `u`, normalised.
fn orthonormal_to(u: &[f32], mut v: Vec<f32>) -> Result<Vec<f32>, AttackError> {
    let k = dot(&v, u) as f32;
    v.iter_mut().zip(u).for_each(|(a, &b)| *a -= k * b);
    let vn = norm(&v);
    if !(vn.is_finite() && vn > 1e-6) {
        return Err(AttackError::Param(
            "the two slice directions are parallel".into(),
        ));
    }
    rescale(&mut v, 1.0);
    Ok(v)
}
