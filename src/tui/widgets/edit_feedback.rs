//! The workers' answer to the last edit. A refusal stays in plain sight
//! until the next edit, because the old value silently staying would look
//! like the edit worked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::session::messages::RunInfo;
use crate::tui::change_log::ChangeLog;
use crate::tui::palette::{Look, Role};
use crate::tui::ui_state::Ui;

use super::chart_frame::block;

pub fn message(info: &RunInfo, ui: &Ui, changes: &ChangeLog) -> (String, Role) {
    if let Some(r) = &ui.edit.refusal {
        let current = info
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
    if let Some((key, value)) = &ui.edit.pending {
        return (
            format!("sent {key} = {value}, waiting for the workers…"),
            Role::Warn,
        );
    }
    match changes.newest().next() {
        Some(c) => (format!("applied {c}"), Role::Good),
        None => ("no live edits yet".into(), Role::Dim),
    }
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    info: &RunInfo,
    ui: &Ui,
    changes: &ChangeLog,
    look: &Look,
) {
    let (text, role) = message(info, ui, changes);
    let line = Line::from(Span::styled(text, look.style(role)));
    frame.render_widget(
        Paragraph::new(line)
            .block(block(" last edit ", look))
            .wrap(Wrap { trim: true }),
        area,
    );
}
