//! `spheres import FILE --preset P`: a run directory from weights trained
//! elsewhere. Everything is checked before anything is written; the run
//! then holds a step-0 snapshot that `eval`, `export` and `resume` read
//! like any other.

use std::path::Path;

use super::args::{ImportArgs, RunArgs};
use crate::run::import::{ImportRecord, assign, read_tensors};
use crate::run::{MetricsLog, RunDir};
use crate::train::Trainer;

pub fn import(a: ImportArgs) -> anyhow::Result<()> {
    let (name, config) = super::run::resolve(&RunArgs {
        preset: a.preset.clone(),
        set: a.set.clone(),
        ..RunArgs::default()
    })?;
    let source = read_tensors(&a.file)?;
    for path in &source.skipped {
        eprintln!("note: {} is not a .npy file; skipped", path.display());
    }
    // The trainer's freshly initialised model fixes the layout the tensors
    // must fill, and its optimiser starts with zero moments.
    let mut trainer = Trainer::new(config, &name);
    let assigned = assign(&mut trainer.model, &source.tensors, &a.file)?;
    let tensors = source.tensors.len();
    // The weights now live in the trainer; at the paper's scale the copy
    // read from the file is hundreds of megabytes.
    drop(source.tensors);
    let state = trainer.state(0.0);
    let (kind, parameters) = (trainer.model.kind(), trainer.model.params.len());
    let config = trainer.config.clone();
    drop(trainer);

    let run = RunDir::create(
        Path::new("runs"),
        &format!("{name}-import"),
        a.out.as_deref(),
    )?;
    let lock = run.lock()?;
    for path in run.remove_stale_temps(&lock)? {
        eprintln!("removed stale temporary file {}", path.display());
    }
    run.write_config(&state.config)?;
    let mut log = MetricsLog::open(run.path())?;
    log.append(&ImportRecord::Imported {
        source: &a.file,
        step: 0,
        tensors,
        converted: &assigned.converted,
        ignored: &assigned.ignored,
    })?;
    log.flush()?;
    let saved = run.save_snapshot(0, &state, config.run.keep)?;
    for w in &saved.warnings {
        eprintln!("warning: {w}");
    }

    println!(
        "imported {} tensors from {} into {} as a step-0 snapshot of preset {name} ({} model, {} parameters)",
        tensors,
        a.file.display(),
        run.path().display(),
        kind,
        parameters,
    );
    let fresh = match config.train.optimizer.as_str() {
        "sgd" => "SGD momentum at zero",
        _ => "Adam moments at zero",
    };
    println!(
        "optimiser state is fresh ({fresh}): a resumed run trains on from these weights, not from the original optimiser's state"
    );
    if !assigned.converted.is_empty() {
        println!(
            "converted from F64 to F32: {}",
            assigned.converted.join(", ")
        );
    }
    if !assigned.ignored.is_empty() {
        println!(
            "ignored (PyTorch's batch counters, not used by the model): {}",
            assigned.ignored.join(", ")
        );
    }
    Ok(())
}
