//! In-place editing of one live control on the Controls screen.

/// A value the workers turned down, kept on screen until the next edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub key: String,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditState {
    /// Row of the control under the cursor.
    pub selected: usize,
    /// Text being typed; `None` when not editing.
    pub buffer: Option<String>,
    /// Sent and not yet answered by Applied or Refused.
    pub pending: Option<(String, String)>,
    pub refusal: Option<Refusal>,
}

impl EditState {
    pub fn is_editing(&self) -> bool {
        self.buffer.is_some()
    }

    pub fn move_by(&mut self, delta: isize, rows: usize) {
        if rows == 0 {
            self.selected = 0;
            return;
        }
        let last = rows as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }
}
