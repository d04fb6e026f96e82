//! Error rates, alphas and worst-case losses of a quadratic net from the
//! spectrum of w W^T W (the regimes are described in the module above).

use ndarray::ArrayView2;

use super::super::chisq;
use super::super::error::{Result, StatsError, invalid};
use super::super::normal;
use super::params::{check_parameters, check_radius, flatten, gram, scaled_eigenvalues};
use super::worst_case::WorstCaseLoss;
use faer::Side;

/// Shape of the decision boundary, from the sign of b.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// b < 0: "outer" iff sum alpha_i z_i^2 > 1.
    Ellipsoid,
    /// b > 0: "outer" iff sum alpha_i z_i^2 < 1.
    Inverted,
    /// b = 0: "outer" iff x^T (w W^T W) x > 0.
    Cone,
}

/// Everything `QuadReport` carries except version and step, plus the
/// regime, log error rates (finite where the rates underflow) and the
/// worst-case losses.
#[derive(Debug, Clone, PartialEq)]
pub struct QuadAnalysis {
    pub regime: Regime,
    /// Ascending; empty in the cone regime.
    pub alphas: Vec<f64>,
    /// Alphas below 1/R^2.
    pub bad_low: usize,
    /// Alphas above 1.
    pub bad_high: usize,
    pub inner_exact: f64,
    pub outer_exact: f64,
    pub ln_inner_exact: f64,
    pub ln_outer_exact: f64,
    pub inner_clt: f64,
    pub outer_clt: f64,
    /// The largest loss on each sphere, exact (closed form); None when only
    /// the alphas are known, which fix the boundary but not the logit scale.
    pub worst_loss: Option<WorstCaseLoss>,
}

/// Paper's CLT estimate of P(Q > 0) for Q = sum c_i g_i^2: Q ~ N(mu, sigma^2)
/// with mu = sum c_i, sigma^2 = 2 sum c_i^2.
fn clt_upper(c: impl Iterator<Item = f64> + Clone) -> f64 {
    let mu: f64 = c.clone().sum();
    let sigma = (2.0 * c.map(|v| v * v).sum::<f64>()).sqrt();
    if sigma == 0.0 {
        return 0.0;
    }
    normal::sf(-mu / sigma)
}

fn clt_lower(c: impl Iterator<Item = f64> + Clone) -> f64 {
    let mu: f64 = c.clone().sum();
    let sigma = (2.0 * c.map(|v| v * v).sum::<f64>()).sqrt();
    if sigma == 0.0 {
        return 0.0;
    }
    normal::cdf(-mu / sigma)
}

/// Analysis from the alphas alone (the ellipsoid regime, b < 0), e.g. for
/// the `bound` calculator.
pub fn analyse_alphas(alphas: &[f64], radius: f64) -> Result<QuadAnalysis> {
    check_radius(radius)?;
    if alphas.is_empty() {
        return invalid("need at least one alpha");
    }
    if let Some((i, a)) = alphas.iter().enumerate().find(|(_, a)| !a.is_finite()) {
        return invalid(format!("alpha {i} is not finite: {a}"));
    }
    let mut alphas = alphas.to_vec();
    alphas.sort_by(f64::total_cmp);
    from_alphas(alphas, radius, Regime::Ellipsoid)
}

fn from_alphas(alphas: Vec<f64>, radius: f64, regime: Regime) -> Result<QuadAnalysis> {
    let r2 = radius * radius;
    let inner_w: Vec<f64> = alphas.iter().map(|a| a - 1.0).collect();
    let outer_w: Vec<f64> = alphas.iter().map(|a| r2 * a - 1.0).collect();
    let inner = chisq::tails(&inner_w, 0.0)?;
    let outer = chisq::tails(&outer_w, 0.0)?;
    let (ie, lie, oe, loe, ic, oc) = match regime {
        Regime::Inverted => (
            inner.lower,
            inner.ln_lower,
            outer.upper,
            outer.ln_upper,
            clt_lower(inner_w.iter().copied()),
            clt_upper(outer_w.iter().copied()),
        ),
        _ => (
            inner.upper,
            inner.ln_upper,
            outer.lower,
            outer.ln_lower,
            clt_upper(inner_w.iter().copied()),
            clt_lower(outer_w.iter().copied()),
        ),
    };
    Ok(QuadAnalysis {
        regime,
        bad_low: alphas.iter().filter(|&&a| a < 1.0 / r2).count(),
        bad_high: alphas.iter().filter(|&&a| a > 1.0).count(),
        alphas,
        inner_exact: ie,
        outer_exact: oe,
        ln_inner_exact: lie,
        ln_outer_exact: loe,
        inner_clt: ic,
        outer_clt: oc,
        worst_loss: None,
    })
}

/// The analysis from d = w times the eigenvalues of W^T W (any order) and
/// the bias b.
pub(super) fn from_eigenvalues(d: &[f64], b: f64, radius: f64) -> Result<QuadAnalysis> {
    let worst_loss = Some(WorstCaseLoss::from_eigenvalues(d, b, radius));
    if b == 0.0 {
        let t = chisq::tails(d, 0.0)?;
        let all_zero = d.iter().all(|&v| v == 0.0);
        return Ok(QuadAnalysis {
            regime: Regime::Cone,
            alphas: Vec::new(),
            bad_low: d.iter().filter(|&&v| v <= 0.0).count(),
            bad_high: d.iter().filter(|&&v| v > 0.0).count(),
            // Ties (y = 0) count as "inner"; with w = 0 every point ties.
            outer_exact: if all_zero { 1.0 } else { t.lower },
            ln_outer_exact: if all_zero { 0.0 } else { t.ln_lower },
            inner_exact: t.upper,
            ln_inner_exact: t.ln_upper,
            inner_clt: clt_upper(d.iter().copied()),
            outer_clt: if all_zero {
                1.0
            } else {
                clt_lower(d.iter().copied())
            },
            worst_loss,
        });
    }
    let mut alphas: Vec<f64> = d.iter().map(|v| v / (-b)).collect();
    alphas.sort_by(f64::total_cmp);
    let regime = if b < 0.0 {
        Regime::Ellipsoid
    } else {
        Regime::Inverted
    };
    Ok(QuadAnalysis {
        worst_loss,
        ..from_alphas(alphas, radius, regime)?
    })
}

/// Full analysis from the net's parameters: `weights` is W, h x n
/// row-major; `w`, `b` the outer scalars; `radius` the outer sphere's R.
/// The n eigenvalues of W^T W are computed in f64 (faer's self-adjoint
/// solver); `QuadGeometry` computes the eigenvectors as well.
pub fn analyse(
    weights: &[f32],
    h: usize,
    n: usize,
    w: f64,
    b: f64,
    radius: f64,
) -> Result<QuadAnalysis> {
    check_radius(radius)?;
    check_parameters(weights, h, n, w, b)?;
    let eig = gram(weights, h, n)
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| StatsError::NoConvergence(format!("eigenvalues of W^T W: {e:?}")))?;
    from_eigenvalues(&scaled_eigenvalues(w, eig.into_iter()), b, radius)
}

/// The analysis of `model` when it is a quadratic net (None otherwise).
pub fn analyse_model(model: &crate::nn::Model, radius: f64) -> Result<Option<QuadAnalysis>> {
    let crate::nn::Arch::Quad(net) = &model.arch else {
        return Ok(None);
    };
    let p = &model.params;
    let (w, b) = (net.w.slice(p)[0] as f64, net.b.slice(p)[0] as f64);
    analyse_view(net.weight.view(p), w, b, radius).map(Some)
}

/// `analyse` for W as an ndarray view (any memory layout).
pub fn analyse_view(
    weights: ArrayView2<'_, f32>,
    w: f64,
    b: f64,
    radius: f64,
) -> Result<QuadAnalysis> {
    let (h, n) = weights.dim();
    analyse(&flatten(weights), h, n, w, b, radius)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};
    use crate::stats::interval::clopper_pearson;
    use rand::RngExt;
    use rand_distr::{Distribution, StandardNormal};

    /// W = diag(sqrt(d)) so that W^T W = diag(d).
    fn diagonal(d: &[f64]) -> Vec<f32> {
        let n = d.len();
        let mut w = vec![0.0f32; n * n];
        for (i, v) in d.iter().enumerate() {
            w[i * n + i] = v.sqrt() as f32;
        }
        w
    }

    #[test]
    fn perfect_alphas_give_exact_zeros() {
        let r = 1.3;
        let lo = 1.0 / (r * r);
        let alphas: Vec<f64> = (0..500)
            .map(|i| lo + (1.0 - lo) * i as f64 / 499.0)
            .collect();
        let a = analyse_alphas(&alphas, r).unwrap();
        assert_eq!((a.bad_low, a.bad_high), (0, 0));
        assert_eq!((a.inner_exact, a.outer_exact), (0.0, 0.0));
        assert_eq!(a.ln_inner_exact, f64::NEG_INFINITY);
        // The CLT estimate, by contrast, is small but not zero.
        assert!(a.inner_clt > 0.0 && a.inner_clt < 1e-10);
    }

    /// The exact rates lie in the 99.9% Clopper-Pearson intervals of the
    /// sampled errors, and both are large enough for the check to mean
    /// something.
    fn sampled_rates_cover(
        a: &QuadAnalysis,
        inner_err: u64,
        inner: u64,
        outer_err: u64,
        outer: u64,
    ) {
        let (lo, hi) = clopper_pearson(inner_err, inner, 0.999);
        assert!(
            lo <= a.inner_exact && a.inner_exact <= hi,
            "inner {} [{lo}, {hi}]",
            a.inner_exact
        );
        let (lo, hi) = clopper_pearson(outer_err, outer, 0.999);
        assert!(
            lo <= a.outer_exact && a.outer_exact <= hi,
            "outer {} [{lo}, {hi}]",
            a.outer_exact
        );
        assert!(a.inner_exact > 1e-3 && a.outer_exact > 1e-3, "{a:?}");
    }

    #[test]
    fn exact_rates_agree_with_direct_monte_carlo() {
        // Classify sphere points with the quadric itself, not with the
        // chi-square reduction, so the reduction is checked too.
        let r = 1.3;
        let mut alphas = vec![1.3; 3];
        alphas.extend([0.1; 4]);
        alphas.extend(vec![0.9; 13]);
        let a = analyse_alphas(&alphas, r).unwrap();
        assert_eq!((a.bad_low, a.bad_high), (4, 3));
        let samples = 300_000u64;
        let mut rng = rng_for(5, Stream::Eval, 0);
        let (mut n_outer, mut inner_err, mut outer_err) = (0u64, 0u64, 0u64);
        for _ in 0..samples {
            let g: Vec<f64> = (0..alphas.len())
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            let norm2: f64 = g.iter().map(|v| v * v).sum();
            let quad: f64 = g.iter().zip(&alphas).map(|(v, al)| al * v * v).sum::<f64>() / norm2;
            let outer: bool = rng.random();
            let says_outer = if outer {
                r * r * quad > 1.0
            } else {
                quad > 1.0
            };
            n_outer += outer as u64;
            inner_err += (!outer && says_outer) as u64;
            outer_err += (outer && !says_outer) as u64;
        }
        sampled_rates_cover(&a, inner_err, samples - n_outer, outer_err, n_outer);
    }

    #[test]
    fn inverted_regime_agrees_with_the_net_itself() {
        // b > 0, w < 0: "outer" iff |W x|^2 < 1. Classify with y(x).
        let mut d = vec![1.3; 3];
        d.extend(vec![0.5; 17]);
        let n = d.len();
        let wm = diagonal(&d);
        let (w, b, r) = (-1.0, 1.0, 1.3);
        let a = analyse(&wm, n, n, w, b, r).unwrap();
        assert_eq!(a.regime, Regime::Inverted);
        let samples = 200_000u64;
        let mut rng = rng_for(9, Stream::Eval, 0);
        let (mut n_outer, mut inner_err, mut outer_err) = (0u64, 0u64, 0u64);
        for _ in 0..samples {
            let g: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
            let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            let outer: bool = rng.random();
            let radius = if outer { r } else { 1.0 };
            let y = w
                * (0..n)
                    .map(|i| {
                        let z = wm[i * n + i] as f64 * radius * g[i] / norm;
                        z * z
                    })
                    .sum::<f64>()
                + b;
            n_outer += outer as u64;
            inner_err += (!outer && y > 0.0) as u64;
            outer_err += (outer && y <= 0.0) as u64;
        }
        sampled_rates_cover(&a, inner_err, samples - n_outer, outer_err, n_outer);
    }

    #[test]
    fn parameters_reduce_to_the_expected_alphas() {
        let d = [0.5, 0.7, 1.2, 0.95];
        let w = diagonal(&d);
        // w W^T W / (-b) = 2 diag(d) / 2.
        let a = analyse(&w, 4, 4, 2.0, -2.0, 1.3).unwrap();
        assert_eq!(a.regime, Regime::Ellipsoid);
        let mut want = d.to_vec();
        want.sort_by(f64::total_cmp);
        for (x, y) in a.alphas.iter().zip(&want) {
            assert!((x - y).abs() < 1e-6, "{x} vs {y}");
        }
        let b = analyse_alphas(&want, 1.3).unwrap();
        assert!((a.inner_exact - b.inner_exact).abs() < 1e-5);
        let view = ndarray::ArrayView2::from_shape((4, 4), &w).unwrap();
        assert_eq!(analyse_view(view, 2.0, -2.0, 1.3).unwrap().alphas, a.alphas);
    }

    #[test]
    fn sign_regimes_are_handled() {
        let w = diagonal(&[0.8, 0.9, 0.7]);
        // b > 0, w > 0: y > 0 everywhere, all "outer".
        let a = analyse(&w, 3, 3, 1.0, 0.5, 1.3).unwrap();
        assert_eq!(a.regime, Regime::Inverted);
        assert_eq!((a.inner_exact, a.outer_exact), (1.0, 0.0));
        // b < 0, w < 0: y < 0 everywhere, all "inner".
        let a = analyse(&w, 3, 3, -1.0, -0.5, 1.3).unwrap();
        assert_eq!((a.inner_exact, a.outer_exact), (0.0, 1.0));
        // b > 0, w < 0: "outer" iff |W x|^2 < b / |w|, and
        // |W x|^2 <= 0.9 |x|^2. With b = 2 both spheres are inside:
        // inner error 1, outer error 0. With b = 1 the inner sphere is
        // inside and the outer (0.7 * 1.69 > 1) outside: both wrong.
        let a = analyse(&w, 3, 3, -1.0, 2.0, 1.3).unwrap();
        assert_eq!(a.regime, Regime::Inverted);
        assert!(a.alphas.iter().all(|&x| x > 0.0 && x < 0.5));
        assert_eq!((a.inner_exact, a.outer_exact), (1.0, 0.0));
        let a = analyse(&w, 3, 3, -1.0, 1.0, 1.3).unwrap();
        assert_eq!((a.inner_exact, a.outer_exact), (1.0, 1.0));
        // b = 0 with an indefinite form: the cone splits the sphere.
        let mut w2 = diagonal(&[1.0, 1.0]);
        w2[3] = 0.0; // W = diag(1, 0): w x_1^2 > 0 almost surely.
        let a = analyse(&w2, 2, 2, 1.0, 0.0, 1.3).unwrap();
        assert_eq!(a.regime, Regime::Cone);
        assert!(a.alphas.is_empty());
        assert_eq!((a.inner_exact, a.outer_exact), (1.0, 0.0));
        let a = analyse(&w2, 2, 2, 0.0, 0.0, 1.3).unwrap();
        assert_eq!((a.inner_exact, a.outer_exact), (0.0, 1.0));
    }

    #[test]
    fn bad_input_names_the_value() {
        assert!(
            analyse_alphas(&[0.9], 1.0)
                .unwrap_err()
                .to_string()
                .contains("got 1")
        );
        assert!(
            analyse_alphas(&[0.9, f64::NAN], 1.3)
                .unwrap_err()
                .to_string()
                .contains("alpha 1")
        );
        assert!(analyse_alphas(&[], 1.3).is_err());
        assert!(
            analyse(&[1.0; 5], 2, 3, 1.0, -1.0, 1.3)
                .unwrap_err()
                .to_string()
                .contains("5 entries")
        );
        let e = analyse(&[1.0, f32::NAN, 0.0, 1.0], 2, 2, 1.0, -1.0, 1.3).unwrap_err();
        assert!(e.to_string().contains("row 0, col 1"));
        assert!(analyse(&[1.0], 1, 1, f64::INFINITY, -1.0, 1.3).is_err());
    }

    #[test]
    fn paper_sized_analysis() {
        // n = 500, h = 1000, entries ~ N(0, 1/h) so W^T W has eigenvalues
        // around 1. Measured 0.19-0.36 s in a release build on a busy
        // 2-core machine (Gram product, eigenvalues and both tails).
        let (h, n) = (1000, 500);
        let mut rng = rng_for(3, Stream::Init, 0);
        let wm: Vec<f32> = (0..h * n)
            .map(|_| StandardNormal.sample(&mut rng))
            .map(|v: f64| (v / (h as f64).sqrt()) as f32)
            .collect();
        let start = std::time::Instant::now();
        let a = analyse(&wm, h, n, 1.0, -1.2, 1.3).unwrap();
        eprintln!("analysis at n = {n}, h = {h}: {:?}", start.elapsed());
        assert_eq!(a.alphas.len(), n);
        // trace(W^T W) = |W|_F^2.
        let fro: f64 = wm.iter().map(|&v| (v as f64) * (v as f64)).sum();
        let tr: f64 = a.alphas.iter().sum::<f64>() * 1.2;
        assert!(((tr - fro) / fro).abs() < 1e-9);
        // Marchenko-Pastur: eigenvalues of W^T W in about [(1-sqrt(1/2))^2,
        // (1+sqrt(1/2))^2] = [0.086, 2.91], so both kinds of bad alpha.
        assert!(a.bad_low > 0 && a.bad_high > 0);
        assert!(a.inner_exact > 0.0 && a.inner_exact <= 1.0);
        assert!(a.outer_exact > 0.0 && a.outer_exact <= 1.0);
    }
}
