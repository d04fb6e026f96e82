//! `spheres run` (and plain `spheres`): resolve the config, start the
//! workers, then show the dashboard or print progress lines.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use crossbeam_channel::RecvTimeoutError;

use super::args::{RunArgs, ViewArgs};
use super::headless::Reporter;
use crate::attack::ErrorEstimator;
use crate::config::{Config, preset};
use crate::run::RunDir;
use crate::session::Session;
use crate::session::messages::{Command, Event, RunState};
use crate::session::run_info::run_info;
use crate::train::Trainer;
use crate::tui::{DashboardOptions, run_dashboard};

/// Preset, then `--steps`, then every `--set` in order.
pub fn resolve(args: &RunArgs) -> anyhow::Result<(String, Config)> {
    let p = preset(&args.preset)?;
    let mut config = p.config;
    if let Some(steps) = args.steps {
        config.set("steps", &steps.to_string())?;
    }
    for (k, v) in &args.set {
        config.set(k, v).with_context(|| format!("--set {k}={v}"))?;
    }
    Ok((p.name, config))
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let (name, config) = resolve(&args)?;
    let dir = RunDir::create(Path::new("runs"), &name, args.out.as_deref())?;
    dir.write_config(&config.to_toml())?;
    let trainer = Trainer::new(config, &name);
    drive(trainer, dir, &args.view)
}

/// Runs a (new or resumed) trainer to the end: on the dashboard when
/// stdout is a terminal, else headless.
pub fn drive(trainer: Trainer, dir: RunDir, view: &ViewArgs) -> anyhow::Result<()> {
    // One writer per run directory: a second `resume` of a live run is
    // refused instead of interleaving snapshots.
    let _lock = dir.lock()?;
    if view.headless || !std::io::stdout().is_terminal() {
        return run_headless(trainer, dir, view.every);
    }
    let info = run_info(&trainer);
    let session = Session::start(trainer, Some(dir), false)?;
    let opts = DashboardOptions {
        max_fps: view.fps,
        mouse: view.mouse,
    };
    let shown = run_dashboard(info, session.events.clone(), session.commands.clone(), opts);
    // Whatever ended the dashboard, the trainer is told to stop (a no-op
    // when it already has) so that joining it cannot hang.
    let _ = session.commands.send(Command::Stop { save: true });
    let trainer = session.join()?;
    shown?;
    println!(
        "stopped at step {} ({} samples)",
        trainer.step,
        trainer.samples()
    );
    Ok(())
}

fn run_headless(trainer: Trainer, dir: RunDir, every: f64) -> anyhow::Result<()> {
    use crate::signals::{Signal, Signals};
    let signals = Signals::install(&[Signal::Term, Signal::Int, Signal::Hup])?;
    let total = trainer.config.steps;
    let test_samples = trainer.config.eval.test_samples;
    println!(
        "spheres: preset {} ({}), steps {} to {}, {} training + {} evaluation thread(s), run directory {}",
        trainer.preset,
        trainer.config.description,
        trainer.step,
        total,
        trainer.config.train.threads,
        trainer.config.eval.threads,
        dir.path().display()
    );
    let session = Session::start(trainer, Some(dir), false)?;
    let mut reporter = Reporter::new(total, Duration::from_secs_f64(every.max(0.1)));
    let mut stopping = false;
    let mut signalled = false;
    loop {
        if !stopping && let Some(sig) = signals.take() {
            signalled = true;
            println!("received {}: saving and stopping", sig.name());
            let _ = session.commands.send(Command::Stop { save: true });
            stopping = true;
        }
        match session.events.recv_timeout(Duration::from_millis(200)) {
            Ok(e) => {
                if let Some(line) = reporter.event(&e) {
                    println!("{line}");
                }
                if matches!(
                    e,
                    Event::State {
                        state: RunState::Finished | RunState::Diverged
                    }
                ) && !stopping
                {
                    let _ = session.commands.send(Command::Stop { save: true });
                    stopping = true;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let trainer = session.join()?;
    if let Some(m) = reporter.latest() {
        println!("{}", super::headless::progress_line(m, total, f64::NAN));
    }
    // After a signal the user (or the scheduler) wants the process gone:
    // the snapshot is saved, the test-error pass can wait for a resume.
    if !signalled {
        summary(&trainer, test_samples);
    }
    Ok(())
}

/// The final test error on fresh points, per sphere with its interval
/// (and the exact rate where known): the measuring pipeline's cheap step.
fn summary(trainer: &Trainer, samples: u64) {
    use crate::measure::{Settings, cheap};
    if samples == 0 {
        return;
    }
    let c = &trainer.config;
    let settings = Settings {
        samples,
        ..Settings::from_config(c)
    };
    let mut est = ErrorEstimator::new(c.seed, c.data.radius as f32);
    let threads = c.eval.threads + c.train.threads;
    let never = crate::attack::Cancel::never();
    match cheap(&trainer.model, &settings, &mut est, 0, threads, &never) {
        Ok(m) => {
            let (inner, outer) = (&m.rates.inner, &m.rates.outer);
            println!(
                "test error after {} steps on {} fresh points:",
                trainer.step,
                inner.sampled.samples + outer.sampled.samples
            );
            for (name, r) in [("inner", inner), ("outer", outer)] {
                let exact = match (r.exact, r.ln_exact) {
                    (Some(_), Some(ln)) => {
                        format!("  (exact {})", crate::stats::report::sci_from_ln(ln))
                    }
                    (Some(e), None) => format!("  (exact {e})"),
                    _ => String::new(),
                };
                println!("  {name} sphere  {}{exact}", super::eval::rate(&r.sampled));
            }
        }
        Err(e) => println!("no test error: {e}"),
    }
}
