//! Saving and finding snapshots inside a run directory.
//!
//! Order of a save: snapshot file durable and re-read, then `latest`
//! updated, then old snapshots pruned. A crash between any two steps leaves
//! `latest` naming a complete file, and at worst an extra old snapshot.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::atomic::{TEMP_SUFFIX, sync_dir, write_atomic};
use super::run_dir::RunDir;
use super::run_error::RunError;
use super::run_lock::RunLock;
use super::snapshot::{self, SnapshotError};

const SNAP_SUFFIX: &str = ".snap";

/// A loaded payload, where it came from, and whatever went wrong on the way
/// without preventing the load (for the user to see).
#[derive(Debug)]
pub struct Loaded<T> {
    pub value: T,
    pub path: PathBuf,
    pub warnings: Vec<RunError>,
}

#[derive(Debug)]
pub struct Saved {
    pub path: PathBuf,
    pub pruned: Vec<PathBuf>,
    /// Old snapshots that were kept because they could not be read (a file
    /// that cannot be read is never deleted), or pruning that failed.
    pub warnings: Vec<RunError>,
}

/// Zero-padded so that names sort by step in any file browser.
pub fn snapshot_file_name(step: u64) -> String {
    format!("{step:09}{SNAP_SUFFIX}")
}

pub fn parse_snapshot_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(SNAP_SUFFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What the snapshots folder holds, by kind.
struct Listing {
    /// Newest step first.
    snapshots: Vec<(u64, PathBuf)>,
    temps: Vec<PathBuf>,
}

impl RunDir {
    pub fn snapshot_path(&self, step: u64) -> PathBuf {
        self.snapshots_dir().join(snapshot_file_name(step))
    }

    /// Saves `value` as the snapshot of `step`, points `latest` at it, then
    /// keeps only the newest `keep` snapshots up to `step` (0 keeps all).
    /// Snapshots of later steps (left by a run resumed from an earlier
    /// point) are never pruned.
    pub fn save_snapshot<T: Serialize>(
        &self,
        step: u64,
        value: &T,
        keep: usize,
    ) -> Result<Saved, RunError> {
        let path = self.snapshot_path(step);
        let bytes = snapshot::encode(value).map_err(|cause| SnapshotError::Encode {
            path: path.clone(),
            cause,
        })?;
        let mut warnings = Vec::new();
        if let Some(w) = set_aside_if_unreadable(&path)? {
            warnings.push(w);
        }
        write_atomic(&path, &bytes)?;
        // Re-read so that `latest` never names a file the disk did not keep.
        snapshot::verify(&snapshot::read(&path)?, &path)?;
        let name = snapshot_file_name(step);
        write_atomic(&self.latest_path(), format!("{name}\n").as_bytes())?;
        let pruned = match keep {
            0 => Vec::new(),
            keep => self.prune_before(step, keep - 1, &mut warnings),
        };
        Ok(Saved {
            path,
            pruned,
            warnings,
        })
    }

    /// Loads the snapshot `latest` names, or else the newest readable one.
    /// Unreadable files are reported in `warnings` and left in place.
    /// Temporary files are not reported here: a reader without the lock
    /// cannot tell an interrupted write from one in progress; the writer
    /// removes them ([`Self::remove_stale_temps`]).
    pub fn load_latest<T: DeserializeOwned>(&self) -> Result<Loaded<T>, RunError> {
        let listing = self.list()?;
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        let pointed = match self.read_latest() {
            Ok(pointed) => pointed,
            Err(e) => {
                warnings.push(e);
                None
            }
        };
        if let Some(step) = pointed {
            let path = self.snapshot_path(step);
            match snapshot::load(&path) {
                Ok(value) => {
                    return Ok(Loaded {
                        value,
                        path,
                        warnings,
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        for (step, path) in &listing.snapshots {
            if Some(*step) == pointed {
                continue;
            }
            match snapshot::load(path) {
                Ok(value) => {
                    warnings.extend(errors.into_iter().map(RunError::from));
                    return Ok(Loaded {
                        value,
                        path: path.clone(),
                        warnings,
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        Err(RunError::NoSnapshot {
            path: self.snapshots_dir(),
            errors,
        })
    }

    /// Deletes the temporary files of interrupted writes in the snapshots
    /// folder and returns their paths, for the caller to report. Only the
    /// holder of the run's lock may: while it holds it no other process
    /// writes here, so every temporary file is stale.
    pub fn remove_stale_temps(&self, lock: &RunLock) -> Result<Vec<PathBuf>, RunError> {
        if lock.run_dir() != self.path() {
            return Err(RunError::ForeignLock {
                path: self.path().to_path_buf(),
                lock: lock.run_dir().to_path_buf(),
            });
        }
        let temps = self.list()?.temps;
        for path in &temps {
            match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(RunError::io(path, "delete stale temporary file")(e)),
            }
        }
        if !temps.is_empty() {
            let dir = self.snapshots_dir();
            sync_dir(&dir).map_err(RunError::io(&dir, "sync directory"))?;
        }
        Ok(temps)
    }

    /// Steps of the snapshot files present, newest first (readable or not).
    pub fn snapshot_steps(&self) -> Result<Vec<u64>, RunError> {
        Ok(self.list()?.snapshots.into_iter().map(|(s, _)| s).collect())
    }

    /// The step `latest` names; `None` when there is no pointer yet.
    pub fn read_latest(&self) -> Result<Option<u64>, RunError> {
        let path = self.latest_path();
        match fs::read_to_string(&path) {
            Ok(text) => {
                let target = text.trim();
                match parse_snapshot_file_name(target) {
                    Some(step) => Ok(Some(step)),
                    None => Err(RunError::BadPointer {
                        path,
                        target: target.chars().take(80).collect(),
                    }),
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(RunError::io(path, "read")(e)),
        }
    }

    /// Deletes snapshots older than `step` beyond the newest `keep_older`
    /// readable ones. Each file is re-read before it is deleted or counted:
    /// an unreadable file is neither (it would otherwise take the place of a
    /// good snapshot in the kept set), and `latest`'s target is never deleted.
    fn prune_before(
        &self,
        step: u64,
        keep_older: usize,
        warnings: &mut Vec<RunError>,
    ) -> Vec<PathBuf> {
        let listing = match self.list() {
            Ok(l) => l,
            Err(e) => {
                warnings.push(e);
                return Vec::new();
            }
        };
        let protected = self.read_latest().ok().flatten();
        let mut pruned = Vec::new();
        let mut kept = 0;
        for (old_step, path) in listing.snapshots.iter().filter(|(s, _)| *s < step) {
            if Some(*old_step) == protected {
                continue;
            }
            if let Err(e) =
                snapshot::read(path).and_then(|b| snapshot::verify(&b, path).map(|_| ()))
            {
                warnings.push(e.into());
                continue;
            }
            if kept < keep_older {
                kept += 1;
                continue;
            }
            match fs::remove_file(path) {
                Ok(()) => pruned.push(path.clone()),
                Err(e) => warnings.push(RunError::io(path, "delete old snapshot")(e)),
            }
        }
        if !pruned.is_empty()
            && let Err(e) = sync_dir(&self.snapshots_dir())
        {
            warnings.push(RunError::io(self.snapshots_dir(), "sync directory")(e));
        }
        pruned
    }

    fn list(&self) -> Result<Listing, RunError> {
        let dir = self.snapshots_dir();
        let entries = fs::read_dir(&dir).map_err(RunError::io(&dir, "list"))?;
        let mut listing = Listing {
            snapshots: Vec::new(),
            temps: Vec::new(),
        };
        for entry in entries {
            let entry = entry.map_err(RunError::io(&dir, "list"))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(step) = parse_snapshot_file_name(name) {
                listing.snapshots.push((step, entry.path()));
            } else if name.ends_with(TEMP_SUFFIX) {
                listing.temps.push(entry.path());
            }
        }
        listing
            .snapshots
            .sort_by_key(|(step, _)| std::cmp::Reverse(*step));
        listing.temps.sort();
        Ok(listing)
    }
}

/// Saving a step again (e.g. right after resuming) must not overwrite a
/// file that could not be read: it is renamed aside and reported instead.
fn set_aside_if_unreadable(path: &Path) -> Result<Option<RunError>, RunError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RunError::io(path, "read")(e)),
    };
    if snapshot::verify(&bytes, path).is_ok() {
        return Ok(None);
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    for n in 1..=1000u32 {
        let kept_as = path.with_file_name(format!("{name}.unreadable-{n}"));
        if kept_as.exists() {
            continue;
        }
        fs::rename(path, &kept_as).map_err(RunError::io(path, "set aside unreadable snapshot"))?;
        return Ok(Some(RunError::SetAside {
            path: path.to_path_buf(),
            kept_as,
        }));
    }
    Err(RunError::io(path, "set aside unreadable snapshot")(
        std::io::Error::new(ErrorKind::AlreadyExists, "too many set-aside copies"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> (tempfile::TempDir, RunDir) {
        let base = tempfile::tempdir().unwrap();
        let run = RunDir::create(base.path(), "t", None).unwrap();
        (base, run)
    }

    #[test]
    fn names_are_zero_padded_and_parse_back() {
        assert_eq!(snapshot_file_name(123_456), "000123456.snap");
        assert_eq!(parse_snapshot_file_name("000123456.snap"), Some(123_456));
        assert_eq!(
            parse_snapshot_file_name("12345678901.snap"),
            Some(12_345_678_901)
        );
        for bad in [
            "latest",
            ".snap",
            "0001.snap.tmp",
            "../1.snap",
            "+1.snap",
            "1.snap.unreadable-1",
        ] {
            assert_eq!(parse_snapshot_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn keeps_the_newest_and_updates_latest() {
        let (_base, run) = run();
        for step in [10u64, 20, 30, 40, 50] {
            run.save_snapshot(step, &step, 3).unwrap();
        }
        assert_eq!(run.snapshot_steps().unwrap(), vec![50, 40, 30]);
        assert_eq!(run.read_latest().unwrap(), Some(50));
        let loaded: Loaded<u64> = run.load_latest().unwrap();
        assert_eq!(loaded.value, 50);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }

    #[test]
    fn keep_zero_keeps_everything_and_later_steps_survive_a_rewind() {
        let (_base, run) = run();
        for step in 1..=4u64 {
            run.save_snapshot(step, &step, 0).unwrap();
        }
        assert_eq!(run.snapshot_steps().unwrap().len(), 4);
        // Resumed from step 1: steps 2..4 belong to the abandoned future.
        run.save_snapshot(1, &1u64, 1).unwrap();
        assert_eq!(run.snapshot_steps().unwrap(), vec![4, 3, 2, 1]);
        assert_eq!(run.load_latest::<u64>().unwrap().value, 1);
    }

    #[test]
    fn unreadable_old_snapshots_are_never_pruned() {
        let (_base, run) = run();
        run.save_snapshot(1, &1u64, 1).unwrap();
        fs::write(run.snapshot_path(1), b"garbage").unwrap();
        let saved = run.save_snapshot(2, &2u64, 1).unwrap();
        assert!(saved.pruned.is_empty());
        assert_eq!(saved.warnings.len(), 1, "{:?}", saved.warnings);
        assert_eq!(fs::read(run.snapshot_path(1)).unwrap(), b"garbage");
        // The unreadable file does not count as one of the kept snapshots.
        run.save_snapshot(3, &3u64, 2).unwrap();
        assert_eq!(run.snapshot_steps().unwrap(), vec![3, 2, 1]);
        run.save_snapshot(4, &4u64, 2).unwrap();
        assert_eq!(run.snapshot_steps().unwrap(), vec![4, 3, 1]);
    }

    #[test]
    fn resaving_over_an_unreadable_file_sets_it_aside() {
        let (_base, run) = run();
        fs::write(run.snapshot_path(7), b"SPHERES\0SNAPxx").unwrap();
        let saved = run.save_snapshot(7, &7u64, 2).unwrap();
        assert!(matches!(saved.warnings[..], [RunError::SetAside { .. }]));
        let aside = run.snapshots_dir().join("000000007.snap.unreadable-1");
        assert_eq!(fs::read(aside).unwrap(), b"SPHERES\0SNAPxx");
        assert_eq!(run.load_latest::<u64>().unwrap().value, 7);
    }

    #[test]
    fn the_lock_holder_removes_stale_temps_and_readers_do_not_warn() {
        let (_base, run) = run();
        run.save_snapshot(1, &1u64, 2).unwrap();
        let temps = [
            run.snapshots_dir().join(".000000002.snap.123-0.tmp"),
            run.snapshots_dir().join(".latest.123-1.tmp"),
        ];
        for t in &temps {
            fs::write(t, b"partial").unwrap();
        }
        let loaded = run.load_latest::<u64>().unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let lock = run.lock().unwrap();
        let mut removed = run.remove_stale_temps(&lock).unwrap();
        removed.sort();
        let mut want = temps.to_vec();
        want.sort();
        assert_eq!(removed, want);
        assert!(temps.iter().all(|t| !t.exists()));
        assert_eq!(run.load_latest::<u64>().unwrap().value, 1);
        assert!(run.remove_stale_temps(&lock).unwrap().is_empty());
    }

    #[test]
    fn another_runs_lock_is_no_licence_to_delete() {
        let (_base, run) = run();
        let (_other_base, other) = self::run();
        let temp = run.snapshots_dir().join(".000000002.snap.1-0.tmp");
        fs::write(&temp, b"partial").unwrap();
        let lock = other.lock().unwrap();
        let err = run.remove_stale_temps(&lock).unwrap_err();
        assert!(matches!(err, RunError::ForeignLock { .. }), "{err}");
        assert!(temp.exists());
    }

    #[test]
    fn empty_run_reports_no_snapshot_and_bad_pointer_is_a_warning() {
        let (_base, run) = run();
        assert!(matches!(
            run.load_latest::<u64>(),
            Err(RunError::NoSnapshot { .. })
        ));
        run.save_snapshot(3, &3u64, 2).unwrap();
        fs::write(run.latest_path(), "../../etc/passwd").unwrap();
        let loaded = run.load_latest::<u64>().unwrap();
        assert_eq!(loaded.value, 3);
        assert!(matches!(loaded.warnings[..], [RunError::BadPointer { .. }]));
    }
}
