//! One writer per run directory. Two trainers saving into the same run
//! (a scheduler requeueing a job whose first copy still runs, or a resume
//! typed twice) would interleave snapshots of two different histories.
//!
//! The lock is an OS advisory lock (flock) on `<run>/.lock`: the kernel
//! releases it when the holder exits or is killed, so a crash never leaves
//! a run locked. The holder also writes `<run>/.owner` (host, pid, start
//! time) so that `spheres ls` and refusals can name it.
//!
//! Some network file systems (NFS without lockd, Lustre without the flock
//! mount option) refuse flock. There the owner file, created exclusively,
//! is the lock. A crash leaves it behind, so an owner file whose process is
//! gone (same host, and that pid no longer has that start time) is taken
//! over with a notice. An owner on another host cannot be checked and is
//! never taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::owner::{Liveness, OWNER_FILE, Owner};
use super::run_dir::RunDir;
use super::run_error::RunError;

pub const LOCK_FILE: &str = ".lock";

/// Set to `file` to use the owner-file lock even where flock works (tests
/// of the fallback, or a file system that accepts flock but does not
/// honour it across hosts).
pub const LOCK_ENV: &str = "SPHERES_LOCK";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    Flock,
    /// An exclusively created owner file.
    OwnerFile,
}

/// Holds the run's lock until dropped.
#[derive(Debug)]
pub struct RunLock {
    kind: LockKind,
    _file: Option<File>,
    owner_path: PathBuf,
    /// What taking the lock had to say (a fallback, a takeover).
    pub notices: Vec<String>,
}

impl RunLock {
    pub fn kind(&self) -> LockKind {
        self.kind
    }

    /// The run directory this lock holds.
    pub fn run_dir(&self) -> &Path {
        self.owner_path.parent().unwrap_or(Path::new("."))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // For the owner-file lock this is the release itself; under flock
        // it keeps `ls` from naming a holder that has left.
        let _ = std::fs::remove_file(&self.owner_path);
    }
}

/// Errors of flock that mean "this file system cannot lock", as opposed to
/// "someone else holds it".
fn unsupported(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(libc::ENOLCK | libc::ENOSYS | libc::EOPNOTSUPP | libc::EINVAL)
        )
}

impl RunDir {
    /// Takes the run's writer lock, refusing (not waiting) if another
    /// process holds it. flock where the file system supports it, else the
    /// owner file.
    pub fn lock(&self) -> Result<RunLock, RunError> {
        let forced = std::env::var(LOCK_ENV).is_ok_and(|v| v == "file");
        if forced {
            return self.lock_with(LockKind::OwnerFile);
        }
        match self.lock_with(LockKind::Flock) {
            Err(RunError::LockUnsupported { path, reason }) => {
                let mut lock = self.lock_with(LockKind::OwnerFile)?;
                lock.notices.insert(
                    0,
                    format!(
                        "{}: this file system does not support flock ({reason}); locking with the owner file {OWNER_FILE} instead",
                        path.display()
                    ),
                );
                Ok(lock)
            }
            other => other,
        }
    }

    pub fn lock_with(&self, kind: LockKind) -> Result<RunLock, RunError> {
        let owner_path = self.path().join(OWNER_FILE);
        match kind {
            LockKind::Flock => {
                let path = self.path().join(LOCK_FILE);
                let file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(RunError::io(&path, "open"))?;
                match file.try_lock() {
                    Ok(()) => {}
                    Err(TryLockError::WouldBlock) => return Err(self.busy()),
                    Err(TryLockError::Error(e)) if unsupported(&e) => {
                        return Err(RunError::LockUnsupported {
                            path,
                            reason: e.to_string(),
                        });
                    }
                    Err(TryLockError::Error(e)) => return Err(RunError::io(path, "lock")(e)),
                }
                // The flock is the lock; the owner file only names us.
                crate::run::write_atomic(&owner_path, Owner::me().to_json().as_bytes())?;
                Ok(RunLock {
                    kind,
                    _file: Some(file),
                    owner_path,
                    notices: Vec::new(),
                })
            }
            LockKind::OwnerFile => {
                let mut notices = Vec::new();
                // Two rounds: the second follows the takeover of a stale file.
                for _ in 0..2 {
                    match create_exclusive(&owner_path) {
                        Ok(()) => {
                            return Ok(RunLock {
                                kind,
                                _file: None,
                                owner_path,
                                notices,
                            });
                        }
                        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(RunError::io(&owner_path, "create")(e)),
                    }
                    let held = Owner::read(&owner_path);
                    match held.as_ref().map(Owner::liveness) {
                        Some(Liveness::Gone) => {
                            let old = held.expect("read above");
                            take_over(&owner_path, &old)?;
                            notices.push(format!(
                                "{}: took over the lock of {}, which is no longer running",
                                self.path().display(),
                                old.describe()
                            ));
                        }
                        // Alive, on another host, or unreadable (being
                        // written this instant): someone holds it.
                        _ => return Err(self.busy()),
                    }
                }
                Err(self.busy())
            }
        }
    }

    /// The process holding this run, as its owner file names it.
    pub fn holder(&self) -> Option<(Owner, Liveness)> {
        let owner = Owner::read(&self.path().join(OWNER_FILE))?;
        let alive = owner.liveness();
        Some((owner, alive))
    }

    fn busy(&self) -> RunError {
        RunError::Busy {
            path: self.path().to_path_buf(),
            holder: Owner::read(&self.path().join(OWNER_FILE)).map(|o| o.describe()),
        }
    }
}

/// Creates `path` with our owner record, failing if it exists. The record
/// is written to a temporary name first and linked into place, so a reader
/// never sees a half-written owner file.
fn create_exclusive(path: &Path) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(Owner::me().to_json().as_bytes())?;
        f.sync_all()?;
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// Moves a stale owner file aside; of several processes racing for it,
/// only one rename succeeds, and the others see the fresh file next round.
fn take_over(path: &Path, old: &Owner) -> Result<(), RunError> {
    let aside = path.with_extension(format!("stale-{}", old.pid));
    match std::fs::rename(path, &aside) {
        Ok(()) => {
            let _ = std::fs::remove_file(&aside);
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(RunError::io(path, "take over")(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> (tempfile::TempDir, RunDir) {
        let base = tempfile::tempdir().unwrap();
        let run = RunDir::create(base.path(), "p", None).unwrap();
        (base, run)
    }

    #[test]
    fn a_second_writer_is_refused_until_the_first_lets_go() {
        let (_base, run) = run();
        let first = run.lock_with(LockKind::Flock).unwrap();
        let (owner, alive) = run.holder().unwrap();
        assert_eq!((owner.pid, alive), (std::process::id(), Liveness::Alive));
        let err = run.lock_with(LockKind::Flock).unwrap_err();
        assert!(matches!(err, RunError::Busy { .. }), "{err}");
        assert!(err.to_string().contains("another process"), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        assert!(run.holder().is_none(), "the owner file goes with the lock");
        run.lock_with(LockKind::Flock).unwrap();
    }

    #[test]
    fn the_owner_file_locks_where_flock_cannot() {
        let (_base, run) = run();
        let first = run.lock_with(LockKind::OwnerFile).unwrap();
        assert_eq!(first.kind(), LockKind::OwnerFile);
        let err = run.lock_with(LockKind::OwnerFile).unwrap_err();
        assert!(matches!(err, RunError::Busy { .. }), "{err}");
        drop(first);
        let again = run.lock_with(LockKind::OwnerFile).unwrap();
        assert!(again.notices.is_empty());
    }

    #[test]
    fn a_stale_owner_file_is_taken_over_with_a_notice() {
        let (_base, run) = run();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = Owner {
            pid: child.id(),
            ..Owner::me()
        };
        child.wait().unwrap();
        std::fs::write(run.path().join(OWNER_FILE), dead.to_json()).unwrap();
        let lock = run.lock_with(LockKind::OwnerFile).unwrap();
        assert_eq!(lock.notices.len(), 1, "{:?}", lock.notices);
        assert!(lock.notices[0].contains("took over"), "{:?}", lock.notices);
        assert_eq!(run.holder().unwrap().0.pid, std::process::id());
        // A live owner on another host is never taken over.
        drop(lock);
        let far = Owner {
            host: "elsewhere.example".into(),
            ..Owner::me()
        };
        std::fs::write(run.path().join(OWNER_FILE), far.to_json()).unwrap();
        let err = run.lock_with(LockKind::OwnerFile).unwrap_err();
        assert!(err.to_string().contains("elsewhere.example"), "{err}");
    }
}
