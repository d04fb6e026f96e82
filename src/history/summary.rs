//! One run at a glance, from its files alone: whether a process trains it,
//! how far it got, its last loss, error rate and d(E), and its newest
//! snapshot. What `spheres ls` prints.
//!
//! Only the end of `metrics.jsonl` is read (the newest records are what a
//! listing shows), so listing a directory of long runs stays instant.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::run::RunDir;
use crate::run::owner::Liveness;
use crate::run::run_dir::METRICS_FILE;

/// Bytes read from the end of a log.
const TAIL: u64 = 4 << 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    Running {
        pid: u32,
    },
    Paused {
        pid: u32,
    },
    /// Held by a process on another host, which cannot be checked here.
    Elsewhere {
        pid: u32,
        host: String,
    },
    Finished,
    /// No process trains it and it has a snapshot to resume from.
    Interrupted,
    /// No process trains it and it cannot simply be resumed: it diverged,
    /// or it has no snapshot.
    Failed {
        why: String,
    },
}

impl State {
    pub fn label(&self) -> String {
        match self {
            State::Running { pid } => format!("running (pid {pid})"),
            State::Paused { pid } => format!("paused (pid {pid})"),
            State::Elsewhere { pid, host } => format!("held by pid {pid} on {host}"),
            State::Finished => "finished".into(),
            State::Interrupted => "interrupted, resumable".into(),
            State::Failed { why } => format!("failed: {why}"),
        }
    }
}

/// An error rate as last estimated, with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub rate: f64,
    pub lo: f64,
    pub hi: f64,
    pub errors: u64,
    pub samples: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub name: String,
    pub path: PathBuf,
    #[serde(flatten)]
    pub state: State,
    pub step: Option<u64>,
    pub total_steps: Option<u64>,
    pub loss: Option<f64>,
    pub inner_error: Option<Rate>,
    pub d_e: Option<f64>,
    /// Step of the newest snapshot and its age in seconds.
    pub snapshot_step: Option<u64>,
    pub snapshot_age_s: Option<f64>,
}

/// The last of each kind of record in the tail of a log.
#[derive(Default)]
struct Tail {
    step: Option<u64>,
    loss: Option<f64>,
    state: Option<String>,
    inner: Option<Rate>,
    d_e: Option<f64>,
}

fn rate_of(v: &Value) -> Option<Rate> {
    Some(Rate {
        rate: v.get("rate")?.as_f64()?,
        lo: v.get("lo")?.as_f64()?,
        hi: v.get("hi")?.as_f64()?,
        errors: v.get("errors")?.as_u64()?,
        samples: v.get("samples")?.as_u64()?,
    })
}

/// d(E) under the names the records have carried.
fn distance_of(v: &Value) -> Option<f64> {
    ["mean", "mean_distance"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_f64))
        .or_else(|| v.get("inner")?.get("mean")?.as_f64())
}

fn read_tail(path: &Path) -> Tail {
    let mut tail = Tail::default();
    let Ok(mut file) = File::open(path) else {
        return tail;
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(TAIL);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return tail;
    }
    // The first line of a tail is cut unless the tail is the whole file.
    let skip_first = start > 0;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i == 0 && skip_first {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        match v.get("kind").and_then(Value::as_str) {
            Some("StepMetrics") => {
                tail.step = v.get("step").and_then(Value::as_u64).or(tail.step);
                tail.loss = v.get("loss").and_then(Value::as_f64).or(tail.loss);
            }
            Some("ErrorEstimate") => {
                tail.inner = v.get("inner").and_then(rate_of).or(tail.inner);
            }
            // The inner sphere's d(E) (records before both spheres were
            // measured have no `sphere`).
            Some("NearestError") if v.get("sphere").is_none_or(|s| s == "inner") => {
                tail.d_e = distance_of(&v).or(tail.d_e)
            }
            // A sweep point's measurements.
            Some("Checkpoint") => {
                tail.step = v.get("step").and_then(Value::as_u64).or(tail.step);
                tail.loss = v.get("train_loss").and_then(Value::as_f64).or(tail.loss);
                tail.inner = v.get("inner").and_then(rate_of).or(tail.inner);
                tail.d_e = distance_of(&v).or(tail.d_e);
            }
            Some("State") => {
                tail.state = v
                    .get("state")
                    .and_then(Value::as_str)
                    .map(String::from)
                    .or(tail.state.take());
            }
            _ => {}
        }
    }
    tail
}

/// True for a directory that looks like a run (snapshots or a log).
pub fn is_run(path: &Path) -> bool {
    path.join(crate::run::run_dir::SNAPSHOTS_DIR).is_dir() || path.join(METRICS_FILE).is_file()
}

pub fn summarise(path: &Path, name: String) -> Summary {
    let tail = read_tail(&path.join(METRICS_FILE));
    let config = std::fs::read_to_string(path.join(crate::run::run_dir::CONFIG_FILE))
        .ok()
        .and_then(|t| Config::from_toml(&t).ok());
    let total_steps = config.as_ref().map(|c| c.steps);
    let dir = RunDir::open(path).ok();
    let snapshot_step = dir.as_ref().and_then(|d| d.read_latest().ok().flatten());
    let snapshot_age_s = dir.as_ref().zip(snapshot_step).and_then(|(d, s)| {
        let modified = std::fs::metadata(d.snapshot_path(s))
            .ok()?
            .modified()
            .ok()?;
        Some(
            SystemTime::now()
                .duration_since(modified)
                .ok()?
                .as_secs_f64(),
        )
    });
    let step = tail.step.max(snapshot_step);
    let done = std::fs::read_to_string(path.join(crate::report::plan::DONE_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let holder = dir.as_ref().and_then(RunDir::holder);
    let last_state = tail.state.as_deref();
    let state = match holder {
        Some((o, Liveness::Alive)) if last_state == Some("Paused") => State::Paused { pid: o.pid },
        Some((o, Liveness::Alive)) => State::Running { pid: o.pid },
        Some((o, Liveness::Unknown)) => State::Elsewhere {
            pid: o.pid,
            host: o.host,
        },
        _ => {
            let done_status = done
                .as_ref()
                .and_then(|d| d.get("status")?.as_str().map(String::from));
            let reached = matches!((step, total_steps), (Some(s), Some(t)) if s >= t);
            match (done_status.as_deref(), last_state) {
                (Some("diverged"), _) | (None, Some("Diverged")) => State::Failed {
                    why: "training diverged".into(),
                },
                (Some(_), _) => State::Finished,
                (None, Some("Finished")) => State::Finished,
                _ if reached && snapshot_step >= total_steps => State::Finished,
                _ if snapshot_step.is_some() => State::Interrupted,
                _ => State::Failed {
                    why: "no snapshot to resume from".into(),
                },
            }
        }
    };
    Summary {
        name,
        path: path.to_path_buf(),
        state,
        step,
        total_steps,
        loss: tail.loss,
        inner_error: tail.inner,
        d_e: tail.d_e,
        snapshot_step,
        snapshot_age_s,
    }
}

/// Every run under `root`: `root` itself if it is a run, else its
/// subdirectories that are runs, and the points of sweeps among them (a
/// sweep directory holds `sweep.toml` and one run per point).
pub fn runs_under(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    if is_run(root) {
        let name = root.file_name().map_or_else(
            || root.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        return Ok(vec![(name, root.to_path_buf())]);
    }
    let mut out = Vec::new();
    let sweep_points = |dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>| {
        let mut points: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| is_run(p))
            .collect();
        points.sort();
        for p in points {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            out.push((format!("{prefix}{name}"), p));
        }
    };
    if root.join(crate::report::plan::PLAN_FILE).is_file() {
        sweep_points(root, "", &mut out);
        return Ok(out);
    }
    let mut entries: Vec<_> = std::fs::read_dir(root)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if p.join(crate::report::plan::PLAN_FILE).is_file() {
            sweep_points(&p, &format!("{name}/"), &mut out);
        } else if is_run(&p) {
            out.push((name, p));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_from_before_served_runs_reads_as_finished() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/log-v0");
        let s = summarise(&path, "log-v0".into());
        // The fixture keeps no snapshots; its log ends with Finished.
        assert_eq!(s.state, State::Finished);
        assert_eq!((s.step, s.total_steps), (Some(9000), Some(9000)));
        assert!(
            s.loss.is_some() && s.inner_error.is_some() && s.d_e.is_some(),
            "{s:?}"
        );
    }

    #[test]
    fn a_tail_skips_its_cut_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(METRICS_FILE);
        let mut text = String::new();
        let filler = format!(r#"{{"kind":"Warning","message":"{}"}}"#, "x".repeat(1000));
        while (text.len() as u64) < TAIL + 10_000 {
            text.push_str(&filler);
            text.push('\n');
        }
        text.push_str(r#"{"kind":"StepMetrics","step":7,"loss":0.25}"#);
        text.push('\n');
        std::fs::write(&path, text).unwrap();
        let t = read_tail(&path);
        assert_eq!((t.step, t.loss), (Some(7), Some(0.25)));
    }
}
