//! The live dashboard: state, keys, views and the terminal loop.
//!
//! Elm-style: `App` holds everything on screen, `App::update` folds in
//! worker events, `handle_key` turns keys into state changes and commands,
//! and `views::view` draws `&App`. Only `run_dashboard` touches a terminal:
//!
//! ```text
//! let (event_tx, events) = crossbeam_channel::unbounded();
//! let (commands, command_rx) = crossbeam_channel::unbounded();
//! // ... start the workers with event_tx and command_rx ...
//! run_dashboard(info, events, commands, DashboardOptions::default())?;
//! ```
//!
//! It returns after the workers hang up (drop their event senders) once a
//! Stop was sent, or after a signal-triggered stop times out. Environment:
//! NO_COLOR disables colour, COLORTERM=truecolor|24bit enables 24-bit
//! colour (16 colours otherwise), SPHERES_ASCII=1 avoids braille.

pub mod app;
pub mod change_log;
pub mod compare;
pub mod edit;
pub mod event_loop;
pub mod format;
pub mod histogram;
pub mod input_thread;
pub mod key_handler;
pub mod keys;
pub mod lifecycle;
pub mod log_scale;
pub mod measures;
pub mod mouse;
pub mod palette;
pub mod recent;
pub mod screen;
pub mod series;
pub mod signal_thread;
pub mod smoothing;
pub mod terminal;
pub mod training;
pub mod ui_state;
pub mod views;
pub mod widgets;

#[cfg(test)]
mod event_loop_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod view_tests;

pub use app::App;
pub use event_loop::{Dashboard, DashboardOptions, Outcome, Poll, run_dashboard};
pub use key_handler::handle_key;
pub use palette::Look;
