//! Problems with a run directory as a whole. Also used for warnings: a
//! problem that did not stop a load is still reported, never swallowed.

use std::io;
use std::path::PathBuf;

use super::atomic::WriteError;
use super::snapshot::SnapshotError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        cause: io::Error,
    },
    #[error("{}: not a run directory (it has no snapshots/ folder)", path.display())]
    NotRunDir { path: PathBuf },
    #[error(
        "{}: already exists and is not empty; resume it with `spheres resume` or choose another output directory",
        path.display()
    )]
    OutputNotEmpty { path: PathBuf },
    #[error("{}: holds {target:?}, which is not a snapshot file name", path.display())]
    BadPointer { path: PathBuf, target: String },
    #[error("{}: no readable snapshot ({} unreadable)", path.display(), errors.len())]
    NoSnapshot {
        path: PathBuf,
        errors: Vec<SnapshotError>,
    },
    #[error(
        "{}: was unreadable and has been kept as {}",
        path.display(),
        kept_as.display()
    )]
    SetAside { path: PathBuf, kept_as: PathBuf },
    #[error(
        "{}: another process is writing this run ({}); stop it first",
        path.display(),
        holder.as_deref().map_or_else(|| "its lock is held".to_string(), |h| format!("{h} holds its lock"))
    )]
    Busy {
        path: PathBuf,
        holder: Option<String>,
    },
    #[error("{}: cannot lock: {reason}", path.display())]
    LockUnsupported { path: PathBuf, reason: String },
    #[error(
        "{}: the lock held is {}, not this run's; only this run's writer may delete its files",
        path.display(),
        lock.display()
    )]
    ForeignLock { path: PathBuf, lock: PathBuf },
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl RunError {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |cause| Self::Io {
            path,
            action,
            cause,
        }
    }
}
