//! The workers' answer to the last edit. A refusal stays in plain sight
//! until the next edit, because the old value silently staying would look
//! like the edit worked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::palette::Role;

use super::chart_frame::block;

pub fn message(app: &App) -> (String, Role) {
    if let Some(r) = &app.edit.refusal {
        let current = app
            .info
            .controls
            .iter()
            .find(|c| c.key == r.key)
            .map_or("unchanged".to_string(), |c| c.value.clone());
        return (
            format!(
                "refused {} = {}: {} (value stays {current})",
                r.key, r.value, r.reason
            ),
            Role::Error,
        );
    }
    if let Some((key, value)) = &app.edit.pending {
        return (
            format!("sent {key} = {value}, waiting for the workers…"),
            Role::Warn,
        );
    }
    match app.changes.newest().next() {
        Some(c) => (format!("applied {c}"), Role::Good),
        None => ("no live edits yet".into(), Role::Dim),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (text, role) = message(app);
    let line = Line::from(Span::styled(text, app.look.style(role)));
    frame.render_widget(
        Paragraph::new(line)
            .block(block(" last edit ", &app.look))
            .wrap(Wrap { trim: true }),
        area,
    );
}
