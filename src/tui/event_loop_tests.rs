//! The dashboard loop driven through channels with a counting stand-in for
//! the terminal: leaving, signals, bursts, idling and polling.

use std::io;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use ratatui::crossterm::event::{Event as InputEvent, KeyCode, KeyEvent, KeyModifiers};

use crate::session::messages::{Command, Event};
use crate::signals::Signal;

use super::app::App;
use super::event_loop::{Channels, DashboardOptions, Poll, run_loop};
use super::fixtures::{run_info, step};
use super::lifecycle::Leaving;
use super::screen::Screen;

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
    signals_tx: Sender<Signal>,
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
fn q_then_s_stops_with_save_and_returns_once_the_run_ends() {
    let h = harness();
    let mut app = App::new(run_info("relu"));
    // Fed directly: through the channel it could race the keys below.
    app.update(Event::StepMetrics(step(100, 0.4)));
    let workers = fake_workers(h.events_tx, h.commands_rx);
    h.input_tx.send(key('q')).unwrap();
    h.input_tx.send(key('s')).unwrap();
    let mut draws = 0;
    let result = run_loop(
        &mut app,
        h.channels,
        &h.commands_tx,
        DashboardOptions::default(),
        None,
        &mut |_| {
            draws += 1;
            Ok(())
        },
    );
    assert_eq!(result.unwrap(), None);
    assert_eq!(workers.join().unwrap(), vec![Command::Stop { save: true }]);
    assert_eq!(app.unsaved_steps(), 0, "the Saved event was drained");
    assert_eq!(app.leaving(), Some(Leaving::Stopped));
    assert!(draws >= 1);
}

#[test]
fn q_then_d_detaches_without_a_command() {
    let h = harness();
    let mut app = App::new(run_info("relu"));
    h.input_tx.send(key('q')).unwrap();
    h.input_tx.send(key('d')).unwrap();
    let result = run_loop(
        &mut app,
        h.channels,
        &h.commands_tx,
        DashboardOptions::default(),
        None,
        &mut |_| Ok(()),
    );
    assert_eq!(result.unwrap(), None);
    assert_eq!(app.leaving(), Some(Leaving::Detached));
    assert!(h.commands_rx.try_recv().is_err(), "the run is left alone");
    drop(h.events_tx);
}

#[test]
fn signals_detach_and_are_reported() {
    for signal in [Signal::Hup, Signal::Term, Signal::Int] {
        let h = harness();
        let mut app = App::new(run_info("relu"));
        app.update(Event::StepMetrics(step(100, 0.4)));
        h.signals_tx.send(signal).unwrap();
        let result = run_loop(
            &mut app,
            h.channels,
            &h.commands_tx,
            DashboardOptions::default(),
            None,
            &mut |_| Ok(()),
        );
        assert_eq!(result.unwrap(), Some(signal));
        assert!(
            h.commands_rx.try_recv().is_err(),
            "{signal:?} sent a command"
        );
        assert_eq!(app.leaving(), Some(Leaving::Detached));
        drop(h.events_tx);
    }
}

#[test]
fn bursts_are_coalesced_into_few_frames() {
    let h = harness();
    let mut app = App::new(run_info("relu"));
    for i in 1..=20_000 {
        h.events_tx.send(Event::StepMetrics(step(i, 0.5))).unwrap();
    }
    drop(h.events_tx);
    // q leaves at once if the end of the stream was seen first, else
    // asks, and d detaches.
    h.input_tx.send(key('q')).unwrap();
    h.input_tx.send(key('d')).unwrap();
    let mut draws = 0;
    let result = run_loop(
        &mut app,
        h.channels,
        &h.commands_tx,
        DashboardOptions::default(),
        None,
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
        input_tx.send(key('s')).unwrap();
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
        None,
        &mut |_| {
            draws += 1;
            Ok(())
        },
    );
    quitter.join().unwrap();
    assert!(result.is_ok());
    assert_eq!(workers.join().unwrap(), vec![Command::Stop { save: true }]);
    // The first frame, then one each for the prompt, "stopping" and the end.
    assert!(draws <= 4, "{draws} frames while idle");
}

#[test]
fn a_key_is_answered_without_waiting_for_the_frame_cap() {
    let h = harness();
    let input_tx = h.input_tx.clone();
    let typist = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        let pressed = Instant::now();
        input_tx.send(key('2')).unwrap();
        thread::sleep(Duration::from_millis(300));
        input_tx.send(key('q')).unwrap();
        input_tx.send(key('s')).unwrap();
        pressed
    });
    let workers = fake_workers(h.events_tx, h.commands_rx);
    let mut app = App::new(run_info("relu"));
    let mut frames = Vec::new();
    let result = run_loop(
        &mut app,
        h.channels,
        &h.commands_tx,
        // One frame per 2 s: a key waiting for the cap would show late.
        DashboardOptions {
            max_fps: 0.5,
            mouse: false,
        },
        None,
        &mut |app| {
            frames.push((Instant::now(), app.screen()));
            Ok(())
        },
    );
    let pressed = typist.join().unwrap();
    assert!(result.is_ok());
    workers.join().unwrap();
    let (shown, _) = frames
        .iter()
        .find(|(_, s)| *s == Screen::Geometry)
        .expect("Geometry was never drawn");
    let delay = shown.saturating_duration_since(pressed);
    assert!(
        delay < Duration::from_millis(250),
        "'2' drawn {delay:?} after the press"
    );
}

#[test]
fn a_failing_terminal_detaches_and_reports() {
    let h = harness();
    let mut app = App::new(run_info("relu"));
    let result = run_loop(
        &mut app,
        h.channels,
        &h.commands_tx,
        DashboardOptions::default(),
        None,
        &mut |_| Err(io::Error::other("EIO")),
    );
    assert!(result.unwrap_err().to_string().contains("drawing"));
    assert!(h.commands_rx.try_recv().is_err(), "the run is left alone");
    drop(h.events_tx);
}

#[test]
fn a_poll_hook_runs_on_its_timer() {
    let h = harness();
    let mut app = App::new(run_info("relu"));
    let mut calls = 0u64;
    let mut hook = |app: &mut App| {
        calls += 1;
        app.update(Event::StepMetrics(step(calls * 10, 0.3)));
        if calls == 3 {
            app.exit_now();
        }
    };
    let started = Instant::now();
    let result = run_loop(
        &mut app,
        h.channels,
        &h.commands_tx,
        DashboardOptions::default(),
        Some(Poll {
            every: Duration::from_millis(20),
            hook: &mut hook,
        }),
        &mut |_| Ok(()),
    );
    assert_eq!(result.unwrap(), None);
    assert_eq!(app.current_step(), 30);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(h.events_tx);
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
