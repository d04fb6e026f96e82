//! The dashboard loop: block until input, a worker event or a signal
//! arrives, fold everything pending into the state, redraw only if something
//! changed and never faster than the frame cap.

use std::io;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use crossbeam_channel::{Receiver, Sender, after, never, select};
use ratatui::crossterm::event::Event as InputEvent;

use crate::session::messages::{Command, Event, RunInfo};

use super::app::App;
use super::input_thread::InputThread;
use super::keys::handle_key;
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
    fn frame_interval(&self) -> Duration {
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
            let due = last_draw.map_or(now, |t| t + interval);
            if now >= due {
                match draw(app) {
                    Ok(()) => {
                        app.mark_drawn();
                        last_draw = Some(now);
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
                Ok(InputEvent::Key(key)) => send_all(commands, handle_key(app, key)),
                Ok(InputEvent::Resize(w, h)) => app.resize(w, h),
                Ok(InputEvent::Mouse(m)) => handle_mouse(app, m),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{run_info, step};
    use crossbeam_channel::unbounded;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use signal_hook::consts::signal::SIGTERM;
    use std::path::PathBuf;
    use std::thread;

    fn key(c: char) -> InputEvent {
        InputEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    /// A stand-in for the workers: on Stop it saves if asked, then hangs up.
    fn fake_workers(
        events: Sender<Event>,
        commands: Receiver<Command>,
    ) -> thread::JoinHandle<Vec<Command>> {
        thread::spawn(move || {
            let mut seen = Vec::new();
            for c in commands.iter() {
                seen.push(c.clone());
                if let Command::Stop { save } = c {
                    if save {
                        let _ = events.send(Event::Saved {
                            path: PathBuf::from("runs/t/snapshots/000000100.snap"),
                            step: 100,
                        });
                    }
                    break;
                }
            }
            seen
        })
    }

    struct Harness {
        events_tx: Sender<Event>,
        input_tx: Sender<InputEvent>,
        signals_tx: Sender<i32>,
        channels: Channels,
        commands_tx: Sender<Command>,
        commands_rx: Receiver<Command>,
    }

    fn harness() -> Harness {
        let (events_tx, events) = unbounded();
        let (input_tx, input) = unbounded();
        let (signals_tx, signals) = unbounded();
        let (commands_tx, commands_rx) = unbounded();
        Harness {
            events_tx,
            input_tx,
            signals_tx,
            channels: Channels {
                events,
                input,
                signals,
            },
            commands_tx,
            commands_rx,
        }
    }

    #[test]
    fn q_then_y_saves_and_returns_once_the_workers_exit() {
        let h = harness();
        let mut app = App::new(run_info("relu"));
        // Fed directly: through the channel it could race the keys below.
        app.update(Event::Step(step(100, 0.4)));
        let workers = fake_workers(h.events_tx, h.commands_rx);
        h.input_tx.send(key('q')).unwrap();
        h.input_tx.send(key('y')).unwrap();
        let mut draws = 0;
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            SIGNAL_GRACE,
            &mut |_| {
                draws += 1;
                Ok(())
            },
        );
        assert!(result.is_ok());
        assert_eq!(workers.join().unwrap(), vec![Command::Stop { save: true }]);
        assert_eq!(app.unsaved_steps(), 0, "the Saved event was drained");
        assert!(draws >= 1);
    }

    #[test]
    fn sigterm_stops_with_save_without_asking() {
        let h = harness();
        let mut app = App::new(run_info("relu"));
        // Fed directly: through the channel it could race the keys below.
        app.update(Event::Step(step(100, 0.4)));
        let workers = fake_workers(h.events_tx, h.commands_rx);
        h.signals_tx.send(SIGTERM).unwrap();
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            SIGNAL_GRACE,
            &mut |_| Ok(()),
        );
        assert!(result.is_ok());
        assert_eq!(workers.join().unwrap(), vec![Command::Stop { save: true }]);
        assert_eq!(app.prompt, None);
    }

    #[test]
    fn a_second_signal_leaves_without_waiting() {
        let h = harness();
        let mut app = App::new(run_info("relu"));
        h.signals_tx.send(SIGTERM).unwrap();
        h.signals_tx.send(SIGTERM).unwrap();
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            SIGNAL_GRACE,
            &mut |_| Ok(()),
        );
        assert!(result.is_ok());
        assert_eq!(h.commands_rx.try_recv(), Ok(Command::Stop { save: true }));
        drop(h.events_tx);
    }

    #[test]
    fn signal_gives_up_when_the_workers_never_exit() {
        let h = harness();
        let mut app = App::new(run_info("relu"));
        h.signals_tx.send(SIGTERM).unwrap();
        let started = Instant::now();
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            Duration::from_millis(100),
            &mut |_| Ok(()),
        );
        let err = result.unwrap_err().to_string();
        assert!(err.contains("did not stop"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(h.commands_rx.try_recv(), Ok(Command::Stop { save: true }));
        drop(h.events_tx);
    }

    #[test]
    fn bursts_are_coalesced_into_few_frames() {
        let h = harness();
        let mut app = App::new(run_info("relu"));
        for i in 1..=20_000 {
            h.events_tx.send(Event::Step(step(i, 0.5))).unwrap();
        }
        drop(h.events_tx);
        h.input_tx.send(key('q')).unwrap();
        let mut draws = 0;
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            SIGNAL_GRACE,
            &mut |_| {
                draws += 1;
                Ok(())
            },
        );
        assert!(result.is_ok());
        assert_eq!(app.current_step(), 20_000);
        assert!(draws <= 3, "{draws} frames for one burst");
    }

    #[test]
    fn an_idle_dashboard_does_not_redraw() {
        let h = harness();
        let input_tx = h.input_tx.clone();
        let quitter = thread::spawn(move || {
            thread::sleep(Duration::from_millis(400));
            input_tx.send(key('q')).unwrap();
        });
        let workers = fake_workers(h.events_tx, h.commands_rx);
        let mut app = App::new(run_info("relu"));
        let mut draws = 0;
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions {
                max_fps: 100.0,
                mouse: false,
            },
            SIGNAL_GRACE,
            &mut |_| {
                draws += 1;
                Ok(())
            },
        );
        quitter.join().unwrap();
        assert!(result.is_ok());
        assert_eq!(workers.join().unwrap(), vec![Command::Stop { save: false }]);
        // The first frame, then at most one for the key and one for "stopping".
        assert!(draws <= 3, "{draws} frames while idle");
    }

    #[test]
    fn a_failing_terminal_saves_and_reports() {
        let h = harness();
        let workers = fake_workers(h.events_tx, h.commands_rx);
        let mut app = App::new(run_info("relu"));
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            SIGNAL_GRACE,
            &mut |_| Err(io::Error::other("EIO")),
        );
        assert!(result.is_err());
        assert_eq!(workers.join().unwrap(), vec![Command::Stop { save: true }]);
    }

    #[test]
    fn frame_interval_ignores_nonsense() {
        let nan = DashboardOptions {
            max_fps: f64::NAN,
            mouse: false,
        };
        assert_eq!(nan.frame_interval(), Duration::from_millis(100));
        assert_eq!(
            DashboardOptions::default().frame_interval(),
            Duration::from_millis(100)
        );
    }
}
