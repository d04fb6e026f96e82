//! What only the dashboard has: which screen, how curves are drawn, the
//! edit in progress, the question on screen and the messages shown.

use crate::session::messages::Event;

use super::edit::{EditState, Refusal};
use super::screen::Screen;
use super::smoothing::Smoothing;

/// A question on screen that takes the keyboard until answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Detach (training goes on), stop and save, or cancel.
    Leave,
}

#[derive(Debug, Clone)]
pub struct Ui {
    pub screen: Screen,
    pub smoothing: Smoothing,
    pub log_scale: bool,
    pub edit: EditState,
    pub prompt: Option<Prompt>,
    pub warning: Option<String>,
    pub error: Option<String>,
    /// Short feedback on the last action (snapshot saved, edit sent...).
    pub notice: Option<String>,
    /// Terminal size, for mapping mouse clicks to what was drawn there.
    pub size: (u16, u16),
}

impl Default for Ui {
    fn default() -> Self {
        Self {
            screen: Screen::Overview,
            smoothing: Smoothing::default(),
            log_scale: true,
            edit: EditState::default(),
            prompt: None,
            warning: None,
            error: None,
            notice: None,
            size: (80, 24),
        }
    }
}

impl Ui {
    pub fn update(&mut self, event: &Event) {
        match event {
            Event::Saved { path, step } => {
                self.notice = Some(format!("saved step {step} to {}", path.display()));
            }
            Event::Applied { key, value, step } => {
                if self.edit.pending.as_ref().is_some_and(|(k, _)| k == key) {
                    self.edit.pending = None;
                }
                if self.edit.refusal.as_ref().is_some_and(|r| &r.key == key) {
                    self.edit.refusal = None;
                }
                self.notice = Some(format!("applied {key} = {value} at step {step}"));
            }
            Event::Refused { key, value, reason } => {
                self.edit.pending = None;
                self.notice = None;
                self.edit.refusal = Some(Refusal {
                    key: key.clone(),
                    value: value.clone(),
                    reason: reason.clone(),
                });
            }
            Event::Warning { message } => self.warning = Some(message.clone()),
            Event::Error { message } => self.error = Some(message.clone()),
            Event::Notice { message } => self.notice = Some(message.clone()),
            _ => {}
        }
    }
}
