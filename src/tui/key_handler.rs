//! What a key press does: looks the key up in the table, changes the state
//! and returns the commands for the workers. Pure, so every key is testable
//! without a terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use crate::session::messages::{Command, RunState};

use super::app::{App, Prompt};
use super::keys::{Action, action_for};

/// Applies a key press to the state; returns what to send to the workers.
pub fn handle_key(app: &mut App, event: KeyEvent) -> Vec<Command> {
    if event.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let Some(action) = action_for(app, &event) else {
        return Vec::new();
    };
    app.mark_dirty();
    // Feedback belongs to the previous action; the hints come back.
    app.notice = None;
    apply(app, action, &event)
}

fn apply(app: &mut App, action: Action, event: &KeyEvent) -> Vec<Command> {
    match action {
        Action::Quit => return quit(app),
        Action::TogglePause => return toggle_pause(app),
        Action::StepOnce => {
            if app.run_state == RunState::Paused {
                return vec![Command::Step];
            }
            app.notice = Some("pause first (space) to step".into());
        }
        Action::Snapshot => {
            app.notice = Some("snapshot requested".into());
            return vec![Command::Snapshot];
        }
        Action::NextScreen => app.screen = app.screen.next(),
        Action::PreviousScreen => app.screen = app.screen.previous(),
        Action::Show(screen) => app.screen = screen,
        Action::SelectUp => app.edit.move_by(-1, app.info.controls.len()),
        Action::SelectDown => app.edit.move_by(1, app.info.controls.len()),
        Action::StartEdit => {
            if let Some(c) = app.info.controls.get(app.edit.selected) {
                app.edit.buffer = Some(c.value.clone());
            }
        }
        Action::SubmitEdit => return submit_edit(app),
        Action::CancelEdit => app.edit.buffer = None,
        Action::DeleteChar => {
            if let Some(b) = app.edit.buffer.as_mut() {
                b.pop();
            }
        }
        Action::ClearEdit => {
            if let Some(b) = app.edit.buffer.as_mut() {
                b.clear();
            }
        }
        Action::TypeChar => {
            if let (Some(b), KeyCode::Char(c)) = (app.edit.buffer.as_mut(), event.code) {
                b.push(c);
            }
        }
        Action::SmoothMore => {
            app.smoothing.more();
        }
        Action::SmoothLess => {
            app.smoothing.less();
        }
        Action::ToggleLog => app.log_scale = !app.log_scale,
        Action::SaveAndQuit => return stop(app, true),
        Action::QuitWithoutSaving => return stop(app, false),
        Action::CancelPrompt => app.prompt = None,
    }
    Vec::new()
}

fn quit(app: &mut App) -> Vec<Command> {
    if app.stopping || app.workers_gone {
        // Pressed again while waiting, or nobody left to stop: leave now.
        app.exit_now = true;
        return Vec::new();
    }
    if app.unsaved_steps() > 0 {
        app.prompt = Some(Prompt::SaveBeforeQuit);
        return Vec::new();
    }
    stop(app, false)
}

fn stop(app: &mut App, save: bool) -> Vec<Command> {
    app.prompt = None;
    app.stopping = true;
    vec![Command::Stop { save }]
}

fn toggle_pause(app: &mut App) -> Vec<Command> {
    match app.run_state {
        RunState::Running => vec![Command::Pause],
        RunState::Paused | RunState::Diverged => vec![Command::Resume],
        RunState::Finished => {
            app.notice = Some("run finished".into());
            Vec::new()
        }
    }
}

fn submit_edit(app: &mut App) -> Vec<Command> {
    let Some(control) = app.info.controls.get(app.edit.selected) else {
        app.edit.buffer = None;
        return Vec::new();
    };
    let value = app.edit.buffer.as_deref().unwrap_or("").trim().to_string();
    if value.is_empty() {
        app.notice = Some(format!("{}: type a value or press esc", control.key));
        return Vec::new();
    }
    let key = control.key.clone();
    app.edit.buffer = None;
    app.edit.refusal = None;
    app.edit.pending = Some((key.clone(), value.clone()));
    app.notice = Some(format!("sent {key} = {value}"));
    vec![Command::Set { key, value }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::messages::Event;
    use crate::tui::fixtures::{run_info, step};
    use crate::tui::screen::Screen;
    use ratatui::crossterm::event::KeyModifiers;

    fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
        handle_key(app, KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    #[test]
    fn space_pauses_a_running_run_and_resumes_a_paused_one() {
        let mut app = App::new(run_info("relu"));
        assert_eq!(press(&mut app, KeyCode::Char(' ')), vec![Command::Pause]);
        app.update(Event::State {
            state: RunState::Paused,
        });
        assert_eq!(press(&mut app, KeyCode::Char(' ')), vec![Command::Resume]);
    }

    #[test]
    fn n_steps_only_while_paused() {
        let mut app = App::new(run_info("relu"));
        assert!(press(&mut app, KeyCode::Char('n')).is_empty());
        app.update(Event::State {
            state: RunState::Paused,
        });
        assert_eq!(press(&mut app, KeyCode::Char('n')), vec![Command::Step]);
    }

    #[test]
    fn s_requests_a_snapshot() {
        let mut app = App::new(run_info("relu"));
        assert_eq!(press(&mut app, KeyCode::Char('s')), vec![Command::Snapshot]);
    }

    #[test]
    fn digits_and_tab_switch_screens() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('3'));
        assert_eq!(app.screen(), Screen::Quadratic);
        press(&mut app, KeyCode::Char('1'));
        assert_eq!(app.screen(), Screen::Overview);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.screen(), Screen::Geometry);
        press(&mut app, KeyCode::BackTab);
        press(&mut app, KeyCode::BackTab);
        assert_eq!(app.screen(), Screen::Help);
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.screen(), Screen::Help);
    }

    #[test]
    fn q_with_unsaved_progress_asks_first() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::StepMetrics(step(100, 0.5)));
        assert!(press(&mut app, KeyCode::Char('q')).is_empty());
        assert_eq!(app.prompt, Some(Prompt::SaveBeforeQuit));
        // While asking, other keys do nothing.
        assert!(press(&mut app, KeyCode::Char(' ')).is_empty());
        assert!(press(&mut app, KeyCode::Esc).is_empty());
        assert_eq!(app.prompt, None);
        assert!(!app.is_stopping());
        press(&mut app, KeyCode::Char('q'));
        assert_eq!(
            press(&mut app, KeyCode::Char('y')),
            vec![Command::Stop { save: true }]
        );
        assert!(app.is_stopping());
    }

    #[test]
    fn q_answered_no_stops_without_saving() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::StepMetrics(step(100, 0.5)));
        press(&mut app, KeyCode::Char('q'));
        assert_eq!(
            press(&mut app, KeyCode::Char('n')),
            vec![Command::Stop { save: false }]
        );
    }

    #[test]
    fn q_without_unsaved_progress_stops_at_once() {
        let mut app = App::new(run_info("relu"));
        assert_eq!(
            press(&mut app, KeyCode::Char('q')),
            vec![Command::Stop { save: false }]
        );
        assert!(!app.should_exit());
        press(&mut app, KeyCode::Char('q'));
        assert!(app.should_exit(), "a second q leaves without waiting");
    }

    #[test]
    fn editing_sends_set_and_esc_cancels() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('4'));
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.edit.buffer.as_deref(), Some("1e-4"));
        // Digits type while editing instead of switching screens.
        type_text(&mut app, "5");
        assert_eq!(app.screen(), Screen::Controls);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.edit.buffer, None);
        assert_eq!(app.info.controls[0].value, "1e-4");

        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        handle_key(
            &mut app,
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
        );
        type_text(&mut app, "128");
        assert_eq!(
            press(&mut app, KeyCode::Enter),
            vec![Command::Set {
                key: "train.batch".into(),
                value: "128".into()
            }]
        );
    }

    #[test]
    fn empty_edit_is_not_sent() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('4'));
        press(&mut app, KeyCode::Enter);
        for _ in 0..10 {
            press(&mut app, KeyCode::Backspace);
        }
        assert!(press(&mut app, KeyCode::Enter).is_empty());
        assert!(app.edit.is_editing());
    }

    #[test]
    fn refused_edit_leaves_the_value_and_shows_why() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('4'));
        press(&mut app, KeyCode::Enter);
        handle_key(
            &mut app,
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
        );
        type_text(&mut app, "-3");
        let sent = press(&mut app, KeyCode::Enter);
        assert_eq!(sent.len(), 1);
        app.update(Event::Refused {
            key: "train.lr".into(),
            value: "-3".into(),
            reason: "learning rate must be > 0".into(),
        });
        assert_eq!(app.info.controls[0].value, "1e-4");
        let refusal = app.edit.refusal.as_ref().unwrap();
        assert_eq!(refusal.reason, "learning rate must be > 0");
    }

    #[test]
    fn smoothing_and_log_toggle() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('+'));
        press(&mut app, KeyCode::Char('+'));
        assert_eq!(app.smoothing.weight(), 0.8);
        press(&mut app, KeyCode::Char('-'));
        assert_eq!(app.smoothing.weight(), 0.6);
        assert!(app.log_scale);
        press(&mut app, KeyCode::Char('l'));
        assert!(!app.log_scale);
    }
}
