//! Where the dashboard is in its own life: connected or not, stopping,
//! leaving, and whether it may send commands at all.

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    /// Sends no commands (`attach --read-only`, `watch`).
    pub read_only: bool,
    /// Reading files, not a live stream (`watch`): whether a process
    /// trains the run, as its lock's owner file says; None for a live view.
    pub serving: Option<bool>,
    /// Stop was sent; waiting for the run to end.
    pub stopping: bool,
    /// The stream ended: the run process is gone or hung up on us.
    pub workers_gone: bool,
    /// Leave now without waiting for anything (detach).
    pub exit_now: bool,
    /// Why the user left, for the message after the dashboard closes.
    pub left: Option<Leaving>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// The run goes on without this dashboard.
    Detached,
    /// Stop (with save) was asked for.
    Stopped,
    /// The run had already ended.
    Ended,
}
