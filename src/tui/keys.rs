//! Keys as data: one table drives both the handler and the help screen, so
//! the help can never drift from what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
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
    /// While the "leave the dashboard?" question is shown.
    Prompt,
}

impl Mode {
    pub fn heading(self) -> &'static str {
        match self {
            Mode::Normal => "everywhere",
            Mode::Controls => "controls screen",
            Mode::Editing => "while editing",
            Mode::Prompt => "leaving the dashboard",
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
    /// Leave the dashboard; the run goes on.
    Detach,
    /// Stop the run with a final snapshot.
    StopAndSave,
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
    bind(
        Normal,
        Key::Char('q'),
        "leave: detach or stop",
        Action::Quit,
    ),
    bind(
        Normal,
        Key::Ctrl('c'),
        "leave: detach or stop",
        Action::Quit,
    ),
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
        Key::Char('d'),
        "detach: training goes on",
        Action::Detach,
    ),
    bind(
        Mode::Prompt,
        Key::Char('q'),
        "detach: training goes on",
        Action::Detach,
    ),
    bind(
        Mode::Prompt,
        Key::Char('s'),
        "stop the run and save it",
        Action::StopAndSave,
    ),
    bind(Mode::Prompt, Key::Esc, "cancel", Action::CancelPrompt),
];

/// The actions the bottom line advertises, with a one-word name each.
pub const HINTS: [(Action, &str); 7] = [
    (Action::Quit, "leave"),
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
    if app.ui.prompt.is_some() {
        &[Mode::Prompt]
    } else if app.ui.edit.is_editing() {
        &[Mode::Editing]
    } else if app.ui.screen == Screen::Controls {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_come_from_the_table() {
        assert_eq!(
            hint_line(),
            "q leave  space pause  n step  s snapshot  + smooth  l log  ? help"
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
