//! Files other tools read: NumPy `.npy`, safetensors, and CSV of the
//! metrics log. All are written atomically, like everything in a run.

mod csv;
mod npy;
mod safetensors;

use std::path::PathBuf;

pub use csv::metrics_csv;
pub use npy::{npy_bytes, write_npy};
pub use safetensors::{Tensor, safetensors_bytes, write_safetensors};

/// A tensor's values in the element type the file stores. Weights are F32;
/// I64 exists for the counters PyTorch keeps as integers
/// (`num_batches_tracked`), which a strict `load_state_dict` requires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Values<'a> {
    F32(&'a [f32]),
    I64(&'a [i64]),
}

impl Values<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::F32(v) => v.len(),
            Self::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes per element.
    fn item_size(&self) -> usize {
        match self {
            Self::F32(_) => 4,
            Self::I64(_) => 8,
        }
    }

    /// The dtype as safetensors names it.
    fn safetensors_dtype(&self) -> &'static str {
        match self {
            Self::F32(_) => "F32",
            Self::I64(_) => "I64",
        }
    }

    /// The dtype as NumPy describes it (little-endian).
    fn npy_descr(&self) -> &'static str {
        match self {
            Self::F32(_) => "<f4",
            Self::I64(_) => "<i8",
        }
    }

    fn push_le_bytes(&self, out: &mut Vec<u8>) {
        out.reserve(self.len() * self.item_size());
        match self {
            Self::F32(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Self::I64(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        }
    }
}

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
