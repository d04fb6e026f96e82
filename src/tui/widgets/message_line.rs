//! One line for what most needs reading: an error, else a warning, else the
//! last action's feedback, else the main key hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keys::hint_line;
use crate::tui::palette::{Look, Role};
use crate::tui::ui_state::Ui;

pub fn message(ui: &Ui) -> (String, Role) {
    if let Some(e) = &ui.error {
        (format!("error: {e}"), Role::Error)
    } else if let Some(w) = &ui.warning {
        (format!("warning: {w}"), Role::Warn)
    } else if let Some(n) = &ui.notice {
        (n.clone(), Role::Accent)
    } else {
        (hint_line(), Role::Dim)
    }
}

pub fn render(frame: &mut Frame, area: Rect, ui: &Ui, look: &Look) {
    let (text, role) = message(ui);
    let line = Line::from(Span::styled(text, look.style(role)));
    frame.render_widget(Paragraph::new(line), area);
}
