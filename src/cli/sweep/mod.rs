//! `spheres sweep`: one run directory per (model, training-set size) under
//! the sweep directory, trained in sequence (or one point per call with
//! `--point`, for a scheduler's job array). Re-running the same command
//! skips finished points and resumes an interrupted one.

mod point;

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Context, anyhow, bail};

use super::args::{SweepArgs, value_name};
use crate::report::plan::{DONE_FILE, PLAN_FILE, Plan, PlanRequest, parse_sizes};
use crate::run::timestamp::utc_stamp;
use crate::run::write_atomic;
use crate::signals::{Signal, Signals};

fn request(a: &SweepArgs) -> anyhow::Result<PlanRequest> {
    let sizes = a
        .sizes
        .as_deref()
        .map(parse_sizes)
        .transpose()
        .map_err(|e| anyhow!(e))?;
    let models = (!a.models.is_empty()).then(|| a.models.iter().map(value_name).collect());
    let set = a.set.clone();
    Ok(PlanRequest {
        preset: a.preset.clone(),
        full: a.full,
        sizes,
        models,
        steps: a.steps,
        checkpoints: a.checkpoints,
        set,
        train_threads: a.threads as usize,
    })
}

/// Training threads of the points, when every point has the same.
fn train_threads(plan: &Plan) -> Option<usize> {
    let first = plan.points.first()?.config.train.threads;
    plan.points
        .iter()
        .all(|p| p.config.train.threads == first)
        .then_some(first)
}

/// Writes the plan, or checks it against the one already there: continuing
/// a sweep with other settings would mix two experiments in one report.
fn claim(dir: &Path, plan: &Plan) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let path = dir.join(PLAN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let stored = Plan::from_toml(&text, &path).map_err(|e| anyhow!(e))?;
            if let (Some(old), Some(new)) = (train_threads(&stored), train_threads(plan))
                && old != new
            {
                bail!(
                    "{}: planned with --threads {old}; training threads change the numbers, so this sweep resumes only with --threads {old} (--eval-threads can change freely)",
                    path.display()
                );
            }
            if stored != *plan {
                let differs = stored
                    .points
                    .iter()
                    .zip(&plan.points)
                    .find(|(a, b)| a != b)
                    .map(|(a, _)| format!("point {}", a.name))
                    .unwrap_or_else(|| "the list of points or the scale".into());
                bail!(
                    "{}: records another plan ({differs} differs); rerun with the original options or choose another --out",
                    path.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(write_atomic(&path, plan.to_toml().as_bytes())?)
        }
        Err(e) => Err(anyhow!("{}: {e}", path.display())),
    }
}

fn status(dir: &Path, name: &str) -> &'static str {
    let root = dir.join(name);
    if root.join(DONE_FILE).exists() {
        "done"
    } else if root.exists() {
        "started"
    } else {
        "pending"
    }
}

pub fn sweep(a: SweepArgs) -> anyhow::Result<()> {
    let plan = Plan::build(&request(&a)?).map_err(|e| anyhow!(e))?;
    let dir = a.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("sweep-{}", utc_stamp(SystemTime::now())))
    });
    if a.list {
        for (i, p) in plan.points.iter().enumerate() {
            let c = &p.config;
            println!(
                "{i:>3}  {:<24} {:<8} n {:<4} steps {:<8} {}",
                p.name,
                status(&dir, &p.name),
                c.data.n,
                c.steps,
                c.description
            );
        }
        return Ok(());
    }
    let chosen: Vec<usize> = match a.point {
        Some(i) if i >= plan.points.len() => bail!(
            "--point {i}: the plan has {} points (0..={}); see --list",
            plan.points.len(),
            plan.points.len().saturating_sub(1)
        ),
        Some(i) => vec![i],
        None => (0..plan.points.len()).collect(),
    };
    claim(&dir, &plan)?;
    // A job scheduler's warning (SIGUSR1, e.g. `#SBATCH --signal=B:USR1@120`),
    // its time limit (SIGTERM) and ^C all save the running point and stop.
    let signals = Signals::install(&[Signal::Term, Signal::Int, Signal::Usr1])?;
    let eval_threads = a.eval_threads.unwrap_or(a.threads).max(1) as usize;
    println!(
        "sweep {} ({} points): {}",
        dir.display(),
        plan.points.len(),
        plan.scaling
    );
    let started = Instant::now();
    let (mut trained, mut skipped, mut steps) = (0, 0, 0u64);
    for i in chosen {
        let p = &plan.points[i];
        let t = Instant::now();
        let out = point::run(&dir, p, eval_threads, &signals)
            .with_context(|| format!("point {}", p.name))?;
        if out.skipped {
            skipped += 1;
            println!("point {i} {}: already done, skipped", p.name);
            continue;
        }
        trained += 1;
        steps += out.trained;
        println!(
            "point {i} {}: {} {} steps in {:.1} s",
            p.name,
            if out.diverged {
                "diverged after"
            } else {
                "trained"
            },
            out.trained,
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "sweep: {trained} point(s) trained ({steps} steps), {skipped} skipped, {:.1} s; report with `spheres report {}`",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
