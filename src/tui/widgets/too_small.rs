//! What a terminal below the minimum size gets instead of a broken layout.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::palette::{Look, Role};

pub fn message(area: Rect, min: (u16, u16)) -> String {
    format!(
        "terminal too small: need {}x{}, have {}x{}",
        min.0, min.1, area.width, area.height
    )
}

pub fn render(frame: &mut Frame, area: Rect, min: (u16, u16), look: &Look) {
    let text = Paragraph::new(message(area, min))
        .style(look.style(Role::Warn))
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    let top = area.height / 2;
    let rest = Rect {
        y: area.y + top.saturating_sub(1),
        height: area.height - top.saturating_sub(1),
        ..area
    };
    frame.render_widget(text, rest);
}
