//! The bottom line: where the run is and what it runs on. Pieces are
//! dropped from the end when the terminal is narrow.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::format::{count, duration};
use crate::tui::palette::Role;
use crate::tui::widgets::tab_bar::state_label;

/// (priority, text) in display order; lower priority numbers stay longest
/// when the line is too narrow for everything.
pub fn pieces(app: &App) -> Vec<(u8, String)> {
    let (t, info) = (&app.training, &app.info);
    let step = t.current_step();
    let mut out = vec![
        (0, info.preset.clone()),
        (
            1,
            format!(
                "step {}/{}",
                count(step as f64),
                count(info.total_steps as f64)
            ),
        ),
    ];
    if let Some(m) = t.latest {
        out.push((6, format!("samples {}", count(m.samples as f64))));
        out.push((5, format!("elapsed {}", duration(m.elapsed_s))));
    }
    if let Some(eta) = t.eta_seconds(info.total_steps) {
        out.push((3, format!("ETA {}", duration(eta))));
    }
    out.push((2, state_label(t, &app.life).0.to_lowercase()));
    out.push((
        4,
        format!(
            "cores {} train / {} eval",
            info.train_threads, info.eval_threads
        ),
    ));
    if let Some(v) = t.model_version {
        out.push((8, format!("model v{v}")));
    }
    let unsaved = t.unsaved_steps();
    if unsaved > 0 {
        out.push((7, format!("unsaved {} steps", count(unsaved as f64))));
    }
    out
}

/// The pieces that fit in `width`, most important first, shown in order.
pub fn fitted(app: &App, width: usize) -> Vec<String> {
    const SEP: usize = 3;
    let all = pieces(app);
    let mut by_priority: Vec<usize> = (0..all.len()).collect();
    by_priority.sort_by_key(|&i| all[i].0);
    let mut keep = vec![false; all.len()];
    let mut used = 0;
    for i in by_priority {
        let cost = all[i].1.chars().count() + if used == 0 { 0 } else { SEP };
        if used + cost <= width {
            used += cost;
            keep[i] = true;
        }
    }
    all.into_iter()
        .zip(keep)
        .filter_map(|((_, text), k)| k.then_some(text))
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    for (i, piece) in fitted(app, area.width as usize).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" | ", app.look.style(Role::Dim)));
        }
        spans.push(Span::raw(piece));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
