//! Bad-alpha counts and the quadratic net's error rate per sphere, exact tail
//! beside the paper's CLT estimate (crude far in the tail).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::session::messages::{QuadReport, Stamped};
use crate::tui::format::{sci, value};
use crate::tui::palette::{Look, Role};

use super::alpha_histogram::band;
use super::chart_frame::block;

pub fn lines(report: &QuadReport, radius: f64) -> Vec<String> {
    let [low, _] = band(radius);
    vec![
        format!(
            "bad alphas {} of {}",
            report.bad_low + report.bad_high,
            report.alphas.len()
        ),
        format!("  {} < 1/R² = {}", report.bad_low, value(low)),
        format!("  {} > 1", report.bad_high),
        format!("{:<6}{:>9}{:>9}", "", "exact", "CLT"),
        format!(
            "{:<6}{:>9}{:>9}",
            "inner",
            sci(report.inner_exact),
            sci(report.inner_clt)
        ),
        format!(
            "{:<6}{:>9}{:>9}",
            "outer",
            sci(report.outer_exact),
            sci(report.outer_clt)
        ),
    ]
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    stamped: &Stamped<QuadReport>,
    radius: f64,
    look: &Look,
) {
    let report = &stamped.value;
    let roles = [
        Role::Error,
        Role::Dim,
        Role::Dim,
        Role::Title,
        Role::Inner,
        Role::Outer,
    ];
    let body: Vec<Line> = lines(report, radius)
        .into_iter()
        .zip(roles)
        .map(|(text, role)| Line::from(Span::styled(text, look.style(role))))
        .collect();
    let title = format!(" ellipsoid · v{} step {} ", stamped.version, stamped.step);
    frame.render_widget(
        Paragraph::new(body)
            .block(block(title, look))
            .wrap(Wrap { trim: false }),
        area,
    );
}
