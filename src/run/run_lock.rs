//! One writer per run directory. Two trainers saving into the same run
//! (a scheduler requeueing a job whose first copy still runs, or a resume
//! typed twice) would interleave snapshots of two different histories.
//!
//! The lock is an OS advisory lock on `<run>/.lock`: it is released by the
//! kernel when the holder exits or is killed, so a crash never leaves a run
//! locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use super::run_dir::RunDir;
use super::run_error::RunError;

pub const LOCK_FILE: &str = ".lock";

/// Holds the run's lock until dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl RunDir {
    /// Takes the run's writer lock, refusing (not waiting) if another
    /// process holds it.
    pub fn lock(&self) -> Result<RunLock, RunError> {
        let path = self.path().join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(RunError::io(&path, "open"))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(RunError::Busy {
                path: self.path().to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(RunError::io(path, "lock")(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_lets_go() {
        let base = tempfile::tempdir().unwrap();
        let run = RunDir::create(base.path(), "p", None).unwrap();
        let first = run.lock().unwrap();
        let err = run.lock().unwrap_err();
        assert!(matches!(err, RunError::Busy { .. }), "{err}");
        assert!(err.to_string().contains("another process"), "{err}");
        drop(first);
        run.lock().unwrap();
    }
}
