//! Histogram of a quadratic net's alphas: perfect classification needs
//! every one inside [1/R^2, 1], shaded here.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{FAMILY, Figure};

pub struct Alphas<'a> {
    pub point: &'a str,
    pub step: u64,
    pub alphas: &'a [f64],
    pub radius: f64,
    pub bad: usize,
    pub exact_inner: f64,
    pub exact_outer: f64,
}

const BINS: usize = 40;

impl Figure for Alphas<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let band = (1.0 / (self.radius * self.radius), 1.0);
        let lo = self.alphas.iter().copied().fold(band.0, f64::min);
        let hi = self.alphas.iter().copied().fold(band.1, f64::max);
        let (lo, hi) = (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
        let width = (hi - lo) / BINS as f64;
        let mut counts = [0usize; BINS];
        for a in self.alphas {
            let i = (((a - lo) / width) as usize).min(BINS - 1);
            counts[i] += 1;
        }
        let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.15 + 1.0;
        let title = format!(
            "{} at step {}: {} of {} alphas outside [1/R^2, 1]; exact error inner {:.2e}, outer {:.2e}",
            self.point,
            self.step,
            self.bad,
            self.alphas.len(),
            self.exact_inner,
            self.exact_outer
        );
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FAMILY, 17))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(lo..hi, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("alpha_i")
            .y_desc("count")
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()?;
        let green = RGBColor(44, 160, 44);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(band.0, 0.0), (band.1, top)],
                green.mix(0.18).filled(),
            )))?
            .label("[1/R^2, 1]: no errors when every alpha is inside")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 18, y + 5)], green.mix(0.3).filled())
            });
        let blue = RGBColor(31, 119, 180);
        chart.draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| {
                    let x0 = lo + i as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width * 0.92, *c as f64)], blue.filled())
                }),
        )?;
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
