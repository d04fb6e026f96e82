//! Every live hyperparameter with its current value; the selected one is
//! edited in place.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::tui::app::App;
use crate::tui::palette::Role;

use super::chart_frame::block;

/// The value column of one row: the typed text while editing, a marker
/// while the workers have not answered yet.
pub fn value_text(app: &App, index: usize) -> String {
    let Some(control) = app.info.controls.get(index) else {
        return String::new();
    };
    if index == app.edit.selected
        && let Some(buffer) = &app.edit.buffer
    {
        let cursor = if app.look.ascii { "_" } else { "▏" };
        return format!("{buffer}{cursor}");
    }
    match &app.edit.pending {
        Some((key, value)) if *key == control.key => format!("{} (sent {value}…)", control.value),
        _ => control.value.clone(),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let look = &app.look;
    let rows = app.info.controls.iter().enumerate().map(|(i, c)| {
        let editing = i == app.edit.selected && app.edit.is_editing();
        let value_style = if editing {
            look.style(Role::Accent)
        } else {
            look.style(Role::Title)
        };
        Row::new(vec![
            Cell::from(c.key.clone()),
            Cell::from(Span::styled(value_text(app, i), value_style)),
            Cell::from(Span::styled(c.help.clone(), look.style(Role::Dim))),
        ])
    });
    let header = Row::new(vec!["key", "value", "what it does"]).style(look.style(Role::Dim));
    let hint = if app.edit.is_editing() {
        " enter send · esc cancel "
    } else {
        " ↑↓ select · enter edit "
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(20),
            Constraint::Length(16),
            Constraint::Min(10),
        ],
    )
    .header(header)
    .block(block(Line::from(format!(" controls{hint}")), look))
    .row_highlight_style(look.style(Role::Selected));
    let mut state = TableState::default().with_selected(Some(app.edit.selected));
    frame.render_stateful_widget(table, area, &mut state);
}
