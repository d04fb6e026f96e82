//! The run process: one process owns the training of one run directory
//! and serves it on `RUN/control.sock`. Everything that shows a run is a
//! client of it or of its files: the dashboard of `spheres run` and
//! `spheres attach` over the socket, `spheres watch` and `spheres ls` from
//! the files. So a lost terminal only ever loses a client.
//!
//! A run process never stops on SIGHUP (and leaves SIGHUP ignored when it
//! was ignored at start, as under nohup); once its terminal is gone it
//! writes to `RUN/run.log`. SIGTERM and SIGINT save and stop. Exit codes: 0
//! finished or stopped by a client, 143 after SIGTERM, 130 after SIGINT, 1
//! on any error, and an error wins: a final save that fails after SIGTERM
//! exits 1 and says how many steps are unsaved.

pub mod launch;
pub mod output;
pub mod progress;
pub mod ready;
pub mod spawn;

use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use crossbeam_channel::{select, tick, unbounded};

use self::launch::{Launch, Prepared};
use self::output::{Output, RUN_LOG};
use self::progress::Reporter;
use self::ready::Ready;
use crate::remote::protocol::{PROTOCOL, ServerHello};
use crate::remote::{Server, ServerContext, socket_path};
use crate::run::RunDir;
use crate::run::owner::Owner;
use crate::session::Session;
use crate::session::hub::DEFAULT_QUEUE;
use crate::session::messages::{Command, Event, RunState};
use crate::signals::{Interrupted, Signal, Signals};
use crate::train::Trainer;

/// How a run process behaves beyond what it trains.
pub struct ServeOptions {
    /// Seconds between progress lines.
    pub every: f64,
    /// Stop (exit 1) when training diverges instead of waiting, paused, for
    /// a client to lower the learning rate: for headless runs, where
    /// nobody is going to attach.
    pub stop_on_divergence: bool,
    /// Where to say "ready" (a detached start's parent waits for it).
    pub ready: Option<Ready>,
    /// No terminal at all: output goes to `RUN/run.log` from the start.
    pub detached: bool,
    /// Lines each client may fall behind before it is dropped.
    pub client_queue: usize,
}

/// Lines a client may fall behind, when not the default: a test hook, so a
/// test can fill a silent client's queue in seconds instead of minutes.
pub const CLIENT_QUEUE_ENV: &str = "SPHERES_CLIENT_QUEUE";

impl Default for ServeOptions {
    fn default() -> Self {
        let client_queue = std::env::var(CLIENT_QUEUE_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&q: &usize| q > 0)
            .unwrap_or(DEFAULT_QUEUE);
        Self {
            every: 5.0,
            stop_on_divergence: true,
            ready: None,
            detached: false,
            client_queue,
        }
    }
}

/// Why the run process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Finished,
    Signal(Signal),
    Client { save: bool },
    Diverged,
}

/// Runs `launch` to its end in this process, serving it on its socket.
pub fn serve(launch: &Launch, mut opts: ServeOptions) -> anyhow::Result<()> {
    let ready = opts.ready.take();
    let fail = |ready: Option<Ready>, e: anyhow::Error| {
        if let Some(r) = ready {
            r.fail(&format!("{e:#}"));
        }
        e
    };
    // Signals first: a SIGTERM while the snapshot loads still stops cleanly.
    let signals = match Signals::install(&[Signal::Term, Signal::Int, Signal::Hup]) {
        Ok(s) => s,
        Err(e) => {
            return Err(fail(
                ready,
                anyhow::Error::new(e).context("registering signals"),
            ));
        }
    };
    let prepared = match launch.prepare() {
        Ok(p) => p,
        Err(e) => return Err(fail(ready, e)),
    };
    let Prepared {
        trainer,
        dir,
        lock: _lock,
        notices,
    } = prepared;
    if opts.detached
        && let Err(e) = redirect_output(&dir)
    {
        return Err(fail(ready, e));
    }
    let socket = match socket_path::bind(dir.path()) {
        Ok(s) => s,
        Err(e) => return Err(fail(ready, e.into())),
    };
    let mut out = Output::new(dir.path());
    for n in &notices {
        out.line(n);
    }
    out.line(&header(&trainer, &dir, &socket.path));
    let hello = ServerHello {
        protocol: PROTOCOL,
        program: format!("spheres {}", env!("CARGO_PKG_VERSION")),
        pid: std::process::id(),
        host: Owner::me().host,
        run: std::fs::canonicalize(dir.path())
            .unwrap_or_else(|_| dir.path().to_path_buf())
            .display()
            .to_string(),
        offset: 0,
        preset: trainer.preset.clone(),
        config: trainer.config.to_toml(),
        start_step: trainer.step,
        client: 0,
    };
    let total = trainer.config.steps;
    let start_step = trainer.step;
    let session = match Session::start(trainer, Some(dir.clone()), false) {
        Ok(s) => s,
        Err(e) => return Err(fail(ready, e)),
    };
    let step = Arc::new(AtomicU64::new(start_step));
    let (client_commands, commands) = unbounded();
    let server = Server::start(
        socket,
        ServerContext {
            subscriber: session.subscriber(),
            commands: client_commands,
            inject: session.inject.clone(),
            hello,
            hub: Arc::clone(&session.hub_stats),
            queue: opts.client_queue,
            step: Arc::clone(&step),
        },
    )
    .context("serving the control socket");
    let server = match server {
        Ok(s) => s,
        Err(e) => {
            let _ = session.commands.send(Command::Stop { save: true });
            let _ = session.join();
            return Err(fail(ready, e));
        }
    };
    if let Some(r) = ready {
        r.ok(dir.path());
    }

    let mut reporter = Reporter::new(total, Duration::from_secs_f64(opts.every.max(0.1)));
    // A run that has never been saved has nothing on disk to fall back to.
    let mut saved_step: Option<u64> = dir.read_latest().ok().flatten();
    let mut ending: Option<Ending> = None;
    let mut diverged_at: Option<u64> = None;
    let ticks = tick(Duration::from_millis(200));
    let stop = |ending: &mut Option<Ending>, why: Ending, save: bool| {
        if ending.is_none() {
            *ending = Some(why);
            let _ = session.commands.send(Command::Stop { save });
        }
    };
    loop {
        select! {
            recv(session.events) -> e => {
                let Ok(e) = e else { break };
                match &e {
                    Event::StepMetrics(m) => step.store(m.step, Ordering::Relaxed),
                    Event::Saved { step, .. } => saved_step = Some(*step),
                    Event::State { state: RunState::Finished } => {
                        server.set_farewell("finished");
                        stop(&mut ending, Ending::Finished, true);
                    }
                    Event::State { state: RunState::Diverged } => {
                        diverged_at = Some(step.load(Ordering::Relaxed));
                        if opts.stop_on_divergence {
                            server.set_farewell("training diverged; the run process stopped");
                            stop(&mut ending, Ending::Diverged, true);
                        } else {
                            out.line("training diverged and is paused: attach, lower train.lr and resume, or stop");
                        }
                    }
                    _ => {}
                }
                if let Some(line) = reporter.event(&e) {
                    out.line(&line);
                }
            }
            recv(commands) -> c => {
                let Ok(c) = c else { continue };
                if let Command::Stop { save } = c {
                    server.set_farewell("stopped by a client");
                    if ending.is_none() {
                        ending = Some(Ending::Client { save });
                    }
                }
                let _ = session.commands.send(c);
            }
            recv(ticks) -> _ => {}
        }
        match signals.take() {
            Some(Signal::Hup) => {
                out.to_log("received SIGHUP: the terminal is gone, training goes on")
            }
            Some(sig) if ending.is_none() => {
                out.line(&format!("received {}: saving and stopping", sig.name()));
                server.set_farewell(format!(
                    "the run process received {} and stopped",
                    sig.name()
                ));
                stop(&mut ending, Ending::Signal(sig), true);
            }
            Some(sig) => out.line(&format!("received {} again: still saving", sig.name())),
            None => {}
        }
    }
    let trainer = session.join()?;
    drop(server);
    if let Some(m) = reporter.latest() {
        out.line(&progress::progress_line(m, total, f64::NAN));
    }
    let wanted_save = match ending {
        Some(Ending::Client { save }) => save,
        _ => true,
    };
    let unsaved = trainer.step - saved_step.unwrap_or(0).min(trainer.step);
    if wanted_save && unsaved > 0 {
        let since = saved_step.map_or("the start".to_string(), |s| format!("step {s}"));
        let msg = format!(
            "the final snapshot failed: {unsaved} steps since {since} are unsaved (see the error above)"
        );
        out.line(&format!("error: {msg}"));
        bail!(msg);
    }
    match ending {
        Some(Ending::Signal(sig)) => {
            out.line(&format!(
                "stopped at step {} by {}",
                trainer.step,
                sig.name()
            ));
            Err(Interrupted::new(sig, format!("run {}", dir.path().display())).into())
        }
        Some(Ending::Diverged) => {
            let at = diverged_at.unwrap_or(trainer.step);
            let msg = format!(
                "training diverged after step {at}; the last snapshot is step {}; lower train.lr and resume",
                saved_step.unwrap_or(0)
            );
            out.line(&format!("error: {msg}"));
            bail!(msg)
        }
        Some(Ending::Client { .. }) => {
            out.line(&format!("stopped at step {} by a client", trainer.step));
            Ok(())
        }
        Some(Ending::Finished) | None => {
            out.line(&format!("finished at step {}", trainer.step));
            summary(&trainer, &mut out);
            Ok(())
        }
    }
}

fn header(t: &Trainer, dir: &RunDir, socket: &std::path::Path) -> String {
    format!(
        "spheres: preset {} ({}), steps {} to {}, {} training + {} evaluation thread(s), run directory {}, control socket {}, pid {}",
        t.preset,
        t.config.description,
        t.step,
        t.config.steps,
        t.config.train.threads,
        t.config.eval.threads,
        dir.path().display(),
        socket.display(),
        std::process::id()
    )
}

/// Points stdout and stderr at `RUN/run.log`: a detached process has no
/// terminal, and whatever it prints (a panic message included) belongs in
/// the run's directory.
fn redirect_output(dir: &RunDir) -> anyhow::Result<()> {
    let path = dir.path().join(RUN_LOG);
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    for fd in [1, 2] {
        // SAFETY: dup2 onto the standard descriptors; `log` stays open for
        // the call and the duplicates outlive it by design.
        if unsafe { libc::dup2(log.as_raw_fd(), fd) } < 0 {
            return Err(std::io::Error::last_os_error())
                .with_context(|| format!("redirecting output to {}", path.display()));
        }
    }
    Ok(())
}

/// The final test error on fresh points, per sphere with its interval
/// (and the exact rate where known): the measuring pipeline's cheap step.
fn summary(trainer: &Trainer, out: &mut Output) {
    use crate::measure::{Settings, cheap};
    let c = &trainer.config;
    if c.eval.test_samples == 0 {
        return;
    }
    let settings = Settings {
        samples: c.eval.test_samples,
        ..Settings::from_config(c)
    };
    let mut est = crate::attack::ErrorEstimator::new(c.seed, c.data.radius as f32);
    let threads = c.eval.threads + c.train.threads;
    let never = crate::attack::Cancel::never();
    match cheap(&trainer.model, &settings, &mut est, 0, threads, &never) {
        Ok(m) => {
            let (inner, outer) = (&m.rates.inner, &m.rates.outer);
            out.line(&format!(
                "test error after {} steps on {} fresh points:",
                trainer.step,
                inner.sampled.samples + outer.sampled.samples
            ));
            for (name, r) in [("inner", inner), ("outer", outer)] {
                let exact = match (r.exact, r.ln_exact) {
                    (Some(_), Some(ln)) => {
                        format!("  (exact {})", crate::stats::report::sci_from_ln(ln))
                    }
                    (Some(e), None) => format!("  (exact {e})"),
                    _ => String::new(),
                };
                out.line(&format!("  {name} sphere  {}{exact}", r.sampled));
            }
        }
        Err(e) => out.line(&format!("no test error: {e}")),
    }
}
