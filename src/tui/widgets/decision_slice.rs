//! The newest 2-D decision slice: where the model says "inner", with both
//! spheres and the max-margin circle drawn over it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Circle, Points};

use crate::attack::DecisionSlice;
use crate::tui::measures::Measures;
use crate::tui::palette::Look;
use crate::tui::palette::Role;

use super::chart_frame::block;

/// Index of the grid value nearest to `v`, if `v` lies within the grid.
fn nearest_index(grid: &[f64], v: f64) -> Option<usize> {
    let (first, last) = (*grid.first()?, *grid.last()?);
    let (lo, hi) = (first.min(last), first.max(last));
    if !(lo..=hi).contains(&v) || grid.len() < 2 {
        return None;
    }
    let t = (v - first) / (last - first) * (grid.len() - 1) as f64;
    Some((t.round() as usize).min(grid.len() - 1))
}

/// Plot points at the canvas's own resolution wherever the nearest slice
/// sample is "inner": drawing the samples themselves leaves stripes when
/// the grid and the dot raster differ.
pub fn inner_points(
    slice: &DecisionSlice,
    x_bounds: [f64; 2],
    y_bounds: [f64; 2],
    dots: (usize, usize),
) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let (nx, ny) = dots;
    for j in 0..ny {
        let y = y_bounds[0] + (j as f64 + 0.5) / ny as f64 * (y_bounds[1] - y_bounds[0]);
        let Some(r) = nearest_index(&slice.ys, y) else {
            continue;
        };
        let Some(row) = slice.inner.get(r) else {
            continue;
        };
        for i in 0..nx {
            let x = x_bounds[0] + (i as f64 + 0.5) / nx as f64 * (x_bounds[1] - x_bounds[0]);
            let inside = nearest_index(&slice.xs, x).and_then(|c| row.get(c).copied());
            if inside == Some(true) {
                out.push((x, y));
            }
        }
    }
    out
}

/// Dots per cell of a marker, horizontally and vertically.
fn dots_per_cell(marker: Marker) -> (usize, usize) {
    match marker {
        Marker::Braille => (2, 4),
        Marker::HalfBlock => (1, 2),
        Marker::Quadrant => (2, 2),
        Marker::Sextant => (2, 3),
        Marker::Octant => (2, 4),
        _ => (1, 1),
    }
}

fn range(v: &[f64]) -> [f64; 2] {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi > lo {
        [lo, hi]
    } else {
        [-1.0, 1.0]
    }
}

/// Widens one axis so circles stay round: a cell is about twice as tall as
/// it is wide.
fn round_bounds(x: [f64; 2], y: [f64; 2], area: Rect) -> ([f64; 2], [f64; 2]) {
    let cols = f64::from(area.width.max(1));
    let rows = f64::from(area.height.max(1)) * 2.0;
    let (xw, yh) = (x[1] - x[0], y[1] - y[0]);
    let widen = |b: [f64; 2], to: f64| {
        let mid = (b[0] + b[1]) / 2.0;
        [mid - to / 2.0, mid + to / 2.0]
    };
    if xw / yh < cols / rows {
        (widen(x, yh * cols / rows), y)
    } else {
        (x, widen(y, xw * rows / cols))
    }
}

/// Circle radii: inner sphere, outer sphere, max-margin boundary.
pub fn radii(slice: &DecisionSlice, run_radius: f64) -> [f64; 3] {
    let r = if slice.radius > 0.0 {
        slice.radius
    } else {
        run_radius
    };
    [1.0, r, (1.0 + r) / 2.0]
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, run_radius: f64, look: &Look) {
    let Some(stamped) = &m.slice else {
        frame.render_widget(block(" decision slice: waiting… ", look), area);
        return;
    };
    let slice = &stamped.value;
    let [r_in, r_out, margin] = radii(slice, run_radius);
    let inner_area = block("", look).inner(area);
    let (xb, yb) = round_bounds(range(&slice.xs), range(&slice.ys), inner_area);
    let (dx, dy) = dots_per_cell(look.marker());
    let dots = (
        inner_area.width as usize * dx,
        inner_area.height as usize * dy,
    );
    let points = inner_points(slice, xb, yb, dots);
    let (c_in, c_out, c_margin, c_fill) = (
        look.color(Role::Title),
        look.color(Role::Outer),
        look.color(Role::Bound),
        look.color(Role::Inner),
    );
    let legend = Line::from(vec![
        Span::styled(" inner side ", look.style(Role::Inner)),
        Span::styled("r=1 ", look.style(Role::Title)),
        Span::styled(format!("R={r_out:.3} "), look.style(Role::Outer)),
        Span::styled(format!("margin {margin:.3} "), look.style(Role::Bound)),
    ]);
    let canvas = Canvas::default()
        .block(
            block(
                format!(" slice {} · v{} ", slice.kind.as_str(), stamped.version),
                look,
            )
            .title_bottom(legend),
        )
        .marker(look.marker())
        .x_bounds(xb)
        .y_bounds(yb)
        .paint(move |ctx| {
            ctx.draw(&Points {
                coords: &points,
                color: c_fill,
            });
            ctx.layer();
            for (radius, color) in [(r_in, c_in), (r_out, c_out), (margin, c_margin)] {
                ctx.draw(&Circle {
                    x: 0.0,
                    y: 0.0,
                    radius,
                    color,
                });
            }
        });
    frame.render_widget(canvas, area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::slice;

    #[test]
    fn shading_follows_the_model_and_stays_inside_the_slice() {
        let s = slice(32).value;
        let points = inner_points(&s, [-1.6, 1.6], [-1.6, 1.6], (64, 64));
        assert!(!points.is_empty());
        // The fixture's boundary wobbles around 1.15 by at most 0.08, plus
        // half a grid step of rounding.
        let grid_step = 3.2 / 31.0;
        for (x, y) in &points {
            assert!((x * x + y * y).sqrt() < 1.23 + grid_step, "({x}, {y})");
        }
        assert!(points.iter().any(|(x, y)| x.abs() < 0.1 && y.abs() < 0.1));
        // Outside the sampled square nothing is drawn.
        let wide = inner_points(&s, [-4.0, 4.0], [-4.0, 4.0], (64, 64));
        assert!(wide.iter().all(|(x, y)| x.abs() <= 1.6 && y.abs() <= 1.6));
    }

    #[test]
    fn circles_stay_round_in_tall_cells() {
        let area = Rect::new(0, 0, 40, 10);
        let (x, y) = round_bounds([-1.0, 1.0], [-1.0, 1.0], area);
        // 40 columns by 20 half-rows: x spans twice what y spans.
        assert!(((x[1] - x[0]) / (y[1] - y[0]) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn radii_are_both_spheres_and_the_max_margin() {
        assert_eq!(radii(&slice(4).value, 1.3), [1.0, 1.3, 1.15]);
    }
}
