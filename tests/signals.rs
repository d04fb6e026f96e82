//! Signals on the real run process. SIGTERM and SIGINT save and stop, with
//! the shell's exit codes; SIGHUP (a terminal going away) never stops a
//! run, and a SIGHUP ignored at start (nohup) stays ignored; a final save
//! that fails is an error that says how much is unsaved.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use spheres::run::RunDir;
use spheres::train::TrainerState;

mod tools;

use tools::runs::{BIN, SMALL, logged_step, signal, text, wait_until};

const PATIENCE: Duration = Duration::from_secs(60);

/// A run in the foreground of the test; killed if the test ends first (an
/// assertion failing while it trains), so no run outlives its test.
struct Run(Child);

impl std::ops::Deref for Run {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Run {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl Run {
    fn output(mut self) -> std::process::Output {
        let child = std::mem::replace(
            &mut self.0,
            Command::new("true").spawn().expect("a placeholder process"),
        );
        child.wait_with_output().unwrap()
    }
}

/// `spheres run --headless` in the foreground of `command` (the binary, or
/// a wrapper such as nohup), with a long run of the small config.
fn headless(wrapper: Option<&str>, out: &Path) -> Run {
    let mut cmd = match wrapper {
        Some(w) => {
            let mut c = Command::new(w);
            c.arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    cmd.args(["run", "--headless", "--steps", "100000000", "--out"])
        .arg(out)
        .args(SMALL)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(Run)
        .unwrap()
}

fn trained_past(out: &Path, step: u64) {
    wait_until("training progress in the log", PATIENCE, || {
        logged_step(out).filter(|s| *s >= step)
    });
}

fn exit_within(child: &mut Child, patience: Duration) -> ExitStatus {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(Instant::now() < deadline, "the run did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The newest snapshot, which must be at the step the log ends on.
fn saved_at_last_logged_step(out: &Path) -> u64 {
    let loaded = RunDir::open(out)
        .unwrap()
        .load_latest::<TrainerState>()
        .unwrap();
    let logged = logged_step(out).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.value.step, logged,
        "snapshot at step {} but the log ends at {logged}",
        loaded.value.step
    );
    assert!(loaded.value.params.iter().all(|v| v.is_finite()));
    logged
}

fn stops_cleanly_on(sig: &str, code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut child = headless(None, &out);
    trained_past(&out, 200);
    signal(child.id(), sig);
    let exit = exit_within(&mut child, Duration::from_secs(30));
    let output = child.output();
    let stdout = text(&output.stdout);
    assert_eq!(
        exit.code(),
        Some(code),
        "SIG{sig}: {exit:?}\n{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(stdout.contains(&format!("received SIG{sig}")), "{stdout}");
    let step = saved_at_last_logged_step(&out);
    assert!(
        stdout.contains(&format!("stopped at step {step} by SIG{sig}")),
        "{stdout}"
    );
    // The owner file and the socket go with the process.
    assert!(!out.join(".owner").exists() && !out.join("control.sock").exists());
}

#[test]
fn sigterm_saves_and_exits_143() {
    stops_cleanly_on("TERM", 143);
}

#[test]
fn sigint_saves_and_exits_130() {
    stops_cleanly_on("INT", 130);
}

/// A hang-up moves the output to run.log and training goes on.
#[test]
fn sighup_never_stops_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut child = headless(None, &out);
    trained_past(&out, 200);
    signal(child.id(), "HUP");
    let at = logged_step(&out).unwrap();
    trained_past(&out, at + 500);
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP stopped the run"
    );
    let log = wait_until("the hang-up in run.log", PATIENCE, || {
        std::fs::read_to_string(out.join("run.log"))
            .ok()
            .filter(|l| l.contains("received SIGHUP"))
    });
    assert!(log.contains("training goes on"), "{log}");
    signal(child.id(), "TERM");
    assert_eq!(
        exit_within(&mut child, Duration::from_secs(30)).code(),
        Some(143)
    );
    saved_at_last_logged_step(&out);
}

/// Under nohup SIGHUP is ignored before spheres starts, and stays so.
#[test]
fn under_nohup_a_hangup_keeps_training() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut child = headless(Some("nohup"), &out);
    trained_past(&out, 200);
    signal(child.id(), "HUP");
    let at = logged_step(&out).unwrap();
    trained_past(&out, at + 500);
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP stopped a nohup run"
    );
    signal(child.id(), "TERM");
    assert_eq!(
        exit_within(&mut child, Duration::from_secs(30)).code(),
        Some(143)
    );
    saved_at_last_logged_step(&out);
}

/// A save that cannot be written (here: `snapshots` replaced by a file,
/// which even root cannot write into) after SIGTERM exits 1, and the
/// message says how many steps are unsaved.
#[test]
fn a_failed_final_save_is_an_error_that_counts_the_unsaved_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut child = headless(None, &out);
    trained_past(&out, 200);
    let snapshots = out.join("snapshots");
    std::fs::rename(&snapshots, out.join("snapshots-away")).unwrap();
    std::fs::write(&snapshots, b"not a directory").unwrap();
    signal(child.id(), "TERM");
    let exit = exit_within(&mut child, Duration::from_secs(30));
    let output = child.output();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(exit.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("the final snapshot failed")
            && stderr.contains("steps since the start are unsaved"),
        "{stderr}"
    );
}
