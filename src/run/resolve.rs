//! What `spheres resume PATH` means: PATH may be a run directory, its
//! snapshots folder or `latest` file, or one snapshot file.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::run_dir::{LATEST_FILE, RunDir, SNAPSHOTS_DIR};
use super::run_error::RunError;
use super::snapshot;
use super::snapshot_store::Loaded;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeFrom {
    /// The run directory to continue writing into; `None` for a snapshot
    /// file kept outside any run directory.
    pub run: Option<RunDir>,
    /// A snapshot the user named explicitly; `None` means the newest one.
    pub snapshot: Option<PathBuf>,
}

pub fn resolve(path: &Path) -> Result<ResumeFrom, RunError> {
    let meta = fs::metadata(path).map_err(RunError::io(path, "open"))?;
    if meta.is_dir() {
        let run = match path.file_name() {
            Some(n) if n == SNAPSHOTS_DIR && !path.join(SNAPSHOTS_DIR).is_dir() => {
                RunDir::open(&run_root_of(path))?
            }
            _ => RunDir::open(path)?,
        };
        return Ok(ResumeFrom {
            run: Some(run),
            snapshot: None,
        });
    }
    let in_snapshots_dir = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == SNAPSHOTS_DIR);
    let run = in_snapshots_dir
        .then(|| RunDir::open(&run_root_of(path.parent().unwrap_or(path))).ok())
        .flatten();
    let is_pointer = path.file_name().is_some_and(|n| n == LATEST_FILE);
    if is_pointer && let Some(run) = run {
        return Ok(ResumeFrom {
            run: Some(run),
            snapshot: None,
        });
    }
    Ok(ResumeFrom {
        run,
        snapshot: Some(path.to_path_buf()),
    })
}

impl ResumeFrom {
    /// An explicitly named snapshot is loaded or refused, never silently
    /// replaced by another one; otherwise the run's newest readable one.
    pub fn load<T: DeserializeOwned>(&self) -> Result<Loaded<T>, RunError> {
        match (&self.snapshot, &self.run) {
            (Some(path), _) => Ok(Loaded {
                value: snapshot::load(path)?,
                path: path.clone(),
                warnings: Vec::new(),
            }),
            (None, Some(run)) => run.load_latest(),
            (None, None) => Err(RunError::NoSnapshot {
                path: PathBuf::from("."),
                errors: Vec::new(),
            }),
        }
    }
}

/// The parent of a `snapshots` folder; `.` for a bare relative `snapshots`.
fn run_root_of(snapshots_dir: &Path) -> PathBuf {
    match snapshots_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_way_of_naming_a_run() {
        let base = tempfile::tempdir().unwrap();
        let run = RunDir::create(base.path(), "p", None).unwrap();
        run.save_snapshot(5, &5u64, 2).unwrap();
        let whole = ResumeFrom {
            run: Some(run.clone()),
            snapshot: None,
        };
        assert_eq!(resolve(run.path()).unwrap(), whole);
        assert_eq!(resolve(&run.snapshots_dir()).unwrap(), whole);
        assert_eq!(resolve(&run.latest_path()).unwrap(), whole);
        let file = run.snapshot_path(5);
        let one = resolve(&file).unwrap();
        assert_eq!(one.run.as_ref(), Some(&run));
        assert_eq!(one.snapshot.as_deref(), Some(file.as_path()));
        assert_eq!(one.load::<u64>().unwrap().value, 5);
    }

    #[test]
    fn loose_files_and_missing_paths() {
        let base = tempfile::tempdir().unwrap();
        let loose = base.path().join("copy.snap");
        snapshot::save(&loose, &9u64).unwrap();
        let r = resolve(&loose).unwrap();
        assert_eq!(r.run, None);
        assert_eq!(r.load::<u64>().unwrap().value, 9);
        let err = resolve(&base.path().join("nope")).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        let err = resolve(base.path()).unwrap_err();
        assert!(matches!(err, RunError::NotRunDir { .. }), "{err}");
    }
}
