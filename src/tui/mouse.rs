//! Mouse input, when enabled: click a tab to switch screens, scroll through
//! the controls. Off by default so the terminal's own text selection works.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::app::App;
use super::screen::Screen;
use super::widgets::tab_bar::tab_at;

pub fn handle_mouse(app: &mut App, event: MouseEvent) {
    // A prompt or an edit holds the input until it is finished.
    if app.ui.prompt.is_some() || app.ui.edit.is_editing() {
        return;
    }
    let rows = app.info.controls.len();
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) if event.row == 0 => {
            if let Some(screen) = tab_at(event.column, app.ui.size.0) {
                app.ui.screen = screen;
                app.mark_dirty();
            }
        }
        MouseEventKind::ScrollDown if app.ui.screen == Screen::Controls => {
            app.ui.edit.move_by(1, rows);
            app.mark_dirty();
        }
        MouseEventKind::ScrollUp if app.ui.screen == Screen::Controls => {
            app.ui.edit.move_by(-1, rows);
            app.mark_dirty();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::run_info;
    use ratatui::crossterm::event::KeyModifiers;

    fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
        MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }
    }

    #[test]
    fn clicking_a_tab_switches_and_scrolling_selects() {
        let mut app = App::new(run_info("relu"));
        handle_mouse(
            &mut app,
            mouse(MouseEventKind::Down(MouseButton::Left), 45, 0),
        );
        assert_eq!(app.screen(), Screen::Controls);
        handle_mouse(&mut app, mouse(MouseEventKind::ScrollDown, 10, 5));
        handle_mouse(&mut app, mouse(MouseEventKind::ScrollDown, 10, 5));
        assert_eq!(app.ui.edit.selected, 2);
        handle_mouse(
            &mut app,
            mouse(MouseEventKind::Down(MouseButton::Left), 45, 7),
        );
        assert_eq!(
            app.screen(),
            Screen::Controls,
            "clicks below the tabs do nothing"
        );
    }
}
