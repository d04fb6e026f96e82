//! Starting a run process in the background: its own session (setsid), so
//! that a terminal's hang-up never reaches it, with no terminal at all
//! (stdin, stdout and stderr on /dev/null until it opens `RUN/run.log`),
//! and a pipe on which it says whether it came up.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::launch::{LAUNCH_ENV, Launch};
use super::ready::{Answer, READY_FD, READY_FD_ENV, wait_for_answer};

/// The longest a run process may take to load its snapshot and bind its
/// socket before the starter gives up waiting (the child goes on).
const READY_WAIT: Duration = Duration::from_secs(120);

/// A started run process and what it answered.
pub struct Started {
    pub child: Child,
    pub answer: Answer,
}

/// This program, even when the file was replaced since it started (a
/// rebuild during a run): /proc/self/exe names the running image.
fn this_program() -> PathBuf {
    let proc_self = PathBuf::from("/proc/self/exe");
    if proc_self.exists() {
        proc_self
    } else {
        std::env::current_exe().unwrap_or(proc_self)
    }
}

fn pipe() -> io::Result<(File, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 writes two descriptors into the array on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    let (r, w) = unsafe { (File::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((r, w))
}

/// Starts `launch` as a detached run process and waits for its answer.
pub fn start_detached(launch: &Launch) -> io::Result<Started> {
    let (read_end, write_end) = pipe()?;
    let w = write_end.as_raw_fd();
    let mut cmd = Command::new(this_program());
    cmd.arg("__serve")
        .env(LAUNCH_ENV, launch.to_env())
        .env(READY_FD_ENV, READY_FD.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: between fork and exec only async-signal-safe calls (setsid,
    // dup2, fcntl) run, on descriptors that exist in the child.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(io::Error::last_os_error());
            }
            if w == READY_FD {
                // dup2 onto itself keeps close-on-exec: clear it instead.
                let flags = libc::fcntl(w, libc::F_GETFD);
                if flags < 0 || libc::fcntl(w, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                    return Err(io::Error::last_os_error());
                }
            } else if libc::dup2(w, READY_FD) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    // Our copy of the write end must go, or the pipe never reports EOF.
    drop(write_end);
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let _ = tx.send(wait_for_answer(read_end));
    });
    let answer = rx.recv_timeout(READY_WAIT).unwrap_or_else(|_| {
        Answer::Failed(format!(
            "the run process (pid {}) did not report within {} s; it may still come up: see `spheres ls`",
            child.id(),
            READY_WAIT.as_secs()
        ))
    });
    Ok(Started { child, answer })
}
