//! A tensor as a file holds it, before it is matched to a model.

use std::path::PathBuf;

/// Values in the element type of the file. Types the importer does not
/// read are kept by name, so that the refusal can say which tensor has
/// which type (and so that counters it ignores need not be decodable).
#[derive(Debug, Clone, PartialEq)]
pub enum TensorData {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I64(Vec<i64>),
    Other(String),
}

impl TensorData {
    /// The element type as safetensors names it (NumPy descriptors for
    /// types that have no such name).
    pub fn dtype(&self) -> &str {
        match self {
            Self::F32(_) => "F32",
            Self::F64(_) => "F64",
            Self::I64(_) => "I64",
            Self::Other(name) => name,
        }
    }

    /// How many values it holds; `None` for types that are not decoded.
    pub fn count(&self) -> Option<usize> {
        match self {
            Self::F32(v) => Some(v.len()),
            Self::F64(v) => Some(v.len()),
            Self::I64(v) => Some(v.len()),
            Self::Other(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: TensorData,
    /// The file it came from, for messages.
    pub file: PathBuf,
}

/// Elements of `W` bytes each, decoded by `from` (which fixes the byte
/// order); a partial element at the end is dropped, so callers check that
/// the length is a whole number of elements.
pub(crate) fn decode<T, const W: usize>(bytes: &[u8], from: fn([u8; W]) -> T) -> Vec<T> {
    bytes
        .chunks_exact(W)
        .map(|c| from(c.try_into().expect("chunks_exact yields W bytes")))
        .collect()
}
