//! The snapshot container: a self-describing, checksummed envelope around a
//! postcard payload.
//!
//! Layout (integers little-endian):
//! `MAGIC (12) | version u32 | payload length u64 | payload | crc32 u32`,
//! the crc covering every byte before it. postcard alone decodes a flipped
//! bit into a silently wrong weight, hence the checksum; the length lets a
//! truncated file be told apart from a corrupted one.

use std::fs;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::atomic::write_atomic;
pub use super::snapshot_error::SnapshotError;

pub const MAGIC: [u8; 12] = *b"SPHERES\0SNAP";
pub const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = MAGIC.len() + 4 + 8;
const CRC_LEN: usize = 4;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    let payload = postcard::to_allocvec(value)?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + CRC_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// `path` only labels error messages.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], path: &Path) -> Result<T, SnapshotError> {
    let payload = verify(bytes, path)?;
    let payload_error = |reason: String| SnapshotError::Payload {
        path: path.to_path_buf(),
        reason,
    };
    let (value, rest) =
        postcard::take_from_bytes(payload).map_err(|e| payload_error(e.to_string()))?;
    if !rest.is_empty() {
        return Err(payload_error(format!(
            "{} unused bytes after the value (written for a different data type?)",
            rest.len()
        )));
    }
    Ok(value)
}

/// Checks the envelope and returns the payload without decoding it: enough
/// to know a file is intact, whatever type it holds.
pub fn verify<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a [u8], SnapshotError> {
    let path = path.to_path_buf();
    let found = bytes.len() as u64;
    if bytes.is_empty() {
        return Err(SnapshotError::Empty { path });
    }
    let magic_seen = &bytes[..bytes.len().min(MAGIC.len())];
    if magic_seen != &MAGIC[..magic_seen.len()] {
        return Err(SnapshotError::NotSnapshot { path });
    }
    // The version decides the layout of everything after it, so it is
    // judged before lengths or checksums.
    let Some(version) = read_u32(bytes, MAGIC.len()) else {
        return Err(SnapshotError::Truncated {
            path,
            expected: (HEADER_LEN + CRC_LEN) as u64,
            found,
        });
    };
    if version > FORMAT_VERSION {
        return Err(SnapshotError::Newer {
            path,
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(SnapshotError::BadVersion {
            path,
            found: version,
        });
    }
    let Some(payload_len) = read_u64(bytes, MAGIC.len() + 4) else {
        return Err(SnapshotError::Truncated {
            path,
            expected: (HEADER_LEN + CRC_LEN) as u64,
            found,
        });
    };
    let expected = payload_len.saturating_add((HEADER_LEN + CRC_LEN) as u64);
    if found < expected {
        return Err(SnapshotError::Truncated {
            path,
            expected,
            found,
        });
    }
    if found > expected {
        return Err(SnapshotError::TooLong {
            path,
            expected,
            found,
        });
    }
    let body_len = bytes.len() - CRC_LEN;
    let stored = read_u32(bytes, body_len).unwrap_or_default();
    let computed = crc32fast::hash(&bytes[..body_len]);
    if stored != computed {
        return Err(SnapshotError::Checksum {
            path,
            stored,
            computed,
        });
    }
    Ok(&bytes[HEADER_LEN..body_len])
}

pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), SnapshotError> {
    let bytes = encode(value).map_err(|cause| SnapshotError::Encode {
        path: path.to_path_buf(),
        cause,
    })?;
    Ok(write_atomic(path, &bytes)?)
}

pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, SnapshotError> {
    decode(&read(path)?, path)
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, SnapshotError> {
    fs::read(path).map_err(|cause| SnapshotError::Io {
        path: path.to_path_buf(),
        cause,
    })
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?))
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let raw = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(raw.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("runs/x/snapshots/000000001.snap")
    }

    #[test]
    fn round_trip_in_memory() {
        let value = (42u64, vec![1.5f32, -2.0, f32::MIN_POSITIVE]);
        let bytes = encode(&value).unwrap();
        assert_eq!(&bytes[..12], b"SPHERES\0SNAP");
        let back: (u64, Vec<f32>) = decode(&bytes, p()).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn each_failure_has_its_own_message_naming_the_file() {
        let good = encode(&7u32).unwrap();
        let msg = |bytes: &[u8]| decode::<u32>(bytes, p()).unwrap_err().to_string();
        assert!(msg(&[]).contains("empty file"));
        assert!(msg(b"PK\x03\x04zipzipzipzipzip").contains("not a spheres snapshot"));
        let mut newer = good.clone();
        newer[12..16].copy_from_slice(&2u32.to_le_bytes());
        assert!(msg(&newer).contains("found format version 2, this build reads up to 1"));
        assert!(msg(&good[..good.len() - 1]).contains("truncated"));
        let mut flipped = good.clone();
        flipped[HEADER_LEN] ^= 0x10;
        assert!(msg(&flipped).contains("checksum mismatch"));
        for m in [msg(&[]), msg(&newer), msg(&flipped)] {
            assert!(m.contains("000000001.snap"), "{m}");
        }
    }

    #[test]
    fn wrong_payload_type_is_a_payload_error() {
        let bytes = encode(&(1u8, 2u8, 3u8)).unwrap();
        let err = decode::<u8>(&bytes, p()).unwrap_err();
        assert!(matches!(err, SnapshotError::Payload { .. }), "{err}");
        let err = decode::<String>(&encode(&vec![0xffu8; 3]).unwrap(), p()).unwrap_err();
        assert!(matches!(err, SnapshotError::Payload { .. }), "{err}");
    }
}
