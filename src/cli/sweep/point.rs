//! Trains one sweep point in its own run directory, measuring at the
//! checkpoints, and marks it done. An interrupted point resumes from its
//! newest snapshot; a done point is never touched again.
//!
//! A signal (SIGTERM, SIGINT, SIGUSR1) stops the point within one training
//! step or one unit of a measurement: the snapshot of the current step is
//! written (with the training-loss sums in a `Progress` record beside it)
//! and the point returns `Interrupted`. A measurement cut short leaves no
//! record, so the resumed point measures that checkpoint again; which
//! checkpoints are measured is read from the log, so nothing is measured
//! twice and nothing is skipped. Training resumes bit for bit, and the
//! measurements are functions of the model and the seed, so a resumed
//! point records exactly what an uninterrupted one would have.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::attack::Cancel;
use crate::measure::{Measurement, Settings, measure};
use crate::report::checkpoint::{Checkpoint, PerfectInit, Progress, SweepRecord};
use crate::report::plan::{DONE_FILE, PERFECT_INIT, PointPlan};
use crate::run::metrics_log::read_all;
use crate::run::{MetricsLog, RunDir, RunError, write_atomic};
use crate::signals::Interrupted;
use crate::signals::{Signal, Signals};
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

/// What the log says: the steps already measured, and the newest
/// `Progress` record of each step.
fn history(dir: &RunDir) -> anyhow::Result<(BTreeSet<u64>, Vec<Progress>)> {
    let path = dir.metrics_path();
    let (mut measured, mut progress) = (BTreeSet::new(), Vec::new());
    if !path.exists() {
        return Ok((measured, progress));
    }
    for value in read_all(&path)?.records {
        match serde_json::from_value::<SweepRecord>(value) {
            Ok(SweepRecord::Checkpoint(c)) => {
                measured.insert(c.step);
            }
            Ok(SweepRecord::PerfectInit(p)) => {
                measured.insert(p.step);
            }
            Ok(SweepRecord::Progress(p)) => progress.push(p),
            Err(_) => {}
        }
    }
    Ok((measured, progress))
}

fn record(
    trainer: &Trainer,
    p: &PointPlan,
    loss: f64,
    elapsed: f64,
    threads: usize,
    cancel: &Cancel,
) -> Result<SweepRecord, crate::measure::MeasureError> {
    let (model, config, step) = (&trainer.model, &trainer.config, trainer.step);
    let settings = Settings::from_config(config);
    if p.model == PERFECT_INIT {
        // The worst case is exact (closed form); the attack's, on a quarter
        // of the starts as at every checkpoint, is its check.
        let only_worst = Settings {
            samples: 0,
            starts: 0,
            robust_points: 0,
            worst_starts: config.attack.starts.div_ceil(4).max(1),
            ..settings
        };
        let m = measure(model, &only_worst, threads, cancel)?;
        return Ok(SweepRecord::PerfectInit(perfect_init(step, loss, &m)));
    }
    let m = measure(model, &settings, threads, cancel)?;
    Ok(SweepRecord::Checkpoint(Box::new(Checkpoint {
        step,
        model: p.model.clone(),
        train_size: p.train_size,
        measurement: m,
        train_loss: loss,
        elapsed_s: elapsed,
    })))
}

fn perfect_init(step: u64, train_loss: f64, m: &Measurement) -> PerfectInit {
    let w = m.worst_case;
    let q = m.quad.as_ref();
    PerfectInit {
        step,
        mean_loss: w.map_or(f64::NAN, |w| w.mean_loss),
        worst_loss: w.map_or(f64::NAN, |w| w.worst_loss),
        mean_final_loss: w.map_or(f64::NAN, |w| w.mean_final_loss),
        bad_low: q.and_then(|q| q.bad_low),
        bad_high: q.and_then(|q| q.bad_high),
        exact_inner: m.rates.inner.exact.unwrap_or(f64::NAN),
        exact_outer: m.rates.outer.exact.unwrap_or(f64::NAN),
        train_loss,
        exact_worst_inner: q.and_then(|q| q.exact_worst_loss_inner),
        exact_worst_outer: q.and_then(|q| q.exact_worst_loss_outer),
        inner_clt: q.map_or(f64::NAN, |q| q.inner_clt),
    }
}

/// Training-loss sums since the last checkpoint.
#[derive(Default)]
struct Losses {
    sum: f64,
    count: u64,
}

impl Losses {
    fn mean(&self) -> f64 {
        if self.count > 0 {
            self.sum / self.count as f64
        } else {
            f64::NAN
        }
    }
}

/// The point's run directory, its log and its trainer while it trains.
struct Point<'a> {
    dir: RunDir,
    log: MetricsLog,
    trainer: Trainer,
    plan: &'a PointPlan,
}

impl Point<'_> {
    /// A `Progress` record, then the snapshot of the same step: a snapshot
    /// always has its loss sums in the log before it.
    fn save(&mut self, losses: &Losses, elapsed: f64) -> anyhow::Result<()> {
        let step = self.trainer.step;
        let progress = Progress::new(step, losses.sum, losses.count, elapsed);
        self.log.append(&SweepRecord::Progress(progress))?;
        self.log.flush()?;
        self.dir
            .save_snapshot(step, &self.trainer.state(elapsed), KEEP)?;
        Ok(())
    }

    fn interrupted(&mut self, signal: Signal, losses: &Losses, elapsed: f64) -> anyhow::Error {
        if let Err(e) = self.save(losses, elapsed) {
            return e.context(format!(
                "saving point {} after {}",
                self.plan.name,
                signal.name()
            ));
        }
        Interrupted {
            signal,
            what: format!(
                "snapshot saved at step {}; rerun the sweep to resume",
                self.trainer.step
            ),
        }
        .into()
    }
}

pub fn run(
    sweep: &Path,
    p: &PointPlan,
    threads: usize,
    signals: &Signals,
) -> anyhow::Result<Outcome> {
    let root = sweep.join(&p.name);
    let done = root.join(DONE_FILE);
    if done.exists() {
        return Ok(Outcome {
            trained: 0,
            diverged: false,
            skipped: true,
        });
    }
    let (dir, trainer) = open_or_create(&root, sweep, p)?;
    let _lock = dir.lock()?;
    let (mut measured, progress) = history(&dir)?;
    let log = MetricsLog::open(dir.path())?;
    let mut pt = Point {
        dir,
        log,
        trainer,
        plan: p,
    };
    let cancel = signals.cancel();
    let total = p.config.steps;
    let schedule = checkpoint_steps(total, p.checkpoints, p.model == PERFECT_INIT);
    let started = Instant::now();
    let before = pt.trainer.elapsed_before_s;
    let elapsed = |t: &Instant| before + t.elapsed().as_secs_f64();
    let autosave = Duration::from_secs_f64(p.config.run.autosave_min.max(0.0) * 60.0);
    let mut last_save = Instant::now();
    let start_step = pt.trainer.step;
    let mut losses = progress
        .iter()
        .rev()
        .find(|r| r.step == start_step)
        .map_or_else(Losses::default, |r| Losses {
            sum: r.sum(),
            count: r.loss_count,
        });
    let signal = || signals.take().unwrap_or(Signal::Term);
    let mut diverged = false;
    loop {
        if cancel.is_cancelled() {
            return Err(pt.interrupted(signal(), &losses, elapsed(&started)));
        }
        let step = pt.trainer.step;
        if schedule.contains(&step) && !measured.contains(&step) {
            match record(
                &pt.trainer,
                p,
                losses.mean(),
                elapsed(&started),
                threads,
                &cancel,
            ) {
                Ok(r) => {
                    pt.log.append(&r)?;
                    pt.log.flush()?;
                    measured.insert(step);
                    losses = Losses::default();
                    pt.save(&losses, elapsed(&started))?;
                    last_save = Instant::now();
                }
                Err(e) if e.is_cancelled() => {
                    return Err(pt.interrupted(signal(), &losses, elapsed(&started)));
                }
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("point {} at step {step}", p.name))
                    );
                }
            }
        } else if !autosave.is_zero() && last_save.elapsed() >= autosave {
            pt.save(&losses, elapsed(&started))?;
            last_save = Instant::now();
        }
        if pt.trainer.step >= total {
            break;
        }
        let out = pt.trainer.step();
        if !out.is_finite() {
            diverged = true;
            break;
        }
        losses.sum += out.loss as f64;
        losses.count += 1;
    }
    let status = serde_json::json!({
        "status": if diverged { "diverged" } else { "finished" },
        "step": pt.trainer.step,
        "elapsed_s": elapsed(&started),
    });
    write_atomic(&done, format!("{status}\n").as_bytes())?;
    Ok(Outcome {
        trained: pt.trainer.step - start_step,
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
