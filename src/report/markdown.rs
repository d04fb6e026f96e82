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
use super::plan::size_label;
use super::reading::{Change, Reading, changes, read};
use super::table::table;
use crate::attack::{Cancel, ManifoldParams, SliceKind, SliceParams, Starts, decision_slice};
use crate::data::Sphere;
use crate::measure::MAX_UNFOUND;
use crate::measure::calibration::{Calibration, calibrate_on_cap};
use crate::measure::corollary::EPS_MULTIPLES;
use crate::run::RunDir;
use crate::stats::quadnet::analyse_model;
use crate::train::{Trainer, TrainerState};

pub const REPORT_FILE: &str = "report.md";

fn bad_text(p: &crate::report::checkpoint::PerfectInit) -> String {
    p.bad()
        .map_or_else(|| "n/a (b >= 0)".into(), |b| b.to_string())
}

fn loss_text(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "–".into(), |v| format!("{v:.4}"))
}
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
    let (sphere, bound) = match r.sphere {
        Sphere::Inner => ("inner", "the cap bound"),
        Sphere::Outer => ("outer", "R times the cap bound"),
    };
    let mut s = format!(
        "- Checkpoints with a d(E) estimate on the {sphere} sphere: {}. Left out of what follows: {} where more than {:.0}% of the starts found no error of their own (their values rest on other starts' errors and run high), and {} whose exact error rate is 0 (no error set). Read: {} ({} at an exact rate, {} at a rare-event estimate where sampling saw no error, {} at a one-sided upper bound of mu, where no error was sampled and no rare-event rate exists).\n",
        r.measured + r.zero_rate,
        r.left_out,
        100.0 * MAX_UNFOUND,
        r.zero_rate,
        r.read(),
        r.exact,
        r.rare,
        r.upper_only
    );
    let _ = writeln!(
        s,
        "- Points above the exact-cap curve beyond their estimation uncertainty (two standard errors of d(E) over starts plus the bisection's resolution, {bound} taken at the lower end of mu's 95% interval, or at the exact mu for quadratic nets): **{}**. The isoperimetric theorem allows none of the true d(E); every d(E) here is an upper estimate, so a point above can be the attack's looseness rather than the theorem failing.",
        r.above.len()
    );
    for (m, size, step) in &r.above {
        let _ = writeln!(s, "  - {m}, train size {}, step {step}", size_label(*size));
    }
    if r.decades.is_empty() {
        s.push_str(
            "- No point with a known rate (sampled errors or exact), so no ratio to the bound.\n",
        );
    } else {
        let _ = write!(
            s,
            "- How close the models come to the bound, median d(E) / {bound} per decade of error rate (points whose rate is known, not only bounded; the medians describe checkpoints that share their starts, they are not averages of independent measurements):\n\n| error rate | points | median d(E) / bound |\n|---|---|---|\n"
        );
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

fn changes_text(c: &[Change]) -> String {
    if c.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "\nd(E) on the inner sphere over each point's training, first to last usable checkpoint. The checkpoints share their starts, so the change is judged by its paired standard error over those starts; the error the two means would have as independent samples is beside it.\n\n| point | steps | d(E) | change | paired 2 se | unpaired 2 se |\n|---|---|---|---|---|---|\n",
    );
    for x in c {
        let _ = writeln!(
            s,
            "| {} | {} -> {} | {:.4} -> {:.4} | {:+.4} | {:.4} | {:.4} |",
            x.point,
            x.from_step,
            x.to_step,
            x.from,
            x.to,
            x.change,
            2.0 * x.paired_se,
            2.0 * x.unpaired_se
        );
    }
    s
}

/// The attack's bias on cap classifiers at the sweep's dimension, starts
/// and attack settings (`measure::calibration`).
fn calibration(data: &SweepData) -> anyhow::Result<Vec<Calibration>> {
    let Some(p) = data
        .points
        .iter()
        .find(|p| p.plan.model != super::plan::PERFECT_INIT)
    else {
        return Ok(Vec::new());
    };
    let c = &p.plan.config;
    if c.attack.starts == 0 {
        return Ok(Vec::new());
    }
    let starts = Starts {
        seed: c.seed,
        sphere: Sphere::Inner,
        outer_radius: c.data.radius,
        count: c.attack.starts,
    };
    let params = ManifoldParams::from(&c.attack);
    [1e-1, 1e-2, 1e-3]
        .iter()
        .map(|&mu| {
            calibrate_on_cap(c.data.n, mu, starts, &params, THREADS, &Cancel::never())
                .with_context(|| format!("attack calibration at mu = {mu}"))
        })
        .collect()
}

fn calibration_text(cal: &[Calibration], data: &SweepData) -> String {
    let mut s = String::from(
        "Every d(E) in this report is the mean of per-start upper bounds on the distance to the nearest error: the distance to the nearest error found from any start, tightened by bisection along great circles and a walk along the decision boundary toward the start. How loose those bounds are is measured where the answer is known. On cap classifiers at this sweep's n, with its starts and attack settings:\n\n| cap measure mu | found / starts | attack d(E) | exact d(E) over the same starts | bias | largest per-start excess |\n|---|---|---|---|---|---|\n",
    );
    for c in cal {
        let _ = writeln!(
            s,
            "| {:.2e} | {} / {} | {:.4} | {:.4} | {:+.2}% | {:.2e} |",
            c.mu,
            c.found,
            c.starts,
            c.attack_mean,
            c.exact_mean,
            100.0 * c.bias,
            c.max_excess
        );
    }
    s.push_str("\nA cap is the error set the ascent walks into along a geodesic, so this is the attack at its best.\n");
    s.push_str(&quad_bias_text(data));
    s
}

/// The attack's bias on the trained quadratic nets, measured against the
/// exact d(x, E) over the same starts (`measure::exact_geometry`).
fn quad_bias_text(data: &SweepData) -> String {
    let readings: Vec<(
        &PointData,
        &crate::report::checkpoint::Checkpoint,
        Sphere,
        f64,
    )> = data
        .points
        .iter()
        .flat_map(|p| p.checkpoints.iter().map(move |c| (p, c)))
        .flat_map(|(p, c)| Sphere::BOTH.into_iter().map(move |s| (p, c, s)))
        .filter_map(|(p, c, s)| Some((p, c, s, c.distance(s)?.bias()?)))
        .collect();
    if readings.is_empty() {
        return "\nNo checkpoint of this sweep has an exact d(x, E) to compare with (no quadratic net measured with its exact geometry), so on the trained nets the bias is not measured here. The sign is known - every value is an upper bound, so the trained nets' d(E) can only be lower than shown - the size is not.\n".into();
    }
    let mut s = String::from(
        "\nOn the trained quadratic nets the exact d(x, E) of every start is known (the nearest point of the ellipsoid's intersection with the sphere, from one eigendecomposition per checkpoint), so there the bias is measured on the sweep's own starts. Each point's last checkpoint:\n\n| point | step | sphere | found / starts | attack d(E) | exact d(E) ± 2 se | bias |\n|---|---|---|---|---|---|---|\n",
    );
    for p in &data.points {
        for sphere in Sphere::BOTH {
            let Some((_, c, _, bias)) = readings
                .iter()
                .rev()
                .find(|(q, _, sp, _)| q.plan.name == p.plan.name && *sp == sphere)
            else {
                continue;
            };
            let Some(d) = c.distance(sphere) else {
                continue;
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} / {} | {:.4} | {:.4} ± {:.4} | {:+.2}% |",
                p.plan.name,
                c.step,
                sphere.name(),
                d.nearest.found,
                d.nearest.starts,
                d.mean().unwrap_or(f64::NAN),
                d.exact_mean.unwrap_or(f64::NAN),
                2.0 * d.exact_se.unwrap_or(f64::NAN),
                100.0 * bias
            );
        }
    }
    let biases: Vec<f64> = readings.iter().map(|r| r.3).collect();
    let (lo, hi) = biases
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let _ = writeln!(
        s,
        "\nOver all {} readings of the quadratic nets (every checkpoint, both spheres): median bias {:+.2}%, from {:+.2}% to {:+.2}%. The ReLU nets have no exact reference; their d(E) is an upper estimate too, high by an amount not measured here (on quadratic nets of this sweep it is the range above).",
        biases.len(),
        100.0 * crate::stats::median(&biases),
        100.0 * lo,
        100.0 * hi
    );
    s
}

/// Off-manifold robustness and the corollary at each point's last
/// checkpoint that measured them.
fn robustness_text(data: &SweepData) -> String {
    let last: Vec<_> = data
        .points
        .iter()
        .filter_map(|p| {
            let c = p
                .checkpoints
                .iter()
                .rev()
                .find(|c| c.measurement.robustness.is_some())?;
            Some((p.plan.name.as_str(), c, c.measurement.robustness.as_ref()?))
        })
        .collect();
    let Some((_, _, first)) = last.first() else {
        return "No checkpoint measured off-manifold robustness.\n".into();
    };
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let root_n = (data.plan.points.first().map_or(1, |p| p.config.data.n) as f64).sqrt();
    let mut s = format!(
        "At each point's last checkpoint. Robust accuracy under l2 PGD (50 steps, no random start) at eps = {} - all below the margin (R - 1)/2 = {:.3}, so a perturbed point keeps the label of the sphere it came from; the median minimal l2 perturbation, a point not flipped below {:.3} counting as infinite; the error rate under Gaussian noise of typical norm sigma sqrt(n) = {}, labelled by the nearest sphere.\n\n| point | step | points | clean accuracy | robust accuracy | median min l2 (flipped) | noise error rate |\n|---|---|---|---|---|---|---|\n",
        fmt(&first.eps),
        first.margin,
        first.max_eps,
        fmt(&first
            .noise
            .iter()
            .map(|z| z.sigma * root_n)
            .collect::<Vec<_>>())
    );
    for (name, c, r) in &last {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {:.3} | {} | {} ({}/{}) | {} |",
            c.step,
            r.points,
            r.clean_accuracy,
            fmt(&r.robust_accuracy),
            r.median_min_l2
                .map_or("infinite".into(), |d| format!("{d:.4}")),
            r.min_l2_found,
            r.points,
            r.noise
                .iter()
                .map(|z| format!("{:.2e}", z.rate.rate))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s.push_str("\nThe corollary measured, inner sphere: the fraction of starts whose found nearest error lies within eps (a lower estimate of the true fraction, since each distance is an upper bound) against the eps-expansion of a cap of the same measure (the theorem's lower bound on the true fraction), at eps = 0.5, 1 and 2 times the cap bound. A measured fraction below the cap's is the attack's shortfall, not the theorem's.\n\n| point | step | within 0.5 / 1 / 2 bounds | cap expansion |\n|---|---|---|---|\n");
    for (name, c, r) in &last {
        let Some(k) = r.corollary.iter().find(|k| k.sphere == Sphere::Inner) else {
            continue;
        };
        if k.unit != "cap bound" {
            continue;
        }
        let at = |m: f64| EPS_MULTIPLES.iter().position(|x| *x == m);
        let pick =
            |v: &dyn Fn(Option<usize>) -> String| [0.5, 1.0, 2.0].map(|m| v(at(m))).join(" / ");
        let within = pick(&|i| {
            i.and_then(|i| k.within.get(i))
                .map_or("–".into(), |w| format!("{w:.3}"))
        });
        let cap = pick(&|i| {
            i.and_then(|i| k.cap_expansion.get(i).copied().flatten())
                .map_or("–".into(), |w| format!("{w:.3}"))
        });
        let _ = writeln!(s, "| {name} | {} | {within} | {cap} |", c.step);
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
    let inner = read(&checkpoints, Sphere::Inner);
    let outer = read(&checkpoints, Sphere::Outer);
    let cal = calibration(&data)?;
    let mut md = format!(
        "# Adversarial spheres: sweep report\n\nSweep directory `{}`, scale **{}**: {}\n\n",
        dir.display(),
        data.plan.scale,
        data.plan.scaling
    );
    md.push_str("## Reading\n\n");
    md.push_str("Inner sphere (the paper's figure):\n\n");
    md.push_str(&reading_text(&inner));
    md.push_str(&changes_text(&changes(&data.points)));
    md.push_str(
        "\nOuter sphere, d(E_outer) against R times the cap bound at the outer error rate:\n\n",
    );
    md.push_str(&reading_text(&outer));
    md.push_str("\nStarts, Monte Carlo points and robustness points are functions of the seed and n: the checkpoints of a point share them, and so do points with the same seed and n. Common starts make the change between two checkpoints more precise (see the paired errors above), but the checkpoints are not independent samples of anything.\n");
    md.push_str("\n## Attack calibration\n\n");
    md.push_str(&calibration_text(&cal, &data));
    md.push_str("\n## Figures\n\n");
    let fig = Central {
        n,
        points: &checkpoints,
    };
    let central = save(&fig, &figs.join("central"), (1000, 700))?;
    let zero = fig.zero_rate();
    let broken = if fig.panels().len() > 1 {
        " The x axis is broken: the left panel, with its own y axis, holds rates far below the others (quadratic nets at their exact rates)."
    } else {
        ""
    };
    figure_line(
        &mut md,
        "Error rate vs d(E)",
        &central,
        &format!(
            "One point per (model, training-set size, checkpoint): colour = model, marker = training-set size, bars = ±2 standard errors over attack starts. Each d(E) is a mean of per-start upper bounds, so the true point lies at or below it. Quadratic nets sit at their exact error rate; other points at the Monte Carlo estimate, or at the rare-event estimate where sampling saw no error. Hollow markers with a left arrow had no sampled error: they sit at the one-sided 95% upper bound of mu, and their true error rate is lower (further left, where the curves are higher). Faded markers had more than {:.0}% of starts without an error of their own and are left out of the reading.{broken}{} Curves for n = {n}.",
            100.0 * MAX_UNFOUND,
            if zero > 0 {
                format!(
                    " {zero} checkpoint(s) with an exact error rate of 0 have no error set and are not drawn."
                )
            } else {
                String::new()
            }
        ),
    );
    if let Some(p) = alpha_point(&data) {
        let t = trainer_of(p).with_context(|| format!("point {}", p.plan.name))?;
        if let Some(q) =
            analyse_model(&t.model, t.config.data.radius).context("quadratic net analysis")?
        {
            let band = q.regime == crate::stats::quadnet::Regime::Ellipsoid;
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
                    "The latest snapshot of point {} (step {}). {}; exact error rates from the weighted chi-square tails: inner {}, outer {} (the paper's CLT estimates: {:.3e}, {:.3e}).",
                    p.plan.name,
                    t.step,
                    if band {
                        format!(
                            "{} of {} alphas lie outside the band (low {}, high {})",
                            q.bad_low + q.bad_high,
                            q.alphas.len(),
                            q.bad_low,
                            q.bad_high
                        )
                    } else {
                        "b > 0, so the band [1/R^2, 1] is not the zero-error condition and no alpha is counted bad".into()
                    },
                    crate::stats::report::sci_from_ln(q.ln_inner_exact),
                    crate::stats::report::sci_from_ln(q.ln_outer_exact),
                    q.inner_clt,
                    q.outer_clt
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
                "Point {}: from step {} to {}, the mean training loss went {} -> {} (at the attack's starting points {:.4} -> {:.4}); the worst-case loss, exact, {} -> {}{}; the worst-case attack's largest loss (a lower estimate, the check) {:.4} -> {:.4}; the bad alphas {} -> {} (exact inner error {:.2e} -> {:.2e}).",
                p.plan.name,
                first.step,
                last.step,
                loss_text(Some(first.train_loss)),
                loss_text(Some(last.train_loss)),
                first.mean_loss,
                last.mean_loss,
                loss_text(first.exact_worst()),
                loss_text(last.exact_worst()),
                match (first.exact_worst(), last.exact_worst()) {
                    (Some(a), Some(b)) if a > 0.0 => format!(" ({:.0}x)", b / a),
                    _ => String::new(),
                },
                first.worst_loss,
                last.worst_loss,
                bad_text(first),
                bad_text(last),
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
    md.push_str("## Off-manifold robustness\n\n");
    md.push_str(&robustness_text(&data));
    md.push_str("\n## Points\n\n");
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
