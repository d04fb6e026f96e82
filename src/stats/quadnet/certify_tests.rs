//! Certifies the secular solver against an independent search: dense
//! random sampling of the boundary {sum c_i v_i^2 = 0} of the error set,
//! then many restarts of a (1+1) evolution strategy on it, which knows
//! nothing of Lagrange multipliers. For every point outside E the solver's
//! point must lie in E (to rounding) at the distance it reports, the search
//! must find nothing closer, and it must come within 1e-6 of it.

use super::secular::{ErrorSet, Nearest};
use crate::rng::{Stream, rng_for};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn unit(v: Vec<f64>) -> Vec<f64> {
    let n = norm(&v);
    v.into_iter().map(|x| x / n).collect()
}

fn form(c: &[f64], v: &[f64]) -> f64 {
    c.iter().zip(v).map(|(c, v)| c * v * v).sum()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// The boundary point obtained by rescaling the positive-coefficient and
/// the other components of the unit vector v against each other.
fn retract(c: &[f64], v: &[f64]) -> Option<Vec<f64>> {
    let (mut pos, mut neg, mut pos2, mut rest2) = (0.0, 0.0, 0.0, 0.0);
    for (c, v) in c.iter().zip(v) {
        if *c > 0.0 {
            pos += c * v * v;
            pos2 += v * v;
        } else {
            neg -= c * v * v;
            rest2 += v * v;
        }
    }
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    // a^2 pos = b^2 neg and a^2 pos2 + b^2 rest2 = 1.
    let a2 = 1.0 / (pos2 + rest2 * pos / neg);
    let (a, b) = (a2.sqrt(), (a2 * pos / neg).sqrt());
    Some(
        c.iter()
            .zip(v)
            .map(|(c, v)| if *c > 0.0 { a * v } else { b * v })
            .collect(),
    )
}

fn gaussian(rng: &mut crate::rng::Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}

/// The smallest distance from u to the boundary the search finds.
fn search(c: &[f64], u: &[f64], seed: u64) -> f64 {
    let n = c.len();
    let mut rng = rng_for(seed, Stream::Eval, 0);
    let score = |v: &[f64]| retract(c, v).map_or(f64::INFINITY, |p| dist(u, &p));
    // Dense sampling, then restarts from the best samples and from
    // random ones.
    let mut samples: Vec<(f64, Vec<f64>)> = (0..20_000)
        .map(|_| {
            let v = unit(gaussian(&mut rng, n));
            (score(&v), v)
        })
        .collect();
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut starts: Vec<Vec<f64>> = samples.iter().take(12).map(|s| s.1.clone()).collect();
    starts.extend((0..12).map(|_| unit(gaussian(&mut rng, n))));
    let mut best = f64::INFINITY;
    for start in starts {
        let (mut v, mut f, mut sigma) = (start.clone(), score(&start), 0.3);
        for _ in 0..6000 {
            let step = gaussian(&mut rng, n);
            let cand = unit(v.iter().zip(&step).map(|(a, g)| a + sigma * g).collect());
            let fc = score(&cand);
            if fc < f {
                (v, f) = (cand, fc);
                sigma *= 1.5;
            } else {
                sigma *= 0.92;
            }
            if sigma < 1e-13 {
                break;
            }
        }
        best = best.min(f);
    }
    best
}

/// Checks one case; returns whether u was outside E.
fn certify(c: &[f64], u: &[f64], seed: u64) -> bool {
    let set = ErrorSet::new(c, false).unwrap();
    let scale = c.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    match set.nearest(u).unwrap() {
        Nearest::Inside => {
            assert!(form(c, u) >= 0.0, "c {c:?} u {u:?}");
            false
        }
        Nearest::Empty => panic!("c {c:?} has a positive coefficient"),
        Nearest::At { point, distance } => {
            assert!(form(c, u) < 0.0);
            assert!((norm(&point) - 1.0).abs() < 1e-14);
            assert!(
                form(c, &point) > -1e-14 * scale,
                "not in E: {:e}",
                form(c, &point)
            );
            assert!((dist(u, &point) - distance).abs() < 1e-15);
            let found = search(c, u, seed);
            assert!(
                found >= distance - 1e-12,
                "search beat the solver: {found} < {distance}, c {c:?} u {u:?}"
            );
            assert!(
                found <= distance + 1e-6,
                "search did not reach the solver: {found} vs {distance}, c {c:?} u {u:?}"
            );
            true
        }
    }
}

#[test]
fn random_cases_agree_with_the_search() {
    let mut outside = 0;
    for case in 0..60u64 {
        let mut rng = rng_for(case, Stream::Init, 1);
        let n = [2, 3, 4, 6, 8][case as usize % 5];
        let mut c: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..0.4)).collect();
        c[0] = c[0].abs() + 0.05; // at least one positive coefficient
        c[n - 1] = -c[n - 1].abs() - 0.05; // and one negative
        let u = unit(gaussian(&mut rng, n));
        outside += certify(&c, &u, 100 + case) as usize;
    }
    assert!(outside >= 40, "only {outside} cases outside E");
}

#[test]
fn degenerate_cases_agree_with_the_search() {
    let mut rng = rng_for(7, Stream::Init, 2);
    for k in 0..6u64 {
        // Hard case: no component on a doubly repeated top coefficient.
        let c = [0.5, 0.5, -0.1, -0.7, -2.0];
        let mut u = gaussian(&mut rng, 5);
        u[0] = 0.0;
        u[1] = 0.0;
        assert!(certify(&c, &unit(u), 200 + k));
        // Hard or not, depending on u: a positive coefficient below the top.
        let c = [1.0, 0.3, -0.5, -1.0];
        let mut u = gaussian(&mut rng, 4);
        u[0] = 0.0;
        certify(&c, &unit(u.clone()), 300 + k);
        // Near-hard: a tiny top component drives t to within 1e-18 of
        // 1/c_max.
        u[0] = [1e-9, 1e-5, 1e-14][k as usize % 3];
        certify(&c, &unit(u), 400 + k);
        // Repeated top with components on it.
        let c = [0.2, 0.2, 0.2, -1.0, -1.0, -3.0];
        certify(&c, &unit(gaussian(&mut rng, 6)), 500 + k);
    }
}

#[test]
fn points_next_to_the_error_set_are_at_tiny_distances() {
    // Start on the boundary and step out along the gradient of -Q.
    let c = [0.4, -0.3, -1.2, 0.1];
    let mut rng = rng_for(11, Stream::Init, 3);
    for eps in [1e-3, 1e-7, 1e-11] {
        let v = unit(gaussian(&mut rng, 4));
        let b = retract(&c, &v).unwrap();
        let out = unit(
            b.iter()
                .zip(&c)
                .map(|(b, c)| b - eps * c * b)
                .collect::<Vec<_>>(),
        );
        let set = ErrorSet::new(&c, false).unwrap();
        let d = set.nearest(&out).unwrap().distance().unwrap();
        // Distance is at most the way back to b, and of its order.
        assert!(d <= dist(&out, &b) * (1.0 + 1e-6) + 1e-16, "{eps}: {d}");
        assert!(d > 0.1 * dist(&out, &b), "{eps}: {d}");
        certify(&c, &out, 600);
    }
}
