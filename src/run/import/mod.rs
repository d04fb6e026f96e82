//! Weights trained elsewhere: safetensors files and directories of `.npy`
//! files with the tensor names `spheres export` writes (PyTorch's
//! `nn.Sequential` state_dict names for ReLU nets; `W.weight`, `w`, `b`
//! for quadratic nets). Reading never panics on bad bytes: every problem
//! is an [`ImportError`] naming the file.

mod assign;
mod error;
mod npy;
mod npy_header;
mod record;
mod safetensors;
mod tensor;

use std::fs;
use std::path::{Path, PathBuf};

pub use assign::{Assigned, assign};
pub use error::ImportError;
pub use npy::parse_npy;
pub use record::ImportRecord;
pub use safetensors::parse_safetensors;
pub use tensor::{ReadTensor, TensorData};

const NPY_SUFFIX: &str = ".npy";

/// The tensors at `path`, sorted by name, and the files of a directory
/// that were passed over because they are not `.npy` files.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub tensors: Vec<ReadTensor>,
    pub skipped: Vec<PathBuf>,
}

/// Reads a safetensors file, or every `<name>.npy` in a directory.
pub fn read_tensors(path: &Path) -> Result<Source, ImportError> {
    let meta = fs::metadata(path).map_err(ImportError::io(path, "open"))?;
    if meta.is_dir() {
        return read_npy_dir(path);
    }
    let bytes = fs::read(path).map_err(ImportError::io(path, "read"))?;
    if bytes.starts_with(b"\x93NUMPY") {
        return Err(ImportError::Malformed {
            path: path.to_path_buf(),
            format: "safetensors",
            reason: "it is a single .npy file; pass the directory of .npy files".into(),
        });
    }
    Ok(Source {
        tensors: parse_safetensors(&bytes, path)?,
        skipped: Vec::new(),
    })
}

fn read_npy_dir(dir: &Path) -> Result<Source, ImportError> {
    let entries = fs::read_dir(dir).map_err(ImportError::io(dir, "list"))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(ImportError::io(dir, "list"))?;
        let is_file = entry
            .file_type()
            .map_err(ImportError::io(entry.path(), "inspect"))?
            .is_file();
        if is_file {
            files.push(entry.path());
        }
    }
    files.sort();
    let mut source = Source {
        tensors: Vec::new(),
        skipped: Vec::new(),
    };
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str());
        let Some(tensor) = name.and_then(|n| n.strip_suffix(NPY_SUFFIX)) else {
            source.skipped.push(path);
            continue;
        };
        let bytes = fs::read(&path).map_err(ImportError::io(&path, "read"))?;
        source.tensors.push(parse_npy(&bytes, &path, tensor)?);
    }
    if source.tensors.is_empty() {
        let safetensors = source
            .skipped
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "safetensors"));
        return Err(ImportError::NoTensors {
            path: dir.to_path_buf(),
            hint: safetensors.map_or_else(String::new, |p| {
                format!(" (pass the safetensors file {} itself)", p.display())
            }),
        });
    }
    Ok(source)
}
