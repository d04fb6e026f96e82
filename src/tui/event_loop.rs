//! The dashboard loop: block until input, a run event or a signal arrives,
//! fold everything pending into the state, redraw only if something
//! changed. Run events never redraw faster than the frame cap; input that
//! changed something is drawn at once.
//!
//! The dashboard is a client: it never owns the training. SIGHUP (the
//! terminal is gone), SIGTERM and SIGINT detach it, as does a terminal that
//! can no longer be drawn on; the run goes on.

use std::io;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender, after, never, select};
use ratatui::Frame;
use ratatui::crossterm::event::{Event as InputEvent, KeyEvent, MouseEvent};

use crate::session::messages::{Command, Event};
use crate::signals::Signal;

use super::app::App;
use super::input_thread::InputThread;
use super::key_handler::handle_key;
use super::mouse::handle_mouse;
use super::signal_thread::SignalThread;
use super::terminal::TerminalGuard;

/// What the loop needs of a dashboard's state: Elm's update, split by
/// where the message comes from. `App` (one run) and `Compare` (several)
/// both are one.
pub trait Dashboard {
    fn update(&mut self, event: Event);
    /// A key press; returns the commands for the run.
    fn key(&mut self, key: KeyEvent) -> Vec<Command>;
    fn mouse(&mut self, _event: MouseEvent) {}
    fn resize(&mut self, width: u16, height: u16);
    fn is_dirty(&self) -> bool;
    fn mark_drawn(&mut self);
    fn should_exit(&self) -> bool;
    fn exit_now(&mut self);
    /// The stream of events ended.
    fn workers_exited(&mut self);
}

impl Dashboard for App {
    fn update(&mut self, event: Event) {
        App::update(self, event)
    }
    fn key(&mut self, key: KeyEvent) -> Vec<Command> {
        handle_key(self, key)
    }
    fn mouse(&mut self, event: MouseEvent) {
        handle_mouse(self, event)
    }
    fn resize(&mut self, width: u16, height: u16) {
        App::resize(self, width, height)
    }
    fn is_dirty(&self) -> bool {
        App::is_dirty(self)
    }
    fn mark_drawn(&mut self) {
        App::mark_drawn(self)
    }
    fn should_exit(&self) -> bool {
        App::should_exit(self)
    }
    fn exit_now(&mut self) {
        App::exit_now(self)
    }
    fn workers_exited(&mut self) {
        App::workers_exited(self)
    }
}

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

/// How a dashboard ended.
pub struct Outcome<D> {
    /// The state it ended in (how the user left, the last step seen).
    pub app: D,
    /// The signal that ended it, if one did.
    pub signal: Option<Signal>,
}

/// Runs the full-screen dashboard on `app` (its history already folded in)
/// until the user leaves, the run ends and the user quits, or a signal
/// detaches it. The terminal is restored on every path out, panics
/// included.
pub fn run_dashboard<D: Dashboard>(
    mut app: D,
    view: fn(&mut Frame, &D),
    events: Receiver<Event>,
    commands: Sender<Command>,
    opts: DashboardOptions,
    poll: Option<Poll<'_, D>>,
) -> anyhow::Result<Outcome<D>> {
    // Signals first: a SIGHUP while the screen is being set up detaches.
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
    let result = run_loop(&mut app, channels, &commands, opts, poll, &mut |app| {
        terminal.draw(|frame| view(frame, app))
    });
    input.stop();
    drop(terminal);
    drop(signals);
    result.map(|signal| Outcome { app, signal })
}

/// Everything the loop waits on.
pub struct Channels {
    pub events: Receiver<Event>,
    pub input: Receiver<InputEvent>,
    pub signals: Receiver<Signal>,
}

/// Work the loop does on a timer between everything else: a dashboard
/// that reads files (`watch`) follows them this way.
pub struct Poll<'a, D> {
    pub every: Duration,
    pub hook: &'a mut dyn FnMut(&mut D),
}

/// The loop itself, with drawing passed in so it runs against any backend.
/// Returns the signal that ended it, if any.
pub fn run_loop<D: Dashboard>(
    app: &mut D,
    channels: Channels,
    commands: &Sender<Command>,
    opts: DashboardOptions,
    mut poll: Option<Poll<'_, D>>,
    draw: &mut dyn FnMut(&D) -> io::Result<()>,
) -> anyhow::Result<Option<Signal>> {
    let polls = poll
        .as_ref()
        .map_or_else(never, |p| crossbeam_channel::tick(p.every));
    let Channels {
        mut events,
        mut input,
        mut signals,
    } = channels;
    let interval = opts.frame_interval();
    let mut last_draw: Option<Instant> = None;
    // Set by input: the user is waiting on the answer to a key, so it is
    // drawn at once; the cap only spaces out frames the workers cause.
    let mut answer_input = false;
    let mut draw_error: Option<io::Error> = None;
    let mut signal = None;

    while !app.should_exit() {
        let now = Instant::now();
        let mut wake: Option<Instant> = None;
        if app.is_dirty() {
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
                        // The terminal is gone: nothing to show, so leave;
                        // the run goes on.
                        draw_error = Some(e);
                        app.exit_now();
                        continue;
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
                    send_all(commands, app.key(key));
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
                    app.mouse(m);
                    answer_input |= !was_dirty && app.is_dirty();
                }
                Ok(_) => {}
                Err(_) => input = never(),
            },
            recv(signals) -> msg => match msg {
                Ok(s) => {
                    signal = Some(s);
                    app.exit_now();
                }
                Err(_) => signals = never(),
            },
            recv(polls) -> _ => {
                if let Some(p) = poll.as_mut() {
                    (p.hook)(app);
                }
            },
            recv(timer) -> _ => {}
        }
    }
    match (draw_error, signal) {
        // A hang-up often shows first as a failed draw: that is a detach.
        (Some(_), Some(s)) => Ok(Some(s)),
        (Some(e), None) => Err(anyhow::Error::new(e).context("drawing the dashboard")),
        (None, s) => Ok(s),
    }
}

/// Folds every pending event in; false when the workers have hung up.
fn drain<D: Dashboard>(app: &mut D, events: &Receiver<Event>) -> bool {
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

fn send_all(commands: &Sender<Command>, list: Vec<Command>) {
    for c in list {
        // A closed channel means the workers already exited; nothing to tell.
        let _ = commands.send(c);
    }
}
