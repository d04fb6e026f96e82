//! The quadratic net's alphas: a perfect classifier has every one inside
//! [1/R^2, 1]; bars outside the band are errors waiting to be found.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::session::messages::QuadReport;
use crate::tui::format::value;
use crate::tui::palette::Look;
use crate::tui::palette::Role;

use super::histogram_panel::{self, Histogram, Mark};

pub fn band(radius: f64) -> [f64; 2] {
    [1.0 / (radius * radius), 1.0]
}

pub fn render(frame: &mut Frame, area: Rect, report: &QuadReport, radius: f64, look: &Look) {
    let [low, high] = band(radius);
    let finite = || report.alphas.iter().copied().filter(|a| a.is_finite());
    let range = [finite().fold(0.0, f64::min), finite().fold(1.2, f64::max)];
    let in_band = move |centre: f64| {
        if (low..=high).contains(&centre) {
            Role::Good
        } else {
            Role::Error
        }
    };
    let histogram = Histogram {
        title: format!(
            " alphas ({}), band [{}, 1] ",
            report.alphas.len(),
            value(low)
        ),
        values: &report.alphas,
        range,
        marks: vec![
            Mark {
                x: low,
                label: format!("1/R² {}", value(low)),
                role: Role::Bound,
            },
            Mark {
                x: high,
                label: "1".into(),
                role: Role::Bound,
            },
        ],
        bar_role: &in_band,
    };
    histogram_panel::render(frame, area, look, &histogram);
}
