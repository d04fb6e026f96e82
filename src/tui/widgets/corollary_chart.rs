//! The isoperimetric corollary measured: per sphere, the fraction of starts
//! whose found nearest error lies within eps (a lower estimate of the true
//! fraction, built from upper bounds on distance) against the expansion of
//! a cap of the same measure (the theorem's lower bound on the true one),
//! with eps in multiples of the cap bound.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Dataset, GraphType};

use crate::data::Sphere;
use crate::measure::corollary::EPS_MULTIPLES;
use crate::tui::measures::Measures;
use crate::tui::palette::{Look, Role};

use super::chart_frame::{axis, block, chart};

/// (eps / unit, fraction) per sphere: measured, and the cap's expansion.
pub type Curves = Vec<(Sphere, Vec<(f64, f64)>, Vec<(f64, f64)>)>;

pub fn curves(m: &Measures) -> Curves {
    let Some(r) = &m.robustness else {
        return Vec::new();
    };
    r.value
        .corollary
        .iter()
        .map(|c| {
            let unit = c
                .eps
                .first()
                .map(|e| e / EPS_MULTIPLES[0])
                .filter(|u| *u > 0.0)
                .unwrap_or(1.0);
            let x = |e: f64| e / unit;
            let within = c
                .eps
                .iter()
                .zip(&c.within)
                .map(|(e, w)| (x(*e), *w))
                .collect();
            let cap = c
                .eps
                .iter()
                .zip(&c.cap_expansion)
                .filter_map(|(e, v)| Some((x(*e), (*v)?)))
                .collect();
            (c.sphere, within, cap)
        })
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, m: &Measures, look: &Look) {
    let curves = curves(m);
    let x_hi = curves
        .iter()
        .flat_map(|c| c.1.iter().map(|p| p.0))
        .fold(2.0, f64::max);
    let mut datasets = Vec::new();
    for (sphere, within, cap) in &curves {
        let (name, role) = match sphere {
            Sphere::Inner => ("inner", Role::Inner),
            Sphere::Outer => ("outer", Role::Outer),
        };
        datasets.push(
            Dataset::default()
                .name(format!("{name} measured"))
                .marker(look.marker())
                .graph_type(GraphType::Line)
                .style(look.style(role))
                .data(within),
        );
        datasets.push(
            Dataset::default()
                .name(format!("{name} cap (bound)"))
                .marker(look.marker())
                .graph_type(GraphType::Line)
                .style(look.style(Role::Cap))
                .data(cap),
        );
    }
    let title = if curves.is_empty() {
        " corollary: waiting… "
    } else {
        " corollary: within eps "
    };
    let chart = chart(datasets, block(title, look))
        .x_axis(axis(
            [0.0, x_hi],
            vec!["0".into(), format!("{x_hi:.0}×cap")],
            look,
        ))
        .y_axis(axis([0.0, 1.0], vec!["0".into(), "1".into()], look));
    frame.render_widget(chart, area);
}
