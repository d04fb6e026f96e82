//! Where a run process prints: its terminal while it has one, then
//! `RUN/run.log`. `println!` panics when the terminal has gone (EIO on a
//! hung-up tty, EPIPE on a closed pipe); this writer never does, and moves
//! to the log instead, so a lost terminal never stops a run.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub const RUN_LOG: &str = "run.log";

pub struct Output {
    log_path: PathBuf,
    /// Some once the terminal is given up: the log, or a sink when even
    /// the log cannot be opened (the run goes on regardless).
    log: Option<Box<dyn Write + Send>>,
}

impl Output {
    /// Prints to stdout until it fails or `to_log` is called.
    pub fn new(run: &Path) -> Self {
        Self {
            log_path: run.join(RUN_LOG),
            log: None,
        }
    }

    pub fn on_log(&self) -> bool {
        self.log.is_some()
    }

    /// Stops using the terminal (it is going away: SIGHUP).
    pub fn to_log(&mut self, why: &str) {
        if self.log.is_none() {
            self.log = Some(
                match OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.log_path)
                {
                    Ok(f) => Box::new(f),
                    Err(_) => Box::new(io::sink()),
                },
            );
            self.line(&format!("{why}; output continues here"));
        }
    }

    pub fn line(&mut self, text: &str) {
        if let Some(f) = self.log.as_mut() {
            // Nowhere left to report a failing log; the run goes on.
            let _ = writeln!(f, "{text}");
            return;
        }
        let mut out = io::stdout().lock();
        if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
            drop(out);
            self.to_log("the terminal is gone (writing to it failed)");
            self.line(text);
        }
    }
}
