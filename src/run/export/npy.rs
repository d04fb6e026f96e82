//! NumPy `.npy` version 1.0, little-endian, C order.
//! Format: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>

use std::path::Path;

use super::{ExportError, Values, check_shape};
use crate::run::atomic::write_atomic;

const MAGIC: &[u8] = b"\x93NUMPY\x01\x00";
/// The spec pads magic + length + header to this, so the data is aligned
/// for memory mapping.
const ALIGN: usize = 64;

pub fn write_npy(path: &Path, shape: &[usize], data: Values) -> Result<(), ExportError> {
    let bytes = npy_bytes(path, shape, data)?;
    Ok(write_atomic(path, &bytes)?)
}

/// The file's bytes; `path` only labels errors.
pub fn npy_bytes(path: &Path, shape: &[usize], data: Values) -> Result<Vec<u8>, ExportError> {
    check_shape(path, shape, data.len())?;
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    // A 1-tuple needs its trailing comma to be a tuple in Python.
    let tuple = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let descr = data.npy_descr();
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {tuple}, }}");
    let unpadded = MAGIC.len() + 2 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(ALIGN) - unpadded));
    header.push('\n');
    let header_len = u16::try_from(header.len()).map_err(|_| ExportError::Invalid {
        path: path.to_path_buf(),
        reason: format!(
            "{}-dimensional shape is too long for an .npy 1.0 header",
            shape.len()
        ),
    })?;
    let mut out = Vec::with_capacity(MAGIC.len() + 2 + header.len() + data.len() * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    data.push_le_bytes(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> (String, &[u8]) {
        assert_eq!(&bytes[..8], MAGIC);
        let n = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let header = std::str::from_utf8(&bytes[10..10 + n]).unwrap().to_string();
        (header, &bytes[10 + n..])
    }

    #[test]
    fn header_is_aligned_and_data_follows_little_endian() {
        let p = Path::new("w.npy");
        for (shape, data) in [
            (vec![2usize, 3], vec![1.0f32, 2.0, 3.0, 4.0, 5.0, -6.5]),
            (vec![3], vec![0.25, 0.5, 1.0]),
            (vec![], vec![7.0]),
            (vec![0, 4], vec![]),
        ] {
            let bytes = npy_bytes(p, &shape, Values::F32(&data)).unwrap();
            let (header, body) = parse(&bytes);
            assert_eq!((10 + header.len()) % 64, 0);
            assert!(header.ends_with('\n'));
            assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': ("));
            let back: Vec<f32> = body
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect();
            assert_eq!(back, data);
        }
        let (header, _) = parse(&npy_bytes(p, &[3], Values::F32(&[0.0; 3])).unwrap());
        assert!(header.contains("'shape': (3,)"), "{header}");
    }

    #[test]
    fn integer_scalars_are_little_endian_i64() {
        let bytes = npy_bytes(Path::new("n.npy"), &[], Values::I64(&[-3])).unwrap();
        let (header, body) = parse(&bytes);
        assert!(
            header.starts_with("{'descr': '<i8', 'fortran_order': False, 'shape': (), }"),
            "{header}"
        );
        assert_eq!(body, (-3i64).to_le_bytes());
    }

    #[test]
    fn mismatched_shape_is_refused_with_the_file_name() {
        let err = npy_bytes(Path::new("w.npy"), &[2, 2], Values::F32(&[1.0; 3])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("w.npy: shape [2, 2] holds 4 values but 3"),
            "{err}"
        );
        assert!(npy_bytes(Path::new("w.npy"), &[usize::MAX, 3], Values::F32(&[])).is_err());
    }
}
