//! Who holds a run: host, pid and the process's start time, written beside
//! the lock. flock cannot name its holder, so `spheres ls` reads this; and
//! where flock does not work at all (some NFS and Lustre mounts) creating
//! this file exclusively is the lock itself.
//!
//! A pid alone is reused by the kernel; together with the start time (in
//! clock ticks since boot, field 22 of /proc/PID/stat) it names one
//! process for the life of the machine.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub const OWNER_FILE: &str = ".owner";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub host: String,
    pub pid: u32,
    /// Start time of `pid` in clock ticks since boot; 0 where unknown.
    pub start_time: u64,
    /// Unix seconds when the lock was taken.
    pub since: u64,
}

/// Whether an owner is still running, as far as this machine can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    Gone,
    /// Another host: its processes cannot be checked from here.
    Unknown,
}

impl Owner {
    /// This process.
    pub fn me() -> Self {
        let pid = std::process::id();
        Self {
            host: hostname(),
            pid,
            start_time: start_time(pid).unwrap_or(0),
            since: crate::run::timestamp::unix_seconds(std::time::SystemTime::now()) as u64,
        }
    }

    pub fn liveness(&self) -> Liveness {
        if self.host != hostname() {
            return Liveness::Unknown;
        }
        match start_time(self.pid) {
            Some(t) if self.start_time == 0 || t == self.start_time => Liveness::Alive,
            _ => Liveness::Gone,
        }
    }

    pub fn read(path: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an owner always serialises") + "\n"
    }

    /// "pid 1234 on host h" for messages.
    pub fn describe(&self) -> String {
        format!("pid {} on host {}", self.pid, self.host)
    }
}

/// The kernel's host name (empty when it cannot be read).
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    if !ok {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Field 22 of /proc/PID/stat; None when there is no such process.
/// A zombie (exited, not yet reaped by its parent) counts as gone.
pub fn start_time(pid: u32) -> Option<u64> {
    parse_start_time(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

fn parse_start_time(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may hold spaces or
    // parentheses itself: count fields after the last ')'.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_gone() {
        let me = Owner::me();
        assert_eq!(me.pid, std::process::id());
        assert!(me.start_time > 0, "/proc is readable here");
        assert_eq!(me.liveness(), Liveness::Alive);
        let reused = Owner {
            start_time: me.start_time + 1,
            ..me.clone()
        };
        assert_eq!(reused.liveness(), Liveness::Gone, "same pid, other start");
        let child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let mut child = child;
        child.wait().unwrap();
        let dead = Owner { pid, ..me.clone() };
        assert_eq!(dead.liveness(), Liveness::Gone);
        let far = Owner {
            host: format!("{}-elsewhere", me.host),
            ..me
        };
        assert_eq!(far.liveness(), Liveness::Unknown);
    }

    #[test]
    fn start_time_survives_odd_command_names() {
        // Field 22 counted after the last ')' of "(a) b)".
        let line = "12 (a) b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 19";
        assert_eq!(parse_start_time(line), Some(4242));
        assert_eq!(parse_start_time("12 (x"), None);
        let zombie = line.replacen(") S ", ") Z ", 1);
        assert_eq!(parse_start_time(&zombie), None, "a zombie is gone");
    }
}
