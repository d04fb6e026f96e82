//! Three 2-D slices through an inner-sphere point, shaded where the model
//! says "inner", with both spheres and the max-margin circle.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{FAMILY, Figure};
use crate::attack::DecisionSlice;

pub struct Slices<'a> {
    pub point: &'a str,
    pub slices: &'a [DecisionSlice],
}

fn circle(r: f64) -> Vec<(f64, f64)> {
    (0..=180)
        .map(|i| {
            let t = i as f64 / 180.0 * std::f64::consts::TAU;
            (r * t.cos(), r * t.sin())
        })
        .collect()
}

impl Figure for Slices<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let root = root.titled(
            &format!(
                "{}: decision slices (shaded = classified inner); circles: inner sphere, max margin (dashed), outer sphere",
                self.point
            ),
            (FAMILY, 17),
        )?;
        let panels = root.split_evenly((1, self.slices.len().max(1)));
        for (area, s) in panels.iter().zip(self.slices) {
            let ext = 1.1 * s.radius;
            let mut chart = ChartBuilder::on(area)
                .caption(s.kind.as_str(), (FAMILY, 15))
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(36)
                .build_cartesian_2d(-ext..ext, -ext..ext)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .label_style((FAMILY, 11))
                .draw()?;
            let dx =
                s.xs.get(1)
                    .zip(s.xs.first())
                    .map(|(b, a)| b - a)
                    .unwrap_or(0.0)
                    / 2.0;
            let dy =
                s.ys.get(1)
                    .zip(s.ys.first())
                    .map(|(b, a)| b - a)
                    .unwrap_or(0.0)
                    / 2.0;
            let shade = RGBColor(255, 200, 120);
            chart.draw_series(s.inner.iter().enumerate().flat_map(|(r, row)| {
                let y = s.ys[r];
                row.iter()
                    .enumerate()
                    .filter(|(_, inner)| **inner)
                    .map(move |(c, _)| {
                        let x = s.xs[c];
                        Rectangle::new([(x - dx, y - dy), (x + dx, y + dy)], shade.filled())
                    })
            }))?;
            chart.draw_series(LineSeries::new(circle(1.0), BLUE.stroke_width(2)))?;
            chart.draw_series(LineSeries::new(circle(s.radius), RED.stroke_width(2)))?;
            chart.draw_series(DashedLineSeries::new(
                circle((1.0 + s.radius) / 2.0),
                5,
                4,
                BLACK.stroke_width(1),
            ))?;
        }
        Ok(())
    }
}
