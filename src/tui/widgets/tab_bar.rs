//! The screen tabs and the run-state badge on the top line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::session::messages::RunState;
use crate::tui::app::App;
use crate::tui::palette::Role;
use crate::tui::screen::Screen;

pub fn state_label(app: &App) -> (&'static str, Role) {
    if app.stopping {
        return ("STOPPING", Role::Warn);
    }
    if app.workers_gone {
        return ("EXITED", Role::Dim);
    }
    match app.run_state {
        RunState::Running => ("RUNNING", Role::Good),
        RunState::Paused => ("PAUSED", Role::Warn),
        RunState::Diverged => ("DIVERGED", Role::Error),
        RunState::Finished => ("FINISHED", Role::Accent),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (label, role) = state_label(app);
    let badge = format!(" {label} ");
    let [tabs_area, badge_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(badge.len() as u16)])
            .areas(area);
    let wide = tabs_area.width >= 64;
    let titles = Screen::ALL.iter().enumerate().map(|(i, s)| {
        if wide {
            format!("{} {}", i + 1, s.title())
        } else {
            format!("{}:{}", i + 1, &s.title()[..4])
        }
    });
    let tabs = Tabs::new(titles)
        .select(app.screen.index())
        .style(app.look.style(Role::Dim))
        .highlight_style(app.look.style(Role::Selected))
        .divider("|")
        .padding(" ", " ");
    frame.render_widget(tabs, tabs_area);
    let badge = Paragraph::new(Line::from(Span::styled(
        badge,
        app.look
            .style(role)
            .add_modifier(ratatui::style::Modifier::REVERSED),
    )));
    frame.render_widget(badge, badge_area);
}
