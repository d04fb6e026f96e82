//! `spheres attach DIR`: the full dashboard as a client of the run
//! process. History first, from `metrics.jsonl` up to the offset the
//! server's hello names, then the live stream: no gap, no duplicate.

use std::path::Path;

use anyhow::Context;

use super::args::AttachArgs;
use crate::config::Config;
use crate::history::LogReader;
use crate::remote::connect;
use crate::run::run_dir::METRICS_FILE;
use crate::session::run_info::info_from;
use crate::signals::Interrupted;
use crate::tui::lifecycle::Leaving;
use crate::tui::{App, DashboardOptions, Look, run_dashboard};

pub struct DashboardArgs {
    pub read_only: bool,
    pub fps: f64,
    pub mouse: bool,
}

pub fn attach(a: AttachArgs) -> anyhow::Result<()> {
    dashboard(
        &a.dir,
        DashboardArgs {
            read_only: a.read_only,
            fps: a.fps,
            mouse: a.mouse,
        },
    )
}

/// The dashboard of the run served in `dir`, until the user leaves.
pub fn dashboard(dir: &Path, a: DashboardArgs) -> anyhow::Result<()> {
    let conn = connect(dir, a.read_only)?;
    let hello = &conn.hello;
    let config = Config::from_toml(&hello.config).with_context(|| {
        format!(
            "the run process of {} sent a config that does not load",
            dir.display()
        )
    })?;
    let mut app = App::with_look(
        info_from(&config, &hello.preset, hello.start_step),
        Look::from_env(),
    );
    if a.read_only {
        app = app.read_only();
    }
    let mut history = LogReader::new(&dir.join(METRICS_FILE));
    history
        .read(Some(hello.offset), &mut |e| app.update(e))
        .with_context(|| format!("reading {}", history.path().display()))?;
    let commands = conn.command_sender();
    let events = conn.events.clone();
    let outcome = run_dashboard(
        app,
        crate::tui::views::view,
        events,
        commands,
        DashboardOptions {
            max_fps: a.fps,
            mouse: a.mouse,
        },
        None,
    )?;
    let ending = conn.ending.try_recv().ok();
    let step = outcome.app.current_step();
    conn.detach();
    let dir = dir.display();
    // The terminal may be gone (a hang-up): these lines are best effort.
    let say = |line: String| {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "{line}");
    };
    match (outcome.app.leaving(), ending) {
        (Some(Leaving::Stopped), _) => say(format!("stopped the run at step {step}: {dir}")),
        (_, Some(crate::remote::Ending::Bye(reason))) => say(format!(
            "the run process ended ({reason}) at step {step}: {dir}"
        )),
        (_, Some(crate::remote::Ending::Lost)) => say(format!(
            "lost the run process at step {step}: see {dir}/run.log"
        )),
        _ => say(format!(
            "detached at step {step}; the run goes on: spheres attach {dir}"
        )),
    }
    match outcome.signal {
        Some(s) => Err(Interrupted::new(s, "the dashboard (the run goes on)").into()),
        None => Ok(()),
    }
}
