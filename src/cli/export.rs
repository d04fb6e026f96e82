//! `spheres export PATH`: weights as .npy files or safetensors, metrics as
//! CSV, for numpy and PyTorch users.

use std::path::PathBuf;

use super::args::{ExportArgs, ExportFormat};
use crate::run::export::{metrics_csv, write_npy, write_safetensors};

pub fn export(a: ExportArgs) -> anyhow::Result<()> {
    let (trainer, run) = super::resume::load(&a.path)?;
    let out = match (&a.out, &run) {
        (Some(o), _) => o.clone(),
        (None, Some(r)) => r.path().join("export"),
        (None, None) => PathBuf::from("export"),
    };
    std::fs::create_dir_all(&out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let tensors = trainer.model.tensors();
    match a.format {
        ExportFormat::Npy => {
            for (name, shape, data) in &tensors {
                let path = out.join(format!("{name}.npy"));
                write_npy(&path, shape, data)?;
                println!("wrote {}", path.display());
            }
        }
        ExportFormat::Safetensors => {
            let path = out.join("model.safetensors");
            let list: Vec<_> = tensors
                .iter()
                .map(|(n, s, d)| (n.as_str(), s.as_slice(), *d))
                .collect();
            let step = trainer.step.to_string();
            let meta = [
                ("preset", trainer.preset.as_str()),
                ("model", trainer.model.kind()),
                ("step", step.as_str()),
            ];
            write_safetensors(&path, &list, &meta)?;
            println!("wrote {} ({} tensors)", path.display(), list.len());
        }
    }
    if let Some(r) = &run {
        let csv = out.join("metrics.csv");
        let rows = metrics_csv(&r.metrics_path(), &csv)?;
        println!("wrote {} ({rows} rows)", csv.display());
    }
    Ok(())
}
