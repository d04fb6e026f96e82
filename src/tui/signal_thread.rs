//! Forwards SIGTERM, SIGHUP and SIGINT to a channel: a dropped SSH link or a
//! scheduler's kill must save the run, not kill it mid-step.

use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, unbounded};
use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

pub use signal_hook::consts::signal::SIGHUP as HANGUP;

pub struct SignalThread {
    pub signals: Receiver<i32>,
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl SignalThread {
    pub fn start() -> std::io::Result<Self> {
        let mut registered = Signals::new([SIGTERM, SIGHUP, SIGINT])?;
        let handle = registered.handle();
        let (tx, signals) = unbounded();
        let thread = thread::Builder::new()
            .name("spheres-signals".into())
            .spawn(move || {
                for signal in registered.forever() {
                    if tx.send(signal).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self {
            signals,
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for SignalThread {
    /// Unregisters the handlers so signals after the dashboard behave as
    /// the caller expects.
    fn drop(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
