//! Signals as flags polled at step boundaries, and the exit codes that
//! report them.
//!
//! Which signal does what is the caller's choice (a run process saves and
//! stops on SIGTERM/SIGINT and ignores SIGHUP; a dashboard detaches on all
//! three). One rule holds everywhere: a SIGHUP that was ignored when the
//! process started (`nohup`, or any parent that set SIG_IGN) stays ignored,
//! because whoever started us asked for exactly that.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};

use crate::attack::Cancel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Term,
    Int,
    Hup,
    /// What Slurm sends ahead of the time limit with `--signal=B:USR1@T`.
    Usr1,
}

impl Signal {
    pub fn number(self) -> i32 {
        match self {
            Signal::Term => SIGTERM,
            Signal::Int => SIGINT,
            Signal::Hup => SIGHUP,
            Signal::Usr1 => SIGUSR1,
        }
    }

    fn from_number(n: i32) -> Option<Self> {
        [Signal::Term, Signal::Int, Signal::Hup, Signal::Usr1]
            .into_iter()
            .find(|s| s.number() == n)
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Int => "SIGINT",
            Signal::Hup => "SIGHUP",
            Signal::Usr1 => "SIGUSR1",
        }
    }

    /// The shell's convention, 128 + the signal number: 143 after SIGTERM,
    /// 130 after SIGINT, 129 after SIGHUP, 138 after SIGUSR1.
    pub fn exit_code(self) -> u8 {
        (128 + self.number()) as u8
    }
}

/// A command stopped by a signal: an error that carries the signal, so the
/// process ends with the shell's code for it (128 + n: 143 after SIGTERM,
/// 130 after SIGINT, 138 after SIGUSR1) and a scheduler or script can tell
/// an interruption from a failure. Any command may return it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: stopped by {}", signal.name())]
pub struct Interrupted {
    pub signal: Signal,
    /// What was stopped and what was kept, for the message.
    pub what: String,
}

impl Interrupted {
    pub fn new(signal: Signal, what: impl Into<String>) -> Self {
        Self {
            signal,
            what: what.into(),
        }
    }
}

/// The process exit code for a command's error: the signal's code when a
/// signal stopped it, 1 for anything else.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    interruption(e).map_or(1, |i| i.signal.exit_code())
}

/// The interruption anywhere in an error's chain.
pub fn interruption(e: &anyhow::Error) -> Option<&Interrupted> {
    e.chain().find_map(|c| c.downcast_ref::<Interrupted>())
}

/// True when SIGHUP was set to be ignored before this process started.
pub fn hangup_ignored_at_start() -> bool {
    // SAFETY: sigaction with a null new action only reads the current
    // disposition into `old`, which is a plain C struct we own.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(SIGHUP, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

/// The signals a process listens to, as one flag polled between steps.
pub struct Signals {
    last: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    hangup_ignored: bool,
}

impl Signals {
    /// Listens to `set`, except SIGHUP when it was ignored at start (then
    /// it stays ignored). Any of them also trips `cancel()`.
    pub fn install(set: &[Signal]) -> std::io::Result<Self> {
        let last = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let hangup_ignored = hangup_ignored_at_start();
        for &s in set {
            if s == Signal::Hup && hangup_ignored {
                continue;
            }
            signal_hook::flag::register_usize(s.number(), Arc::clone(&last), s.number() as usize)?;
            signal_hook::flag::register(s.number(), Arc::clone(&stop))?;
        }
        Ok(Self {
            last,
            stop,
            hangup_ignored,
        })
    }

    /// The newest signal, once per arrival (a burst of the same signal
    /// reads as one).
    pub fn take(&self) -> Option<Signal> {
        Signal::from_number(self.last.swap(0, Ordering::SeqCst) as i32)
    }

    /// A token that reads cancelled once any listened signal has arrived,
    /// for measurements that must give way within seconds.
    pub fn cancel(&self) -> Cancel {
        Cancel::on(Arc::clone(&self.stop))
    }

    /// Whether SIGHUP is left ignored (it was ignored when we started).
    pub fn hangup_ignored(&self) -> bool {
        self.hangup_ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell() {
        assert_eq!(Signal::Term.exit_code(), 143);
        assert_eq!(Signal::Int.exit_code(), 130);
        assert_eq!(Signal::Hup.exit_code(), 129);
        assert_eq!(Signal::Usr1.exit_code(), 138);
        assert_eq!(Signal::from_number(SIGUSR1), Some(Signal::Usr1));
    }

    #[test]
    fn a_signal_anywhere_in_the_chain_sets_the_code() {
        use anyhow::Context;
        let e = anyhow::Error::new(Interrupted::new(Signal::Term, "point relu-1k"));
        assert_eq!(exit_code(&e), 143);
        let wrapped = Err::<(), _>(e).context("sweep").unwrap_err();
        assert_eq!(exit_code(&wrapped), 143);
        assert_eq!(exit_code(&anyhow::anyhow!("disk full")), 1);
        let usr1 = anyhow::Error::new(Interrupted::new(Signal::Usr1, "x"));
        assert_eq!(exit_code(&usr1), 138);
    }

    #[test]
    fn a_raised_signal_is_taken_once_and_cancels() {
        let s = Signals::install(&[Signal::Usr1]).unwrap();
        let cancel = s.cancel();
        assert_eq!(s.take(), None);
        assert!(!cancel.is_cancelled());
        // SAFETY: raise delivers SIGUSR1 to this thread; the handler above
        // only stores into atomics.
        unsafe { libc::raise(SIGUSR1) };
        assert_eq!(s.take(), Some(Signal::Usr1));
        assert_eq!(s.take(), None);
        assert!(cancel.is_cancelled());
    }
}
