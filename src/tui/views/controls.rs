//! Controls: the live hyperparameters, the answer to the last edit and the
//! log of accepted changes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::app::App;
use crate::tui::widgets::{change_log_panel, controls_table, edit_feedback};

use super::WIDE;

pub fn view(frame: &mut Frame, area: Rect, app: &App) {
    let (info, ui, look) = (&app.info, &app.ui, &app.look);
    let changes = &app.training.changes;
    if area.width >= WIDE {
        let [table, side] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(area);
        controls_table::render(frame, table, info, ui, look);
        let [feedback, log] =
            Layout::vertical([Constraint::Length(5), Constraint::Min(0)]).areas(side);
        edit_feedback::render(frame, feedback, info, ui, changes, look);
        change_log_panel::render(frame, log, changes, look);
        return;
    }
    let [table, feedback, log] = Layout::vertical([
        Constraint::Min(6),
        Constraint::Length(4),
        Constraint::Length(5),
    ])
    .areas(area);
    controls_table::render(frame, table, info, ui, look);
    edit_feedback::render(frame, feedback, info, ui, changes, look);
    change_log_panel::render(frame, log, changes, look);
}
