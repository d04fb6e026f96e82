//! A run directory: the one place a run keeps everything it needs to be
//! inspected or resumed.
//!
//! ```text
//! <run>/config.toml       resolved configuration
//! <run>/metrics.jsonl     append-only event log
//! <run>/snapshots/000123456.snap
//! <run>/snapshots/latest  name of the newest complete snapshot
//! ```

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::atomic::{sync_dir, write_atomic};
use super::run_error::RunError;
use super::timestamp::utc_stamp;

pub const CONFIG_FILE: &str = "config.toml";
pub const METRICS_FILE: &str = "metrics.jsonl";
pub const SNAPSHOTS_DIR: &str = "snapshots";
pub const LATEST_FILE: &str = "latest";

/// Beyond this many same-second runs of one preset something is looping.
const MAX_NAME_ATTEMPTS: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// Creates `base/<preset>-<YYYYmmdd-HHMMSS>` (UTC), adding `-2`, `-3`...
    /// when runs start within the same second, or exactly `out` when given
    /// (which must be absent or an empty directory: a run never writes into
    /// someone else's files).
    pub fn create(base: &Path, preset: &str, out: Option<&Path>) -> Result<Self, RunError> {
        let root = match out {
            Some(out) => claim_output(out)?,
            None => claim_unique(
                base,
                &format!("{}-{}", clean_preset(preset), utc_stamp(SystemTime::now())),
            )?,
        };
        let snapshots = root.join(SNAPSHOTS_DIR);
        fs::create_dir(&snapshots).map_err(RunError::io(&snapshots, "create directory"))?;
        sync_dir(&root).map_err(RunError::io(&root, "sync directory"))?;
        Ok(Self { root })
    }

    pub fn open(path: &Path) -> Result<Self, RunError> {
        let snapshots = path.join(SNAPSHOTS_DIR);
        match fs::metadata(&snapshots) {
            Ok(m) if m.is_dir() => Ok(Self {
                root: path.to_path_buf(),
            }),
            Ok(_) => Err(RunError::NotRunDir {
                path: path.to_path_buf(),
            }),
            Err(e) if e.kind() == ErrorKind::NotFound && path.is_dir() => {
                Err(RunError::NotRunDir {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => Err(RunError::io(path, "open run directory")(e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    pub fn metrics_path(&self) -> PathBuf {
        self.root.join(METRICS_FILE)
    }

    pub fn snapshots_dir(&self) -> PathBuf {
        self.root.join(SNAPSHOTS_DIR)
    }

    pub fn latest_path(&self) -> PathBuf {
        self.snapshots_dir().join(LATEST_FILE)
    }

    pub fn write_config(&self, toml_text: &str) -> Result<(), RunError> {
        Ok(write_atomic(&self.config_path(), toml_text.as_bytes())?)
    }

    pub fn read_config(&self) -> Result<String, RunError> {
        let path = self.config_path();
        fs::read_to_string(&path).map_err(RunError::io(path, "read"))
    }
}

/// Preset names come from the command line; only characters that are safe
/// in a single path component on every platform survive.
fn clean_preset(preset: &str) -> String {
    let cleaned: String = preset
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.trim_matches('-').is_empty() {
        "run".to_string()
    } else {
        cleaned
    }
}

/// `create_dir` fails if the name exists, so two runs started at once can
/// never end up sharing a directory.
fn claim_unique(base: &Path, stem: &str) -> Result<PathBuf, RunError> {
    fs::create_dir_all(base).map_err(RunError::io(base, "create directory"))?;
    for attempt in 1..=MAX_NAME_ATTEMPTS {
        let name = match attempt {
            1 => stem.to_string(),
            n => format!("{stem}-{n}"),
        };
        let root = base.join(name);
        match fs::create_dir(&root) {
            Ok(()) => {
                sync_dir(base).map_err(RunError::io(base, "sync directory"))?;
                return Ok(root);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(RunError::io(root, "create directory")(e)),
        }
    }
    Err(RunError::io(base.join(stem), "find a free name for")(
        std::io::Error::new(ErrorKind::AlreadyExists, "every numbered variant exists"),
    ))
}

fn claim_output(out: &Path) -> Result<PathBuf, RunError> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(RunError::OutputNotEmpty {
                    path: out.to_path_buf(),
                });
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            fs::create_dir_all(out).map_err(RunError::io(out, "create directory"))?;
        }
        Err(e) => return Err(RunError::io(out, "use as output directory")(e)),
    }
    Ok(out.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_second_runs_get_distinct_directories() {
        let base = tempfile::tempdir().unwrap();
        let runs = base.path().join("runs");
        let a = RunDir::create(&runs, "relu-paper", None).unwrap();
        let b = RunDir::create(&runs, "relu-paper", None).unwrap();
        assert_ne!(a.path(), b.path());
        let name = a.path().file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.starts_with("relu-paper-20"), "{name}");
        assert!(b.snapshots_dir().is_dir());
        assert_eq!(RunDir::open(a.path()).unwrap(), a);
    }

    #[test]
    fn hostile_preset_names_stay_inside_base() {
        let base = tempfile::tempdir().unwrap();
        let run = RunDir::create(base.path(), "../../etc/x", None).unwrap();
        assert_eq!(run.path().parent().unwrap(), base.path());
    }

    #[test]
    fn output_directory_must_be_new_or_empty() {
        let base = tempfile::tempdir().unwrap();
        let out = base.path().join("mine");
        let run = RunDir::create(base.path(), "p", Some(&out)).unwrap();
        assert_eq!(run.path(), out);
        let err = RunDir::create(base.path(), "p", Some(&out)).unwrap_err();
        assert!(matches!(err, RunError::OutputNotEmpty { .. }), "{err}");
    }

    #[test]
    fn config_round_trips_and_open_refuses_plain_directories() {
        let base = tempfile::tempdir().unwrap();
        let run = RunDir::create(base.path(), "p", None).unwrap();
        run.write_config("lr = 0.001\n").unwrap();
        assert_eq!(run.read_config().unwrap(), "lr = 0.001\n");
        let err = RunDir::open(base.path()).unwrap_err();
        assert!(matches!(err, RunError::NotRunDir { .. }), "{err}");
    }
}
