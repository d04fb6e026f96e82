//! Keys as data: one table drives both the handler and the help screen, so
//! the help can never drift from what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::session::messages::{Command, RunState};

use super::app::{App, Prompt};
use super::screen::Screen;

/// When a binding is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Anywhere unless a prompt or an edit has the keyboard.
    Normal,
    /// On the Controls screen, in addition to the normal keys.
    Controls,
    /// While typing a new value.
    Editing,
    /// While the "save before quit?" question is shown.
    Prompt,
}

impl Mode {
    pub fn heading(self) -> &'static str {
        match self {
            Mode::Normal => "everywhere",
            Mode::Controls => "controls screen",
            Mode::Editing => "while editing",
            Mode::Prompt => "save before quit?",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    /// Any printable character (typing into an edit).
    Text,
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Backspace,
}

impl Key {
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("ctrl-{c}"),
            Key::Text => "text".into(),
            Key::Enter => "enter".into(),
            Key::Esc => "esc".into(),
            Key::Tab => "tab".into(),
            Key::BackTab => "shift-tab".into(),
            Key::Up => "up".into(),
            Key::Down => "down".into(),
            Key::Left => "left".into(),
            Key::Right => "right".into(),
            Key::Backspace => "backspace".into(),
        }
    }

    fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        match (self, event.code) {
            (Key::Ctrl(c), KeyCode::Char(e)) => ctrl && e.eq_ignore_ascii_case(&c),
            (Key::Char(c), KeyCode::Char(e)) => !ctrl && c == e,
            (Key::Text, KeyCode::Char(_)) => !ctrl,
            (Key::Enter, KeyCode::Enter) => true,
            (Key::Esc, KeyCode::Esc) => true,
            (Key::Tab, KeyCode::Tab) => !event.modifiers.contains(KeyModifiers::SHIFT),
            (Key::BackTab, KeyCode::BackTab) => true,
            (Key::BackTab, KeyCode::Tab) => event.modifiers.contains(KeyModifiers::SHIFT),
            (Key::Up, KeyCode::Up) => true,
            (Key::Down, KeyCode::Down) => true,
            (Key::Left, KeyCode::Left) => true,
            (Key::Right, KeyCode::Right) => true,
            (Key::Backspace, KeyCode::Backspace) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    TogglePause,
    StepOnce,
    Snapshot,
    NextScreen,
    PreviousScreen,
    Show(Screen),
    SelectUp,
    SelectDown,
    StartEdit,
    SubmitEdit,
    CancelEdit,
    DeleteChar,
    ClearEdit,
    TypeChar,
    SmoothMore,
    SmoothLess,
    ToggleLog,
    SaveAndQuit,
    QuitWithoutSaving,
    CancelPrompt,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub mode: Mode,
    pub key: Key,
    pub description: &'static str,
    pub action: Action,
}

const fn bind(mode: Mode, key: Key, description: &'static str, action: Action) -> Binding {
    Binding {
        mode,
        key,
        description,
        action,
    }
}

use Mode::{Controls, Editing, Normal};

pub const BINDINGS: &[Binding] = &[
    bind(Normal, Key::Char('q'), "quit, asking to save", Action::Quit),
    bind(Normal, Key::Ctrl('c'), "quit, asking to save", Action::Quit),
    bind(
        Normal,
        Key::Char(' '),
        "pause / resume",
        Action::TogglePause,
    ),
    bind(
        Normal,
        Key::Char('n'),
        "one step while paused",
        Action::StepOnce,
    ),
    bind(Normal, Key::Char('s'), "snapshot now", Action::Snapshot),
    bind(Normal, Key::Tab, "next screen", Action::NextScreen),
    bind(
        Normal,
        Key::BackTab,
        "previous screen",
        Action::PreviousScreen,
    ),
    bind(Normal, Key::Right, "next screen", Action::NextScreen),
    bind(Normal, Key::Left, "previous screen", Action::PreviousScreen),
    bind(
        Normal,
        Key::Char('1'),
        "overview",
        Action::Show(Screen::Overview),
    ),
    bind(
        Normal,
        Key::Char('2'),
        "geometry",
        Action::Show(Screen::Geometry),
    ),
    bind(
        Normal,
        Key::Char('3'),
        "quadratic net",
        Action::Show(Screen::Quadratic),
    ),
    bind(
        Normal,
        Key::Char('4'),
        "controls",
        Action::Show(Screen::Controls),
    ),
    bind(Normal, Key::Char('?'), "help", Action::Show(Screen::Help)),
    bind(Normal, Key::Char('5'), "help", Action::Show(Screen::Help)),
    bind(Normal, Key::Char('+'), "more smoothing", Action::SmoothMore),
    bind(Normal, Key::Char('='), "more smoothing", Action::SmoothMore),
    bind(Normal, Key::Char('-'), "less smoothing", Action::SmoothLess),
    bind(
        Normal,
        Key::Char('l'),
        "log / linear loss axis",
        Action::ToggleLog,
    ),
    bind(Controls, Key::Up, "previous control", Action::SelectUp),
    bind(Controls, Key::Down, "next control", Action::SelectDown),
    bind(
        Controls,
        Key::Enter,
        "edit selected value",
        Action::StartEdit,
    ),
    bind(
        Editing,
        Key::Enter,
        "send the new value",
        Action::SubmitEdit,
    ),
    bind(Editing, Key::Esc, "cancel the edit", Action::CancelEdit),
    bind(
        Editing,
        Key::Backspace,
        "delete a character",
        Action::DeleteChar,
    ),
    bind(
        Editing,
        Key::Ctrl('u'),
        "clear the value",
        Action::ClearEdit,
    ),
    bind(Editing, Key::Text, "type the value", Action::TypeChar),
    bind(
        Mode::Prompt,
        Key::Char('y'),
        "save, then quit",
        Action::SaveAndQuit,
    ),
    bind(
        Mode::Prompt,
        Key::Char('n'),
        "quit without saving",
        Action::QuitWithoutSaving,
    ),
    bind(Mode::Prompt, Key::Esc, "keep running", Action::CancelPrompt),
];

/// The actions the bottom line advertises, with a one-word name each.
pub const HINTS: [(Action, &str); 7] = [
    (Action::Quit, "quit"),
    (Action::TogglePause, "pause"),
    (Action::StepOnce, "step"),
    (Action::Snapshot, "snapshot"),
    (Action::SmoothMore, "smooth"),
    (Action::ToggleLog, "log"),
    (Action::Show(Screen::Help), "help"),
];

/// "q quit  space pause ...", with keys taken from the table.
pub fn hint_line() -> String {
    HINTS
        .iter()
        .filter_map(|(action, word)| {
            BINDINGS
                .iter()
                .find(|b| b.mode == Mode::Normal && b.action == *action)
                .map(|b| format!("{} {word}", b.key.label()))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// The modes whose bindings apply now, most specific first.
fn active_modes(app: &App) -> &'static [Mode] {
    if app.prompt.is_some() {
        &[Mode::Prompt]
    } else if app.edit.is_editing() {
        &[Mode::Editing]
    } else if app.screen == Screen::Controls {
        &[Mode::Controls, Mode::Normal]
    } else {
        &[Mode::Normal]
    }
}

pub fn action_for(app: &App, event: &KeyEvent) -> Option<Action> {
    active_modes(app).iter().find_map(|mode| {
        BINDINGS
            .iter()
            .find(|b| b.mode == *mode && b.key.matches(event))
            .map(|b| b.action)
    })
}

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
        app.update(Event::State(RunState::Paused));
        assert_eq!(press(&mut app, KeyCode::Char(' ')), vec![Command::Resume]);
    }

    #[test]
    fn n_steps_only_while_paused() {
        let mut app = App::new(run_info("relu"));
        assert!(press(&mut app, KeyCode::Char('n')).is_empty());
        app.update(Event::State(RunState::Paused));
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
        app.update(Event::Step(step(100, 0.5)));
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
        app.update(Event::Step(step(100, 0.5)));
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

    #[test]
    fn hints_come_from_the_table() {
        assert_eq!(
            hint_line(),
            "q quit  space pause  n step  s snapshot  + smooth  l log  ? help"
        );
    }

    #[test]
    fn every_binding_is_reachable() {
        // An earlier row with the same mode and key would shadow a later one.
        for (i, b) in BINDINGS.iter().enumerate() {
            let shadowed = BINDINGS[..i]
                .iter()
                .any(|a| a.mode == b.mode && a.key == b.key);
            assert!(!shadowed, "{:?} is shadowed", b.key);
        }
    }
}
