//! The record of live edits the workers accepted, shown on the Controls
//! screen so a researcher can tell which regime each part of a curve is in.

use std::collections::VecDeque;

/// Enough history for any screen; older entries live in the run's config log.
const KEEP: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub step: u64,
    pub key: String,
    pub old: String,
    pub new: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {}: {} {} -> {}",
            self.step, self.key, self.old, self.new
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChangeLog {
    entries: VecDeque<Change>,
}

impl ChangeLog {
    pub fn push(&mut self, change: Change) {
        if self.entries.len() == KEEP {
            self.entries.pop_front();
        }
        self.entries.push_back(change);
    }

    /// Newest first.
    pub fn newest(&self) -> impl Iterator<Item = &Change> {
        self.entries.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
