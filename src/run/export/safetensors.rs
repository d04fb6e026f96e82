//! safetensors: `u64 LE header length | JSON header | raw data`, the header
//! mapping each tensor name to dtype, shape and byte offsets into the data.
//! Format: <https://github.com/huggingface/safetensors#format>

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::{Value, json};

use super::{ExportError, Values, check_shape};
use crate::run::atomic::write_atomic;

/// Name, shape (C order) and values of one tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tensor<'a> {
    pub name: &'a str,
    pub shape: &'a [usize],
    pub values: Values<'a>,
}

const METADATA_KEY: &str = "__metadata__";

/// `metadata` is the optional free-form string map the format allows
/// (e.g. preset, step); pass `&[]` for none.
pub fn write_safetensors(
    path: &Path,
    tensors: &[Tensor],
    metadata: &[(&str, &str)],
) -> Result<(), ExportError> {
    let bytes = safetensors_bytes(path, tensors, metadata)?;
    Ok(write_atomic(path, &bytes)?)
}

/// The file's bytes; `path` only labels errors.
pub fn safetensors_bytes(
    path: &Path,
    tensors: &[Tensor],
    metadata: &[(&str, &str)],
) -> Result<Vec<u8>, ExportError> {
    let invalid = |reason: String| ExportError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let mut header = serde_json::Map::new();
    let mut seen = HashSet::new();
    let mut offset = 0usize;
    // Wider elements first, as the reference writer orders them: the data
    // starts 8-byte aligned, so every tensor is aligned to its element size.
    let mut order: Vec<&Tensor> = tensors.iter().collect();
    order.sort_by_key(|t| std::cmp::Reverse(t.values.item_size()));
    for t in &order {
        check_shape(path, t.shape, t.values.len())?;
        if t.name == METADATA_KEY || !seen.insert(t.name) {
            return Err(invalid(format!(
                "tensor name {:?} is reserved or repeated",
                t.name
            )));
        }
        let end = offset + t.values.len() * t.values.item_size();
        header.insert(
            t.name.to_string(),
            json!({
                "dtype": t.values.safetensors_dtype(),
                "shape": t.shape,
                "data_offsets": [offset, end],
            }),
        );
        offset = end;
    }
    if !metadata.is_empty() {
        let map: BTreeMap<&str, &str> = metadata.iter().copied().collect();
        header.insert(METADATA_KEY.to_string(), json!(map));
    }
    let mut text =
        serde_json::to_string(&Value::Object(header)).map_err(|e| invalid(e.to_string()))?;
    // Padding with spaces keeps the data 8-byte aligned, as the reference
    // writer does.
    let padded = (8 + text.len()).next_multiple_of(8) - 8;
    text.push_str(&" ".repeat(padded - text.len()));
    let mut out = Vec::with_capacity(8 + text.len() + offset);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    for t in &order {
        t.values.push_le_bytes(&mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s<'a>(name: &'a str, shape: &'a [usize], v: &'a [f32]) -> Tensor<'a> {
        Tensor {
            name,
            shape,
            values: Values::F32(v),
        }
    }

    #[test]
    fn header_describes_each_tensor_and_data_matches() {
        let w = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [-0.5f32, 0.5];
        let tensors = [f32s("w", &[2, 3], &w), f32s("b", &[2], &b)];
        let bytes =
            safetensors_bytes(Path::new("m.safetensors"), &tensors, &[("step", "12")]).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!((8 + n) % 8, 0);
        let header: Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
        assert_eq!(
            header["w"],
            json!({"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]})
        );
        assert_eq!(header["b"]["data_offsets"], json!([24, 32]));
        assert_eq!(header["__metadata__"], json!({"step": "12"}));
        let data = &bytes[8 + n..];
        assert_eq!(data.len(), 32);
        assert_eq!(f32::from_le_bytes(data[24..28].try_into().unwrap()), -0.5);
        assert_eq!(f32::from_le_bytes(data[20..24].try_into().unwrap()), 6.0);
    }

    #[test]
    fn integer_tensors_come_first_so_every_tensor_is_aligned() {
        let w = [1.5f32; 3];
        let count = [7i64];
        let tensors = [
            f32s("0.weight", &[3], &w),
            Tensor {
                name: "1.num_batches_tracked",
                shape: &[],
                values: Values::I64(&count),
            },
        ];
        let bytes = safetensors_bytes(Path::new("m.safetensors"), &tensors, &[]).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header: Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
        assert_eq!(
            header["1.num_batches_tracked"],
            json!({"dtype": "I64", "shape": [], "data_offsets": [0, 8]})
        );
        assert_eq!(header["0.weight"]["data_offsets"], json!([8, 20]));
        let data = &bytes[8 + n..];
        assert_eq!(i64::from_le_bytes(data[..8].try_into().unwrap()), 7);
        assert_eq!(f32::from_le_bytes(data[8..12].try_into().unwrap()), 1.5);
    }

    #[test]
    fn repeated_or_reserved_names_and_bad_shapes_are_refused() {
        let x = [0.0f32; 2];
        let p = Path::new("m.safetensors");
        let twice = [f32s("a", &[2], &x), f32s("a", &[2], &x)];
        assert!(safetensors_bytes(p, &twice, &[]).is_err());
        assert!(safetensors_bytes(p, &[f32s("__metadata__", &[2], &x)], &[]).is_err());
        assert!(safetensors_bytes(p, &[f32s("a", &[3], &x)], &[]).is_err());
    }
}
