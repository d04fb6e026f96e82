//! The nearest point of a quadric error set on the unit sphere.
//!
//! In the eigenbasis of w W^T W a quadratic net's error set on either
//! sphere is E = {u : |u| = 1, sum c_i u_i^2 > 0} (`geometry` gives c). The
//! point of E nearest to a unit vector u outside E maximises u.v over the
//! boundary; by Lagrange v_i ~ u_i / (1 - t c_i), where t solves
//! f(t) = sum c_i u_i^2 / (1 - t c_i)^2 = 0 on [0, 1/c_max). There f
//! increases from f(0) = sum c_i u_i^2 < 0, so the root is unique.
//!
//! Method. With delta = 1/t - c_max > 0 and gap_i = c_max - c_i >= 0 the
//! factors are 1/(1 - t c_i) = (c_max + delta)/(delta + gap_i), which never
//! subtract nearly equal numbers however close t comes to 1/c_max (where a
//! small component of u on the top eigenvectors drives it). F(delta) =
//! f(t(delta)) decreases in delta, and the root spans hundreds of decades
//! (from near-hard cases to points next to E), so it is solved in
//! s = ln delta: Newton's method inside a bracket that is bisected whenever
//! a step leaves it, to relative precision 1e-14 in delta. The lower end of
//! the bracket comes from the top term alone (F exceeds
//! c_max^3 |u_T|^2 / delta^2 minus the sum of |c_i| u_i^2 over c_i < 0),
//! the upper end from the expansion F ~ F(inf) + 2 sum c_i^2 u_i^2 / delta,
//! doubled until F < 0. The nearest point is then
//! v = p / |p| with p_i = u_i (c_max + delta)/(delta + gap_i), and the
//! distance |u - v| is formed from the difference, not from 2 - 2 u.v.
//!
//! The hard case: when u has no component on the eigenvectors of c_max and
//! F(0) = sum_{c_i < c_max} c_i (u_i c_max / gap_i)^2 <= 0 there is no root:
//! t = 1/c_max, and v gains the component along that eigenspace that brings
//! sum c_i v_i^2 up to 0 (along u's own top component if it has a tiny one,
//! else along the first top eigenvector: every direction there is as near).
//!
//! On the outer sphere the points where sum c_i u_i^2 = 0 are errors too
//! (y = 0 counts as "inner"). That only matters when c_max = 0, where E
//! shrinks to the unit vectors of the null space of c and the nearest one
//! is u's normalised projection there.

use super::super::error::{Result, StatsError, invalid};

/// Below this delta (c scaled to max |c_i| = 1) the root is taken as the
/// hard-case limit delta = 0; the point then differs by about 1e-300.
const DELTA_FLOOR: f64 = 1e-300;
/// Above this delta the point is u itself to within 1e-300.
const DELTA_CEILING: f64 = 1e300;
const MAX_ITERATIONS: usize = 400;

/// The error set {u : |u| = 1, sum c_i u_i^2 > 0} of one sphere, in the
/// eigenbasis; with `ties`, the points where the sum is 0 belong to it too.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorSet {
    /// c / max |c_i|: the same set, and every scale below is absolute.
    c: Vec<f64>,
    c_max: f64,
    /// Indices with c_i = c_max.
    top: Vec<usize>,
    ties: bool,
}

/// Where the nearest error of a point is.
#[derive(Debug, Clone, PartialEq)]
pub enum Nearest {
    /// The error set is empty: no point of this sphere is misclassified.
    Empty,
    /// The point lies in the error set or on its boundary: distance 0.
    Inside,
    /// The nearest point of the error set (of its closure when the set is
    /// open) and its Euclidean distance.
    At { point: Vec<f64>, distance: f64 },
}

impl Nearest {
    /// The distance, None when there is no error to be near.
    pub fn distance(&self) -> Option<f64> {
        match self {
            Nearest::Empty => None,
            Nearest::Inside => Some(0.0),
            Nearest::At { distance, .. } => Some(*distance),
        }
    }
}

impl ErrorSet {
    /// The set for coefficients `c` (finite, at least one).
    pub fn new(c: &[f64], ties: bool) -> Result<Self> {
        if c.is_empty() {
            return invalid("an error set needs at least one coefficient");
        }
        if let Some((i, v)) = c.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return invalid(format!("error-set coefficient {i} is not finite: {v}"));
        }
        let scale = c.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let c: Vec<f64> = if scale > 0.0 {
            c.iter().map(|v| v / scale).collect()
        } else {
            c.to_vec()
        };
        let c_max = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let top = (0..c.len()).filter(|&i| c[i] == c_max).collect();
        Ok(ErrorSet {
            c,
            c_max,
            top,
            ties,
        })
    }

    pub fn dim(&self) -> usize {
        self.c.len()
    }

    /// True when no point of the sphere is an error.
    pub fn is_empty(&self) -> bool {
        self.c_max < 0.0 || (self.c_max == 0.0 && !self.ties)
    }

    fn form(&self, u: &[f64]) -> f64 {
        self.c.iter().zip(u).map(|(c, u)| c * u * u).sum()
    }

    /// Whether the direction of `u` is an error.
    pub fn contains(&self, u: &[f64]) -> bool {
        let q = self.form(u);
        q > 0.0 || (self.ties && q == 0.0)
    }

    /// The error nearest to the unit vector in the direction of `u` (any
    /// finite non-zero vector of the set's dimension), on the unit sphere.
    pub fn nearest(&self, u: &[f64]) -> Result<Nearest> {
        if u.len() != self.c.len() {
            return invalid(format!(
                "point has {} coordinates, the error set {}",
                u.len(),
                self.c.len()
            ));
        }
        let norm = u.iter().map(|v| v * v).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return invalid(format!(
                "point must be a finite non-zero vector, its norm is {norm}"
            ));
        }
        let u: Vec<f64> = u.iter().map(|v| v / norm).collect();
        if self.is_empty() {
            return Ok(Nearest::Empty);
        }
        let q = self.form(&u);
        if q >= 0.0 {
            return Ok(Nearest::Inside);
        }
        let v = if self.c_max == 0.0 {
            self.null_space_point(&u)
        } else {
            self.boundary_point(&u, q)?
        };
        let distance = u
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        Ok(Nearest::At { point: v, distance })
    }

    /// c_max = 0 with ties: E is the unit sphere of the null space of c.
    fn null_space_point(&self, u: &[f64]) -> Vec<f64> {
        let mut p = vec![0.0; u.len()];
        for &i in &self.top {
            p[i] = u[i];
        }
        if p.iter().all(|&v| v == 0.0) {
            p[self.top[0]] = 1.0;
        }
        normalised(p)
    }

    /// F(delta) and dF/d(ln delta) for delta > 0.
    fn secular(&self, u: &[f64], delta: f64) -> (f64, f64) {
        let k = self.c_max + delta;
        let (mut f, mut slope) = (0.0, 0.0);
        for (c, u) in self.c.iter().zip(u) {
            let g = delta + (self.c_max - c);
            let p = u / g * k;
            let cp2 = c * p * p;
            f += cp2;
            slope += c * cp2 / g;
        }
        (f, -2.0 * delta / k * slope)
    }

    fn point_at(&self, u: &[f64], delta: f64) -> Vec<f64> {
        let k = self.c_max + delta;
        let p = self
            .c
            .iter()
            .zip(u)
            .map(|(c, u)| u / (delta + (self.c_max - c)) * k)
            .collect();
        normalised(p)
    }

    /// The limit delta -> 0: components off the top eigenspace at t =
    /// 1/c_max, and along it whatever brings the form up to 0.
    fn hard_case_point(&self, u: &[f64]) -> Vec<f64> {
        let cm = self.c_max;
        let mut p: Vec<f64> = self
            .c
            .iter()
            .zip(u)
            .map(|(&c, &u)| if c == cm { 0.0 } else { u * cm / (cm - c) })
            .collect();
        let rest: f64 = self.c.iter().zip(&p).map(|(c, p)| c * p * p).sum();
        let size = (-rest / cm).max(0.0).sqrt();
        let top_norm = self.top.iter().map(|&i| u[i] * u[i]).sum::<f64>().sqrt();
        if top_norm > 0.0 {
            for &i in &self.top {
                p[i] = size * u[i] / top_norm;
            }
        } else {
            p[self.top[0]] = size;
        }
        normalised(p)
    }

    /// The nearest point of the boundary for u outside E, c_max > 0.
    fn boundary_point(&self, u: &[f64], q: f64) -> Result<Vec<f64>> {
        let cm = self.c_max;
        let top2: f64 = self.top.iter().map(|&i| u[i] * u[i]).sum();
        if top2 == 0.0 && self.hard_case_value(u) <= 0.0 {
            return Ok(self.hard_case_point(u));
        }
        let negative: f64 = self
            .c
            .iter()
            .zip(u)
            .filter(|(c, _)| **c < 0.0)
            .map(|(c, u)| -c * u * u)
            .sum();
        let lo = (cm.powf(1.5) * (top2 / negative).sqrt()).max(DELTA_FLOOR);
        if self.secular(u, lo).0 <= 0.0 {
            // The root lies below DELTA_FLOOR (lo is only that floor here).
            return Ok(self.hard_case_point(u));
        }
        let spread: f64 = self.c.iter().zip(u).map(|(c, u)| c * c * u * u).sum();
        let mut hi = (2.0 * lo)
            .max(1.0)
            .max(2.0 * spread / -q)
            .min(DELTA_CEILING);
        while self.secular(u, hi).0 >= 0.0 {
            if hi >= DELTA_CEILING {
                return Ok(self.point_at(u, hi));
            }
            hi = (2.0 * hi).min(DELTA_CEILING);
        }
        let (mut a, mut b) = (lo.ln(), hi.ln());
        let mut s = b;
        for _ in 0..MAX_ITERATIONS {
            let (f, slope) = self.secular(u, s.exp());
            if f == 0.0 {
                return Ok(self.point_at(u, s.exp()));
            }
            if f > 0.0 {
                a = s;
            } else {
                b = s;
            }
            let mut next = s - f / slope;
            if !(next > a && next < b) {
                next = 0.5 * (a + b);
            }
            let tol = 1e-14f64.max(4.0 * f64::EPSILON * next.abs());
            if (next - s).abs() <= tol || b - a <= tol {
                return Ok(self.point_at(u, next.exp()));
            }
            s = next;
        }
        Err(StatsError::NoConvergence(format!(
            "nearest error: secular equation in [{:e}, {:e}] after {MAX_ITERATIONS} steps",
            a.exp(),
            b.exp()
        )))
    }

    /// F(0) when u has no top component: the off-top sum at t = 1/c_max.
    fn hard_case_value(&self, u: &[f64]) -> f64 {
        let cm = self.c_max;
        self.c
            .iter()
            .zip(u)
            .filter(|(c, _)| **c != cm)
            .map(|(c, u)| {
                let p = u * cm / (cm - c);
                c * p * p
            })
            .sum()
    }
}

fn normalised(mut p: Vec<f64>) -> Vec<f64> {
    let norm = p.iter().map(|v| v * v).sum::<f64>().sqrt();
    p.iter_mut().for_each(|v| *v /= norm);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f64]) -> Vec<f64> {
        normalised(v.to_vec())
    }

    #[test]
    fn a_circle_has_the_closed_form() {
        // n = 2, c = (a, -b), u = (sin phi, cos phi): E is tan^2 phi > b/a,
        // so a point at phi < phi0 = atan(sqrt(b/a)) is phi0 - phi of arc
        // from it, chord 2 sin((phi0 - phi)/2). phi = 0 is the hard case.
        let (a, b) = (0.3, 1.7);
        let set = ErrorSet::new(&[a, -b], false).unwrap();
        let phi0 = (b / a).sqrt().atan();
        for phi in [0.0, 0.1, 0.2, phi0 * 0.999] {
            let u = [phi.sin(), phi.cos()];
            let got = set.nearest(&u).unwrap().distance().unwrap();
            let want = 2.0 * (0.5 * (phi0 - phi)).sin();
            assert!((got - want).abs() < 1e-14, "phi {phi}: {got} vs {want}");
        }
        let inside = [1.0, 0.1];
        assert_eq!(set.nearest(&inside).unwrap(), Nearest::Inside);
    }

    #[test]
    fn empty_sets_and_ties_say_so() {
        let u = unit(&[1.0, 2.0, 3.0]);
        assert_eq!(
            ErrorSet::new(&[-1.0, -0.5, -2.0], true)
                .unwrap()
                .nearest(&u)
                .unwrap(),
            Nearest::Empty
        );
        // c_max = 0: empty for an open set...
        let open = ErrorSet::new(&[0.0, -0.5, -2.0], false).unwrap();
        assert!(open.is_empty());
        assert_eq!(open.nearest(&u).unwrap(), Nearest::Empty);
        // ...but with ties the null space e_1 is the error set.
        let closed = ErrorSet::new(&[0.0, -0.5, -2.0], true).unwrap();
        let Nearest::At { point, distance } = closed.nearest(&u).unwrap() else {
            panic!("expected a point");
        };
        assert!((point[0] - 1.0).abs() < 1e-15);
        assert!((distance - (2.0 - 2.0 * u[0]).sqrt()).abs() < 1e-15);
        // All coefficients zero: with ties every point is an error.
        let all = ErrorSet::new(&[0.0, 0.0, 0.0], true).unwrap();
        assert_eq!(all.nearest(&u).unwrap(), Nearest::Inside);
        assert!(ErrorSet::new(&[0.0, 0.0, 0.0], false).unwrap().is_empty());
    }

    #[test]
    fn the_hard_case_adds_the_top_direction() {
        // u has no e_0 component and F(0) < 0: t = 1/c_max exactly.
        let set = ErrorSet::new(&[1.0, -0.2, -3.0], false).unwrap();
        let u = unit(&[0.0, 1.0, 0.4]);
        let Nearest::At { point, distance } = set.nearest(&u).unwrap() else {
            panic!("expected a point");
        };
        // p = (s, u_1 / 1.2, u_2 / 4) with s^2 = -F(0).
        let (p1, p2) = (u[1] / 1.2, u[2] / 4.0);
        let s = (0.2 * p1 * p1 + 3.0 * p2 * p2).sqrt();
        let want = unit(&[s, p1, p2]);
        for (a, b) in point.iter().zip(&want) {
            assert!((a - b).abs() < 1e-15, "{point:?} vs {want:?}");
        }
        let q: f64 = [1.0, -0.2, -3.0]
            .iter()
            .zip(&point)
            .map(|(c, v)| c * v * v)
            .sum();
        assert!(q.abs() < 1e-15);
        // A tiny top component gives the same point to within its size.
        let near = unit(&[1e-12, 1.0, 0.4]);
        let d = set.nearest(&near).unwrap().distance().unwrap();
        assert!((d - distance).abs() < 1e-10, "{d} vs {distance}");
    }

    #[test]
    fn bad_points_are_refused() {
        let set = ErrorSet::new(&[1.0, -1.0], false).unwrap();
        assert!(
            set.nearest(&[1.0])
                .unwrap_err()
                .to_string()
                .contains("1 coordinates")
        );
        assert!(set.nearest(&[0.0, 0.0]).is_err());
        assert!(set.nearest(&[f64::NAN, 1.0]).is_err());
        assert!(ErrorSet::new(&[], false).is_err());
        let e = ErrorSet::new(&[1.0, f64::INFINITY], false).unwrap_err();
        assert!(e.to_string().contains("coefficient 1"), "{e}");
    }
}
