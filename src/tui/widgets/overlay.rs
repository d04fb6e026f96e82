//! Centred boxes drawn over a screen: the save question and the wait for the
//! workers to stop.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::tui::app::{App, Prompt};
use crate::tui::format::count;
use crate::tui::palette::Role;

use super::chart_frame::block;

fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub fn lines(app: &App) -> Option<Vec<String>> {
    if app.life.stopping && !app.life.workers_gone {
        return Some(vec![
            "stopping…".into(),
            "the run saves its snapshot and ends".into(),
            "(q again: leave without waiting)".into(),
        ]);
    }
    app.ui.prompt.map(|Prompt::Leave| {
        vec![
            "leave the dashboard?".into(),
            "d  detach: training goes on".into(),
            "s  stop the run and save it".into(),
            "esc  cancel".into(),
            format!(
                "{} steps since the last snapshot",
                count(app.unsaved_steps() as f64)
            ),
        ]
    })
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let Some(text) = lines(app) else {
        return;
    };
    let width = text.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u16 + 4;
    let rect = centred(area, width, text.len() as u16 + 2);
    let role = if app.life.stopping {
        Role::Warn
    } else {
        Role::Accent
    };
    let body: Vec<Line> = text.into_iter().map(Line::from).collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(body)
            .block(block("", &app.look).border_style(app.look.style(role)))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
