//! A titled, bordered block of wrapped text lines: the frame of every
//! widget that reports numbers as text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::chart_frame::block;
use crate::tui::palette::{Look, Role};

/// Each text in the style of its role.
pub fn styled<'a>(lines: impl IntoIterator<Item = (String, Role)>, look: &Look) -> Vec<Line<'a>> {
    lines
        .into_iter()
        .map(|(text, role)| Line::from(Span::styled(text, look.style(role))))
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, title: String, body: Vec<Line>, look: &Look) {
    frame.render_widget(
        Paragraph::new(body)
            .block(block(title, look))
            .wrap(Wrap { trim: false }),
        area,
    );
}
