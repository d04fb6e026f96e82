//! `spheres resume PATH`: continue a run from its newest readable snapshot
//! (or a named snapshot file), in the same run directory and metrics log.

use std::path::Path;

use anyhow::Context;

use super::args::ResumeArgs;
use crate::run::{RunDir, resolve};
use crate::train::{Trainer, TrainerState};

/// The trainer a path holds and the run directory to continue in.
pub fn load(path: &Path) -> anyhow::Result<(Trainer, Option<RunDir>)> {
    let from = resolve(path)?;
    let loaded = from.load::<TrainerState>()?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let trainer = Trainer::from_state(loaded.value)
        .map_err(anyhow::Error::msg)
        .with_context(|| {
            format!(
                "{} does not hold a usable spheres state",
                loaded.path.display()
            )
        })?;
    eprintln!(
        "loaded step {} from {}",
        trainer.step,
        loaded.path.display()
    );
    Ok((trainer, from.run))
}

pub fn resume(a: ResumeArgs) -> anyhow::Result<()> {
    let (mut trainer, run) = load(&a.path)?;
    if let Some(steps) = a.steps {
        trainer.apply("steps", &steps.to_string())?;
    }
    for (k, v) in &a.set {
        trainer
            .apply(k, v)
            .with_context(|| format!("--set {k}={v}"))?;
    }
    let dir = match run {
        Some(dir) => dir,
        // A snapshot kept outside any run directory starts a new one.
        None => RunDir::create(Path::new("runs"), &trainer.preset, None)?,
    };
    dir.write_config(&trainer.config.to_toml())?;
    super::run::drive(trainer, dir, &a.view)
}
