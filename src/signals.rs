//! SIGTERM, SIGHUP and SIGINT as a flag polled at step boundaries: the run
//! then saves and stops cleanly (an SSH drop sends SIGHUP).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

pub struct Flag(Arc<AtomicUsize>);

impl Flag {
    pub fn install() -> std::io::Result<Self> {
        let flag = Arc::new(AtomicUsize::new(0));
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            signal_hook::flag::register_usize(sig, Arc::clone(&flag), sig as usize)?;
        }
        Ok(Self(flag))
    }

    /// The signal's name, once per arrival.
    pub fn take(&self) -> Option<&'static str> {
        match self.0.swap(0, Ordering::SeqCst) as i32 {
            0 => None,
            SIGTERM => Some("SIGTERM"),
            SIGHUP => Some("SIGHUP"),
            _ => Some("SIGINT"),
        }
    }
}
