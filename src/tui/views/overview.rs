//! Overview: training progress on the left, what the attacks found on the
//! right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::app::App;
use crate::tui::widgets::loss_chart::{self, Span};
use crate::tui::widgets::{distance_histogram, distance_summary, error_rates, throughput};

use super::{TALL, WIDE};

pub fn view(frame: &mut Frame, area: Rect, app: &App) {
    let (t, m, ui, look) = (&app.training, &app.measures, &app.ui, &app.look);
    // The numbers column needs 36 columns to print an interval on one line;
    // the loss chart gets the rest but never less than 24.
    let right_width = (area.width * 2 / 5)
        .max(36)
        .min(area.width.saturating_sub(24));
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);

    let [curves, spark] = Layout::vertical([Constraint::Min(0), Constraint::Length(4)]).areas(left);
    if area.width >= WIDE || area.height >= TALL {
        let split = if area.width >= WIDE {
            Layout::horizontal([Constraint::Ratio(1, 2); 2]).split(curves)
        } else {
            Layout::vertical([Constraint::Ratio(1, 2); 2]).split(curves)
        };
        loss_chart::render(frame, split[0], t, ui, look, Span::WholeRun);
        loss_chart::render(frame, split[1], t, ui, look, Span::Recent);
    } else {
        loss_chart::render(frame, curves, t, ui, look, Span::WholeRun);
    }
    throughput::render(frame, spark, t, look);

    // Two lines per sphere of rates (more with a rare-event estimate or
    // room for its cost), three per sphere of d(E); the histogram gets the
    // rest.
    let rows = |lines: usize| lines as u16 + 2;
    let rate_rows = rows(error_rates::lines(m, right.width >= error_rates::DETAIL_WIDTH).len());
    let distance_rows =
        rows(distance_summary::all_lines(m, right.width >= distance_summary::LABEL_WIDTH).len());
    let [rates, distance, histogram] = Layout::vertical([
        Constraint::Length(rate_rows.clamp(6, 10)),
        Constraint::Length(distance_rows.clamp(4, 10)),
        Constraint::Min(0),
    ])
    .areas(right);
    error_rates::render(frame, rates, m, look);
    distance_summary::render(frame, distance, m, look);
    distance_histogram::render(frame, histogram, m, look);
}
