//! Training throughput as a sparkline of the latest stretch of the run.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Sparkline;

use crate::tui::format::count;
use crate::tui::palette::Look;
use crate::tui::palette::Role;
use crate::tui::training::Training;

use super::chart_frame::block;

pub fn render(frame: &mut Frame, area: Rect, t: &Training, look: &Look) {
    let points = t.throughput.points();
    let width = area.width.saturating_sub(2) as usize;
    let skip = points.len().saturating_sub(width);
    let shown = &points[skip..];
    // Throughput varies by a few percent; drawn from zero every bar would be
    // full height, so bars start just below the slowest value shown.
    let floor = shown.iter().map(|p| p.1).fold(f64::INFINITY, f64::min) * 0.9;
    let data: Vec<u64> = shown
        .iter()
        .map(|p| (p.1 - floor).max(0.0).round() as u64)
        .collect();
    let now = t.latest.map_or(0.0, |m| m.samples_per_s);
    let title = format!(" samples/s {} ", count(now));
    let spark = Sparkline::default()
        .block(block(title, look))
        .style(look.style(Role::Accent))
        .data(data);
    frame.render_widget(spark, area);
}
