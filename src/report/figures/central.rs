//! The paper's central figure: d(E) against the error rate for every
//! checkpoint, under the "optimal (estimated)" and exact-cap curves.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{FAMILY, Figure, model_colour};
use crate::report::checkpoint::Checkpoint;
use crate::report::plan::size_label;
use crate::stats::cap::{cap_distance_euclidean, optimal_estimated};

pub struct Central<'a> {
    pub n: usize,
    pub points: &'a [Checkpoint],
}

const MU_MAX: f64 = 0.5;

impl Central<'_> {
    fn mu_min(&self) -> f64 {
        let lowest = self
            .points
            .iter()
            .map(|c| c.mu)
            .filter(|m| *m > 0.0)
            .fold(1e-2, f64::min);
        10f64.powf((lowest.log10() - 0.5).floor()).max(1e-12)
    }

    fn curve(&self, f: fn(usize, f64) -> crate::stats::Result<f64>) -> Vec<(f64, f64)> {
        let (lo, hi) = (self.mu_min().log10(), MU_MAX.log10());
        (0..=200)
            .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / 200.0))
            .filter_map(|mu| f(self.n, mu).ok().map(|d| (mu, d)))
            .filter(|(_, d)| d.is_finite() && *d >= 0.0)
            .collect()
    }
}

impl Figure for Central<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let optimal = self.curve(optimal_estimated);
        let cap = self.curve(cap_distance_euclidean);
        let y_max = self
            .points
            .iter()
            .filter_map(|c| {
                c.mean_distance
                    .map(|d| d + 2.0 * c.distance_se.unwrap_or(0.0))
            })
            .chain(cap.iter().map(|p| p.1))
            .fold(0.0, f64::max)
            * 1.08;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Error rate vs average distance to the nearest error (n = {})",
                    self.n
                ),
                (FAMILY, 22),
            )
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d((self.mu_min()..MU_MAX).log_scale(), 0.0..y_max.max(1e-3))?;
        chart
            .configure_mesh()
            .x_desc("inner-sphere error rate mu (log)")
            .y_desc("d(E): mean distance to the nearest error")
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()?;
        chart
            .draw_series(LineSeries::new(optimal, BLACK.stroke_width(2)))?
            .label("optimal (estimated): Phi^-1(1 - mu) / sqrt(n)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        let grey = RGBColor(120, 120, 120);
        chart
            .draw_series(DashedLineSeries::new(cap, 6, 4, grey.stroke_width(2)))?
            .label("exact cap (the isoperimetric bound)")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], grey.stroke_width(2))
            });
        let mut models: Vec<&str> = self.points.iter().map(|c| c.model.as_str()).collect();
        models.dedup();
        models.sort();
        models.dedup();
        let mut sizes: Vec<u64> = self.points.iter().map(|c| c.train_size).collect();
        sizes.sort();
        sizes.dedup();
        let shape = |size: u64| sizes.iter().position(|s| *s == size).unwrap_or(0) % 4;
        for c in self.points {
            let Some(d) = c.mean_distance else { continue };
            let colour = model_colour(&c.model);
            let se = 2.0 * c.distance_se.unwrap_or(0.0);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(c.mu, (d - se).max(0.0)), (c.mu, d + se)],
                colour.mix(0.6).stroke_width(1),
            )))?;
            // Hollow with an arrow: no error was sampled, so mu is only an
            // upper bound and the point's true place is further left.
            let style = if c.mu_upper_only {
                colour.stroke_width(2)
            } else {
                colour.filled()
            };
            let at = (c.mu, d);
            if c.mu_upper_only {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(at)
                        + Text::new("←", (-26, -9), (FAMILY, 16).into_font().color(&colour)),
                ))?;
            }
            match shape(c.train_size) {
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
