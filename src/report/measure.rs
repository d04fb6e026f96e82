//! What a sweep measures at a checkpoint: the Monte Carlo error rate, d(E)
//! from the nearest-error attack, the bounds at that error rate and, for a
//! quadratic net, its exact analysis.

use anyhow::Context;

use super::checkpoint::{Checkpoint, PerfectInit};
use crate::attack::{ErrorEstimator, ManifoldParams, nearest_error, unfound_fraction, worst_case};
use crate::config::Config;
use crate::nn::Model;
use crate::stats::cap::{cap_distance_euclidean, optimal_estimated};
use crate::stats::quadnet::{QuadAnalysis, analyse_model};

/// The exact analysis of a quadratic net; None for other architectures.
pub fn quad_analysis(model: &Model, radius: f64) -> anyhow::Result<Option<QuadAnalysis>> {
    analyse_model(model, radius).context("quadratic net analysis")
}

/// Sample mean's standard error; None below two values.
fn standard_error(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some((var / n).sqrt())
}

/// Context a checkpoint record carries besides the measurements.
pub struct PointInfo<'a> {
    pub model: &'a str,
    pub train_size: u64,
    pub step: u64,
    pub train_loss: f64,
    pub elapsed_s: f64,
}

pub fn checkpoint(
    model: &Model,
    config: &Config,
    info: PointInfo<'_>,
    threads: usize,
) -> anyhow::Result<Checkpoint> {
    let (seed, n, radius) = (config.seed, config.data.n, config.data.radius);
    let step = info.step;
    let estimate = ErrorEstimator::new(seed, radius as f32)
        .run(model, step, config.eval.samples, threads)
        .context("error-rate estimate")?;
    let inner = estimate.inner;
    let mu_upper_only = inner.errors == 0;
    let mu = if mu_upper_only { inner.hi } else { inner.rate };
    let params = ManifoldParams::from(&config.attack);
    let (starts, found, mean_distance, distance_se, unfound) = if config.attack.starts > 0 {
        let e = nearest_error(model, seed, config.attack.starts, mu, &params, threads)
            .context("nearest-error attack")?;
        let mean = (e.found > 0).then_some(e.mean_distance);
        (
            e.starts,
            e.found,
            mean,
            standard_error(&e.distances),
            unfound_fraction(&e),
        )
    } else {
        (0, 0, None, None, 0.0)
    };
    let quad = quad_analysis(model, radius)?;
    Ok(Checkpoint {
        step,
        model: info.model.to_string(),
        train_size: info.train_size,
        n,
        inner,
        mu,
        mu_upper_only,
        starts,
        found,
        mean_distance,
        distance_se,
        resolution: params.step as f64 / 2f64.powi(params.halvings as i32),
        unfound,
        bound_cap: cap_distance_euclidean(n, mu).ok().filter(|b| b.is_finite()),
        bound_optimal: optimal_estimated(n, mu).ok().filter(|b| b.is_finite()),
        bound_cap_at_lo: (inner.lo > 0.0)
            .then(|| cap_distance_euclidean(n, inner.lo).ok())
            .flatten(),
        bad_alphas: quad.as_ref().map(|q| q.bad_low + q.bad_high),
        exact_inner: quad.as_ref().map(|q| q.inner_exact),
        bound_cap_exact: quad
            .as_ref()
            .and_then(|q| cap_distance_euclidean(n, q.inner_exact).ok())
            .filter(|b| b.is_finite()),
        train_loss: info.train_loss,
        elapsed_s: info.elapsed_s,
    })
}

/// Worst-case and average loss plus the alphas, for the perfect-init run.
pub fn perfect_init(
    model: &Model,
    config: &Config,
    step: u64,
    threads: usize,
) -> anyhow::Result<PerfectInit> {
    let radius = config.data.radius;
    let starts = config.attack.starts.max(1);
    let w = worst_case(
        model,
        config.seed,
        starts,
        radius as f32,
        &ManifoldParams::from(&config.attack),
        threads,
    )
    .context("worst-case attack")?;
    let q =
        quad_analysis(model, radius)?.context("the perfect-init point needs a quadratic net")?;
    Ok(PerfectInit {
        step,
        mean_loss: w.mean_loss,
        worst_loss: w.worst_loss,
        bad_low: q.bad_low,
        bad_high: q.bad_high,
        exact_inner: q.inner_exact,
        exact_outer: q.outer_exact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_error_matches_hand_computation() {
        // mean 2, sample variance 1, n 3: se = 1/sqrt(3)
        let se = standard_error(&[1.0, 2.0, 3.0]).unwrap();
        assert!((se - 1.0 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(standard_error(&[1.0]), None);
    }
}
