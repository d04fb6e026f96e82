//! The common frame of every chart: a titled border, axes and a legend that
//! stays visible on small charts.

use ratatui::layout::Constraint;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Chart, Dataset, LegendPosition};

use crate::tui::palette::{Look, Role};

pub fn block<'a>(title: impl Into<Line<'a>>, look: &Look) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(look.style(Role::Dim))
        .title_style(look.style(Role::Title))
}

pub fn axis<'a>(bounds: [f64; 2], labels: Vec<String>, look: &Look) -> Axis<'a> {
    Axis::default()
        .bounds(bounds)
        .labels(labels)
        .style(look.style(Role::Dim))
}

/// A chart whose legend is hidden only when it truly cannot fit: the
/// default hides it on anything smaller than a quarter of the screen.
pub fn chart<'a>(datasets: Vec<Dataset<'a>>, block: Block<'a>) -> Chart<'a> {
    Chart::new(datasets)
        .block(block)
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Percentage(90), Constraint::Percentage(90)))
}
