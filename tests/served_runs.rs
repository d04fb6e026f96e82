//! Runs that outlive the terminal, driven as users and their tools drive
//! them: real run processes started with `--detach`, clients speaking the
//! control socket's protocol, `ls` and the files they leave.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use spheres::run::RunDir;
use spheres::train::TrainerState;

mod tools;

use tools::runs::{
    Client, Reaper, SMALL, alive, logged_step, owner_pid, signal, spheres, start_detached, text,
    wait_until,
};

const PATIENCE: Duration = Duration::from_secs(60);

fn long(extra: &[&str]) -> Vec<String> {
    [&["--steps", "100000000"][..], &SMALL, extra]
        .concat()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn stop_and_wait(dir: &Path, client: &mut Client) {
    let pid = owner_pid(dir).unwrap();
    client.send(json!({"cmd": "Stop", "save": true}));
    let lines = client.until("the goodbye", |v| v["kind"] == "Bye");
    let bye: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(bye["reason"], "stopped by a client", "{bye}");
    wait_until("the run process to exit", PATIENCE, || {
        (!alive(pid)).then_some(())
    });
}

/// Pause, edit, resume, detach, reattach, stop with save: every step over
/// the socket of a real detached run.
#[test]
fn a_client_steers_a_detached_run_and_a_second_one_finds_it_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut reaper = Reaper::default();
    start_detached(tmp.path(), &dir, &args(&long(&[])), &mut reaper);
    let mut c = Client::connect(&dir, false);
    assert_eq!(c.hello["protocol"], 1);
    assert!(c.hello["config"].as_str().unwrap().contains("n = 20"));
    c.until("training", |v| v["kind"] == "StepMetrics");
    c.send(json!({"cmd": "Pause"}));
    c.until("the pause", |v| {
        v["kind"] == "State" && v["state"] == "Paused"
    });
    c.send(json!({"cmd": "Set", "key": "train.lr", "value": "0.0005"}));
    let applied = c.until("the edit", |v| {
        v["kind"] == "Applied" || v["kind"] == "Refused"
    });
    let last: Value = serde_json::from_str(applied.last().unwrap()).unwrap();
    assert_eq!(
        (last["kind"].as_str(), last["value"].as_str()),
        (Some("Applied"), Some("0.0005"))
    );
    // A bad command and a refused edit are answered, not fatal.
    c.send(json!({"cmd": "Explode"}));
    c.until("the refusal of a bad message", |v| {
        v["kind"] == "Notice" && v["message"].as_str().unwrap().contains("not a command")
    });
    c.send(json!({"cmd": "Set", "key": "train.lr", "value": "-1"}));
    c.until("the refused edit", |v| v["kind"] == "Refused");
    c.send(json!({"cmd": "Resume"}));
    c.until("running again", |v| {
        v["kind"] == "State" && v["state"] == "Running"
    });
    drop(c);

    // Reattach: the run went on without a client.
    let at = logged_step(&dir).unwrap();
    wait_until("training after the detach", PATIENCE, || {
        logged_step(&dir).filter(|s| *s > at)
    });
    let mut again = Client::connect(&dir, false);
    again.until("the stream", |v| v["kind"] == "StepMetrics");
    stop_and_wait(&dir, &mut again);

    let log = std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("\"kind\":\"Applied\"") && l.contains("0.0005")),
        "the edit is in the log"
    );
    let loaded = RunDir::open(&dir)
        .unwrap()
        .load_latest::<TrainerState>()
        .unwrap();
    assert_eq!(loaded.value.step, logged_step(&dir).unwrap());
    assert!(
        loaded.value.config.contains("lr = 0.0005"),
        "{}",
        loaded.value.config
    );
    assert!(
        !dir.join("control.sock").exists(),
        "the socket goes with the process"
    );
}

/// The history a client reads (the log up to the hello's offset) plus the
/// stream it receives is exactly the log, line for line, with no gap and no
/// duplicate at the seam.
#[test]
fn history_plus_stream_is_the_log_line_for_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut reaper = Reaper::default();
    start_detached(tmp.path(), &dir, &args(&long(&[])), &mut reaper);
    // Some history first, so the seam falls mid-run.
    wait_until("some history", PATIENCE, || {
        logged_step(&dir).filter(|s| *s > 500)
    });
    let mut c = Client::connect(&dir, false);
    let offset = c.offset() as usize;
    let history = std::fs::read(dir.join("metrics.jsonl")).unwrap()[..offset].to_vec();
    let mut streamed = Vec::new();
    let mut logged = 0;
    while logged < 40 {
        let line = c.line().expect("the stream");
        let v: Value = serde_json::from_str(&line).unwrap();
        // Live-only lines carry no wall time and are not in the log.
        if v.get("wall").is_some() {
            streamed.push(line);
            logged += 1;
        }
    }
    stop_and_wait(&dir, &mut c);
    let log = std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap();
    let mut rebuilt = String::from_utf8(history).unwrap();
    assert!(rebuilt.ends_with('\n'), "the offset falls between lines");
    for l in &streamed {
        rebuilt.push_str(l);
        rebuilt.push('\n');
    }
    assert!(
        log.starts_with(&rebuilt),
        "history + stream is not a prefix of the log"
    );
    let history_lines = rebuilt.lines().count() - streamed.len();
    assert!(history_lines > 3 && streamed.len() == 40);
}

/// kill -9 leaves the socket and the owner file behind; the next start
/// replaces both.
#[test]
fn after_kill_9_a_detached_resume_takes_the_run_over() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut reaper = Reaper::default();
    let pid = start_detached(tmp.path(), &dir, &args(&long(&[])), &mut reaper);
    let mut c = Client::connect(&dir, false);
    c.send(json!({"cmd": "Snapshot"}));
    c.until("a snapshot", |v| v["kind"] == "Saved");
    drop(c);
    signal(pid, "KILL");
    wait_until("the kill", PATIENCE, || (!alive(pid)).then_some(()));
    assert!(
        dir.join("control.sock").exists(),
        "a kill -9 leaves its socket"
    );
    let o = spheres(tmp.path(), &["attach", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("no run process is serving this run"),
        "{}",
        text(&o.stderr)
    );
    let o = spheres(tmp.path(), &["resume", dir.to_str().unwrap(), "--detach"]);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    let new_pid = owner_pid(&dir).unwrap();
    assert_ne!(new_pid, pid);
    let mut c = Client::connect(&dir, false);
    let lines = c.until("training again", |v| v["kind"] == "StepMetrics");
    assert!(!lines.is_empty());
    stop_and_wait(&dir, &mut c);
}

fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                out.insert(name, std::fs::read(&p).unwrap());
            } else {
                out.insert(name, Vec::new());
            }
        }
    }
    out
}

/// A second writer, detached or not, with or without edits, is refused
/// with exit 1 and the holder named, and changes nothing in the run.
#[test]
fn a_second_start_on_a_held_run_is_refused_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut reaper = Reaper::default();
    let pid = start_detached(tmp.path(), &dir, &args(&long(&[])), &mut reaper);
    let mut c = Client::connect(&dir, false);
    c.send(json!({"cmd": "Snapshot"}));
    c.until("a snapshot", |v| v["kind"] == "Saved");
    c.send(json!({"cmd": "Pause"}));
    c.until("the pause", |v| {
        v["kind"] == "State" && v["state"] == "Paused"
    });
    // Let the evaluation thread go quiet, so nothing is written meanwhile.
    std::thread::sleep(Duration::from_secs(3));
    let before = files_of(&dir);
    let d = dir.to_str().unwrap();
    for attempt in [
        vec!["resume", d, "--detach"],
        vec![
            "resume",
            d,
            "--detach",
            "--set",
            "train.lr=0.5",
            "--steps",
            "300000",
        ],
        vec!["resume", d, "--headless"],
    ] {
        let o = spheres(tmp.path(), &attempt);
        assert_eq!(o.status.code(), Some(1), "{attempt:?}");
        let err = text(&o.stderr);
        assert!(
            err.contains("another process is writing this run")
                && err.contains(&format!("pid {pid}")),
            "{attempt:?}: {err}"
        );
    }
    let after = files_of(&dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &before {
        assert!(after[name] == *bytes, "{name} changed");
    }
    stop_and_wait(&dir, &mut c);
}

/// A client that connects and never reads fills its socket and then its
/// queue, and is dropped with a notice; the logger only ever hands lines to
/// queues without waiting, so training never waits for any client.
#[test]
fn a_silent_client_is_dropped_and_never_slows_training() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut reaper = Reaper::default();
    reaper.watch(&dir);
    // A short client queue (a test hook) so the drop comes within seconds.
    let o = std::process::Command::new(tools::runs::BIN)
        .current_dir(tmp.path())
        .env("SPHERES_CLIENT_QUEUE", "64")
        .args(["run", "--detach", "--out", dir.to_str().unwrap()])
        .args(long(&[]))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut watcher = Client::connect(&dir, false).reading();
    let silent = std::os::unix::net::UnixStream::connect(dir.join("control.sock")).unwrap();
    {
        use std::io::Write;
        let mut s = &silent;
        writeln!(s, "{}", json!({"hello": "spheres", "protocol": 1})).unwrap();
    }
    let early = watcher.stats();
    let notice = watcher.until("the drop notice", PATIENCE, |v| {
        v["kind"] == "Notice" && v["message"].as_str().unwrap().contains("fell")
    });
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("dropped client"),
        "{notice}"
    );
    let late = watcher.stats();
    assert_eq!(late["dropped"], 1, "only the silent client: {late}");
    assert!(
        late["step"].as_u64().unwrap() > early["step"].as_u64().unwrap(),
        "training went on: {early} then {late}"
    );
    // The logger's whole cost of its audience is queueing lines, never
    // waiting on a socket: well under 1% of the seconds training ran.
    let send_s = late["send_ns"].as_u64().unwrap() as f64 * 1e-9;
    assert!(send_s < 0.05, "{send_s} s in the send path: {late}");
    drop(silent);
    let pid = owner_pid(&dir).unwrap();
    watcher.send(json!({"cmd": "Stop", "save": true}));
    wait_until("the run process to exit", PATIENCE, || {
        (!alive(pid)).then_some(())
    });
}

/// A read-only client sees everything and can change nothing.
#[test]
fn a_read_only_client_is_refused_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut reaper = Reaper::default();
    start_detached(tmp.path(), &dir, &args(&long(&[])), &mut reaper);
    let mut ro = Client::connect(&dir, true);
    ro.send(json!({"cmd": "Pause"}));
    ro.until("the refusal", |v| {
        v["kind"] == "Notice" && v["message"].as_str().unwrap().contains("read-only")
    });
    let mut rw = Client::connect(&dir, false);
    let after = rw.until("a step record", |v| v["kind"] == "StepMetrics");
    assert!(
        !after.iter().any(|l| l.contains("\"state\":\"Paused\"")),
        "a read-only client paused the run"
    );
    stop_and_wait(&dir, &mut rw);
}

/// `ls --json` tells a running, a finished and a killed run apart.
#[test]
fn ls_names_each_runs_state() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let mut reaper = Reaper::default();
    let finished = runs.join("finished");
    let o = spheres(
        tmp.path(),
        &[
            &[
                "run",
                "--headless",
                "--steps",
                "300",
                "--out",
                finished.to_str().unwrap(),
            ][..],
            &SMALL,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let running = runs.join("running");
    let pid = start_detached(tmp.path(), &running, &args(&long(&[])), &mut reaper);
    let killed = runs.join("killed");
    let kpid = start_detached(tmp.path(), &killed, &args(&long(&[])), &mut reaper);
    let mut c = Client::connect(&killed, false);
    c.send(json!({"cmd": "Snapshot"}));
    c.until("a snapshot", |v| v["kind"] == "Saved");
    drop(c);
    signal(kpid, "KILL");
    wait_until("the kill", PATIENCE, || (!alive(kpid)).then_some(()));
    let o = spheres(tmp.path(), &["ls", runs.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let states: BTreeMap<String, Value> = text(&o.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["name"].as_str().unwrap().to_string(), v)
        })
        .collect();
    assert_eq!(states["finished"]["state"], "finished", "{states:?}");
    assert_eq!(states["finished"]["step"], 300);
    assert_eq!(states["running"]["state"], "running");
    assert_eq!(states["running"]["pid"], pid);
    assert_eq!(states["killed"]["state"], "interrupted", "{states:?}");
    assert!(states["killed"]["snapshot_step"].is_u64());
    let table = text(&spheres(tmp.path(), &["ls", runs.to_str().unwrap()]).stdout);
    assert!(table.contains(&format!("running (pid {pid})")), "{table}");
    assert!(table.contains("interrupted, resumable"), "{table}");
    let mut c = Client::connect(&running, false);
    stop_and_wait(&running, &mut c);
}
