//! Worst-case against average loss over training: the average can fall
//! while the worst case grows. For a quadratic net the worst case is exact
//! (closed form, at every publication); the worst-case attack's largest
//! loss, a lower estimate, is its check and the only measure for other
//! models.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Dataset, GraphType};

use crate::tui::format::count;
use crate::tui::log_scale::Scale;
use crate::tui::measures::Measures;
use crate::tui::palette::Look;
use crate::tui::palette::Role;

use super::chart_frame::{axis, block, chart};

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let exact = Scale::Log.map_points(&m.exact_worst.points());
    let worst = Scale::Log.map_points(&m.worst_loss.points());
    let mean = Scale::Log.map_points(&m.mean_loss.points());
    let xs = || exact.iter().chain(&worst).chain(&mean).map(|p| p.0);
    let x_lo = xs().fold(f64::INFINITY, f64::min);
    let x_hi = xs().fold(f64::NEG_INFINITY, f64::max);
    let x_bounds = if x_hi > x_lo {
        [x_lo, x_hi]
    } else {
        [0.0, x_lo.max(0.0) + 1.0]
    };
    let y_bounds = Scale::Log.bounds(exact.iter().chain(&worst).chain(&mean).map(|p| p.1));
    let mut datasets = Vec::new();
    if !exact.is_empty() {
        datasets.push(
            Dataset::default()
                .name("worst, exact")
                .marker(look.marker())
                .graph_type(GraphType::Line)
                .style(look.style(Role::Error))
                .data(&exact),
        );
    }
    let attack_name = if exact.is_empty() {
        "worst (attack)"
    } else {
        "attack (check)"
    };
    datasets.extend([
        Dataset::default()
            .name(attack_name)
            .marker(look.marker())
            .graph_type(GraphType::Line)
            .style(look.style(Role::Warn))
            .data(&worst),
        Dataset::default()
            .name("average")
            .marker(look.marker())
            .graph_type(GraphType::Line)
            .style(look.style(Role::Loss))
            .data(&mean),
    ]);
    let chart = chart(datasets, block(" worst-case vs average loss (log) ", look))
        .x_axis(axis(
            x_bounds,
            vec![count(x_bounds[0]), count(x_bounds[1])],
            look,
        ))
        .y_axis(axis(y_bounds, Scale::Log.labels(y_bounds), look));
    frame.render_widget(chart, area);
}
