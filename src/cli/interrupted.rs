//! A command stopped by a signal: an error that carries the signal, so the
//! process ends with the shell's code for it (128 + n: 143 after SIGTERM,
//! 130 after SIGINT, 138 after SIGUSR1) and a scheduler or script can tell
//! an interruption from a failure. Any command may return it.

use crate::signals::Signal;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: stopped by {}", signal.name())]
pub struct Interrupted {
    pub signal: Signal,
    /// What was stopped and what was kept, for the message.
    pub what: String,
}

/// The process exit code for a command's error: the signal's code when a
/// signal stopped it, 1 for anything else.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    e.chain()
        .find_map(|c| c.downcast_ref::<Interrupted>())
        .map_or(1, |i| i.signal.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn a_signal_anywhere_in_the_chain_sets_the_code() {
        let e = anyhow::Error::new(Interrupted {
            signal: Signal::Term,
            what: "point relu-1k".into(),
        });
        assert_eq!(exit_code(&e), 143);
        let wrapped = Err::<(), _>(e).context("sweep").unwrap_err();
        assert_eq!(exit_code(&wrapped), 143);
        assert_eq!(exit_code(&anyhow::anyhow!("disk full")), 1);
        let usr1 = anyhow::Error::new(Interrupted {
            signal: Signal::Usr1,
            what: "x".into(),
        });
        assert_eq!(exit_code(&usr1), 138);
    }
}
