//! The paper's central figure: d(E) against the error rate for every
//! checkpoint, under the "optimal (estimated)" and exact-cap curves.
//!
//! Each point sits at the rate `measure::rate::choose` picked: a quadratic
//! net at its exact rate, which can be far below anything sampled. The x
//! axis is log10 mu, so rates below the smallest double still have a
//! place; when the rates fall into two groups more than `BREAK_DECADES`
//! apart the axis is broken into two panels, each with the curves drawn
//! from ln mu (so they exist there too). Points whose exact rate is 0 have
//! no error set and are left out (the caption counts them).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{FAMILY, Figure, model_colour};
use crate::data::Sphere;
use crate::measure::{Rate, RateSource, bounds_at};
use crate::report::checkpoint::Checkpoint;
use crate::report::plan::size_label;

pub struct Central<'a> {
    pub n: usize,
    pub points: &'a [Checkpoint],
}

/// log10 of the largest rate drawn, 0.5.
const X_MAX: f64 = -std::f64::consts::LOG10_2;
/// A gap between drawn rates wider than this many decades breaks the axis.
pub const BREAK_DECADES: f64 = 8.0;

/// A point as drawn: log10 mu, d(E), 2 se, and how it is marked.
struct Dot<'a> {
    x: f64,
    d: f64,
    se2: f64,
    upper_only: bool,
    usable: bool,
    c: &'a Checkpoint,
}

impl<'a> Central<'a> {
    fn dots(&self) -> Vec<Dot<'a>> {
        self.points
            .iter()
            .filter_map(|c| {
                let r = c.distance(Sphere::Inner)?;
                let mu = r.mu?;
                if mu.rate.is_zero() {
                    return None;
                }
                Some(Dot {
                    x: mu.rate.log10(),
                    d: r.mean()?,
                    se2: 2.0 * r.se(),
                    upper_only: mu.source == RateSource::UpperBound,
                    usable: r.usable(),
                    c,
                })
            })
            .collect()
    }

    /// Points left out for an exact rate of 0.
    pub fn zero_rate(&self) -> usize {
        self.points
            .iter()
            .filter(|c| c.mu(Sphere::Inner).is_some_and(|m| m.rate.is_zero()))
            .count()
    }

    /// The x ranges of the panels (one, or two when the axis breaks).
    pub fn panels(&self) -> Vec<(f64, f64)> {
        let mut xs: Vec<f64> = self.dots().iter().map(|d| d.x).collect();
        xs.sort_by(f64::total_cmp);
        let lowest = xs.first().copied().unwrap_or(-2.0).min(-2.0);
        // The widest gap between drawn rates (the top of the axis counts
        // as a rate, so one far group alone also breaks).
        xs.push(X_MAX);
        let gap = xs
            .windows(2)
            .map(|w| (w[1] - w[0], w[0], w[1]))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match gap {
            Some((g, left, right)) if g > BREAK_DECADES => vec![
                ((lowest - 0.5).floor(), (left + 0.5).ceil()),
                ((right - 0.5).floor(), X_MAX),
            ],
            _ => vec![((lowest - 0.5).floor(), X_MAX)],
        }
    }

    fn curve(&self, range: (f64, f64), pick: fn(crate::measure::Bounds) -> f64) -> Vec<(f64, f64)> {
        let (lo, hi) = range;
        (0..=200)
            .map(|i| lo + (hi - lo) * i as f64 / 200.0)
            .filter_map(|x| {
                let b = bounds_at(self.n, &Rate::from_log10(x))?;
                Some((x, pick(b)))
            })
            .collect()
    }

    /// The top of a panel's y axis: its points with their bars and both
    /// curves fit.
    fn y_max(&self, range: (f64, f64)) -> f64 {
        let dots = self.dots();
        let curve = self.curve(range, |b| b.cap.max(b.optimal));
        dots.iter()
            .filter(|d| d.x >= range.0 && d.x <= range.1)
            .map(|d| d.d + d.se2)
            .chain(curve.iter().map(|p| p.1))
            .fold(0.0, f64::max)
            .max(1e-3)
            * 1.08
    }

    /// One panel of the figure; `last` carries the legend and the x title.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        range: (f64, f64),
        first: bool,
        last: bool,
        caption: &str,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let y_max = self.y_max(range);
        let mut builder = ChartBuilder::on(area);
        builder
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(if first { 64 } else { 40 });
        if !caption.is_empty() {
            builder.caption(caption, (FAMILY, 22));
        }
        let mut chart = builder.build_cartesian_2d(range.0..range.1, 0.0..y_max)?;
        let mut mesh = chart.configure_mesh();
        let narrow = area.dim_in_pixel().0 < 400;
        mesh.x_label_formatter(&|x| format!("1e{:.0}", x))
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .x_labels(if narrow { 3 } else { 10 });
        if narrow {
            mesh.light_line_style(TRANSPARENT);
        }
        if last {
            mesh.x_desc("inner-sphere error rate mu (log scale)");
        }
        if first {
            mesh.y_desc("d(E): mean distance to the nearest error");
        }
        mesh.draw()?;
        let optimal = self.curve(range, |b| b.optimal);
        let cap = self.curve(range, |b| b.cap);
        let grey = RGBColor(120, 120, 120);
        let s = chart.draw_series(LineSeries::new(optimal, BLACK.stroke_width(2)))?;
        if last {
            s.label("optimal (estimated): Phi^-1(1 - mu) / sqrt(n)")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2))
                });
        }
        let s = chart.draw_series(DashedLineSeries::new(cap, 6, 4, grey.stroke_width(2)))?;
        if last {
            s.label("exact cap (the isoperimetric bound)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], grey.stroke_width(2))
                });
        }
        let mut sizes: Vec<u64> = self.points.iter().map(|c| c.train_size).collect();
        sizes.sort();
        sizes.dedup();
        let shape = |size: u64| sizes.iter().position(|s| *s == size).unwrap_or(0) % 4;
        for dot in self
            .dots()
            .iter()
            .filter(|d| d.x >= range.0 && d.x <= range.1)
        {
            // Faded: too many starts found no error of their own, so the
            // value runs high and the reading leaves the point out.
            let colour = model_colour(&dot.c.model).mix(if dot.usable { 1.0 } else { 0.35 });
            let at = (dot.x, dot.d);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![
                    (dot.x, (dot.d - dot.se2).max(0.0)),
                    (dot.x, dot.d + dot.se2),
                ],
                colour.mix(0.6).stroke_width(1),
            )))?;
            // Hollow with an arrow: no error was sampled, so mu is only an
            // upper bound and the point's true place is further left.
            let style = if dot.upper_only {
                colour.stroke_width(2)
            } else {
                colour.filled()
            };
            if dot.upper_only {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(at)
                        + Text::new("←", (-26, -9), (FAMILY, 16).into_font().color(&colour)),
                ))?;
            }
            match shape(dot.c.train_size) {
                0 => chart.draw_series(std::iter::once(Circle::new(at, 5, style)))?,
                1 => chart.draw_series(std::iter::once(TriangleMarker::new(at, 6, style)))?,
                2 => chart.draw_series(std::iter::once(
                    EmptyElement::at(at) + Rectangle::new([(-4, -4), (4, 4)], style),
                ))?,
                _ => {
                    chart.draw_series(std::iter::once(Cross::new(at, 5, colour.stroke_width(2))))?
                }
            };
        }
        if !last {
            return Ok(());
        }
        let mut models: Vec<&str> = self.points.iter().map(|c| c.model.as_str()).collect();
        models.sort();
        models.dedup();
        for m in &models {
            let colour = model_colour(m);
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(format!("{m} (colour)"))
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
        }
        for (i, s) in sizes.iter().enumerate() {
            let label = format!("train size {} (marker)", size_label(*s));
            let series = chart.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?;
            let black = BLACK;
            match i % 4 {
                0 => series
                    .label(label)
                    .legend(move |(x, y)| Circle::new((x + 10, y), 5, black.filled())),
                1 => series
                    .label(label)
                    .legend(move |(x, y)| TriangleMarker::new((x + 10, y), 6, black.filled())),
                2 => series.label(label).legend(move |(x, y)| {
                    Rectangle::new([(x + 6, y - 4), (x + 14, y + 4)], black.filled())
                }),
                _ => series
                    .label(label)
                    .legend(move |(x, y)| Cross::new((x + 10, y), 5, black.stroke_width(2))),
            };
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FAMILY, 13))
            .draw()?;
        Ok(())
    }
}

impl Figure for Central<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = format!(
            "Error rate vs average distance to the nearest error (n = {})",
            self.n
        );
        let panels = self.panels();
        if let [only] = panels[..] {
            return self.panel(root, only, true, true, &title);
        }
        let (w, _) = root.dim_in_pixel();
        let root = root.titled(&title, (FAMILY, 22))?;
        let (left, right) = root.split_horizontally(w / 4);
        // Each side has its own y axis: the far rates' distances are several
        // times the others'.
        self.panel(&left, panels[0], true, false, "")?;
        self.panel(&right, panels[1], false, true, "")?;
        // The break: two slanted strokes on the seam of the x axes.
        let (lw, lh) = left.dim_in_pixel();
        let seam = lw as i32;
        let axis_y = lh as i32 - 48 - 12;
        for dx in [-6, 2] {
            root.draw(&PathElement::new(
                vec![(seam + dx, axis_y + 8), (seam + dx + 8, axis_y - 8)],
                BLACK.stroke_width(2),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::choose;
    use crate::report::reading::tests::{point, with_rate};
    use crate::stats::rate_estimate;

    #[test]
    fn a_far_exact_rate_breaks_the_axis_and_a_zero_rate_is_left_out() {
        let near = vec![
            point(0.01, 0.1, 0.01, false),
            point(1e-3, 0.15, 0.01, false),
        ];
        let one = Central {
            n: 100,
            points: &near,
        };
        assert_eq!(one.panels(), vec![(-4.0, X_MAX)]);
        let mut far = near.clone();
        let exact = choose(Some(Rate::from_mu(2e-34)), None, None);
        far.push(with_rate(exact, rate_estimate(0, 100_000), 0.9, 0.01));
        let zero = choose(Some(Rate::exact(0.0, f64::NEG_INFINITY)), None, None);
        far.push(with_rate(zero, rate_estimate(0, 100_000), 0.5, 0.01));
        let two = Central {
            n: 100,
            points: &far,
        };
        let panels = two.panels();
        assert_eq!(panels.len(), 2, "{panels:?}");
        assert!(panels[0].0 <= -34.0 && panels[0].1 >= -34.0 && panels[0].1 < -20.0);
        assert_eq!(panels[1], (-4.0, X_MAX));
        assert_eq!((two.dots().len(), two.zero_rate()), (3, 1));
        // Rates below the smallest double still have a place.
        let tiny = choose(Some(Rate::exact(0.0, -1000.0)), None, None);
        let deep = vec![with_rate(tiny, rate_estimate(0, 100_000), 1.2, 0.01)];
        let fig = Central {
            n: 100,
            points: &deep,
        };
        let p = fig.panels();
        assert!(p.len() == 2 && p[0].0 < -434.0, "{p:?}");
        // ... and so do the bound curves.
        let curve = fig.curve(p[0], |b| b.cap);
        assert_eq!(curve.len(), 201);
        assert!(curve.iter().all(|(_, d)| *d > 1.0 && *d < 2.0), "{curve:?}");
    }
}
