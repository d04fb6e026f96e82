//! Training from a perfect initialisation (the paper's Figure 3, right):
//! the average loss falls while the worst-case loss and the number of bad
//! alphas grow. The worst case is drawn exact (closed form from the
//! extreme eigenvalues), with the attack's largest loss as its check.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{FAMILY, Figure};
use crate::report::checkpoint::PerfectInit;

pub struct PerfectInitFigure<'a> {
    pub records: &'a [PerfectInit],
    pub alphas: usize,
}

impl Figure for PerfectInitFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let r = self.records;
        let last = r.iter().map(|x| x.step).max().unwrap_or(1).max(1) as f64;
        let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 * 11 / 20);
        let series = |f: &dyn Fn(&PerfectInit) -> Option<f64>| -> Vec<(f64, f64)> {
            r.iter()
                .filter_map(|x| Some((x.step as f64, f(x)?)))
                .filter(|p| p.1.is_finite() && p.1 > 0.0)
                .collect()
        };
        let exact = series(&|x| x.exact_worst());
        let attacked = series(&|x| Some(x.worst_loss));
        let train = series(&|x| Some(x.train_loss));
        let at_starts = series(&|x| Some(x.mean_loss));
        let all = || {
            exact
                .iter()
                .chain(&attacked)
                .chain(&train)
                .chain(&at_starts)
        };
        let lo = all().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = all().map(|p| p.1).fold(0.0f64, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > 0.0 {
            (lo / 1.5, hi * 1.5)
        } else {
            (1e-3, 10.0)
        };
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Quadratic net from a perfect initialisation: average vs worst-case loss",
                (FAMILY, 19),
            )
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..last, (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .y_desc("loss (log)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 15))
            .draw()?;
        let (blue, red) = (RGBColor(31, 119, 180), RGBColor(214, 39, 40));
        chart
            .draw_series(LineSeries::new(exact.clone(), red.stroke_width(2)))?
            .label("worst-case loss, exact (closed form)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(2)));
        chart.draw_series(exact.iter().map(|p| Circle::new(*p, 3, red.filled())))?;
        chart
            .draw_series(DashedLineSeries::new(
                attacked.clone(),
                5,
                4,
                red.stroke_width(1),
            ))?
            .label("largest loss the worst-case attack found (a lower estimate)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(1)));
        chart.draw_series(
            attacked
                .iter()
                .map(|p| Cross::new(*p, 3, red.stroke_width(1))),
        )?;
        chart
            .draw_series(LineSeries::new(train.clone(), blue.stroke_width(2)))?
            .label("average loss: mean training loss since the previous point")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2))
            });
        chart.draw_series(train.iter().map(|p| Circle::new(*p, 3, blue.filled())))?;
        chart
            .draw_series(DashedLineSeries::new(at_starts, 5, 4, blue.stroke_width(1)))?
            .label("mean loss at the attack's starting points")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(1))
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FAMILY, 13))
            .draw()?;
        let bad_max = r.iter().filter_map(PerfectInit::bad).max().unwrap_or(0) as f64;
        let mut chart = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..last, 0.0..(bad_max * 1.15).max(1.0))?;
        chart
            .configure_mesh()
            .x_desc("training step")
            .y_desc(format!("bad alphas (of {})", self.alphas))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 15))
            .draw()?;
        // Steps where b >= 0 have no band to count against: left out.
        let bad: Vec<(f64, f64)> = r
            .iter()
            .filter_map(|x| Some((x.step as f64, x.bad()? as f64)))
            .collect();
        chart.draw_series(LineSeries::new(bad.clone(), BLACK.stroke_width(2)))?;
        chart.draw_series(bad.iter().map(|p| Circle::new(*p, 3, BLACK.filled())))?;
        Ok(())
    }
}
