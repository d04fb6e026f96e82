//! Forwards terminal input to a channel so the event loop can wait on input,
//! worker events and signals at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, unbounded};
use ratatui::crossterm::event::{self, Event};

/// How often the thread looks at its stop flag while no key arrives. Only a
/// timed wait, not a busy loop; it lets the thread end soon after the
/// dashboard so it does not keep reading the user's keystrokes.
const STOP_CHECK: Duration = Duration::from_millis(500);

pub struct InputThread {
    pub events: Receiver<Event>,
    stop: Arc<AtomicBool>,
}

impl InputThread {
    pub fn start() -> std::io::Result<Self> {
        let (tx, events) = unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        thread::Builder::new()
            .name("spheres-input".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    let ready = match event::poll(STOP_CHECK) {
                        Ok(ready) => ready,
                        Err(_) => break,
                    };
                    if !ready {
                        continue;
                    }
                    let Ok(e) = event::read() else { break };
                    if tx.send(e).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self { events, stop })
    }

    /// Asks the thread to end; it is not joined, so leaving never waits on
    /// a pending read.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
