//! `spheres watch DIR [DIR...]`: read-only, from the files alone, no
//! socket. Works on a running run (it follows `metrics.jsonl` as it grows),
//! a finished one, or a copy brought back from a cluster. One directory
//! gets the full dashboard; several are overlaid.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::args::WatchArgs;
use crate::config::Config;
use crate::history::LogReader;
use crate::history::summary::is_run;
use crate::run::RunDir;
use crate::run::owner::Liveness;
use crate::run::run_dir::METRICS_FILE;
use crate::session::run_info::info_from;
use crate::signals::Interrupted;
use crate::tui::compare::{Compare, Trace};
use crate::tui::{App, DashboardOptions, Look, Poll, run_dashboard};

/// How often a followed log is read for new lines.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// How often the run's owner is checked.
const OWNER_EVERY: Duration = Duration::from_secs(2);

/// The run's config as `config.toml` holds it.
fn config_of(dir: &Path) -> anyhow::Result<Config> {
    if !is_run(dir) {
        bail!(
            "{}: not a run directory (no snapshots/ and no metrics.jsonl)",
            dir.display()
        );
    }
    let path = dir.join(crate::run::run_dir::CONFIG_FILE);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Config::from_toml(&text).with_context(|| format!("{}", path.display()))
}

fn serving(dir: &Path) -> bool {
    RunDir::open(dir)
        .ok()
        .and_then(|d| d.holder())
        .is_some_and(|(_, l)| l != Liveness::Gone)
}

fn name_of(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn watch(a: WatchArgs) -> anyhow::Result<()> {
    let opts = DashboardOptions {
        max_fps: a.fps,
        mouse: false,
    };
    let (_commands, _) = crossbeam_channel::unbounded();
    let outcome_signal = if let [dir] = a.dirs.as_slice() {
        one(dir, opts, _commands)?
    } else {
        several(&a.dirs, opts, _commands)?
    };
    match outcome_signal {
        Some(s) => Err(Interrupted::new(s, "the dashboard (the run goes on)").into()),
        None => Ok(()),
    }
}

/// The read-only dashboard state of the run in `dir`, from its files: its
/// config, then every record of its log. Returns the reader, positioned at
/// the end of what it read, to follow the log from there.
fn watched(dir: &Path, look: Look) -> anyhow::Result<(App, LogReader)> {
    let config = config_of(dir)?;
    let mut app = App::with_look(info_from(&config, &name_of(dir), 0), look).read_only();
    app.life.serving = Some(serving(dir));
    let mut log = LogReader::new(&dir.join(METRICS_FILE));
    log.read(None, &mut |e| app.update(e))
        .with_context(|| format!("reading {}", log.path().display()))?;
    Ok((app, log))
}

fn one(
    dir: &Path,
    opts: DashboardOptions,
    commands: crossbeam_channel::Sender<crate::session::messages::Command>,
) -> anyhow::Result<Option<crate::signals::Signal>> {
    let (app, mut log) = watched(dir, Look::from_env())?;
    let mut checked = Instant::now();
    let dir = dir.to_path_buf();
    let mut hook = |app: &mut App| {
        let _ = log.read(None, &mut |e| app.update(e));
        if checked.elapsed() >= OWNER_EVERY {
            checked = Instant::now();
            let now = Some(serving(&dir));
            if app.life.serving != now {
                app.life.serving = now;
                app.mark_dirty();
            }
        }
    };
    let outcome = run_dashboard(
        app,
        crate::tui::views::view,
        crossbeam_channel::never(),
        commands,
        opts,
        Some(Poll {
            every: FOLLOW_EVERY,
            hook: &mut hook,
        }),
    )?;
    Ok(outcome.signal)
}

fn several(
    dirs: &[PathBuf],
    opts: DashboardOptions,
    commands: crossbeam_channel::Sender<crate::session::messages::Command>,
) -> anyhow::Result<Option<crate::signals::Signal>> {
    let mut traces = Vec::new();
    let mut logs = Vec::new();
    for dir in dirs {
        let config = config_of(dir)?;
        traces.push(Trace::new(name_of(dir), config.data.n));
        logs.push(LogReader::new(&dir.join(METRICS_FILE)));
    }
    let mut compare = Compare::new(traces, Look::from_env());
    let mut read_all = |c: &mut Compare| {
        for (i, log) in logs.iter_mut().enumerate() {
            let _ = log.read(None, &mut |e| c.update_run(i, &e));
        }
    };
    read_all(&mut compare);
    let outcome = run_dashboard(
        compare,
        crate::tui::views::compare::view,
        crossbeam_channel::never(),
        commands,
        opts,
        Some(Poll {
            every: FOLLOW_EVERY,
            hook: &mut read_all,
        }),
    )?;
    Ok(outcome.signal)
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    #[test]
    fn a_log_from_before_served_runs_draws_its_whole_history() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/log-v0");
        let (app, log) = watched(&dir, Look::default()).unwrap();
        assert_eq!((log.damaged, log.unknown), (0, 0));
        assert_eq!(app.current_step(), 9000);
        assert_eq!(app.training.changes.len(), 1, "the live edit it logged");
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| crate::tui::views::view(f, &app)).unwrap();
        let buf = t.backend().buffer().clone();
        let screen: String = (0..30)
            .map(|y| (0..100).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect();
        for want in [
            "FINISHED",
            "loss, whole run",
            "step 9000/9000",
            "error rate, 95%",
        ] {
            assert!(screen.contains(want), "{want} missing:\n{screen}");
        }
        // The whole run, from its first logged step.
        let first = app.training.loss.points()[0].0;
        assert!(first < 1200.0, "the curve starts at {first}");
    }

    #[test]
    fn a_directory_that_is_no_run_is_refused_by_name() {
        let tmp = tempfile::tempdir().unwrap();
        let e = watched(tmp.path(), Look::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a run directory"), "{e}");
    }
}
