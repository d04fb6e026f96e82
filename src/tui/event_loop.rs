//! The dashboard loop: block until input, a worker event or a signal
//! arrives, fold everything pending into the state, redraw only if something
//! changed. Worker events never redraw faster than the frame cap; input that
//! changed something is drawn at once.

use std::io;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use crossbeam_channel::{Receiver, Sender, after, never, select};
use ratatui::crossterm::event::Event as InputEvent;

use crate::session::messages::{Command, Event, RunInfo};

use super::app::App;
use super::input_thread::InputThread;
use super::key_handler::handle_key;
use super::mouse::handle_mouse;
use super::palette::Look;
use super::signal_thread::{HANGUP, SignalThread};
use super::terminal::TerminalGuard;
use super::views::view;

/// How long a signal-triggered shutdown waits for the workers to save.
pub const SIGNAL_GRACE: Duration = Duration::from_secs(30);
/// Longest time spent folding a burst of events before input gets a turn.
const DRAIN_BUDGET: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DashboardOptions {
    /// Upper bound on redraws per second.
    pub max_fps: f64,
    /// Capture the mouse (off by default so terminal text selection works).
    pub mouse: bool,
}

impl Default for DashboardOptions {
    fn default() -> Self {
        Self {
            max_fps: 10.0,
            mouse: false,
        }
    }
}

impl DashboardOptions {
    pub(crate) fn frame_interval(&self) -> Duration {
        let fps = if self.max_fps.is_finite() && self.max_fps > 0.0 {
            self.max_fps.clamp(0.1, 240.0)
        } else {
            10.0
        };
        Duration::from_secs_f64(1.0 / fps)
    }
}

/// Runs the full-screen dashboard until the user quits (after the workers
/// have stopped) or a signal stops the run. The terminal is restored on
/// every path out, panics included.
pub fn run_dashboard(
    info: RunInfo,
    events: Receiver<Event>,
    commands: Sender<Command>,
    opts: DashboardOptions,
) -> anyhow::Result<()> {
    let mut app = App::with_look(info, Look::from_env());
    // Signals first: a SIGTERM while the screen is being set up still saves.
    let signals = SignalThread::start().context("registering signal handlers")?;
    let mut terminal = TerminalGuard::enter(opts.mouse).context("taking over the terminal")?;
    if let Ok(size) = terminal.size() {
        app.resize(size.width, size.height);
    }
    let input = InputThread::start().context("starting the input thread")?;
    let channels = Channels {
        events,
        input: input.events.clone(),
        signals: signals.signals.clone(),
    };
    let result = run_loop(
        &mut app,
        channels,
        &commands,
        opts,
        SIGNAL_GRACE,
        &mut |app| terminal.draw(|frame| view(frame, app)),
    );
    input.stop();
    drop(terminal);
    drop(signals);
    result
}

/// Everything the loop waits on.
pub struct Channels {
    pub events: Receiver<Event>,
    pub input: Receiver<InputEvent>,
    pub signals: Receiver<i32>,
}

/// The loop itself, with drawing passed in so it runs against any backend.
pub fn run_loop(
    app: &mut App,
    channels: Channels,
    commands: &Sender<Command>,
    opts: DashboardOptions,
    grace: Duration,
    draw: &mut dyn FnMut(&App) -> io::Result<()>,
) -> anyhow::Result<()> {
    let Channels {
        mut events,
        mut input,
        mut signals,
    } = channels;
    let interval = opts.frame_interval();
    let mut last_draw: Option<Instant> = None;
    let mut deadline: Option<Instant> = None;
    let mut can_draw = true;
    // Set by input: the user is waiting on the answer to a key, so it is
    // drawn at once; the cap only spaces out frames the workers cause.
    let mut answer_input = false;
    let mut draw_error: Option<io::Error> = None;
    let mut signalled = false;

    while !app.should_exit() {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Err(anyhow!(
                "workers did not stop within {:.1} s",
                grace.as_secs_f64()
            ));
        }
        let mut wake = deadline;
        if app.is_dirty() && can_draw {
            let due = match last_draw {
                Some(t) if !answer_input => t + interval,
                _ => now,
            };
            if now >= due {
                match draw(app) {
                    Ok(()) => {
                        app.mark_drawn();
                        last_draw = Some(now);
                        answer_input = false;
                    }
                    Err(e) => {
                        // The terminal is gone (hang-up): save and wind down.
                        can_draw = false;
                        draw_error = Some(e);
                        stop_for_signal(app, commands, &mut deadline, now + grace);
                        wake = deadline;
                    }
                }
            } else {
                wake = Some(wake.map_or(due, |w| w.min(due)));
            }
        }
        let timer = match wake {
            Some(w) => after(w.saturating_duration_since(now)),
            None => never(),
        };
        select! {
            recv(events) -> msg => match msg {
                Ok(event) => {
                    app.update(event);
                    if !drain(app, &events) {
                        app.workers_exited();
                        events = never();
                    }
                }
                Err(_) => {
                    app.workers_exited();
                    events = never();
                }
            },
            recv(input) -> msg => match msg {
                Ok(InputEvent::Key(key)) => {
                    send_all(commands, handle_key(app, key));
                    answer_input = true;
                }
                Ok(InputEvent::Resize(w, h)) => {
                    app.resize(w, h);
                    answer_input = true;
                }
                Ok(InputEvent::Mouse(m)) => {
                    // Motion arrives in floods: only what changed the
                    // screen skips the cap.
                    let was_dirty = app.is_dirty();
                    handle_mouse(app, m);
                    answer_input |= !was_dirty && app.is_dirty();
                }
                Ok(_) => {}
                Err(_) => input = never(),
            },
            recv(signals) -> msg => match msg {
                Ok(signal) => {
                    if signal == HANGUP {
                        can_draw = false;
                    }
                    if signalled {
                        // Asked twice: the user wants out now.
                        app.exit_now();
                    } else {
                        signalled = true;
                        stop_for_signal(app, commands, &mut deadline, Instant::now() + grace);
                    }
                }
                Err(_) => signals = never(),
            },
            recv(timer) -> _ => {}
        }
    }
    match draw_error {
        Some(e) => Err(anyhow::Error::new(e).context("drawing the dashboard")),
        None => Ok(()),
    }
}

/// Folds every pending event in; false when the workers have hung up.
fn drain(app: &mut App, events: &Receiver<Event>) -> bool {
    let start = Instant::now();
    loop {
        match events.try_recv() {
            Ok(event) => app.update(event),
            Err(crossbeam_channel::TryRecvError::Empty) => return true,
            Err(crossbeam_channel::TryRecvError::Disconnected) => return false,
        }
        if start.elapsed() >= DRAIN_BUDGET {
            return true;
        }
    }
}

fn stop_for_signal(
    app: &mut App,
    commands: &Sender<Command>,
    deadline: &mut Option<Instant>,
    give_up_at: Instant,
) {
    // Nobody is there to answer "save?", so always save.
    send_all(commands, vec![Command::Stop { save: true }]);
    app.begin_stop();
    deadline.get_or_insert(give_up_at);
}

fn send_all(commands: &Sender<Command>, list: Vec<Command>) {
    for c in list {
        // A closed channel means the workers already exited; nothing to tell.
        let _ = commands.send(c);
    }
}
