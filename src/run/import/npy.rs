//! Reading NumPy `.npy` files, versions 1.0 to 3.0, in either byte order
//! and either memory order (Fortran-ordered arrays are put in C order).
//! Format: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>

use std::path::Path;

use super::error::ImportError;
use super::npy_header::parse_header;
use super::tensor::{ReadTensor, TensorData, decode};

const MAGIC: &[u8] = b"\x93NUMPY";

/// The tensor `name` held by one `.npy` file's bytes; `path` labels errors.
pub fn parse_npy(bytes: &[u8], path: &Path, name: &str) -> Result<ReadTensor, ImportError> {
    let malformed = |reason: String| ImportError::Malformed {
        path: path.to_path_buf(),
        format: ".npy",
        reason,
    };
    if !bytes.starts_with(MAGIC) {
        return Err(malformed("no \\x93NUMPY magic at the start".into()));
    }
    let version = bytes
        .get(6..8)
        .ok_or_else(|| malformed("truncated before the version".into()))?;
    let (len_bytes, start): (usize, usize) = match version[0] {
        1 => (2, 10),
        2 | 3 => (4, 12),
        major => {
            return Err(malformed(format!(
                "format version {major}.{} (this build reads 1.0 to 3.0)",
                version[1]
            )));
        }
    };
    let len_field = bytes
        .get(8..8 + len_bytes)
        .ok_or_else(|| malformed("truncated before the header length".into()))?;
    let header_len = len_field
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    let header = bytes
        .get(start..start.saturating_add(header_len))
        .ok_or_else(|| malformed(format!("truncated inside the {header_len}-byte header")))?;
    let header =
        std::str::from_utf8(header).map_err(|_| malformed("the header is not text".into()))?;
    let header = parse_header(header).map_err(|e| malformed(format!("header: {e}")))?;
    let count = header
        .shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| malformed(format!("shape {:?} is too large", header.shape)))?;
    let body = &bytes[start + header_len..];
    let data = match element(&header.descr) {
        Some((kind, size, little)) => {
            let needed = count.checked_mul(size);
            if needed != Some(body.len()) {
                return Err(malformed(format!(
                    "{} data bytes where shape {:?} of {} needs {}",
                    body.len(),
                    header.shape,
                    header.descr,
                    needed.map_or_else(|| "more than usize::MAX".into(), |n| n.to_string())
                )));
            }
            let data = kind.decode(body, little);
            if header.fortran_order {
                to_c_order(data, &header.shape)
            } else {
                data
            }
        }
        None => TensorData::Other(header.descr.clone()),
    };
    Ok(ReadTensor {
        name: name.to_string(),
        shape: header.shape,
        data,
        file: path.to_path_buf(),
    })
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    F32,
    F64,
    I64,
}

impl Kind {
    fn decode(self, bytes: &[u8], little: bool) -> TensorData {
        match (self, little) {
            (Kind::F32, true) => TensorData::F32(decode(bytes, f32::from_le_bytes)),
            (Kind::F32, false) => TensorData::F32(decode(bytes, f32::from_be_bytes)),
            (Kind::F64, true) => TensorData::F64(decode(bytes, f64::from_le_bytes)),
            (Kind::F64, false) => TensorData::F64(decode(bytes, f64::from_be_bytes)),
            (Kind::I64, true) => TensorData::I64(decode(bytes, i64::from_le_bytes)),
            (Kind::I64, false) => TensorData::I64(decode(bytes, i64::from_be_bytes)),
        }
    }
}

/// Element kind, size in bytes and byte order of a NumPy type descriptor
/// such as `<f4`; `None` for every type the importer does not decode.
fn element(descr: &str) -> Option<(Kind, usize, bool)> {
    let mut chars = descr.chars();
    let little = match chars.next()? {
        '<' => true,
        '>' => false,
        '=' => cfg!(target_endian = "little"),
        _ => return None,
    };
    match chars.as_str() {
        "f4" => Some((Kind::F32, 4, little)),
        "f8" => Some((Kind::F64, 8, little)),
        "i8" => Some((Kind::I64, 8, little)),
        _ => None,
    }
}

fn to_c_order(data: TensorData, shape: &[usize]) -> TensorData {
    match data {
        TensorData::F32(v) => TensorData::F32(fortran_to_c(&v, shape)),
        TensorData::F64(v) => TensorData::F64(fortran_to_c(&v, shape)),
        TensorData::I64(v) => TensorData::I64(fortran_to_c(&v, shape)),
        other @ TensorData::Other(_) => other,
    }
}

/// Fortran order varies the first index fastest; C order the last.
fn fortran_to_c<T: Copy>(data: &[T], shape: &[usize]) -> Vec<T> {
    if shape.len() < 2 {
        return data.to_vec();
    }
    let strides: Vec<usize> = shape
        .iter()
        .scan(1, |acc, &d| {
            let stride = *acc;
            *acc *= d;
            Some(stride)
        })
        .collect();
    let mut index = vec![0usize; shape.len()];
    let mut out = Vec::with_capacity(data.len());
    for _ in 0..data.len() {
        out.push(
            data[index
                .iter()
                .zip(&strides)
                .map(|(i, s)| i * s)
                .sum::<usize>()],
        );
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::export::{Values, npy_bytes};

    /// An .npy file as NumPy writes it, by hand: any version, any header.
    fn npy(major: u8, header: &str, body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[major, 0]);
        if major == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(body);
        out
    }

    fn read(bytes: &[u8]) -> Result<ReadTensor, ImportError> {
        parse_npy(bytes, Path::new("t.npy"), "t")
    }

    #[test]
    fn what_export_writes_reads_back() {
        let w = [1.0f32, 2.0, -3.5, 4.0, 5.0, 6.0];
        let bytes = npy_bytes(Path::new("t.npy"), &[2, 3], Values::F32(&w)).unwrap();
        let t = read(&bytes).unwrap();
        assert_eq!((t.shape, t.data), (vec![2, 3], TensorData::F32(w.to_vec())));
        let bytes = npy_bytes(Path::new("t.npy"), &[], Values::I64(&[9])).unwrap();
        assert_eq!(read(&bytes).unwrap().data, TensorData::I64(vec![9]));
    }

    #[test]
    fn versions_byte_orders_and_fortran_order() {
        let be: Vec<u8> = [1.5f64, -2.0]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let h = "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n";
        for major in [1, 2, 3] {
            let t = read(&npy(major, h, &be)).unwrap();
            assert_eq!(t.data, TensorData::F64(vec![1.5, -2.0]), "version {major}");
        }
        // [[0, 1, 2], [3, 4, 5]] stored column by column.
        let f: Vec<u8> = [0f32, 3., 1., 4., 2., 5.]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let h = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
        let t = read(&npy(1, h, &f)).unwrap();
        assert_eq!(t.data, TensorData::F32(vec![0., 1., 2., 3., 4., 5.]));
        // C-order value 6i + 2j + k of shape (2, 3, 2) sits at i + 2j + 6k.
        let mut stored = [0usize; 12];
        for (i, j, k) in
            (0..2).flat_map(|i| (0..3).flat_map(move |j| (0..2).map(move |k| (i, j, k))))
        {
            stored[i + 2 * j + 6 * k] = 6 * i + 2 * j + k;
        }
        assert_eq!(
            fortran_to_c(&stored, &[2, 3, 2]),
            (0..12).collect::<Vec<_>>()
        );
    }

    #[test]
    fn other_types_are_kept_by_descriptor() {
        let h = "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }";
        assert_eq!(
            read(&npy(1, h, &[0, 60])).unwrap().data,
            TensorData::Other("<f2".into())
        );
    }

    #[test]
    fn damage_is_refused_with_the_file_named() {
        let good = npy_bytes(Path::new("t.npy"), &[3], Values::F32(&[1.0; 3])).unwrap();
        let msg = |b: &[u8]| read(b).unwrap_err().to_string();
        assert!(msg(b"PK\x03\x04").contains("magic"));
        assert!(msg(&good[..7]).contains("before the version"));
        assert!(
            msg(&good[..good.len() - 1]).contains("data bytes where shape [3] of <f4 needs 12")
        );
        assert!(msg(&good[..20]).contains("inside the"));
        let mut v4 = good.clone();
        v4[6] = 4;
        assert!(msg(&v4).contains("format version 4.0"));
        let huge = "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }";
        assert!(msg(&npy(1, huge, &[])).contains("too large"));
        for m in [msg(&good[..7]), msg(&v4)] {
            assert!(m.starts_with("t.npy: not a readable .npy file"), "{m}");
        }
    }
}
