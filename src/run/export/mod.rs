//! Files other tools read: NumPy `.npy`, safetensors, and CSV of the
//! metrics log. All are written atomically, like everything in a run.

mod csv;
mod npy;
mod safetensors;

use std::path::PathBuf;

pub use csv::metrics_csv;
pub use npy::{npy_bytes, write_npy};
pub use safetensors::{Tensor, safetensors_bytes, write_safetensors};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: shape {shape:?} holds {expected} values but {found} were given", path.display())]
    Shape {
        path: PathBuf,
        shape: Vec<usize>,
        expected: String,
        found: usize,
    },
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Write(#[from] super::atomic::WriteError),
    #[error(transparent)]
    Metrics(#[from] super::metrics_log::MetricsError),
}

/// Element count of `shape`, refusing shapes that do not match `len`
/// (including ones whose product overflows).
fn check_shape(path: &std::path::Path, shape: &[usize], len: usize) -> Result<(), ExportError> {
    let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if count == Some(len) {
        return Ok(());
    }
    Err(ExportError::Shape {
        path: path.to_path_buf(),
        shape: shape.to_vec(),
        expected: count.map_or_else(|| "more than usize::MAX".to_string(), |c| c.to_string()),
        found: len,
    })
}

fn f32_le_bytes(data: &[f32], out: &mut Vec<u8>) {
    out.reserve(data.len() * 4);
    for x in data {
        out.extend_from_slice(&x.to_le_bytes());
    }
}
