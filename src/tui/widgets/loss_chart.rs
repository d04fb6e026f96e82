//! Training loss, smoothed, on a log (or linear) axis.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Dataset, GraphType};

use crate::tui::format::count;
use crate::tui::log_scale::Scale;
use crate::tui::palette::Look;
use crate::tui::palette::Role;
use crate::tui::smoothing::smooth;
use crate::tui::training::Training;
use crate::tui::ui_state::Ui;

use super::chart_frame::{axis, block, chart};

/// Which part of the run to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    WholeRun,
    Recent,
}

/// Steps the records cover: their span plus one record's worth.
pub fn steps_spanned(points: &[(f64, f64)]) -> f64 {
    match points {
        [] => 0.0,
        [_] => 1.0,
        [first, .., last] => {
            let n = points.len() as f64;
            ((last.0 - first.0) * n / (n - 1.0)).round()
        }
    }
}

pub fn render(frame: &mut Frame, area: Rect, t: &Training, ui: &Ui, look: &Look, span: Span) {
    let raw = match span {
        Span::WholeRun => t.loss.points(),
        Span::Recent => t.recent_loss.to_vec(),
    };
    let scale = if ui.log_scale {
        Scale::Log
    } else {
        Scale::Linear
    };
    let weight = ui.smoothing.weight();
    let smoothed = scale.map_points(&smooth(&raw, weight));
    let raw_mapped = scale.map_points(&raw);
    let x_bounds = match (raw.first(), raw.last()) {
        (Some(a), Some(b)) if b.0 > a.0 => [a.0, b.0],
        (Some(a), _) => [a.0, a.0 + 1.0],
        _ => [0.0, 1.0],
    };
    let y_bounds = scale.bounds(raw_mapped.iter().map(|p| p.1));
    let x_labels = vec![count(x_bounds[0]), count(x_bounds[1])];
    let title = format!(
        " loss, {} ({}, EMA {}) ",
        match span {
            Span::WholeRun => "whole run".to_string(),
            // Each point is one metrics record of many steps: the title
            // counts steps, as the axis does, the first record's included.
            Span::Recent => format!("last {} steps", count(steps_spanned(&raw))),
        },
        if ui.log_scale { "log" } else { "linear" },
        weight
    );
    let mut datasets = Vec::new();
    if weight > 0.0 {
        datasets.push(
            Dataset::default()
                .marker(look.marker())
                .graph_type(GraphType::Line)
                .style(look.style(Role::Dim))
                .data(&raw_mapped),
        );
    }
    datasets.push(
        Dataset::default()
            .marker(look.marker())
            .graph_type(GraphType::Line)
            .style(look.style(Role::Loss))
            .data(&smoothed),
    );
    let chart = chart(datasets, block(title, look))
        .x_axis(axis(x_bounds, x_labels, look))
        .y_axis(axis(y_bounds, scale.labels(y_bounds), look));
    frame.render_widget(chart, area);
}
