//! Forwards SIGTERM, SIGHUP and SIGINT to a channel, so the dashboard loop
//! can wait on input, run events and signals at once. A SIGHUP ignored at
//! start (nohup) stays ignored.

use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, unbounded};
use signal_hook::iterator::{Handle, Signals};

use crate::signals::{Signal, hangup_ignored_at_start};

pub struct SignalThread {
    pub signals: Receiver<Signal>,
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl SignalThread {
    pub fn start() -> std::io::Result<Self> {
        let mut wanted = vec![Signal::Term, Signal::Int];
        if !hangup_ignored_at_start() {
            wanted.push(Signal::Hup);
        }
        let mut registered = Signals::new(wanted.iter().map(|s| s.number()))?;
        let handle = registered.handle();
        let (tx, signals) = unbounded();
        let thread = thread::Builder::new()
            .name("spheres-signals".into())
            .spawn(move || {
                for n in registered.forever() {
                    let Some(s) = wanted.iter().find(|s| s.number() == n) else {
                        continue;
                    };
                    if tx.send(*s).is_err() {
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
