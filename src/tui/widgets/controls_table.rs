//! Every live hyperparameter with its current value; the selected one is
//! edited in place.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::session::messages::RunInfo;
use crate::tui::palette::{Look, Role};
use crate::tui::ui_state::Ui;

use super::chart_frame::block;

/// The value column of one row: the typed text while editing, a marker
/// while the workers have not answered yet.
pub fn value_text(info: &RunInfo, ui: &Ui, look: &Look, index: usize) -> String {
    let Some(control) = info.controls.get(index) else {
        return String::new();
    };
    if index == ui.edit.selected
        && let Some(buffer) = &ui.edit.buffer
    {
        let cursor = if look.ascii { "_" } else { "▏" };
        return format!("{buffer}{cursor}");
    }
    match &ui.edit.pending {
        Some((key, value)) if *key == control.key => format!("{} (sent {value}…)", control.value),
        _ => control.value.clone(),
    }
}

/// Column widths: key, value, and the help text in what is left.
const KEY: u16 = 20;
const VALUE: u16 = 16;

/// `text` broken at spaces into lines of at most `width` characters (a
/// word longer than that gets a line of its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, info: &RunInfo, ui: &Ui, look: &Look) {
    // Borders and the two column gaps.
    let help_width = area.width.saturating_sub(KEY + VALUE + 4).max(10) as usize;
    let rows = info.controls.iter().enumerate().map(|(i, c)| {
        let editing = i == ui.edit.selected && ui.edit.is_editing();
        let value_style = if editing {
            look.style(Role::Accent)
        } else {
            look.style(Role::Title)
        };
        let help = wrap(&c.help, help_width);
        let height = help.len().max(1) as u16;
        Row::new(vec![
            Cell::from(c.key.clone()),
            Cell::from(Span::styled(value_text(info, ui, look, i), value_style)),
            Cell::from(
                help.into_iter()
                    .map(|l| Line::styled(l, look.style(Role::Dim)))
                    .collect::<Vec<_>>(),
            ),
        ])
        .height(height)
    });
    let header = Row::new(vec!["key", "value", "what it does"]).style(look.style(Role::Dim));
    let hint = if ui.edit.is_editing() {
        " enter send · esc cancel "
    } else {
        " ↑↓ select · enter edit "
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(KEY),
            Constraint::Length(VALUE),
            Constraint::Min(10),
        ],
    )
    .header(header)
    .block(block(Line::from(format!(" controls{hint}")), look))
    .row_highlight_style(look.style(Role::Selected));
    let mut state = TableState::default().with_selected(Some(ui.edit.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn help_text_wraps_at_words() {
        let lines = wrap("steps between model copies for evaluation", 20);
        assert_eq!(lines, ["steps between model", "copies for", "evaluation"]);
        assert!(lines.iter().all(|l| l.chars().count() <= 20));
        assert_eq!(
            wrap("supercalifragilistic word", 5),
            ["supercalifragilistic", "word"]
        );
    }
}
