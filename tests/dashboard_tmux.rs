//! The real binary on a real terminal: tmux plays the user, typing keys and
//! reading the screen back, so this covers what the in-process view tests
//! cannot (raw mode, the alternate screen, resizes, leaving cleanly).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use spheres::run::RunDir;
use spheres::train::TrainerState;

mod tools;

/// Generous for a loaded CI machine; a healthy run answers in milliseconds.
const PATIENCE: Duration = Duration::from_secs(10);

fn tmux_available() -> bool {
    let probe = match Command::new("tmux").arg("-V").output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "tmux -V failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("tmux not runnable: {e}")),
    };
    tools::available("tmux", probe, "apt-get install tmux")
}

/// A private tmux server; dropping it kills the server, so a failed
/// assertion never leaves a training process behind.
struct Tmux {
    socket: String,
    /// tmux leaves the socket file behind when its server is killed.
    socket_path: Option<PathBuf>,
}

impl Tmux {
    fn start(width: u16, height: u16, cwd: &Path, command: &str) -> Self {
        let socket = format!(
            "spheres-e2e-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mut tmux = Self {
            socket,
            socket_path: None,
        };
        let (w, h) = (width.to_string(), height.to_string());
        let cwd = cwd.to_str().unwrap();
        tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w,
            "-y",
            &h,
            "-c",
            cwd,
            command,
        ]);
        tmux.socket_path = Some(PathBuf::from(tmux.format("#{socket_path}")));
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            // A test started from inside tmux must not talk to that server.
            .env_remove("TMUX")
            .output()
            .expect("running tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into()
    }

    fn format(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Named keys (`Enter`, `BSpace`, `Space`) or single characters.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Text typed as is, even when it looks like an option or a key name.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", "--", text]);
    }

    fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        self.run(&["resize-window", "-t", "e2e", "-x", &w, "-y", &h]);
    }

    /// Polls the screen until `ok` holds; fails showing the last screen.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .env_remove("TMUX")
            .output();
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The step the status line reports ("step 14.2k/1.0M" -> 14.2k as text).
fn status_step(screen: &str) -> Option<String> {
    let last = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    let after = last.split("step ").nth(1)?;
    Some(after.split('/').next()?.to_string())
}

fn line_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

/// The value column of a Controls row, e.g. "0.001" for "train.lr".
fn control_value(screen: &str, key: &str) -> Option<String> {
    let line = screen
        .lines()
        .find(|l| l.trim_start_matches('│').starts_with(&format!("{key} ")))?;
    let rest = line.trim_start_matches('│').strip_prefix(key)?;
    Some(rest.split_whitespace().next()?.to_string())
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Replaces the selected control's value: the edit starts with the current
/// text, so it is erased first.
fn edit_selected(tmux: &Tmux, current: &str, new: &str) {
    tmux.keys(&["Enter"]);
    tmux.wait_for("the edit cursor", |s| {
        line_with(s, "enter send · esc cancel").is_some()
    });
    let erase = vec!["BSpace"; current.chars().count()];
    tmux.keys(&erase);
    tmux.type_text(new);
    tmux.keys(&["Enter"]);
}

#[test]
fn a_user_pauses_browses_edits_and_quits_with_a_snapshot() {
    if !tmux_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("run");
    // After the dashboard the shell reports how it ended and whether the
    // terminal is back in line mode, then waits so the pane can be read.
    let command = format!(
        "{bin} run --steps 1000000 --set data.n=20 --set model.width=32 --out {out}; \
         echo \"exit status $?\"; \
         if stty -a | grep -q -- -icanon; then echo 'tty raw'; else echo 'tty cooked'; fi; \
         exec sleep 600",
        bin = shell_quote(Path::new(env!("CARGO_BIN_EXE_spheres"))),
        out = shell_quote(&out),
    );
    let tmux = Tmux::start(100, 30, tmp.path(), &command);

    tmux.wait_for("a step count above 0 in the status line", |s| {
        s.contains("RUNNING") && status_step(s).is_some_and(|n| n != "0")
    });
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "full screen while running"
    );

    tmux.keys(&["Space"]);
    let paused = tmux.wait_for("the paused state", |s| {
        s.lines().next().is_some_and(|top| top.contains("PAUSED"))
    });
    assert!(
        status_step(&paused).is_some(),
        "status line lost its step:\n{paused}"
    );
    assert!(
        paused.lines().rev().any(|l| l.contains("| paused |")),
        "{paused}"
    );

    // Each screen by its digit, recognised by what only it shows.
    let screens: [(&str, &str, &str); 5] = [
        ("2", "Geometry", "error rate vs d(E), n=20"),
        ("3", "Quadratic", "this run trains a \"relu\" model"),
        ("4", "Controls", "train.lr"),
        ("5", "Help", "pause / resume"),
        ("1", "Overview", "loss, whole run"),
    ];
    for (key, name, mark) in screens {
        tmux.keys(&[key]);
        tmux.wait_for(&format!("the {name} screen ({mark:?})"), |s| {
            s.contains(mark)
        });
    }
    let help_gone = tmux.screen();
    assert!(
        !help_gone.contains("save, then quit"),
        "Overview still shows the help:\n{help_gone}"
    );
    tmux.keys(&["5"]);
    let help = tmux.wait_for("the key list", |s| s.contains("save, then quit"));
    for row in [
        "space",
        "quit, asking to save",
        "send the new value",
        "cancel the edit",
    ] {
        assert!(help.contains(row), "help lacks {row:?}:\n{help}");
    }

    tmux.keys(&["4"]);
    let controls = tmux.wait_for("the Controls screen", |s| {
        control_value(s, "train.lr").is_some()
    });
    let lr = control_value(&controls, "train.lr").unwrap();
    assert_eq!(lr, "0.001", "the quick preset's rate:\n{controls}");

    edit_selected(&tmux, &lr, "0.0005");
    let applied = tmux.wait_for("the applied edit in the change log", |s| {
        s.contains(": train.lr 0.001 -> 0.0005") && s.contains("changes (1)")
    });
    assert_eq!(
        control_value(&applied, "train.lr").as_deref(),
        Some("0.0005"),
        "{applied}"
    );

    edit_selected(&tmux, "0.0005", "-3");
    let refused = tmux.wait_for("the refusal", |s| s.contains("refused train.lr = -3: "));
    assert_eq!(
        control_value(&refused, "train.lr").as_deref(),
        Some("0.0005"),
        "a refused value must not replace the rate:\n{refused}"
    );
    assert!(refused.contains("changes (1)"), "{refused}");

    // A smaller terminal: the same state, laid out for 80x24.
    tmux.resize(80, 24);
    let small = tmux.wait_for("the 80x24 layout", |s| {
        s.lines()
            .next()
            .is_some_and(|top| top.trim_end().len() <= 80 && top.contains("PAUSED"))
            && s.lines().count() <= 24
            && s.contains("refused train.lr = -3")
    });
    for mark in [
        "1 Overview",
        "5 Help",
        "train.lr",
        "0.0005",
        "cores 1 train / 1 eval",
    ] {
        assert!(small.contains(mark), "80x24 lacks {mark:?}:\n{small}");
    }
    assert!(small.lines().all(|l| l.chars().count() <= 80), "{small}");

    tmux.keys(&["q"]);
    tmux.wait_for("the save question", |s| {
        s.contains("save before quit? y/n/esc")
    });
    tmux.keys(&["y"]);
    let after = tmux.wait_for("the shell after the dashboard", |s| {
        s.contains("exit status")
    });
    assert!(after.contains("exit status 0"), "{after}");
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "left the alternate screen"
    );
    let after = tmux.wait_for("the terminal mode", |s| s.contains("tty "));
    assert!(after.contains("tty cooked"), "raw mode left on:\n{after}");
    let stopped =
        line_with(&after, "stopped at step ").unwrap_or_else(|| panic!("no stop line:\n{after}"));
    assert!(
        !after.contains("RUNNING") && !after.contains("PAUSED"),
        "dashboard left on screen:\n{after}"
    );

    let dir = RunDir::open(&out).unwrap();
    let loaded = dir.load_latest::<TrainerState>().unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.value.step > 0);
    assert!(
        stopped.contains(&format!("stopped at step {} (", loaded.value.step)),
        "printed {stopped:?}, saved step {}",
        loaded.value.step
    );
    assert_eq!(
        loaded.path,
        dir.snapshot_path(loaded.value.step),
        "snapshots/<step>.snap"
    );
    assert!(
        loaded.value.config.contains("lr = 0.0005"),
        "the live edit is part of the snapshot:\n{}",
        loaded.value.config
    );
}
