//! Monte Carlo error rate per sphere with its exact 95% interval. With no
//! error seen only an upper bound is known, and the panel says so.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::stats::RateEstimate;
use crate::tui::format::{count, sci};
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::chart_frame::block;

/// The headline and the detail line for one sphere.
pub fn describe(r: &RateEstimate) -> (String, String) {
    if r.upper_bound_only() {
        (
            format!("< {} upper bound only", sci(r.hi)),
            format!("(no errors in {})", count(r.samples as f64)),
        )
    } else {
        (
            format!("{} [{}, {}]", sci(r.rate), sci(r.lo), sci(r.hi)),
            format!("{} errors in {}", r.errors, count(r.samples as f64)),
        )
    }
}

fn sphere_lines<'a>(name: &'a str, role: Role, r: &RateEstimate, look: &Look) -> [Line<'a>; 2] {
    let (head, detail) = describe(r);
    let head_role = if r.upper_bound_only() {
        Role::Good
    } else {
        Role::Title
    };
    [
        Line::from(vec![
            Span::styled(format!("{name:<6}"), look.style(role)),
            Span::styled(head, look.style(head_role)),
        ]),
        Line::from(Span::styled(
            format!("      {detail}"),
            look.style(Role::Dim),
        )),
    ]
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let (title, lines) = match &m.estimate {
        Some(e) => {
            let mut lines = Vec::new();
            lines.extend(sphere_lines("inner", Role::Inner, &e.value.inner, look));
            lines.extend(sphere_lines("outer", Role::Outer, &e.value.outer, look));
            (format!(" error rate, 95% · model v{} ", e.version), lines)
        }
        None => (
            " error rate, 95% ".to_string(),
            vec![Line::from(Span::styled(
                "waiting for the first estimate…",
                look.style(Role::Dim),
            ))],
        ),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(title, look))
            .wrap(Wrap { trim: false }),
        area,
    );
}
