//! d(E), the mean distance to the nearest error, beside the isoperimetric
//! bound at the current error rate.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::measure::DistanceReading;
use crate::tui::format::{sci, value};
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::chart_frame::block;

/// How far the measured distance can be trusted, as shown next to it:
/// a mean of per-start upper bounds (`DistanceReading::label`).
pub fn qualifier(r: &DistanceReading) -> &'static str {
    if r.mean().is_none() {
        "none found"
    } else if !r.nearest.every_start {
        // Logged before every start counted: a mean over found starts
        // only, neither an upper nor a lower bound.
        "found only"
    } else {
        "upper est."
    }
}

pub fn lines(r: &DistanceReading) -> Vec<(String, String, Role)> {
    let n = &r.nearest;
    let distance = r.mean().map_or_else(|| "--".to_string(), value);
    let (mu, bound_optimal, bound_cap) = (
        r.mu.map_or(f64::NAN, |m| m.rate.mu),
        r.bound.map_or(f64::NAN, |b| b.optimal),
        r.bound.map_or(f64::NAN, |b| b.cap),
    );
    let mut out = vec![
        (
            "d(E)".into(),
            format!("{distance} {}", qualifier(r)),
            Role::Title,
        ),
        (
            String::new(),
            format!("{}/{} found an error", n.found, n.starts),
            Role::Dim,
        ),
        (
            "optimal".into(),
            format!("{} at mu {}", value(bound_optimal), sci(mu)),
            Role::Bound,
        ),
    ];
    let ratio = r
        .ratio()
        .map_or_else(String::new, |q| format!("  d/cap {:.0}%", 100.0 * q));
    out.push((
        "cap".into(),
        format!("{}{ratio}", value(bound_cap)),
        Role::Cap,
    ));
    out
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let body: Vec<Line> = match m.nearest.as_ref().map(|s| &s.value) {
        Some(n) => lines(n)
            .into_iter()
            .map(|(label, text, role)| {
                Line::from(vec![
                    Span::styled(format!("{label:<8}"), look.style(role)),
                    Span::raw(text),
                ])
            })
            .collect(),
        None => vec![Line::from(Span::styled(
            "waiting for the first attacks…",
            look.style(Role::Dim),
        ))],
    };
    frame.render_widget(
        Paragraph::new(body)
            .block(block(" distance to nearest error ", look))
            .wrap(Wrap { trim: false }),
        area,
    );
}
