//! Geometry: the error-rate vs distance trade-off against the bound, and the
//! decision boundary in a 2-D slice.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::app::App;
use crate::tui::widgets::{decision_slice, distance_summary, tradeoff_scatter};

use super::TALL;

pub fn view(frame: &mut Frame, area: Rect, app: &App) {
    let (m, info, look) = (&app.measures, &app.info, &app.look);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    if area.height >= TALL {
        let [scatter, summary] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(6)]).areas(left);
        tradeoff_scatter::render(frame, scatter, m, info, look);
        distance_summary::render(frame, summary, m, look);
    } else {
        tradeoff_scatter::render(frame, left, m, info, look);
    }
    decision_slice::render(frame, right, m, info.radius, look);
}
