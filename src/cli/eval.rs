//! `spheres eval`: evaluate a model (a snapshot, or a preset trained here)
//! the way the paper does: error rates with intervals, d(E) with its
//! histogram against the bound, and the alpha analysis of quadratic nets.

use std::fmt::Write;

use anyhow::Context;

use super::args::EvalArgs;
use crate::attack::NearestError;
use crate::attack::{ErrorEstimator, ManifoldParams, nearest_error};
use crate::stats::RateEstimate;
use crate::stats::report::alphas_text;
use crate::train::Trainer;

/// A rate with its 95% interval, or its one-sided bound with no errors.
pub fn rate(r: &RateEstimate) -> String {
    r.to_string()
}

/// A text histogram of the nearest-error distances with the bound marked.
pub fn histogram(d: &NearestError, bins: usize) -> String {
    let mut s = String::new();
    if d.distances.is_empty() {
        return "  (no errors found: no distances)\n".into();
    }
    let hi = d
        .distances
        .iter()
        .copied()
        .fold(d.bound_cap.max(0.0), f64::max)
        * 1.05;
    let width = hi / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &d.distances {
        counts[((v / width) as usize).min(bins - 1)] += 1;
    }
    let top = *counts.iter().max().unwrap_or(&1);
    for (i, c) in counts.iter().enumerate() {
        let (a, b) = (i as f64 * width, (i + 1) as f64 * width);
        let mark = if (a..b).contains(&d.bound_cap) {
            "  <- cap bound"
        } else {
            ""
        };
        let bar = "#".repeat((40 * c).div_ceil(top.max(1)));
        let _ = writeln!(s, "  {a:6.3}-{b:6.3} {c:5} {bar}{mark}");
    }
    s
}

pub fn eval(a: EvalArgs) -> anyhow::Result<()> {
    let trainer = match &a.path {
        Some(path) => super::resume::load(path)?.0,
        None => {
            let (name, config) = super::run::resolve(&a.run)?;
            let mut t = Trainer::new(config, &name);
            eprintln!("training preset {name} for {} steps", t.config.steps);
            while t.step < t.config.steps {
                if !t.step().is_finite() {
                    anyhow::bail!("training diverged at step {}", t.step + 1);
                }
            }
            t
        }
    };
    let c = &trainer.config;
    let model = &trainer.model;
    let threads = a.threads.unwrap_or(c.train.threads + c.eval.threads);
    println!(
        "{} model ({} parameters), n = {}, R = {}, step {}",
        model.kind(),
        model.params.len(),
        c.data.n,
        c.data.radius,
        trainer.step
    );
    let mut est = ErrorEstimator::new(c.seed, c.data.radius as f32);
    let e = est
        .run(model, 0, a.samples, threads)
        .context("error estimate")?;
    println!(
        "error rate on {} fresh points ({:.0} points/s):",
        e.inner.samples + e.outer.samples,
        e.samples_per_s
    );
    println!("  inner sphere  {}", rate(&e.inner));
    println!("  outer sphere  {}", rate(&e.outer));
    let mu = if e.inner.errors > 0 {
        e.inner.rate
    } else {
        e.inner.hi
    };
    if let Some(a) = crate::stats::quadnet::analyse_model(model, c.data.radius)? {
        if a.alphas.is_empty() {
            println!(
                "quadratic net with b = 0: no ellipsoid, exact inner error {:.3e}",
                a.inner_exact
            );
        } else {
            print!("{}", alphas_text(&a.alphas, c.data.radius)?);
        }
    }
    if a.starts > 0 {
        let params = ManifoldParams::from(&c.attack);
        let d = nearest_error(model, c.seed, a.starts, mu, &params, threads)?;
        let which = if e.inner.errors > 0 {
            "estimated"
        } else {
            "one-sided upper bound of the"
        };
        println!(
            "nearest error on the inner sphere ({} starts, step {}, {} steps):",
            d.starts, params.step, params.max_steps
        );
        if d.found == 0 {
            println!("  no error found from any start within the budget");
        } else {
            let note = if d.found < d.starts {
                format!(
                    " over the {} starts that found one ({} did not: the full mean is larger)",
                    d.found,
                    d.starts - d.found
                )
            } else {
                String::new()
            };
            println!("  d(E) = {:.4}{note}", d.mean_distance);
        }
        println!("  bound at the {which} inner error rate mu = {mu:.2e}:");
        println!(
            "    exact cap {:.4}, optimal (estimated) {:.4}",
            d.bound_cap, d.bound_optimal
        );
        print!("{}", histogram(&d, 12));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_counts_every_distance_and_marks_the_bound() {
        let d = NearestError {
            starts: 4,
            found: 4,
            mean_distance: 0.2,
            distances: vec![0.1, 0.15, 0.2, 0.35],
            mu: 1e-3,
            bound_optimal: 0.3,
            bound_cap: 0.31,
            searches_per_s: 1.0,
        };
        let h = histogram(&d, 6);
        let total: usize = h
            .lines()
            .map(|l| {
                l.split_whitespace()
                    .nth(2)
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 4, "{h}");
        assert_eq!(h.matches("<- cap bound").count(), 1, "{h}");
    }

    #[test]
    fn zero_errors_read_as_an_upper_bound() {
        let r = crate::stats::rate_estimate(0, 3000);
        assert!(rate(&r).starts_with("< 9.98e-4"), "{}", rate(&r));
    }
}
