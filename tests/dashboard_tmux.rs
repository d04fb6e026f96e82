//! The real binary on a real terminal: tmux plays the user, typing keys and
//! reading the screen back, so this covers what the in-process view tests
//! cannot (raw mode, the alternate screen, resizes, leaving cleanly).

use std::path::{Path, PathBuf};
use std::time::Duration;

use spheres::run::RunDir;
use spheres::train::TrainerState;

mod tools;

use tools::runs::Reaper;
use tools::tmux::{Tmux, tmux_available};

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
    let mut reaper = Reaper::default();
    reaper.watch(&out);
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
        !help_gone.contains("stop the run and save it"),
        "Overview still shows the help:\n{help_gone}"
    );
    tmux.keys(&["5"]);
    // Waits for every row at once: a capture can land in the middle of a
    // redraw, with the bottom of the previous screen still showing.
    let rows = [
        "stop the run and save it",
        "space",
        "leave: detach or stop",
        "detach: training goes on",
        "send the new value",
        "cancel the edit",
    ];
    tmux.wait_for(&format!("the key list with {rows:?}"), |s| {
        rows.iter().all(|row| s.contains(row))
    });

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
    tmux.wait_for("the question on leaving", |s| {
        s.contains("leave the dashboard?") && s.contains("s  stop the run and save it")
    });
    tmux.keys(&["s"]);
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
    let stopped = line_with(&after, "stopped the run at step ")
        .unwrap_or_else(|| panic!("no stop line:\n{after}"));
    assert!(
        !after.contains("RUNNING") && !after.contains("PAUSED"),
        "dashboard left on screen:\n{after}"
    );

    let dir = RunDir::open(&out).unwrap();
    let loaded = dir.load_latest::<TrainerState>().unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.value.step > 0);
    assert!(
        stopped.contains(&format!("stopped the run at step {}:", loaded.value.step)),
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

/// The first step a StepMetrics record names.
fn first_logged_step(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap();
    text.lines()
        .find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            (v["kind"] == "StepMetrics")
                .then(|| v["step"].as_u64())
                .flatten()
        })
        .unwrap()
}

/// What a dropped SSH connection does to an attached dashboard: its
/// terminal (here a tmux session) is killed. The run process goes on
/// training; a new dashboard from another "terminal" draws the whole run,
/// from its first logged step.
#[test]
fn a_dashboard_losing_its_terminal_leaves_the_run_training() {
    use tools::runs::{SMALL, alive, logged_step, start_detached, wait_until};
    if !tmux_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut reaper = Reaper::default();
    let pid = start_detached(
        tmp.path(),
        &out,
        &[&["--steps", "100000000"][..], &SMALL].concat(),
        &mut reaper,
    );
    let bin = shell_quote(Path::new(env!("CARGO_BIN_EXE_spheres")));
    let attach = format!("{bin} attach {}", shell_quote(&out));
    {
        let first = Tmux::start(100, 30, tmp.path(), &attach);
        first.wait_for("the attached dashboard", |s| s.contains("RUNNING"));
        // Dropping the server kills its session and the dashboard in it.
    }
    let before = wait_until("a first logged step", Duration::from_secs(30), || {
        logged_step(&out)
    });
    let patience = Duration::from_secs(30);
    wait_until("training after the terminal went away", patience, || {
        logged_step(&out).filter(|s| *s > before + 1000)
    });
    assert!(alive(pid), "the run process died with the terminal");

    let second = Tmux::start(120, 36, tmp.path(), &attach);
    let first_step = spheres::tui::format::count(first_logged_step(&out) as f64);
    let screen = second.wait_for("a loss chart from the first step", |s| {
        s.contains("RUNNING")
            && s.lines().any(|l| {
                let cells: Vec<&str> = l.split('│').collect();
                cells
                    .get(1)
                    .is_some_and(|c| c.split_whitespace().next() == Some(first_step.as_str()))
            })
    });
    assert!(screen.contains("loss, whole run"), "{screen}");
    assert!(alive(pid));
}
