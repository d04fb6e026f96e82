//! Trains one sweep point in its own run directory, measuring at the
//! checkpoints, and marks it done. An interrupted point resumes from its
//! newest snapshot; a done point is never touched again.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::report::checkpoint::SweepRecord;
use crate::report::measure::{self, PointInfo};
use crate::report::plan::{DONE_FILE, PERFECT_INIT, PointPlan};
use crate::run::{MetricsLog, RunDir, RunError, write_atomic};
use crate::train::{Trainer, TrainerState};

/// Snapshots kept per point: the newest is enough to resume, one more
/// survives a damaged newest file.
const KEEP: usize = 2;

pub struct Outcome {
    /// Optimisation steps this call ran (0 for a point already done).
    pub trained: u64,
    pub diverged: bool,
    /// The point was already done and nothing ran.
    pub skipped: bool,
}

/// Steps at which a point is measured. Geometric for the sweep (error
/// rates fall roughly geometrically, so this spreads the points over
/// decades); evenly spaced from step 0 for the perfect-init run, whose
/// story is the drift away from zero error.
pub fn checkpoint_steps(total: u64, k: usize, perfect_init: bool) -> Vec<u64> {
    let k = k.max(1) as u64;
    let mut steps: Vec<u64> = if perfect_init {
        (0..=k).map(|i| total * i / k).collect()
    } else {
        (1..=k).map(|i| (total >> (k - i).min(63)).max(1)).collect()
    };
    steps.dedup();
    steps
}

fn open_or_create(root: &Path, sweep: &Path, p: &PointPlan) -> anyhow::Result<(RunDir, Trainer)> {
    if !root.join(crate::run::run_dir::SNAPSHOTS_DIR).is_dir() {
        let dir = RunDir::create(sweep, &p.name, Some(root))?;
        dir.write_config(&p.config.to_toml())?;
        return Ok((dir, Trainer::new(p.config.clone(), &p.name)));
    }
    let dir = RunDir::open(root)?;
    let trainer = match dir.load_latest::<TrainerState>() {
        Ok(loaded) => {
            for w in &loaded.warnings {
                eprintln!("warning: {w}");
            }
            let config = crate::config::Config::from_toml(&loaded.value.config)
                .with_context(|| format!("{}: snapshot config", loaded.path.display()))?;
            if config != p.config {
                bail!(
                    "{}: the snapshot was trained with another config than sweep.toml's point {}",
                    loaded.path.display(),
                    p.name
                );
            }
            Trainer::from_state(loaded.value)
                .map_err(|e| anyhow::anyhow!("{}: {e}", loaded.path.display()))?
        }
        Err(RunError::NoSnapshot { errors, .. }) if errors.is_empty() => {
            Trainer::new(p.config.clone(), &p.name)
        }
        Err(e) => return Err(e.into()),
    };
    Ok((dir, trainer))
}

fn record(
    trainer: &Trainer,
    p: &PointPlan,
    loss: f64,
    elapsed: f64,
    threads: usize,
) -> anyhow::Result<SweepRecord> {
    let (model, config, step) = (&trainer.model, &trainer.config, trainer.step);
    if p.model == PERFECT_INIT {
        return Ok(SweepRecord::PerfectInit(measure::perfect_init(
            model, config, step, threads,
        )?));
    }
    let info = PointInfo {
        model: &p.model,
        train_size: p.train_size,
        step,
        train_loss: loss,
        elapsed_s: elapsed,
    };
    Ok(SweepRecord::Checkpoint(Box::new(measure::checkpoint(
        model, config, info, threads,
    )?)))
}

pub fn run(sweep: &Path, p: &PointPlan, threads: usize) -> anyhow::Result<Outcome> {
    let root = sweep.join(&p.name);
    let done = root.join(DONE_FILE);
    if done.exists() {
        return Ok(Outcome {
            trained: 0,
            diverged: false,
            skipped: true,
        });
    }
    let (dir, mut trainer) = open_or_create(&root, sweep, p)?;
    let _lock = dir.lock()?;
    let mut log = MetricsLog::open(dir.path())?;
    let total = p.config.steps;
    let schedule = checkpoint_steps(total, p.checkpoints, p.model == PERFECT_INIT);
    let started = Instant::now();
    let before = trainer.elapsed_before_s;
    let elapsed = |t: &Instant| before + t.elapsed().as_secs_f64();
    let autosave = Duration::from_secs_f64(p.config.run.autosave_min.max(0.0) * 60.0);
    let mut last_save = Instant::now();
    let (start_step, mut loss_sum, mut loss_count) = (trainer.step, 0.0, 0u64);
    let mut diverged = false;
    loop {
        if schedule.contains(&trainer.step) && (trainer.step > start_step || trainer.step == 0) {
            let mean_loss = if loss_count > 0 {
                loss_sum / loss_count as f64
            } else {
                f64::NAN
            };
            let r = record(&trainer, p, mean_loss, elapsed(&started), threads)
                .with_context(|| format!("point {} at step {}", p.name, trainer.step))?;
            log.append(&r)?;
            log.flush()?;
            dir.save_snapshot(trainer.step, &trainer.state(elapsed(&started)), KEEP)?;
            last_save = Instant::now();
            (loss_sum, loss_count) = (0.0, 0);
        } else if !autosave.is_zero() && last_save.elapsed() >= autosave {
            dir.save_snapshot(trainer.step, &trainer.state(elapsed(&started)), KEEP)?;
            last_save = Instant::now();
        }
        if trainer.step >= total {
            break;
        }
        let out = trainer.step();
        if !out.is_finite() {
            diverged = true;
            break;
        }
        loss_sum += out.loss as f64;
        loss_count += 1;
    }
    let status = serde_json::json!({
        "status": if diverged { "diverged" } else { "finished" },
        "step": trainer.step,
        "elapsed_s": elapsed(&started),
    });
    write_atomic(&done, format!("{status}\n").as_bytes())?;
    Ok(Outcome {
        trained: trainer.step - start_step,
        diverged,
        skipped: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_end_at_the_last_step_without_repeats() {
        assert_eq!(checkpoint_steps(3000, 4, false), vec![375, 750, 1500, 3000]);
        assert_eq!(checkpoint_steps(4, 5, false), vec![1, 2, 4]);
        assert_eq!(checkpoint_steps(3000, 3, true), vec![0, 1000, 2000, 3000]);
    }
}
