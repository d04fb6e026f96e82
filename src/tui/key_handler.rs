//! What a key press does: looks the key up in the table, changes the state
//! and returns the commands for the workers. Pure, so every key is testable
//! without a terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use crate::session::messages::{Command, RunState};

use super::app::{App, Prompt};
use super::keys::{Action, action_for};
use super::lifecycle::Leaving;

/// Applies a key press to the state; returns what to send to the run.
pub fn handle_key(app: &mut App, event: KeyEvent) -> Vec<Command> {
    if event.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let Some(action) = action_for(app, &event) else {
        return Vec::new();
    };
    app.mark_dirty();
    // Feedback belongs to the previous action; the hints come back.
    app.ui.notice = None;
    let commands = apply(app, action, &event);
    if app.life.read_only && !commands.is_empty() {
        app.ui.edit.pending = None;
        app.ui.notice = Some("read-only: this dashboard sends no commands".into());
        return Vec::new();
    }
    commands
}

fn apply(app: &mut App, action: Action, event: &KeyEvent) -> Vec<Command> {
    let ui = &mut app.ui;
    match action {
        Action::Quit => return quit(app),
        Action::TogglePause => return toggle_pause(app),
        Action::StepOnce => {
            if app.training.run_state == RunState::Paused {
                return vec![Command::Step];
            }
            ui.notice = Some("pause first (space) to step".into());
        }
        Action::Snapshot => {
            ui.notice = Some("snapshot requested".into());
            return vec![Command::Snapshot];
        }
        Action::NextScreen => ui.screen = ui.screen.next(),
        Action::PreviousScreen => ui.screen = ui.screen.previous(),
        Action::Show(screen) => ui.screen = screen,
        Action::SelectUp => ui.edit.move_by(-1, app.info.controls.len()),
        Action::SelectDown => ui.edit.move_by(1, app.info.controls.len()),
        Action::StartEdit => {
            if let Some(c) = app.info.controls.get(ui.edit.selected) {
                ui.edit.buffer = Some(c.value.clone());
            }
        }
        Action::SubmitEdit => return submit_edit(app),
        Action::CancelEdit => ui.edit.buffer = None,
        Action::DeleteChar => {
            if let Some(b) = ui.edit.buffer.as_mut() {
                b.pop();
            }
        }
        Action::ClearEdit => {
            if let Some(b) = ui.edit.buffer.as_mut() {
                b.clear();
            }
        }
        Action::TypeChar => {
            if let (Some(b), KeyCode::Char(c)) = (ui.edit.buffer.as_mut(), event.code) {
                b.push(c);
            }
        }
        Action::SmoothMore => {
            ui.smoothing.more();
        }
        Action::SmoothLess => {
            ui.smoothing.less();
        }
        Action::ToggleLog => ui.log_scale = !ui.log_scale,
        Action::Detach => {
            ui.prompt = None;
            app.exit_now();
        }
        Action::StopAndSave => {
            ui.prompt = None;
            app.life.stopping = true;
            app.life.left = Some(Leaving::Stopped);
            return vec![Command::Stop { save: true }];
        }
        Action::CancelPrompt => ui.prompt = None,
    }
    Vec::new()
}

/// q: a dashboard that cannot stop the run (read-only, from files, the run
/// already over) just leaves; a live one asks whether to detach or stop.
fn quit(app: &mut App) -> Vec<Command> {
    let life = &mut app.life;
    if life.stopping || life.workers_gone || life.read_only {
        if life.workers_gone {
            life.left.get_or_insert(Leaving::Ended);
        }
        app.exit_now();
        return Vec::new();
    }
    app.ui.prompt = Some(Prompt::Leave);
    Vec::new()
}

fn toggle_pause(app: &mut App) -> Vec<Command> {
    match app.training.run_state {
        RunState::Running => vec![Command::Pause],
        RunState::Paused | RunState::Diverged => vec![Command::Resume],
        RunState::Finished => {
            app.ui.notice = Some("run finished".into());
            Vec::new()
        }
    }
}

fn submit_edit(app: &mut App) -> Vec<Command> {
    let edit = &mut app.ui.edit;
    let Some(control) = app.info.controls.get(edit.selected) else {
        edit.buffer = None;
        return Vec::new();
    };
    let value = edit.buffer.as_deref().unwrap_or("").trim().to_string();
    if value.is_empty() {
        app.ui.notice = Some(format!("{}: type a value or press esc", control.key));
        return Vec::new();
    }
    let key = control.key.clone();
    edit.buffer = None;
    edit.refusal = None;
    edit.pending = Some((key.clone(), value.clone()));
    app.ui.notice = Some(format!("sent {key} = {value}"));
    vec![Command::Set { key, value }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::messages::Event;
    use crate::tui::fixtures::{run_info, step};
    use crate::tui::lifecycle::Leaving;
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
    fn q_asks_to_detach_stop_or_cancel() {
        let mut app = App::new(run_info("relu"));
        app.update(Event::StepMetrics(step(100, 0.5)));
        assert!(press(&mut app, KeyCode::Char('q')).is_empty());
        assert_eq!(app.ui.prompt, Some(Prompt::Leave));
        // While asking, other keys do nothing.
        assert!(press(&mut app, KeyCode::Char(' ')).is_empty());
        assert!(press(&mut app, KeyCode::Esc).is_empty());
        assert_eq!(app.ui.prompt, None);
        assert!(!app.is_stopping() && !app.should_exit());
        press(&mut app, KeyCode::Char('q'));
        assert_eq!(
            press(&mut app, KeyCode::Char('s')),
            vec![Command::Stop { save: true }]
        );
        assert!(
            app.is_stopping() && !app.should_exit(),
            "waits for the run to end"
        );
        assert_eq!(app.leaving(), Some(Leaving::Stopped));
        app.workers_exited();
        assert!(app.should_exit());
    }

    #[test]
    fn detaching_sends_nothing_and_leaves_at_once() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('q'));
        assert!(press(&mut app, KeyCode::Char('d')).is_empty());
        assert!(app.should_exit());
        assert_eq!(app.leaving(), Some(Leaving::Detached));
        let mut again = App::new(run_info("relu"));
        press(&mut again, KeyCode::Char('q'));
        press(&mut again, KeyCode::Char('q'));
        assert!(again.should_exit(), "q twice detaches");
    }

    #[test]
    fn a_finished_run_or_a_read_only_view_just_leaves() {
        let mut app = App::new(run_info("relu"));
        app.workers_exited();
        assert!(press(&mut app, KeyCode::Char('q')).is_empty());
        assert!(app.should_exit());
        assert_eq!(app.leaving(), Some(Leaving::Ended));
        let mut ro = App::new(run_info("relu")).read_only();
        assert!(press(&mut ro, KeyCode::Char(' ')).is_empty());
        assert_eq!(
            ro.ui.notice.as_deref(),
            Some("read-only: this dashboard sends no commands")
        );
        assert!(press(&mut ro, KeyCode::Char('s')).is_empty());
        press(&mut ro, KeyCode::Char('4'));
        press(&mut ro, KeyCode::Enter);
        type_text(&mut ro, "5");
        assert!(press(&mut ro, KeyCode::Enter).is_empty(), "no edit is sent");
        assert_eq!(ro.ui.edit.pending, None);
        assert!(ro.ui.notice.as_deref().unwrap().contains("read-only"));
        press(&mut ro, KeyCode::Char('q'));
        assert!(ro.should_exit());
    }

    #[test]
    fn editing_sends_set_and_esc_cancels() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('4'));
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.ui.edit.buffer.as_deref(), Some("1e-4"));
        // Digits type while editing instead of switching screens.
        type_text(&mut app, "5");
        assert_eq!(app.screen(), Screen::Controls);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.ui.edit.buffer, None);
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
        assert!(app.ui.edit.is_editing());
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
        let refusal = app.ui.edit.refusal.as_ref().unwrap();
        assert_eq!(refusal.reason, "learning rate must be > 0");
    }

    #[test]
    fn smoothing_and_log_toggle() {
        let mut app = App::new(run_info("relu"));
        press(&mut app, KeyCode::Char('+'));
        press(&mut app, KeyCode::Char('+'));
        assert_eq!(app.ui.smoothing.weight(), 0.8);
        press(&mut app, KeyCode::Char('-'));
        assert_eq!(app.ui.smoothing.weight(), 0.6);
        assert!(app.ui.log_scale);
        press(&mut app, KeyCode::Char('l'));
        assert!(!app.ui.log_scale);
    }
}
