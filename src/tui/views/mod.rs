//! Screens: each is a pure function of the app state. The frame around them
//! (tabs, message line, status line, overlays) is drawn here.

pub mod compare;
pub mod controls;
pub mod geometry;
pub mod help;
pub mod overview;
pub mod quadratic;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::app::App;
use super::screen::Screen;
use super::widgets::{message_line, overlay, status_line, tab_bar, too_small};

/// Below this the panels cannot show their numbers.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// Width from which screens show extra panels side by side.
pub const WIDE: u16 = 120;
/// Height from which screens show extra panels stacked.
pub const TALL: u16 = 36;

pub fn view(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small::render(frame, area, MIN_SIZE, &app.look);
        return;
    }
    let [tabs, body, message, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    tab_bar::render(frame, tabs, app);
    match app.ui.screen {
        Screen::Overview => overview::view(frame, body, app),
        Screen::Geometry => geometry::view(frame, body, app),
        Screen::Quadratic => quadratic::view(frame, body, app),
        Screen::Controls => controls::view(frame, body, app),
        Screen::Help => help::view(frame, body, app),
    }
    message_line::render(frame, message, &app.ui, &app.look);
    status_line::render(frame, status, app);
    overlay::render(frame, body, app);
}
