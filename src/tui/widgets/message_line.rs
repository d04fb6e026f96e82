//! One line for what most needs reading: an error, else a warning, else the
//! last action's feedback, else the main key hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keys::hint_line;
use crate::tui::palette::Role;

pub fn message(app: &App) -> (String, Role) {
    if let Some(e) = &app.error {
        (format!("error: {e}"), Role::Error)
    } else if let Some(w) = &app.warning {
        (format!("warning: {w}"), Role::Warn)
    } else if let Some(n) = &app.notice {
        (n.clone(), Role::Accent)
    } else {
        (hint_line(), Role::Dim)
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (text, role) = message(app);
    let line = Line::from(Span::styled(text, app.look.style(role)));
    frame.render_widget(Paragraph::new(line), area);
}
