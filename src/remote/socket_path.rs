//! Where a run's control socket lives.
//!
//! Normally `RUN/control.sock`. A socket path must fit in 107 bytes
//! (sun_path is 108 with its NUL), and some network file systems cannot
//! hold a socket at all; then the socket goes to `/tmp/spheres-$UID/`
//! (created 0700 and refused if another user owns it) and its path is
//! recorded in `RUN/control.path`, so `attach RUN` still finds it. Not in
//! `$XDG_RUNTIME_DIR`: logind deletes that when the user's last session
//! ends, which is exactly what a dropped SSH connection is.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

pub const SOCKET_FILE: &str = "control.sock";
pub const SOCKET_RECORD: &str = "control.path";
const SUN_PATH_MAX: usize = 107;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("cannot use {} for the control socket: {reason}", path.display())]
    Unsafe { path: PathBuf, reason: String },
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        cause: io::Error,
    },
}

fn io_err(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> SocketError {
    let path = path.to_path_buf();
    move |cause| SocketError::Io {
        path,
        action,
        cause,
    }
}

/// A bound control socket; dropping it removes the socket file and the
/// record of its path.
#[derive(Debug)]
pub struct BoundSocket {
    pub listener: UnixListener,
    pub path: PathBuf,
    record: Option<PathBuf>,
}

impl Drop for BoundSocket {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        if let Some(r) = &self.record {
            let _ = fs::remove_file(r);
        }
    }
}

/// The socket a client should connect to, if the run has one.
pub fn locate(run: &Path) -> Option<PathBuf> {
    let direct = run.join(SOCKET_FILE);
    if direct.exists() {
        return Some(direct);
    }
    let recorded = fs::read_to_string(run.join(SOCKET_RECORD)).ok()?;
    Some(PathBuf::from(recorded.trim_end()))
}

/// Binds the run's socket, replacing whatever a previous process left.
/// The caller must hold the run's lock: then any socket already there
/// belonged to a process that is gone (a kill -9 leaves its socket).
pub fn bind(run: &Path) -> Result<BoundSocket, SocketError> {
    let run = fs::canonicalize(run).map_err(io_err(run, "resolve"))?;
    remove_stale(&run);
    let direct = run.join(SOCKET_FILE);
    if direct.as_os_str().len() <= SUN_PATH_MAX
        && let Ok(listener) = UnixListener::bind(&direct)
    {
        private(&direct)?;
        return Ok(BoundSocket {
            listener,
            path: direct,
            record: None,
        });
    }
    let dir = private_dir()?;
    let path = dir.join(format!(
        "{:016x}.sock",
        fnv1a(run.as_os_str().as_encoded_bytes())
    ));
    let _ = fs::remove_file(&path);
    let listener = UnixListener::bind(&path).map_err(io_err(&path, "bind"))?;
    private(&path)?;
    let record = run.join(SOCKET_RECORD);
    crate::run::write_atomic(&record, format!("{}\n", path.display()).as_bytes()).map_err(|e| {
        SocketError::Io {
            path: record.clone(),
            action: "write",
            cause: io::Error::other(e.to_string()),
        }
    })?;
    Ok(BoundSocket {
        listener,
        path,
        record: Some(record),
    })
}

fn remove_stale(run: &Path) {
    let _ = fs::remove_file(run.join(SOCKET_FILE));
    if let Ok(old) = fs::read_to_string(run.join(SOCKET_RECORD)) {
        let _ = fs::remove_file(old.trim_end());
        let _ = fs::remove_file(run.join(SOCKET_RECORD));
    }
}

fn private(path: &Path) -> Result<(), SocketError> {
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io_err(path, "chmod"))
}

/// `/tmp/spheres-$UID`, made 0700 and owned by us, or refused.
fn private_dir() -> Result<PathBuf, SocketError> {
    // SAFETY: geteuid has no failure mode and touches no memory.
    let uid = unsafe { libc::geteuid() };
    let dir = std::env::temp_dir().join(format!("spheres-{uid}"));
    match fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err(&dir, "create")(e)),
    }
    let meta = fs::symlink_metadata(&dir).map_err(io_err(&dir, "inspect"))?;
    let unsafe_dir = |reason: String| SocketError::Unsafe {
        path: dir.clone(),
        reason,
    };
    if !meta.is_dir() {
        return Err(unsafe_dir("it is not a directory".into()));
    }
    if meta.uid() != uid {
        return Err(unsafe_dir(format!(
            "it is owned by uid {}, not by you (uid {uid})",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err(&dir, "chmod"))?;
    }
    Ok(dir)
}

/// FNV-1a: a stable name per run directory, no dependency needed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_run_path_holds_its_own_private_socket() {
        let dir = tempfile::tempdir().unwrap();
        let s = bind(dir.path()).unwrap();
        assert_eq!(
            s.path,
            fs::canonicalize(dir.path()).unwrap().join(SOCKET_FILE)
        );
        let mode = fs::metadata(&s.path).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(locate(dir.path()), Some(dir.path().join(SOCKET_FILE)));
        let path = s.path.clone();
        drop(s);
        assert!(!path.exists(), "removed on exit");
        assert_eq!(locate(dir.path()), None);
    }

    #[test]
    fn a_long_run_path_puts_the_socket_in_tmp_and_records_it() {
        let base = tempfile::tempdir().unwrap();
        let deep = base.path().join("d".repeat(60)).join("e".repeat(60));
        fs::create_dir_all(&deep).unwrap();
        let s = bind(&deep).unwrap();
        assert!(
            s.path.starts_with(std::env::temp_dir()),
            "{}",
            s.path.display()
        );
        assert_eq!(locate(&deep).as_deref(), Some(s.path.as_path()));
        let dir_mode = fs::metadata(s.path.parent().unwrap()).unwrap().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);
        // A second bind (the next process, after a kill -9) replaces both.
        std::mem::forget(s);
        let again = bind(&deep).unwrap();
        assert_eq!(locate(&deep).as_deref(), Some(again.path.as_path()));
        drop(again);
        assert!(!deep.join(SOCKET_RECORD).exists());
    }

    #[test]
    fn a_stale_socket_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = bind(dir.path()).unwrap();
        // As kill -9 leaves it: the file stays, nobody listens.
        std::mem::forget(first);
        let second = bind(dir.path()).unwrap();
        assert!(std::os::unix::net::UnixStream::connect(&second.path).is_ok());
    }
}
