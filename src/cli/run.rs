//! `spheres run` (and plain `spheres`): resolve the config, then start the
//! run process — in the background with `--detach`, in this process when
//! headless, or in the background with this terminal attached to it as a
//! dashboard.

use std::io::IsTerminal;

use anyhow::{Context, bail};

use super::args::{RunArgs, ViewArgs};
use crate::config::{Config, preset};
use crate::serve::launch::Launch;
use crate::serve::ready::Answer;
use crate::serve::spawn::start_detached;
use crate::serve::{ServeOptions, serve};

/// Preset, then `--steps`, then every `--set` in order.
pub fn resolve(args: &RunArgs) -> anyhow::Result<(String, Config)> {
    let p = preset(&args.preset)?;
    let mut config = p.config;
    if let Some(steps) = args.steps {
        config.set("steps", &steps.to_string())?;
    }
    for (k, v) in &args.set {
        config.set(k, v).with_context(|| format!("--set {k}={v}"))?;
    }
    Ok((p.name, config))
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let (name, config) = resolve(&args)?;
    let launch = Launch::New {
        preset: name,
        config: config.to_toml(),
        out: args.out.clone(),
    };
    start(&launch, &args.view, args.detach)
}

/// Starts a validated launch the way the command line asked.
pub fn start(launch: &Launch, view: &ViewArgs, detach: bool) -> anyhow::Result<()> {
    if detach {
        let dir = start_in_background(launch)?;
        println!("run directory {}", dir.display());
        println!("attach with:   spheres attach {}", dir.display());
        println!(
            "or follow:     spheres watch {}   (log: {}/run.log)",
            dir.display(),
            dir.display()
        );
        return Ok(());
    }
    if view.headless || !std::io::stdout().is_terminal() {
        return serve(
            launch,
            ServeOptions {
                every: view.every,
                ..ServeOptions::default()
            },
        );
    }
    let dir = start_in_background(launch)?;
    super::attach::dashboard(
        &dir,
        super::attach::DashboardArgs {
            read_only: false,
            fps: view.fps,
            mouse: view.mouse,
        },
    )
    .with_context(|| {
        format!(
            "the run goes on in the background: `spheres attach {}`",
            dir.display()
        )
    })
}

/// Starts the run process detached and returns its run directory once it
/// serves its socket.
fn start_in_background(launch: &Launch) -> anyhow::Result<std::path::PathBuf> {
    let started = start_detached(launch).context("starting the run process")?;
    match started.answer {
        Answer::Ok(dir) => Ok(dir),
        Answer::Failed(msg) => bail!(msg),
        Answer::Silent => {
            let mut child = started.child;
            let status = child
                .wait()
                .map(|s| s.to_string())
                .unwrap_or_else(|e| e.to_string());
            bail!("the run process ended before it was ready ({status})")
        }
    }
}
