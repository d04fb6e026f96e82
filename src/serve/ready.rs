//! How a detached run process tells the command that started it whether it
//! came up: one line on a pipe inherited as file descriptor 3, `ok RUN`
//! once it serves its socket, or `error MESSAGE` when it was refused (a
//! held lock, a bad snapshot). The parent waits for that line, so it can
//! print the run directory or the child's reason and exit 0 or 1.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

/// The variable naming the child's end of the pipe.
pub const READY_FD_ENV: &str = "SPHERES_READY_FD";
/// The descriptor the child's end is placed at.
pub const READY_FD: i32 = 3;

/// The child's end; reporting consumes it, so only one answer is given.
pub struct Ready(File);

impl Ready {
    /// The pipe named by the environment, once per process.
    pub fn from_env() -> Option<Self> {
        let fd: i32 = std::env::var(READY_FD_ENV).ok()?.parse().ok()?;
        // SAFETY: the variable is ours and unset right after, so no other
        // code in this process takes ownership of this descriptor; fd 3 is
        // placed by our parent's spawn and is otherwise never opened here.
        unsafe { std::env::remove_var(READY_FD_ENV) };
        if fd < 0 {
            return None;
        }
        // SAFETY: see above; the descriptor is open (our parent set it).
        Some(Self(File::from(unsafe { OwnedFd::from_raw_fd(fd) })))
    }

    pub fn ok(mut self, run: &Path) {
        let _ = writeln!(self.0, "ok {}", run.display());
    }

    pub fn fail(mut self, message: &str) {
        let _ = writeln!(self.0, "error {}", message.replace('\n', " "));
    }
}

/// What the parent heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok(PathBuf),
    Failed(String),
    /// The pipe closed without a word: the child died first.
    Silent,
}

/// Reads the child's answer from the parent's end of the pipe.
pub fn wait_for_answer(read_end: File) -> Answer {
    let mut line = String::new();
    match BufReader::new(read_end).read_line(&mut line) {
        Ok(0) | Err(_) => Answer::Silent,
        Ok(_) => {
            let line = line.trim_end();
            if let Some(dir) = line.strip_prefix("ok ") {
                Answer::Ok(PathBuf::from(dir))
            } else if let Some(msg) = line.strip_prefix("error ") {
                Answer::Failed(msg.to_string())
            } else {
                Answer::Failed(format!("unexpected answer from the run process: {line}"))
            }
        }
    }
}
