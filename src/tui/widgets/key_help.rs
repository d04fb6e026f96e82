//! The help screen, generated from the key table: bindings of the same mode
//! and meaning share a line, and columns fill the available width.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::keys::{BINDINGS, Mode};
use crate::tui::palette::{Look, Role};

const MODES: [Mode; 4] = [Mode::Normal, Mode::Controls, Mode::Editing, Mode::Prompt];

/// (keys, description) per mode, in table order.
pub fn entries(mode: Mode) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.mode == mode) {
        match out.iter_mut().find(|(_, d)| *d == b.description) {
            Some((keys, _)) => {
                keys.push('/');
                keys.push_str(&b.key.label());
            }
            None => out.push((b.key.label(), b.description)),
        }
    }
    out
}

pub fn lines(look: &Look) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for mode in MODES {
        out.push(Line::styled(mode.heading(), look.style(Role::Title)));
        let entries = entries(mode);
        // Aligned within a mode only, so short sections stay compact.
        let width = entries
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (keys, description) in entries {
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<width$} "), look.style(Role::Accent)),
                Span::raw(description),
            ]));
        }
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, look: &Look) {
    let all = lines(look);
    let rows = area.height.max(1) as usize;
    let columns = all.len().div_ceil(rows).max(1);
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(area);
    for (chunk, column) in all.chunks(rows).zip(areas.iter()) {
        frame.render_widget(Paragraph::new(chunk.to_vec()), *column);
    }
}
