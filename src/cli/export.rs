//! `spheres export PATH`: weights as .npy files or safetensors, metrics as
//! CSV, for numpy and PyTorch users.

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::args::{ExportArgs, ExportFormat};
use crate::run::export::{Tensor, Values, metrics_csv, write_npy, write_safetensors};
use crate::run::{RunDir, resolve};
use crate::train::Trainer;

pub fn export(a: ExportArgs) -> anyhow::Result<()> {
    let from = resolve(&a.path)?;
    // A run that has not saved yet still has a metrics log worth reading.
    if let (None, Some(run)) = (&from.snapshot, &from.run)
        && run.snapshot_steps()?.is_empty()
    {
        return metrics_only(run, a.out.as_deref());
    }
    let (trainer, run) = super::resume::load(&a.path)?;
    let out = out_dir(a.out.as_deref(), run.as_ref());
    create(&out)?;
    let counter = [i64::try_from(trainer.step)?];
    let state_dict = state_dict(&trainer, &counter);
    let tensors: Vec<Tensor> = state_dict
        .iter()
        .map(|(name, shape, values)| Tensor {
            name,
            shape,
            values: *values,
        })
        .collect();
    match a.format {
        ExportFormat::Npy => {
            for t in &tensors {
                let path = out.join(format!("{}.npy", t.name));
                write_npy(&path, t.shape, t.values)?;
                println!("wrote {}", path.display());
            }
        }
        ExportFormat::Safetensors => {
            let path = out.join("model.safetensors");
            let step = trainer.step.to_string();
            let meta = [
                ("preset", trainer.preset.as_str()),
                ("model", trainer.model.kind()),
                ("step", step.as_str()),
            ];
            write_safetensors(&path, &tensors, &meta)?;
            println!("wrote {} ({} tensors)", path.display(), tensors.len());
        }
    }
    if let Some(r) = &run {
        write_csv(r, &out)?;
    }
    Ok(())
}

/// The tensors of PyTorch's state_dict of the same model: parameters,
/// buffers, and each batch norm's `num_batches_tracked` (the training
/// steps taken, `counter`), so `load_state_dict(strict=True)` finds every
/// key it expects.
fn state_dict<'a>(
    trainer: &'a Trainer,
    counter: &'a [i64; 1],
) -> Vec<(String, Vec<usize>, Values<'a>)> {
    let weights = trainer
        .model
        .tensors()
        .into_iter()
        .map(|(name, shape, data)| (name, shape, Values::F32(data)));
    let counters = trainer
        .model
        .batches_tracked_names()
        .into_iter()
        .map(|name| (name, Vec::new(), Values::I64(counter)));
    weights.chain(counters).collect()
}

fn metrics_only(run: &RunDir, out: Option<&Path>) -> anyhow::Result<()> {
    if !run.metrics_path().exists() {
        bail!(
            "{}: no snapshot and no metrics log yet: nothing to export",
            run.path().display()
        );
    }
    let out = out_dir(out, Some(run));
    create(&out)?;
    println!(
        "{} has no snapshot yet: exporting the metrics only, no weights",
        run.path().display()
    );
    write_csv(run, &out)
}

fn out_dir(out: Option<&Path>, run: Option<&RunDir>) -> PathBuf {
    match (out, run) {
        (Some(o), _) => o.to_path_buf(),
        (None, Some(r)) => r.path().join("export"),
        (None, None) => PathBuf::from("export"),
    }
}

fn create(out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))
}

fn write_csv(run: &RunDir, out: &Path) -> anyhow::Result<()> {
    if !run.metrics_path().exists() {
        println!("{} has no metrics log: no CSV", run.path().display());
        return Ok(());
    }
    let csv = out.join("metrics.csv");
    let rows = metrics_csv(&run.metrics_path(), &csv)?;
    println!("wrote {} ({rows} rows)", csv.display());
    Ok(())
}
