//! Run directories, snapshots, metrics logs and export: everything a run
//! writes to disk, written so that no crash loses completed work.

pub mod atomic;
pub mod export;
pub mod metrics_log;
pub mod owner;
pub mod resolve;
pub mod run_dir;
pub mod run_error;
pub mod run_lock;
pub mod snapshot;
mod snapshot_error;
pub mod snapshot_store;
pub mod timestamp;

pub use atomic::{WriteError, write_atomic};
pub use metrics_log::{MetricsError, MetricsLog, MetricsRead};
pub use resolve::{ResumeFrom, resolve};
pub use run_dir::RunDir;
pub use run_error::RunError;
pub use run_lock::{LockKind, RunLock};
pub use snapshot::SnapshotError;
pub use snapshot_store::{Loaded, Saved};
