//! Reading safetensors with Hugging Face's own crate: the Python package
//! (`safetensors.torch.save_file`, `load_file`) is a binding to it, so a
//! file is accepted here exactly when the reference reader accepts it.

use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use super::error::ImportError;
use super::tensor::{ReadTensor, TensorData, decode};

/// The tensors of one safetensors file's bytes, by name; `path` labels
/// errors and the tensors.
pub fn parse_safetensors(bytes: &[u8], path: &Path) -> Result<Vec<ReadTensor>, ImportError> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| ImportError::Malformed {
        path: path.to_path_buf(),
        format: "safetensors",
        reason: e.to_string(),
    })?;
    let mut tensors: Vec<ReadTensor> = file
        .iter()
        .map(|(name, view)| {
            // The crate has checked that the bytes match shape and dtype.
            let bytes = view.data();
            let data = match view.dtype() {
                Dtype::F32 => TensorData::F32(decode(bytes, f32::from_le_bytes)),
                Dtype::F64 => TensorData::F64(decode(bytes, f64::from_le_bytes)),
                Dtype::I64 => TensorData::I64(decode(bytes, i64::from_le_bytes)),
                other => TensorData::Other(other.to_string()),
            };
            ReadTensor {
                name: name.to_string(),
                shape: view.shape().to_vec(),
                data,
                file: path.to_path_buf(),
            }
        })
        .collect();
    tensors.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tensors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::export::{Tensor, Values, safetensors_bytes};

    #[test]
    fn what_export_writes_reads_back() {
        let w = [1.0f32, -2.5, 3.25, f32::MIN_POSITIVE];
        let count = [12i64];
        let tensors = [
            Tensor {
                name: "0.weight",
                shape: &[2, 2],
                values: Values::F32(&w),
            },
            Tensor {
                name: "1.num_batches_tracked",
                shape: &[],
                values: Values::I64(&count),
            },
        ];
        let p = Path::new("m.safetensors");
        let bytes = safetensors_bytes(p, &tensors, &[("step", "12")]).unwrap();
        let read = parse_safetensors(&bytes, p).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(
            (read[0].name.as_str(), read[0].shape.as_slice()),
            ("0.weight", &[2usize, 2][..])
        );
        assert_eq!(read[0].data, TensorData::F32(w.to_vec()));
        assert_eq!(read[1].data, TensorData::I64(vec![12]));
        assert!(read[1].shape.is_empty());
    }

    #[test]
    fn other_dtypes_are_kept_by_name_and_bad_bytes_name_the_file() {
        // One BF16 scalar: 2 bytes, written by hand.
        let header = br#"{"x":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0x80, 0x3f]);
        let p = Path::new("h.safetensors");
        let read = parse_safetensors(&bytes, p).unwrap();
        assert_eq!(read[0].data, TensorData::Other("BF16".into()));
        let err = parse_safetensors(&bytes[..bytes.len() - 1], p).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("h.safetensors: not a readable safetensors file"),
            "{msg}"
        );
    }
}
