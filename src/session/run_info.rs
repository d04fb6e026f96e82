//! What the dashboard is told about a run before its first event.

use super::messages::{BoundPoint, Control, RunInfo, RunStarted};
use crate::config::{Config, LIVE_KEYS};
use crate::stats::cap::{cap_distance_euclidean, optimal_estimated};
use crate::train::Trainer;

/// The bound curves on a log grid of error rates from 1e-15 to 0.5.
pub fn bound_curve(n: usize) -> Vec<BoundPoint> {
    let (lo, hi, points) = (-15.0f64, 0.5f64.log10(), 120);
    (0..points)
        .filter_map(|i| {
            let mu = 10f64.powf(lo + (hi - lo) * i as f64 / (points - 1) as f64);
            let optimal = optimal_estimated(n, mu).ok()?;
            let cap = cap_distance_euclidean(n, mu).ok()?;
            Some(BoundPoint { mu, optimal, cap })
        })
        .collect()
}

pub fn run_info(t: &Trainer) -> RunInfo {
    info_from(&t.config, &t.preset, t.step)
}

/// What the dashboard needs to know of a run, from its config alone (a
/// `RunStarted` record, or `config.toml` of a run that predates them).
pub fn info_from(c: &Config, preset: &str, start_step: u64) -> RunInfo {
    RunInfo {
        preset: preset.to_string(),
        model: c.model.kind.clone(),
        n: c.data.n,
        radius: c.data.radius,
        total_steps: c.steps,
        start_step,
        train_threads: c.train.threads,
        eval_threads: c.eval.threads,
        controls: LIVE_KEYS
            .iter()
            .map(|(key, help)| Control {
                key: key.to_string(),
                value: c.get(key).unwrap_or_default(),
                help: help.to_string(),
            })
            .collect(),
        bound_curve: bound_curve(c.data.n),
    }
}

/// The record that opens each stretch of training in the log.
pub fn run_started(t: &Trainer) -> RunStarted {
    let me = crate::run::owner::Owner::me();
    RunStarted {
        preset: t.preset.clone(),
        config: t.config.to_toml(),
        start_step: t.step,
        pid: me.pid,
        host: me.host,
        program: format!("spheres {}", env!("CARGO_PKG_VERSION")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curves_are_ordered_and_the_cap_lies_near_the_estimate() {
        let curve = bound_curve(500);
        assert!(curve.len() > 100);
        for w in curve.windows(2) {
            assert!(
                w[0].mu < w[1].mu && w[0].cap >= w[1].cap,
                "distances shrink as mu grows"
            );
        }
        let at = |mu: f64| {
            curve
                .iter()
                .min_by(|a, b| {
                    (a.mu.ln() - mu.ln())
                        .abs()
                        .total_cmp(&(b.mu.ln() - mu.ln()).abs())
                })
                .unwrap()
        };
        let p = at(1e-4);
        assert!((p.optimal - 0.1663).abs() < 0.01, "{p:?}");
        assert!((p.cap / p.optimal - 1.0).abs() < 0.1, "{p:?}");
    }
}
