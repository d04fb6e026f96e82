//! Why weights could not be imported. Every message names the file and,
//! once the file is readable, the tensor.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        cause: io::Error,
    },
    #[error("{}: not a readable {format} file: {reason}", path.display())]
    Malformed {
        path: PathBuf,
        format: &'static str,
        reason: String,
    },
    #[error("{}: holds no .npy files{hint}", path.display())]
    NoTensors { path: PathBuf, hint: String },
    #[error("{}: tensor `{tensor}` is missing (the model needs shape {shape:?})", path.display())]
    Missing {
        path: PathBuf,
        tensor: String,
        shape: Vec<usize>,
    },
    #[error("{}: unknown tensor `{tensor}`; this model's tensors are {known}", path.display())]
    Unknown {
        path: PathBuf,
        tensor: String,
        known: String,
    },
    #[error(
        "{}: tensor `{tensor}` has shape {found:?}, the configured model needs {expected:?}",
        path.display()
    )]
    Shape {
        path: PathBuf,
        tensor: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error(
        "{}: tensor `{tensor}` is {dtype}; weights are read as F32 or F64 (convert with .float())",
        path.display()
    )]
    Dtype {
        path: PathBuf,
        tensor: String,
        dtype: String,
    },
    #[error(
        "{}: tensor `{tensor}` holds {values} values where its shape needs {needed}",
        path.display()
    )]
    Inconsistent {
        path: PathBuf,
        tensor: String,
        values: usize,
        needed: usize,
    },
    #[error(
        "{}: tensor `{tensor}` holds {value} at flat index {index}; every weight must be finite",
        path.display()
    )]
    NonFinite {
        path: PathBuf,
        tensor: String,
        index: usize,
        value: f64,
    },
    #[error(
        "{}: tensor `{tensor}` holds {value:e} at flat index {index}, beyond the F32 range",
        path.display()
    )]
    OutOfRange {
        path: PathBuf,
        tensor: String,
        index: usize,
        value: f64,
    },
    #[error(
        "{}: tensor `{tensor}` holds {value} at flat index {index}; a running variance is never negative",
        path.display()
    )]
    NegativeVariance {
        path: PathBuf,
        tensor: String,
        index: usize,
        value: f32,
    },
}

impl ImportError {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |cause| Self::Io {
            path,
            action,
            cause,
        }
    }
}
