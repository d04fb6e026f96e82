//! Served runs as tests drive them: start one detached, find its process,
//! speak its socket's protocol by hand, and make sure no run process
//! outlives the test that started it (a detached run survives anything a
//! terminal does to it, which is the point, so tests must stop them).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_spheres");

/// A small, fast config: n = 20, 32-wide, little evaluation.
pub const SMALL: [&str; 12] = [
    "--set",
    "data.n=20",
    "--set",
    "model.width=32",
    "--set",
    "eval.samples=20000",
    "--set",
    "attack.starts=16",
    "--set",
    "run.autosave_min=0",
    "--set",
    "eval.test_samples=0",
];

pub fn spheres(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("running spheres")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Polls `ok` every 20 ms for up to `patience`; panics with `what`.
pub fn wait_until<T>(what: &str, patience: Duration, mut ok: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = ok() {
            return v;
        }
        assert!(start.elapsed() < patience, "waited {patience:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pid the run's owner file names, if a process holds the run.
pub fn owner_pid(dir: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(dir.join(".owner")).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["pid"].as_u64().map(|p| p as u32)
}

pub fn alive(pid: u32) -> bool {
    // A zombie has exited: it only waits for its parent to reap it.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(')').next().map(|r| r.trim_start().to_string()))
        .is_some_and(|r| !r.starts_with('Z') && !r.starts_with('X'))
}

pub fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

/// The last step a StepMetrics record of the log names.
pub fn logged_step(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join("metrics.jsonl")).ok()?;
    text.lines().rev().find_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        (v["kind"] == "StepMetrics")
            .then(|| v["step"].as_u64())
            .flatten()
    })
}

/// Kills every run process it was told about when dropped, so a failed
/// assertion never leaves training behind.
#[derive(Default)]
pub struct Reaper(Vec<PathBuf>);

impl Reaper {
    pub fn watch(&mut self, dir: &Path) {
        self.0.push(dir.to_path_buf());
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        for dir in &self.0 {
            if let Some(pid) = owner_pid(dir).filter(|p| alive(*p)) {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        }
    }
}

/// `spheres run --detach --out DIR` with `extra` args, in `cwd`; returns
/// the run process's pid once it serves.
pub fn start_detached(cwd: &Path, dir: &Path, extra: &[&str], reaper: &mut Reaper) -> u32 {
    reaper.watch(dir);
    let d = dir.to_str().unwrap();
    let o = spheres(cwd, &[&["run", "--detach", "--out", d][..], extra].concat());
    assert!(
        o.status.success(),
        "run --detach: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("spheres attach"),
        "{}",
        text(&o.stdout)
    );
    owner_pid(dir).expect("a detached run holds its lock when it reports ready")
}

/// A client speaking the control socket's protocol by hand.
pub struct Client {
    pub hello: Value,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    pub fn connect(dir: &Path, read_only: bool) -> Self {
        let mut writer = UnixStream::connect(dir.join("control.sock")).expect("connect");
        writer
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let hello = serde_json::json!({"hello": "spheres", "protocol": 1, "read_only": read_only});
        writeln!(writer, "{hello}").unwrap();
        let mut reader = BufReader::new(writer.try_clone().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let hello: Value = serde_json::from_str(&line).expect("a JSON hello");
        assert_eq!(hello["kind"], "Hello", "{line}");
        Self {
            hello,
            reader,
            writer,
        }
    }

    pub fn offset(&self) -> u64 {
        self.hello["offset"].as_u64().unwrap()
    }

    pub fn send(&mut self, command: Value) {
        writeln!(self.writer, "{command}").unwrap();
    }

    /// The next line, raw; None at the end of the stream.
    pub fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end().to_string()),
        }
    }

    /// Reads lines until one satisfies `ok`, returning every line read.
    pub fn until(&mut self, what: &str, ok: impl Fn(&Value) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .line()
                .unwrap_or_else(|| panic!("stream ended before {what}; saw {seen:#?}"));
            let v: Value = serde_json::from_str(&line).unwrap();
            seen.push(line);
            if ok(&v) {
                return seen;
            }
        }
    }

    pub fn stats(&mut self) -> Value {
        self.send(serde_json::json!({"cmd": "Stats"}));
        let lines = self.until("the stats", |v| v["kind"] == "Stats");
        serde_json::from_str(lines.last().unwrap()).unwrap()
    }
}

/// A client whose lines are read as they come, on a thread of its own, so
/// it never falls behind however long the test waits between looks.
pub struct Reading {
    lines: crossbeam_channel::Receiver<String>,
    writer: UnixStream,
}

impl Client {
    pub fn reading(self) -> Reading {
        let (tx, lines) = crossbeam_channel::unbounded();
        let mut reader = self.reader;
        std::thread::spawn(move || {
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line.trim_end().to_string()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Reading {
            lines,
            writer: self.writer,
        }
    }
}

impl Reading {
    pub fn send(&mut self, command: Value) {
        writeln!(self.writer, "{command}").unwrap();
    }

    /// The first line satisfying `ok` within `patience`.
    pub fn until(&self, what: &str, patience: Duration, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no {what} within {patience:?} ({e})"));
            let v: Value = serde_json::from_str(&line).unwrap();
            if ok(&v) {
                return v;
            }
        }
    }

    pub fn stats(&mut self) -> Value {
        self.send(serde_json::json!({"cmd": "Stats"}));
        self.until("the stats", Duration::from_secs(30), |v| {
            v["kind"] == "Stats"
        })
    }
}
