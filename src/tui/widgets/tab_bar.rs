//! The screen tabs and the run-state badge on the top line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::session::messages::RunState;
use crate::tui::app::App;
use crate::tui::lifecycle::Lifecycle;
use crate::tui::palette::Role;
use crate::tui::screen::Screen;
use crate::tui::training::Training;

pub fn state_label(t: &Training, life: &Lifecycle) -> (&'static str, Role) {
    if life.stopping && !life.workers_gone {
        return ("STOPPING", Role::Warn);
    }
    // A run that ended on its own says how (finished, diverged...); one
    // whose process vanished, or whose stream a file reader has no live
    // end for, says that.
    if life.workers_gone && t.run_state != RunState::Finished {
        return ("ENDED", Role::Dim);
    }
    if life.serving == Some(false) && matches!(t.run_state, RunState::Running | RunState::Paused) {
        return ("NOT RUNNING", Role::Dim);
    }
    match t.run_state {
        RunState::Running => ("RUNNING", Role::Good),
        RunState::Paused => ("PAUSED", Role::Warn),
        RunState::Diverged => ("DIVERGED", Role::Error),
        RunState::Finished => ("FINISHED", Role::Accent),
    }
}

/// Full titles need this many columns, the state badge included.
const WIDE: u16 = 76;

fn titles(width: u16) -> Vec<String> {
    Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if width >= WIDE {
                format!("{} {}", i + 1, s.title())
            } else {
                format!("{}:{}", i + 1, &s.title()[..4])
            }
        })
        .collect()
}

/// The tab under column `x` of a top line `width` wide. Mirrors how Tabs
/// lays out: one space either side of each title, a divider between.
pub fn tab_at(x: u16, width: u16) -> Option<Screen> {
    let mut start = 0u16;
    for (title, screen) in titles(width).iter().zip(Screen::ALL) {
        let end = start + title.chars().count() as u16 + 2;
        if (start..end).contains(&x) {
            return Some(screen);
        }
        start = end + 1;
    }
    None
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let (label, role) = state_label(&app.training, &app.life);
    let badge = format!(" {label} ");
    let [tabs_area, badge_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(badge.len() as u16)])
            .areas(area);
    let tabs = Tabs::new(titles(area.width))
        .select(app.ui.screen.index())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_find_their_tab() {
        assert_eq!(tab_at(0, 80), Some(Screen::Overview));
        assert_eq!(tab_at(11, 80), Some(Screen::Overview));
        assert_eq!(tab_at(12, 80), None, "the divider");
        assert_eq!(tab_at(13, 80), Some(Screen::Geometry));
        assert_eq!(tab_at(60, 80), Some(Screen::Help));
        assert_eq!(tab_at(70, 80), None);
        assert_eq!(tab_at(8, 60), None);
        assert_eq!(tab_at(9, 60), Some(Screen::Geometry));
    }
}
