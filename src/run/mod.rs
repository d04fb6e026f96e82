//! Run directories, snapshots, metrics logs and export: everything a run
//! writes to disk, written so that no crash loses completed work.
//!
//! Every error message here is complete on its own (file, action and the
//! OS's reason), because warnings and the dashboard print errors with `{}`.
//! The underlying cause is therefore a plain field, never also a
//! `source()`: a chain printed with `{:#}` would show it twice.

pub mod atomic;
pub mod export;
pub mod import;
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

#[cfg(test)]
mod tests {
    use std::error::Error;
    use std::io;
    use std::path::PathBuf;

    use super::*;

    /// No message in the chain repeats the one below it.
    fn assert_each_cause_once(e: &dyn Error) {
        let mut outer = e;
        while let Some(inner) = outer.source() {
            let (o, i) = (outer.to_string(), inner.to_string());
            assert!(!o.contains(&i), "`{o}` repeats its cause `{i}`");
            outer = inner;
        }
    }

    fn os_error() -> io::Error {
        io::Error::from_raw_os_error(2)
    }

    #[test]
    fn every_error_prints_its_cause_once() {
        let path = PathBuf::from("/nonexistent");
        let write = || WriteError {
            path: path.clone(),
            step: "syncing the directory",
            cause: os_error(),
        };
        let postcard_error = postcard::Error::SerializeBufferFull;
        let json_error = serde_json::from_str::<u8>("x").unwrap_err();
        let errors: Vec<Box<dyn Error>> = vec![
            Box::new(write()),
            Box::new(RunError::io(&path, "open")(os_error())),
            Box::new(RunError::Write(write())),
            Box::new(RunError::Snapshot(SnapshotError::Write(write()))),
            Box::new(SnapshotError::Io {
                path: path.clone(),
                cause: os_error(),
            }),
            Box::new(SnapshotError::Encode {
                path: path.clone(),
                cause: postcard_error,
            }),
            Box::new(MetricsError::Io {
                path: path.clone(),
                action: "read",
                cause: os_error(),
            }),
            Box::new(MetricsError::Encode {
                path: path.clone(),
                cause: json_error,
            }),
            Box::new(export::ExportError::Write(write())),
        ];
        for e in &errors {
            assert_each_cause_once(e.as_ref());
            assert!(e.to_string().contains("/nonexistent"), "{e}");
        }
        let open = anyhow::Error::new(RunError::io(&path, "open")(os_error())).context("export");
        assert_eq!(
            format!("{open:#}"),
            format!("export: cannot open /nonexistent: {}", os_error())
        );
    }
}
