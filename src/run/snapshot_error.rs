//! Why a snapshot could not be written or read. Every message names the file
//! so a user with many runs knows which one to look at.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {}: {cause}", path.display())]
    Io { path: PathBuf, cause: io::Error },
    #[error(transparent)]
    Write(#[from] super::atomic::WriteError),
    #[error("cannot encode snapshot {}: {cause}", path.display())]
    Encode {
        path: PathBuf,
        cause: postcard::Error,
    },
    #[error("{}: empty file, not a snapshot", path.display())]
    Empty { path: PathBuf },
    #[error("{}: not a spheres snapshot (bad magic bytes)", path.display())]
    NotSnapshot { path: PathBuf },
    #[error(
        "{}: written by a newer version of spheres (found format version {found}, this build reads up to {supported})",
        path.display()
    )]
    Newer {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{}: invalid snapshot format version {found}", path.display())]
    BadVersion { path: PathBuf, found: u32 },
    #[error("{}: truncated (expected {expected} bytes, found {found})", path.display())]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    #[error("{}: {found} bytes where the header announces {expected}: corrupted", path.display())]
    TooLong {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    #[error(
        "{}: checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is corrupted",
        path.display()
    )]
    Checksum {
        path: PathBuf,
        stored: u32,
        computed: u32,
    },
    #[error("{}: payload does not decode: {reason}", path.display())]
    Payload { path: PathBuf, reason: String },
}

impl SnapshotError {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Write(e) => &e.path,
            Self::Io { path, .. }
            | Self::Encode { path, .. }
            | Self::Empty { path }
            | Self::NotSnapshot { path }
            | Self::Newer { path, .. }
            | Self::BadVersion { path, .. }
            | Self::Truncated { path, .. }
            | Self::TooLong { path, .. }
            | Self::Checksum { path, .. }
            | Self::Payload { path, .. } => path,
        }
    }
}
