//! Accepted live edits, newest first, with the step each took effect at.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::change_log::ChangeLog;
use crate::tui::palette::Look;
use crate::tui::palette::Role;

use super::chart_frame::block;

pub fn render(frame: &mut Frame, area: Rect, changes: &ChangeLog, look: &Look) {
    let rows = area.height.saturating_sub(2) as usize;
    let lines: Vec<Line> = if changes.is_empty() {
        vec![Line::styled("none yet", look.style(Role::Dim))]
    } else {
        changes
            .newest()
            .take(rows)
            .map(|c| Line::from(c.to_string()))
            .collect()
    };
    let title = format!(" changes ({}) ", changes.len());
    frame.render_widget(Paragraph::new(lines).block(block(title, look)), area);
}
