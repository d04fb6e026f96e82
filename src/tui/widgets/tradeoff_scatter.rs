//! The paper's central figure, growing live: error rate (log x) against
//! d(E), one point per attack round, under the optimal and exact-cap bounds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Dataset, GraphType};

use crate::session::messages::RunInfo;
use crate::tui::format::value;
use crate::tui::log_scale::{Scale, decade_label};
use crate::tui::measures::Measures;
use crate::tui::palette::Look;
use crate::tui::palette::Role;

use super::chart_frame::{axis, block, chart};

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, info: &RunInfo, look: &Look) {
    let curve = &info.bound_curve;
    let optimal: Vec<(f64, f64)> = curve
        .iter()
        .filter(|p| p.mu > 0.0)
        .map(|p| (p.mu.log10(), p.optimal))
        .collect();
    let cap: Vec<(f64, f64)> = curve
        .iter()
        .filter(|p| p.mu > 0.0)
        .map(|p| (p.mu.log10(), p.cap))
        .collect();
    let points = m.tradeoff.points();
    let latest: Vec<(f64, f64)> = m
        .nearest
        .as_ref()
        .map(|s| &s.value)
        .and_then(|r| {
            let mu = r.mu.map(|m| m.rate).filter(|m| m.mu > 0.0)?;
            Some(vec![(mu.log10(), r.mean()?)])
        })
        .unwrap_or_default();

    let all = || optimal.iter().chain(&cap).chain(&points).chain(&latest);
    let x_bounds = Scale::Log.bounds(all().map(|p| p.0));
    let y_top = all().map(|p| p.1).fold(0.0, f64::max);
    let y_bounds = [0.0, if y_top > 0.0 { y_top * 1.1 } else { 1.0 }];
    let x_labels = [x_bounds[0], (x_bounds[0] + x_bounds[1]) / 2.0, x_bounds[1]]
        .iter()
        .map(|&e| decade_label(e.round()))
        .collect();
    let y_labels = vec!["0".into(), value(y_bounds[1] / 2.0), value(y_bounds[1])];

    let datasets = vec![
        Dataset::default()
            .name("optimal")
            .marker(look.marker())
            .graph_type(GraphType::Line)
            .style(look.style(Role::Bound))
            .data(&optimal),
        Dataset::default()
            .name("exact cap")
            .marker(look.marker())
            .graph_type(GraphType::Line)
            .style(look.style(Role::Cap))
            .data(&cap),
        Dataset::default()
            .name("this run")
            .marker(look.marker())
            .graph_type(GraphType::Scatter)
            .style(look.style(Role::Inner))
            .data(&points),
        Dataset::default()
            .name("latest")
            .marker(ratatui::symbols::Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(look.style(Role::Accent))
            .data(&latest),
    ];
    let title = format!(" error rate vs d(E), n={} ", info.n);
    let chart = chart(datasets, block(title, look))
        .x_axis(axis(x_bounds, x_labels, look).title("mu"))
        .y_axis(axis(y_bounds, y_labels, look));
    frame.render_widget(chart, area);
}
