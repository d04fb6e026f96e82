//! d(E), the mean distance to the nearest error, beside the isoperimetric
//! bound at the current error rate.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::attack::NearestError;
use crate::tui::format::{sci, value};
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::chart_frame::block;

/// How far the measured distance can be trusted, as shown next to it.
pub fn qualifier(n: &NearestError) -> &'static str {
    if n.found == 0 {
        "none found"
    } else if n.found < n.starts {
        "lower bound"
    } else {
        "all found"
    }
}

pub fn lines(n: &NearestError) -> Vec<(String, String, Role)> {
    let distance = if n.found == 0 {
        "--".to_string()
    } else {
        value(n.mean_distance)
    };
    let mut out = vec![
        (
            "d(E)".into(),
            format!("{distance} {}", qualifier(n)),
            Role::Title,
        ),
        (
            String::new(),
            format!("{}/{} found an error", n.found, n.starts),
            Role::Dim,
        ),
        (
            "optimal".into(),
            format!("{} at mu {}", value(n.bound_optimal), sci(n.mu)),
            Role::Bound,
        ),
    ];
    let ratio = if n.found > 0 && n.bound_cap > 0.0 {
        format!("  d/cap {:.0}%", 100.0 * n.mean_distance / n.bound_cap)
    } else {
        String::new()
    };
    out.push((
        "cap".into(),
        format!("{}{ratio}", value(n.bound_cap)),
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
