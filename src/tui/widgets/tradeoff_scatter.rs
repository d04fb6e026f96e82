//! The paper's central figure, growing live: error rate (log x) against
//! d(E), one point per attack round, under the optimal and exact-cap bounds.
//! Points sit at the rate d(E) was compared at: a quadratic net's exact
//! rate, a rare-event estimate, or Monte Carlo. Where a point lies below
//! the run's precomputed curves (exact rates of 1e-30 and far below) the
//! curves are continued down to it from ln mu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Dataset, GraphType};

use crate::measure::{Rate, bounds_at};
use crate::session::messages::{BoundPoint, RunInfo};
use crate::tui::format::value;
use crate::tui::log_scale::{Scale, decade_label};
use crate::tui::measures::Measures;
use crate::tui::palette::Look;
use crate::tui::palette::Role;

use super::chart_frame::{axis, block, chart};

/// Curve points per decade where the curves are continued below the run's,
/// and at most this many in all (each is a quadrature, on every frame).
const PER_DECADE: f64 = 2.0;
const MAX_FAR_POINTS: f64 = 60.0;

/// The bound curves as (log10 mu, optimal, cap), continued from ln mu down
/// to `lowest` (log10) where that lies below the precomputed curve.
pub fn curves(n: usize, curve: &[BoundPoint], lowest: f64) -> Vec<(f64, f64, f64)> {
    let mut out: Vec<(f64, f64, f64)> = curve
        .iter()
        .filter(|p| p.mu > 0.0)
        .map(|p| (p.mu.log10(), p.optimal, p.cap))
        .collect();
    let first = out.first().map_or(-1.0, |p| p.0);
    let from = (lowest - 0.5).floor();
    if from < first {
        let steps = ((first - from) * PER_DECADE)
            .ceil()
            .clamp(1.0, MAX_FAR_POINTS) as usize;
        let far = (0..steps)
            .map(|i| from + (first - from) * i as f64 / steps as f64)
            .filter_map(|x| {
                let b = bounds_at(n, &Rate::from_log10(x))?;
                Some((x, b.optimal, b.cap))
            });
        out = far.chain(out).collect();
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, info: &RunInfo, look: &Look) {
    let points = m.tradeoff.points();
    let latest: Vec<(f64, f64)> = m
        .nearest
        .as_ref()
        .map(|s| &s.value)
        .and_then(|r| {
            let mu = r.mu.map(|m| m.rate).filter(|m| m.ln_mu.is_finite())?;
            Some(vec![(mu.log10(), r.mean()?)])
        })
        .unwrap_or_default();
    let lowest = points
        .iter()
        .chain(&latest)
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    let curve = curves(info.n, &info.bound_curve, lowest);
    let optimal: Vec<(f64, f64)> = curve.iter().map(|p| (p.0, p.1)).collect();
    let cap: Vec<(f64, f64)> = curve.iter().map(|p| (p.0, p.2)).collect();

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_reach_down_to_a_far_exact_rate() {
        let curve = crate::tui::fixtures::bound_curve();
        let n = crate::tui::fixtures::N;
        let near = curves(n, &curve, -3.0);
        assert_eq!(near.len(), curve.len());
        let far = curves(n, &curve, -400.0);
        assert_eq!(far.len(), curve.len() + 60);
        assert!(far[0].0 <= -400.0);
        // Still the bound: distances shrink as mu grows, all the way up.
        for w in far.windows(2) {
            assert!(w[0].0 < w[1].0 && w[0].2 >= w[1].2, "{w:?}");
        }
    }
}
