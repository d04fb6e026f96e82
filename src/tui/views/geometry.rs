//! Geometry: the error-rate vs distance trade-off against the bound, the
//! decision boundary in a 2-D slice, and off-manifold robustness with the
//! measured corollary. At 80x24 the robustness numbers sit above the
//! slice; with 120 columns they get a column of their own with the
//! corollary chart, and with 36 rows the d(E) summary joins the scatter.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::app::App;
use crate::tui::widgets::{
    corollary_chart, decision_slice, distance_summary, robustness_panel, tradeoff_scatter,
};

use super::{TALL, WIDE};

/// Rows of the robustness numbers: eight lines and the border.
const ROBUSTNESS_ROWS: u16 = 10;

pub fn view(frame: &mut Frame, area: Rect, app: &App) {
    let (m, info, look) = (&app.measures, &app.info, &app.look);
    let tall = area.height >= TALL;
    let (left, middle, right) = if area.width >= WIDE {
        let [l, mid, r] = Layout::horizontal([
            Constraint::Percentage(40),
            Constraint::Percentage(27),
            Constraint::Percentage(33),
        ])
        .areas(area);
        (l, mid, Some(r))
    } else {
        let [l, r] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(area);
        (l, r, None)
    };
    if tall {
        let wide = left.width >= distance_summary::LABEL_WIDTH;
        let rows = distance_summary::all_lines(m, wide).len() as u16 + 2;
        let [scatter, summary] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(rows.min(10))]).areas(left);
        tradeoff_scatter::render(frame, scatter, m, info, look);
        distance_summary::render(frame, summary, m, look);
    } else {
        tradeoff_scatter::render(frame, left, m, info, look);
    }
    match right {
        Some(column) => {
            decision_slice::render(frame, middle, m, info.radius, look);
            let [numbers, chart] =
                Layout::vertical([Constraint::Length(ROBUSTNESS_ROWS), Constraint::Min(0)])
                    .areas(column);
            robustness_panel::render(frame, numbers, m, info.n, look);
            corollary_chart::render(frame, chart, m, look);
        }
        None => {
            let mut rows = vec![Constraint::Length(ROBUSTNESS_ROWS)];
            if tall {
                rows.push(Constraint::Length(ROBUSTNESS_ROWS));
            }
            rows.push(Constraint::Min(0));
            let parts = Layout::vertical(rows).split(middle);
            robustness_panel::render(frame, parts[0], m, info.n, look);
            if tall {
                corollary_chart::render(frame, parts[1], m, look);
            }
            decision_slice::render(frame, parts[parts.len() - 1], m, info.radius, look);
        }
    }
}
