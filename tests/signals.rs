//! SIGTERM and SIGHUP (an SSH session dropping) stop a headless run
//! cleanly, leaving a loadable snapshot of the step they arrived at.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use spheres::run::{RunDir, metrics_log::read_all};
use spheres::train::TrainerState;

fn last_logged_step(dir: &Path) -> Option<u64> {
    let read = read_all(&dir.join("metrics.jsonl")).ok()?;
    read.records.iter().rev().find_map(|r| {
        (r["kind"] == "StepMetrics")
            .then(|| r["step"].as_u64())
            .flatten()
    })
}

fn stops_cleanly_on(signal: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut child = Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(["run", "--headless", "--steps", "100000000", "--out"])
        .arg(&out)
        .args([
            "--set",
            "data.n=20",
            "--set",
            "model.width=32",
            "--set",
            "run.autosave_min=0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while last_logged_step(&out).is_none_or(|s| s < 200) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no training progress logged"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "{signal}: the run did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        exit.success(),
        "{signal}: exit {exit:?}\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("received SIG{signal}")),
        "{stdout}"
    );
    let loaded = RunDir::open(&out)
        .unwrap()
        .load_latest::<TrainerState>()
        .unwrap();
    let logged = last_logged_step(&out).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.value.step, logged,
        "{signal}: snapshot at step {} but the log ends at {logged}",
        loaded.value.step
    );
    assert!(loaded.value.params.iter().all(|v| v.is_finite()));
}

#[test]
fn sigterm_saves_and_stops() {
    stops_cleanly_on("TERM");
}

#[test]
fn sighup_saves_and_stops() {
    stops_cleanly_on("HUP");
}
