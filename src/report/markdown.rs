//! `report.md`: figures, reading, table, settings and provenance of a
//! sweep, everything drawn from the files in its directory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::figures::alphas::Alphas;
use super::figures::central::Central;
use super::figures::perfect_init::PerfectInitFigure;
use super::figures::save;
use super::figures::slices::Slices;
use super::load::{PointData, SweepData, load};
use super::measure::quad_analysis;
use super::plan::size_label;
use super::reading::{Reading, read};
use super::table::table;
use crate::attack::{SliceKind, SliceParams, decision_slice};
use crate::run::RunDir;
use crate::train::{Trainer, TrainerState};

pub const REPORT_FILE: &str = "report.md";
pub const FIGURES_DIR: &str = "figures";
const THREADS: usize = 2;

fn trainer_of(p: &PointData) -> anyhow::Result<Trainer> {
    let loaded = RunDir::open(&p.dir)?.load_latest::<TrainerState>()?;
    Trainer::from_state(loaded.value).map_err(|e| anyhow::anyhow!("{}: {e}", loaded.path.display()))
}

/// The paper's alpha histogram is of a net trained on a fixed set; the
/// largest one here is the closest match.
fn alpha_point(data: &SweepData) -> Option<&PointData> {
    let quads = data
        .points
        .iter()
        .filter(|p| p.plan.model == "quad" && p.dir.join("snapshots").is_dir());
    quads.max_by_key(|p| {
        if p.plan.train_size == 0 {
            0
        } else {
            p.plan.train_size
        }
    })
}

fn slice_point(data: &SweepData) -> Option<&PointData> {
    let trained = || {
        data.points
            .iter()
            .filter(|p| p.status.is_some() && !p.checkpoints.is_empty())
    };
    trained()
        .find(|p| p.plan.model == "relu" && p.plan.train_size == 0)
        .or_else(|| trained().find(|p| p.plan.model != "quad"))
        .or_else(|| trained().next())
}

fn figure_line(out: &mut String, title: &str, files: &[PathBuf; 2], caption: &str) {
    let name = |p: &PathBuf| {
        p.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let _ = writeln!(
        out,
        "### {title}\n\n![{title}]({FIGURES_DIR}/{})\n\n{caption} ([SVG]({FIGURES_DIR}/{}))\n",
        name(&files[1]),
        name(&files[0])
    );
}

fn reading_text(r: &Reading) -> String {
    let mut s = format!(
        "- Points with a d(E) estimate: {} ({} of them at a one-sided upper bound of mu, where no error was sampled).\n",
        r.measured, r.upper_only
    );
    let _ = writeln!(
        s,
        "- Points above the exact-cap curve beyond their estimation uncertainty (two standard errors of d(E) over starts, the cap bound taken at the lower end of mu's 95% interval, or at the exact mu for quadratic nets): **{}**. The isoperimetric theorem allows none.",
        r.above.len()
    );
    for (m, size, step) in &r.above {
        let _ = writeln!(s, "  - {m}, train size {}, step {step}", size_label(*size));
    }
    if r.decades.is_empty() {
        s.push_str("- No point with sampled errors, so no ratio to the bound.\n");
    } else {
        s.push_str("- How close the models come to the bound, median d(E) / cap bound per decade of error rate (sampled-error points only):\n\n| error rate | points | median d(E) / bound |\n|---|---|---|\n");
        for d in &r.decades {
            let _ = writeln!(
                s,
                "| [1e{}, 1e{}) | {} | {:.3} |",
                d.exponent,
                d.exponent + 1,
                d.count,
                d.median_ratio
            );
        }
    }
    s
}

fn settings(data: &SweepData) -> String {
    let mut s = String::from(
        "| point | model | n | width x depth / h | train size | steps | lr | batch | eval points | attack starts | status | training s |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for p in &data.points {
        let c = &p.plan.config;
        let shape = match c.model.kind.as_str() {
            "quad" => format!("h = {}", c.model.hidden),
            _ => format!(
                "{} x {}{}",
                c.model.width,
                c.model.depth,
                if c.model.batch_norm { " BN" } else { "" }
            ),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            p.plan.name,
            p.plan.model,
            c.data.n,
            shape,
            size_label(p.plan.train_size),
            c.steps,
            c.train.lr,
            c.train.batch,
            c.eval.samples,
            c.attack.starts,
            p.status.as_deref().unwrap_or("unfinished"),
            p.elapsed_s
        );
    }
    s
}

/// Draws every figure the data allow and writes `dir/report.md`.
pub fn write_report(dir: &Path) -> anyhow::Result<PathBuf> {
    let data = load(dir)?;
    let figs = dir.join(FIGURES_DIR);
    std::fs::create_dir_all(&figs).with_context(|| format!("create {}", figs.display()))?;
    let n = data
        .plan
        .points
        .first()
        .map(|p| p.config.data.n)
        .unwrap_or(0);
    let checkpoints: Vec<_> = data.checkpoints().cloned().collect();
    let reading = read(&checkpoints);
    let mut md = format!(
        "# Adversarial spheres: sweep report\n\nSweep directory `{}`, scale **{}**: {}\n\n",
        dir.display(),
        data.plan.scale,
        data.plan.scaling
    );
    md.push_str("## Reading\n\n");
    md.push_str(&reading_text(&reading));
    md.push_str("\n## Figures\n\n");
    let central = save(
        &Central {
            n,
            points: &checkpoints,
        },
        &figs.join("central"),
        (1000, 700),
    )?;
    figure_line(
        &mut md,
        "Error rate vs d(E)",
        &central,
        &format!(
            "One point per (model, training-set size, checkpoint): colour = model, marker = training-set size, bars = ±2 standard errors over attack starts. Hollow markers with a left arrow had no sampled error: they sit at the one-sided 95% upper bound of mu, and their true error rate is lower (further left, where the curves are higher). Curves for n = {n}."
        ),
    );
    if let Some(p) = alpha_point(&data) {
        let t = trainer_of(p).with_context(|| format!("point {}", p.plan.name))?;
        if let Some(q) = quad_analysis(&t.model, t.config.data.radius)? {
            let fig = Alphas {
                point: &p.plan.name,
                step: t.step,
                alphas: &q.alphas,
                radius: t.config.data.radius,
                bad: q.bad_low + q.bad_high,
                exact_inner: q.inner_exact,
                exact_outer: q.outer_exact,
            };
            let files = save(&fig, &figs.join("alphas"), (1000, 560))?;
            figure_line(
                &mut md,
                "Alphas of a quadratic net",
                &files,
                &format!(
                    "The latest snapshot of point {} (step {}). {} of {} alphas lie outside the band (low {}, high {}); exact error rates from the weighted chi-square tails: inner {:.3e}, outer {:.3e}.",
                    p.plan.name,
                    t.step,
                    q.bad_low + q.bad_high,
                    q.alphas.len(),
                    q.bad_low,
                    q.bad_high,
                    q.inner_exact,
                    q.outer_exact
                ),
            );
        }
    }
    if let Some(p) = data.points.iter().find(|p| !p.perfect_init.is_empty()) {
        let fig = PerfectInitFigure {
            records: &p.perfect_init,
            alphas: p.plan.config.data.n,
        };
        let files = save(&fig, &figs.join("perfect-init"), (1000, 700))?;
        let (first, last) = (
            &p.perfect_init[0],
            &p.perfect_init[p.perfect_init.len() - 1],
        );
        figure_line(
            &mut md,
            "Training from a perfect initialisation",
            &files,
            &format!(
                "Point {}: from step {} to {}, the average loss went {:.4} -> {:.4}, the worst-case loss {:.4} -> {:.4}, the bad alphas {} -> {} (exact inner error {:.2e} -> {:.2e}).",
                p.plan.name,
                first.step,
                last.step,
                first.mean_loss,
                last.mean_loss,
                first.worst_loss,
                last.worst_loss,
                first.bad_low + first.bad_high,
                last.bad_low + last.bad_high,
                first.exact_inner,
                last.exact_inner
            ),
        );
    }
    if let Some(p) = slice_point(&data) {
        let t = trainer_of(p).with_context(|| format!("point {}", p.plan.name))?;
        let params = SliceParams {
            grid: 81,
            radius: t.config.data.radius as f32,
            ..SliceParams::default()
        };
        let kinds = [
            SliceKind::RandomRandom,
            SliceKind::RandomAdversarial,
            SliceKind::AdversarialAdversarial,
        ];
        let slices = kinds
            .iter()
            .map(|k| decision_slice(&t.model, t.config.seed, 0, *k, &params, THREADS))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("decision slices of point {}", p.plan.name))?;
        let files = save(
            &Slices {
                point: &p.plan.name,
                slices: &slices,
            },
            &figs.join("slices"),
            (1500, 560),
        )?;
        figure_line(
            &mut md,
            "Decision slices",
            &files,
            &format!(
                "Planes through the origin and an inner-sphere point of point {} at step {}: random/random, random/adversarial (the attack's direction), adversarial/adversarial.",
                p.plan.name, t.step
            ),
        );
    }
    md.push_str("## Points\n\n");
    md.push_str(&table(&checkpoints));
    md.push_str("\n## Settings\n\n");
    md.push_str(&settings(&data));
    let training: f64 = data.points.iter().map(|p| p.elapsed_s).sum();
    let walls: Vec<(f64, f64)> = data.points.iter().filter_map(|p| p.wall).collect();
    let span = walls.iter().map(|w| w.1).fold(f64::NEG_INFINITY, f64::max)
        - walls.iter().map(|w| w.0).fold(f64::INFINITY, f64::min);
    let _ = write!(
        md,
        "\n## Provenance\n\n- spheres {}\n- Training and measurement time summed over points: {:.1} s; first to last record: {}.\n- Unreadable metrics lines skipped: {}.\n",
        env!("CARGO_PKG_VERSION"),
        training,
        if span.is_finite() {
            format!("{span:.1} s")
        } else {
            "no records".into()
        },
        data.points.iter().map(|p| p.skipped_lines).sum::<usize>()
    );
    let path = dir.join(REPORT_FILE);
    crate::run::write_atomic(&path, md.as_bytes())?;
    Ok(path)
}
