//! What a run process is asked to train, checked by whoever asks (without
//! writing anything) and prepared by the run process itself, which takes
//! the run's lock before it writes a single byte.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::run::{RunDir, RunLock, resolve};
use crate::train::{Trainer, TrainerState};

/// The variable that hands a launch to a detached run process.
pub const LAUNCH_ENV: &str = "SPHERES_LAUNCH";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Launch {
    /// A new run of a resolved config (preset, `--steps`, `--set` applied).
    New {
        preset: String,
        config: String,
        /// Run directory; None picks `runs/<preset>-<UTC time>`.
        out: Option<PathBuf>,
    },
    /// Continue a run directory (or a loose snapshot file, which starts a
    /// new directory), with live edits applied first.
    Resume {
        path: PathBuf,
        steps: Option<u64>,
        set: Vec<(String, String)>,
    },
}

/// A run directory, locked, with the trainer to continue in it.
pub struct Prepared {
    pub trainer: Trainer,
    pub dir: RunDir,
    pub lock: RunLock,
    /// What preparing had to say (an unreadable snapshot skipped, a lock
    /// taken over), for the run's output.
    pub notices: Vec<String>,
}

impl Launch {
    pub fn to_env(&self) -> String {
        serde_json::to_string(self).expect("a launch always serialises")
    }

    pub fn from_env() -> Option<anyhow::Result<Self>> {
        let text = std::env::var(LAUNCH_ENV).ok()?;
        Some(serde_json::from_str(&text).with_context(|| format!("{LAUNCH_ENV} is not a launch")))
    }

    /// Everything that can be checked without writing: the config parses,
    /// the snapshot loads and takes the edits.
    pub fn validate(&self) -> anyhow::Result<()> {
        match self {
            Launch::New { config, .. } => {
                Config::from_toml(config)?;
            }
            Launch::Resume { path, steps, set } => {
                let (mut trainer, _) = load(path, &mut Vec::new())?;
                apply(&mut trainer, *steps, set)?;
            }
        }
        Ok(())
    }

    /// Opens (or creates) the run directory and locks it, then loads and
    /// edits the trainer and writes `config.toml`: nothing is written in a
    /// run directory another process holds.
    pub fn prepare(&self) -> anyhow::Result<Prepared> {
        let mut notices = Vec::new();
        let (dir, lock, trainer) = match self {
            Launch::New {
                preset,
                config,
                out,
            } => {
                let config = Config::from_toml(config)?;
                let dir = RunDir::create(Path::new("runs"), preset, out.as_deref())?;
                let lock = dir.lock()?;
                (dir, lock, Trainer::new(config, preset))
            }
            Launch::Resume { path, steps, set } => {
                let (dir, lock, mut trainer) = match resolve(path)?.run {
                    Some(dir) => {
                        let lock = dir.lock()?;
                        let (trainer, _) = load(path, &mut notices)?;
                        (dir, lock, trainer)
                    }
                    None => {
                        // A snapshot kept outside any run directory starts
                        // a new one, named after its preset.
                        let (trainer, _) = load(path, &mut notices)?;
                        let dir = RunDir::create(Path::new("runs"), &trainer.preset, None)?;
                        let lock = dir.lock()?;
                        (dir, lock, trainer)
                    }
                };
                apply(&mut trainer, *steps, set)?;
                (dir, lock, trainer)
            }
        };
        notices.extend(lock.notices.iter().cloned());
        // We hold the lock: no other process writes here, so every
        // temporary file is a crashed write's leftover.
        for stale in dir.remove_stale_temps(&lock)? {
            notices.push(format!(
                "removed {}, left by an interrupted snapshot write",
                stale.display()
            ));
        }
        dir.write_config(&trainer.config.to_toml())?;
        Ok(Prepared {
            trainer,
            dir,
            lock,
            notices,
        })
    }
}

/// The trainer a path holds (run directory, snapshot folder, `latest` or
/// one snapshot file) and the run directory it belongs to, if any.
pub fn load(path: &Path, notices: &mut Vec<String>) -> anyhow::Result<(Trainer, Option<RunDir>)> {
    let from = resolve(path)?;
    let loaded = from.load::<TrainerState>()?;
    notices.extend(loaded.warnings.iter().map(|w| format!("warning: {w}")));
    let trainer = Trainer::from_state(loaded.value)
        .map_err(anyhow::Error::msg)
        .with_context(|| {
            format!(
                "{} does not hold a usable spheres state",
                loaded.path.display()
            )
        })?;
    notices.push(format!(
        "loaded step {} from {}",
        trainer.step,
        loaded.path.display()
    ));
    Ok((trainer, from.run))
}

fn apply(
    trainer: &mut Trainer,
    steps: Option<u64>,
    set: &[(String, String)],
) -> anyhow::Result<()> {
    if let Some(steps) = steps {
        trainer
            .apply("steps", &steps.to_string())
            .context("--steps")?;
    }
    for (k, v) in set {
        trainer
            .apply(k, v)
            .with_context(|| format!("--set {k}={v}"))?;
    }
    Ok(())
}
