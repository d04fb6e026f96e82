//! Bad-alpha counts (only where the band [1/R^2, 1] is the zero-error
//! condition, b < 0), the quadratic net's error rate per sphere, exact tail
//! beside the paper's CLT estimate (crude far in the tail), and the exact
//! worst-case loss on each sphere.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::session::messages::{QuadReport, Stamped};
use crate::tui::format::{sci, value};
use crate::tui::palette::{Look, Role};

use super::alpha_histogram::band;
use super::text_panel;

pub fn lines(report: &QuadReport, radius: f64) -> Vec<String> {
    let [low, _] = band(radius);
    let mut out = if report.band_applies == Some(false) {
        vec![
            "band [1/R², 1] does not apply:".into(),
            "  b > 0, the decision flips inside".into(),
            "  the ellipsoid; no alpha is bad".into(),
        ]
    } else {
        vec![
            format!(
                "bad alphas {} of {}",
                report.bad_low + report.bad_high,
                report.alphas.len()
            ),
            format!("  {} < 1/R² = {}", report.bad_low, value(low)),
            format!("  {} > 1", report.bad_high),
        ]
    };
    out.extend([
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
    ]);
    if let (Some(i), Some(o)) = (report.worst_loss_inner, report.worst_loss_outer) {
        out.push("worst-case loss, exact:".into());
        out.push(format!("  inner {}  outer {}", value(i), value(o)));
    }
    out
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
        Role::Title,
        Role::Error,
    ];
    let body = text_panel::styled(lines(report, radius).into_iter().zip(roles), look);
    let title = format!(" ellipsoid · v{} step {} ", stamped.version, stamped.step);
    text_panel::render(frame, area, title, body, look);
}
