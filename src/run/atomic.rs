//! Crash-safe file replacement.
//!
//! A reader must only ever see the old complete file or the new complete
//! file under the final name, whatever instant the process dies or the
//! machine loses power.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Suffix of in-progress writes. Scans skip these: a file with this suffix
/// is by construction either incomplete or superseded.
pub const TEMP_SUFFIX: &str = ".tmp";

#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {step}: {cause}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub step: &'static str,
    pub cause: io::Error,
}

/// Replaces `path` with `bytes`: temp file in the same directory (rename is
/// only atomic within one filesystem), fsync, rename, fsync the directory
/// (otherwise the rename itself may not survive a power loss).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |step: &'static str| {
        move |cause: io::Error| WriteError {
            path: path.to_path_buf(),
            step,
            cause,
        }
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))
        .map_err(fail("checking the name"))?;
    let dir = parent_dir(path);
    let tmp = dir.join(temp_name(name.to_string_lossy().as_ref()));

    let written = write_synced(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if let Err(cause) = written {
        // The temp file is our own partial output, never user data.
        let _ = fs::remove_file(&tmp);
        return Err(fail("writing and renaming the temporary file")(cause));
    }
    sync_dir(dir).map_err(fail("syncing the directory"))
}

/// Makes directory entries (creations, renames, removals) in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Unique per process and call, hidden, and ending in [`TEMP_SUFFIX`], so
/// concurrent writers never share a temp file and leftovers are recognisable.
fn temp_name(target: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{target}.{}-{n}{TEMP_SUFFIX}", std::process::id())
}

fn write_synced(tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.bin")]);
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent").join("a.bin");
        let err = write_atomic(&path, b"x").unwrap_err();
        assert!(err.to_string().contains("absent/a.bin"), "{err}");
    }
}
