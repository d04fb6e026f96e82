//! Quadratic net: the decision ellipsoid's alphas, its exact error rates,
//! the exact worst-case loss and the attack's check on it. Other models get
//! a short note instead.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::palette::Role;
use crate::tui::widgets::chart_frame::block;
use crate::tui::widgets::{alpha_histogram, quad_rates, worst_case_chart};

pub fn note(app: &App) -> Option<String> {
    if app.info.model != "quad" {
        return Some(format!(
            "This screen analyses quadratic nets (model \"quad\"); this run trains a \"{}\" model.",
            app.info.model
        ));
    }
    app.measures
        .quad
        .is_none()
        .then(|| "waiting for the first quadratic-net report…".to_string())
}

pub fn view(frame: &mut Frame, area: Rect, app: &App) {
    if let Some(text) = note(app) {
        let [top, bottom] =
            Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(area);
        frame.render_widget(
            Paragraph::new(text)
                .style(app.look.style(Role::Dim))
                .block(block(" quadratic net ", &app.look))
                .wrap(Wrap { trim: true }),
            top,
        );
        if !app.measures.worst_loss.is_empty() {
            worst_case_chart::render(frame, bottom, &app.measures, &app.look);
        }
        return;
    }
    let Some(report) = &app.measures.quad else {
        return;
    };
    let (radius, look) = (app.info.radius, &app.look);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    alpha_histogram::render(frame, left, &report.value, radius, look);
    let rows = quad_rates::lines(&report.value, radius).len() as u16 + 2;
    let [rates, losses] =
        Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(right);
    quad_rates::render(frame, rates, report, radius, look);
    worst_case_chart::render(frame, losses, &app.measures, look);
}
