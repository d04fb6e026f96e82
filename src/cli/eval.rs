//! `spheres eval`: measure a model (a snapshot, or a preset trained here)
//! with the measuring pipeline: error rates on both spheres (exact where
//! known), the rate the bounds use, d(E) on both spheres against the bound,
//! the quadratic net's alphas and exact worst case, the worst-case attack
//! and off-manifold robustness; with `--rare`, rare-event estimates of both
//! spheres' rates. `--json` prints the same numbers as one object.

use std::fmt::Write;

use anyhow::Context;

use super::args::{EvalArgs, RunArgs};
use crate::data::Sphere;
use crate::measure::{DistanceReading, Measurement, RareWhen, RateSource, Settings, measure};
use crate::signals::Interrupted;
use crate::signals::{Signal, Signals};
use crate::stats::RateEstimate;
use crate::stats::report::{alphas_text, sci_from_ln};
use crate::train::Trainer;

/// A rate with its 95% interval, or its one-sided bound with no errors.
pub fn rate(r: &RateEstimate) -> String {
    r.to_string()
}

/// A text histogram of the per-start distance bounds with the cap bound
/// marked.
pub fn histogram(d: &DistanceReading, bins: usize) -> String {
    let mut s = String::new();
    let values = &d.nearest.distances;
    if values.is_empty() {
        return "    (no errors found: no distances)\n".into();
    }
    let cap = d.bound.map_or(f64::NAN, |b| b.cap);
    let hi = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(if cap.is_finite() { cap } else { 0.0 }, f64::max)
        * 1.05;
    let width = hi / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in values {
        counts[((v / width) as usize).min(bins - 1)] += 1;
    }
    let top = *counts.iter().max().unwrap_or(&1);
    for (i, c) in counts.iter().enumerate() {
        let (a, b) = (i as f64 * width, (i + 1) as f64 * width);
        let mark = if (a..b).contains(&cap) {
            "  <- cap bound"
        } else {
            ""
        };
        let bar = "#".repeat((40 * c).div_ceil(top.max(1)));
        let _ = writeln!(s, "    {a:6.3}-{b:6.3} {c:5} {bar}{mark}");
    }
    s
}

fn trainer(a: &EvalArgs) -> anyhow::Result<Trainer> {
    if let Some(path) = &a.path {
        return Ok(super::resume::load(path)?.0);
    }
    let args = RunArgs {
        preset: a.preset.clone().unwrap_or_else(|| "quick".into()),
        set: a.set.clone(),
        steps: a.steps,
        ..RunArgs::default()
    };
    let (name, config) = super::run::resolve(&args)?;
    let mut t = Trainer::new(config, &name);
    eprintln!("training preset {name} for {} steps", t.config.steps);
    while t.step < t.config.steps {
        if !t.step().is_finite() {
            anyhow::bail!("training diverged at step {}", t.step + 1);
        }
    }
    Ok(t)
}

pub fn eval(a: EvalArgs) -> anyhow::Result<()> {
    let signals = Signals::install(&[Signal::Int, Signal::Term])?;
    let trainer = trainer(&a)?;
    let c = &trainer.config;
    let model = &trainer.model;
    let threads = a.threads.unwrap_or(c.train.threads + c.eval.threads).max(1);
    let settings = Settings {
        samples: a.samples,
        starts: a.starts,
        worst_starts: a.starts.div_ceil(4),
        robust_points: a.starts,
        rare_when: if a.rare {
            RareWhen::Always
        } else {
            RareWhen::Never
        },
        ..Settings::from_config(c)
    };
    let m = match measure(model, &settings, threads, &signals.cancel()) {
        Ok(m) => m,
        Err(e) if e.is_cancelled() => {
            return Err(Interrupted {
                signal: signals.take().unwrap_or(Signal::Term),
                what: "eval".into(),
            }
            .into());
        }
        Err(e) => return Err(e).context("measurement"),
    };
    if a.json {
        // The measurement's keys, with what was measured beside them.
        let mut obj = serde_json::to_value(&m)?;
        if let Some(o) = obj.as_object_mut() {
            o.insert("model".into(), model.kind().into());
            o.insert("parameters".into(), model.params.len().into());
            o.insert("step".into(), trainer.step.into());
        }
        println!("{}", serde_json::to_string_pretty(&obj)?);
        return Ok(());
    }
    println!(
        "{} model ({} parameters), n = {}, R = {}, step {}",
        model.kind(),
        model.params.len(),
        c.data.n,
        c.data.radius,
        trainer.step
    );
    print!("{}", text(&m, &settings)?);
    Ok(())
}

fn rate_line(m: &Measurement, s: Sphere) -> String {
    let r = m.rates.get(s);
    let Some(mu) = r.mu else {
        return "unknown".into();
    };
    let value = if mu.rate.mu > 0.0 || mu.rate.is_zero() {
        format!("{:.3e}", mu.rate.mu)
    } else {
        sci_from_ln(mu.rate.ln_mu)
    };
    let interval = match mu.source {
        RateSource::Rare | RateSource::Sampled => format!(" [{:.3e}, {:.3e}]", mu.lo, mu.hi),
        RateSource::UpperBound => " (95% upper bound)".into(),
        RateSource::Exact => String::new(),
    };
    let source = match (&r.rare, mu.source) {
        (Some(e), RateSource::Rare) => format!("{}, {}", mu.source.describe(), e.method),
        _ => mu.source.describe().to_string(),
    };
    let bound = match m.rates.bound.get(s) {
        Some(b) => format!(
            "cap bound {:.4}, optimal (estimated) {:.4}",
            b.cap, b.optimal
        ),
        None => "no bound".into(),
    };
    format!("{value}{interval} ({source}): {bound}")
}

fn distance_line(d: &DistanceReading) -> String {
    match d.mean() {
        None => d.label(),
        Some(mean) => {
            let ratio = d
                .ratio()
                .map_or_else(String::new, |r| format!(", d(E)/cap {r:.3}"));
            let exact = match (d.exact_mean, d.bias()) {
                (Some(e), Some(b)) => format!(
                    "; exact over the same starts {e:.4}{} (attack bias {:+.2}%)",
                    d.exact_se
                        .map_or_else(String::new, |se| format!(" ± {:.4}", 2.0 * se)),
                    100.0 * b
                ),
                (Some(e), None) => format!("; exact over the same starts {e:.4}"),
                _ => String::new(),
            };
            format!(
                "d(E) <= {mean:.4} ± {:.4} (2 se; {}){ratio}{exact}",
                2.0 * d.se(),
                d.label()
            )
        }
    }
}

/// The measurement as text.
fn text(m: &Measurement, s: &Settings) -> anyhow::Result<String> {
    let mut out = String::new();
    let (inner, outer) = (&m.rates.inner.sampled, &m.rates.outer.sampled);
    let _ = writeln!(
        out,
        "error rate on {} fresh points (Monte Carlo):",
        inner.samples + outer.samples
    );
    let _ = writeln!(out, "  inner sphere  {}", rate(inner));
    let _ = writeln!(out, "  outer sphere  {}", rate(outer));
    for sphere in Sphere::BOTH {
        if let Some(e) = &m.rates.get(sphere).rare {
            let _ = writeln!(out, "rare-event estimate: {}", e.summary());
        }
    }
    if let Some(q) = &m.quad {
        if q.alphas.is_empty() {
            let _ = writeln!(out, "quadratic net with b = 0: no ellipsoid, no alphas");
        } else if q.band_applies {
            out.push_str(&alphas_text(&q.alphas, m.radius)?);
        } else {
            let _ = writeln!(
                out,
                "quadratic net in the {} regime (b > 0): the band [1/R^2, 1] does not apply",
                q.regime
            );
        }
        if let (Some(i), Some(o)) = (q.exact_worst_loss_inner, q.exact_worst_loss_outer) {
            let _ = writeln!(
                out,
                "worst-case loss, exact (closed form): inner {i:.4}, outer {o:.4}"
            );
        }
    }
    let _ = writeln!(
        out,
        "rate used for d(E) and the bounds (bounds on each sphere's radius):"
    );
    let _ = writeln!(out, "  inner  {}", rate_line(m, Sphere::Inner));
    let _ = writeln!(out, "  outer  {}", rate_line(m, Sphere::Outer));
    if m.d_e.inner.is_some() || m.d_e.outer.is_some() {
        let _ = writeln!(
            out,
            "nearest error ({} starts per sphere, step {}, {} steps):",
            s.starts, s.attack.step, s.attack.max_steps
        );
        for sphere in Sphere::BOTH {
            if let Some(d) = m.distance(sphere) {
                let _ = writeln!(out, "  {:<6} {}", sphere.name(), distance_line(d));
            }
        }
        if let Some(d) = m.distance(Sphere::Inner) {
            out.push_str("  per-start bounds, inner sphere:\n");
            out.push_str(&histogram(d, 12));
        }
    }
    if let Some(w) = &m.worst_case {
        let per = |v: Option<f64>| v.map_or("none".into(), |v| format!("{v:.4}"));
        let _ = writeln!(
            out,
            "worst-case attack ({} starts; its largest loss is a lower estimate of the worst case): largest loss {:.4} (inner {}, outer {}), mean after the attack {:.4}, before {:.4}",
            w.starts,
            w.worst_loss,
            per(w.worst_loss_inner),
            per(w.worst_loss_outer),
            w.mean_final_loss,
            w.mean_loss
        );
    }
    if let Some(r) = &m.robustness {
        let _ = writeln!(
            out,
            "off-manifold robustness ({} points, clean accuracy {:.4}; eps below the margin {:.3}):",
            r.points, r.clean_accuracy, r.margin
        );
        let row = |v: &[f64]| v.iter().map(|x| format!("{x:7.4}")).collect::<String>();
        let _ = writeln!(out, "  l2 eps          {}", row(&r.eps));
        let _ = writeln!(out, "  robust accuracy {}", row(&r.robust_accuracy));
        let _ = writeln!(
            out,
            "  median minimal l2 perturbation {} ({}/{} flipped below {:.4})",
            r.median_min_l2
                .map_or("infinite".into(), |d| format!("{d:.4}")),
            r.min_l2_found,
            r.points,
            r.max_eps
        );
        for z in &r.noise {
            let _ = writeln!(
                out,
                "  Gaussian noise sigma {:.4} (norm ~{:.3}): {}",
                z.sigma,
                z.sigma * (m.n as f64).sqrt(),
                rate(&z.rate)
            );
        }
        for c in &r.corollary {
            let _ = writeln!(out, "  corollary, {} sphere:", c.sphere.name());
            let _ = writeln!(out, "    {:<24}{}", "eps", row(&c.eps));
            let _ = writeln!(
                out,
                "    {:<24}{}",
                "within eps (lower est.)",
                row(&c.within)
            );
            let cap: Vec<String> = c
                .cap_expansion
                .iter()
                .map(|v| v.map_or("      -".into(), |x| format!("{x:7.4}")))
                .collect();
            let _ = writeln!(out, "    {:<24}{}", "cap expansion (bound)", cap.concat());
        }
    }
    if !m.notes.is_empty() {
        out.push_str("notes:\n");
        for n in &m.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::NearestError;
    use crate::measure::choose;
    use crate::stats::rate_estimate;

    #[test]
    fn the_histogram_counts_every_start_and_marks_the_bound() {
        let nearest = NearestError {
            sphere: Sphere::Inner,
            starts: 4,
            found: 3,
            mean_distance: 0.2,
            se: 0.05,
            distances: vec![0.1, 0.15, 0.2, 0.35],
            searches_per_s: 1.0,
            every_start: true,
        };
        let mu = choose(None, None, Some(&rate_estimate(10, 10_000)));
        let d = DistanceReading::new(nearest, mu, 10, 1.0, 20, None);
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
        let line = distance_line(&d);
        assert!(
            line.contains("d(E) <= 0.2000") && line.contains("3/4 found"),
            "{line}"
        );
    }

    #[test]
    fn zero_errors_read_as_an_upper_bound() {
        let r = crate::stats::rate_estimate(0, 3000);
        assert!(rate(&r).starts_with("< 9.98e-4"), "{}", rate(&r));
    }
}
