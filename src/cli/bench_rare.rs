//! `spheres bench --work rare`: the rare-event estimator where plain
//! sampling cannot reach. ReLU nets (the quick preset, and relu-paper after
//! 20k steps) shifted to an inner error rate near 1e-12, timed at the
//! default settings; and coverage on n = 500 quadratic nets with exact
//! tails. Each line gives the evaluations spent and what plain Monte Carlo
//! would need for the same interval.

use std::time::Instant;

use crate::attack::Cancel;
use crate::attack::rare::{
    RareEstimate, RareParams, alphas_for_rate, estimate_rare, shift_for_inner_rate,
};
use crate::config::preset;
use crate::data::Sphere;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::train::Trainer;

/// Settings of the quick search for the shift (coarse on purpose: within a
/// factor of 3 of the target is all that is asked).
fn coarse() -> RareParams {
    RareParams {
        target: 1.0,
        particles: 100,
        min_repeats: 4,
        ..RareParams::default()
    }
}

/// Monte Carlo points for a 95% interval of relative half-width `w` at
/// rate `p` (normal approximation to the binomial).
pub fn monte_carlo_points(p: f64, w: f64) -> f64 {
    (1.959_964 / w).powi(2) * (1.0 - p) / p
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RareBench {
    pub work: &'static str,
    pub case: String,
    pub threads: usize,
    pub seconds: f64,
    /// Exact rate where the model has one.
    pub exact: Option<f64>,
    pub estimate: RareEstimate,
    /// Monte Carlo points for the same relative half-width.
    pub monte_carlo_points: Option<f64>,
}

impl RareBench {
    fn line(&self) -> String {
        let e = &self.estimate;
        let mc = self
            .monte_carlo_points
            .map(|m| format!(", Monte Carlo would need {m:.1e} points"))
            .unwrap_or_default();
        let exact = self
            .exact
            .map(|x| format!(" (exact {x:.3e})"))
            .unwrap_or_default();
        format!(
            "rare    {:<22} threads {} {:>7.1} s  {}{exact}{mc}",
            self.case,
            self.threads,
            self.seconds,
            e.summary()
        )
    }
}

/// The inner error rate of `model` at the default settings, timed.
fn timed(
    case: String,
    model: &Model,
    radius: f32,
    seed: u64,
    threads: usize,
) -> anyhow::Result<RareBench> {
    let start = Instant::now();
    let params = RareParams::default();
    let e = estimate_rare(
        model,
        Sphere::Inner,
        radius,
        &params,
        seed,
        threads,
        &Cancel::never(),
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let mc = e
        .rate
        .filter(|&r| r > 0.0)
        .map(|r| monte_carlo_points(r, (e.hi - e.lo) / (2.0 * r)));
    Ok(RareBench {
        work: "rare",
        case,
        threads,
        seconds,
        exact: None,
        estimate: e,
        monte_carlo_points: mc,
    })
}

/// A preset trained for `steps`, shifted to an inner rate near 1e-12, then
/// estimated at the default settings.
fn shifted_relu(
    name: &str,
    steps: u64,
    threads: usize,
    print: &dyn Fn(&str),
) -> anyhow::Result<RareBench> {
    let c = preset(name)?.config;
    let radius = c.data.radius as f32;
    let started = Instant::now();
    let mut t = Trainer::new(c.clone(), name);
    for _ in 0..steps {
        t.step();
    }
    print(&format!(
        "# {name}: {steps} training steps in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    let started = Instant::now();
    let shift = shift_for_inner_rate(
        &t.model,
        radius,
        1e-12,
        &coarse(),
        c.seed,
        threads,
        &Cancel::never(),
    )?;
    print(&format!(
        "# {name}: shift {shift:.4} found in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    let mut model = t.model.clone();
    model.shift_output_bias(shift);
    timed(
        format!("{name}@{steps} shift {shift:.3}"),
        &model,
        radius,
        c.seed + 1,
        threads,
    )
}

/// Coverage of the 95% intervals on n = 500 quadratic nets.
fn quad_coverage(seeds: usize, threads: usize, print: &dyn Fn(&str)) -> anyhow::Result<()> {
    let n = 500;
    let params = RareParams {
        target: 0.5,
        particles: 100,
        ..RareParams::default()
    };
    for rate in [1e-3, 1e-6, 1e-12, 1e-20, 1e-30] {
        let (alphas, an) = alphas_for_rate(n, 1.3, rate)?;
        let model = Model::quad_with_alphas(&alphas, n, &mut rng_for(1, Stream::Init, 0));
        for (sphere, ln_exact) in [
            (Sphere::Inner, an.ln_inner_exact),
            (Sphere::Outer, an.ln_outer_exact),
        ] {
            let (mut covered, mut errors, mut evals) = (0, Vec::new(), 0u64);
            let start = Instant::now();
            for s in 0..seeds {
                let e = estimate_rare(
                    &model,
                    sphere,
                    1.3,
                    &params,
                    s as u64,
                    threads,
                    &Cancel::never(),
                )?;
                if let Some(ln) = e.ln_rate {
                    let exact = ln_exact.exp();
                    covered += usize::from(e.lo <= exact && exact <= e.hi);
                    errors.push(((ln - ln_exact).exp() - 1.0).abs());
                }
                evals += e.evaluations;
            }
            print(&format!(
                "rare    quad n=500 {:<5} exact {:.3e}: {covered}/{seeds} intervals cover, median |relative error| {:.3}, {:.2e} evaluations and {:.1} s per estimate",
                sphere.name(),
                ln_exact.exp(),
                crate::stats::median(&errors),
                evals as f64 / seeds as f64,
                start.elapsed().as_secs_f64() / seeds as f64
            ));
        }
    }
    Ok(())
}

/// Runs the rare-event benchmarks for `models` ("relu": the two shifted
/// ReLU nets; "quad": coverage on n = 500), printing as it goes.
pub fn bench_rare(
    models: &[String],
    threads: &[usize],
    seeds: usize,
    json: bool,
) -> anyhow::Result<()> {
    let print = |s: &str| {
        if !json || !s.starts_with('#') {
            println!("{s}");
        }
    };
    let show = |r: &RareBench| -> anyhow::Result<()> {
        if json {
            println!("{}", serde_json::to_string(r)?);
        } else {
            println!("{}", r.line());
        }
        Ok(())
    };
    let threads: Vec<usize> = if threads.is_empty() {
        vec![2]
    } else {
        threads.to_vec()
    };
    for &th in &threads {
        if models.iter().any(|m| m == "relu") {
            let q = preset("quick")?.config.steps;
            show(&shifted_relu("quick", q, th, &print)?)?;
            show(&shifted_relu("relu-paper", 20_000, th, &print)?)?;
        }
        if models.iter().any(|m| m == "quad") {
            quad_coverage(seeds, th, &print)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monte_carlo_cost_matches_the_issue() {
        // "measuring mu = 1e-12 to +-25% takes about 6e13 points"
        let m = monte_carlo_points(1e-12, 0.25);
        assert!((m / 6.15e13 - 1.0).abs() < 0.01, "{m}");
    }
}
