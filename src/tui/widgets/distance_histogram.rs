//! Distances found by the nearest-error searches, with both bounds marked:
//! every distance left of the cap line is what the theorem predicts.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::format::value;
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::chart_frame::block;
use super::histogram_panel::{self, Histogram, Mark};

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let Some(r) = m.nearest.as_ref().map(|s| &s.value) else {
        frame.render_widget(block(" nearest-error distances ", look), area);
        return;
    };
    let n = &r.nearest;
    let (bound_optimal, bound_cap) = (
        r.bound.map_or(f64::NAN, |b| b.optimal),
        r.bound.map_or(f64::NAN, |b| b.cap),
    );
    let max = n
        .distances
        .iter()
        .copied()
        .filter(|d| d.is_finite())
        .fold(bound_cap.max(bound_optimal), f64::max);
    let hi = if max > 0.0 { max * 1.1 } else { 1.0 };
    let histogram = Histogram {
        title: format!(" nearest-error distances ({}) ", n.distances.len()),
        values: &n.distances,
        range: [0.0, hi],
        marks: vec![
            Mark {
                x: bound_optimal,
                label: format!("opt {}", value(bound_optimal)),
                role: Role::Bound,
            },
            Mark {
                x: bound_cap,
                label: format!("cap {}", value(bound_cap)),
                role: Role::Cap,
            },
        ],
        bar_role: &|_| Role::Inner,
    };
    histogram_panel::render(frame, area, look, &histogram);
}
