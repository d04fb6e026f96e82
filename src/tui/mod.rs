//! The live dashboard: state, keys, views and the terminal loop.

pub mod app;
pub mod change_log;
pub mod edit;
pub mod event_loop;
pub mod format;
pub mod histogram;
pub mod input_thread;
pub mod keys;
pub mod log_scale;
pub mod mouse;
pub mod palette;
pub mod recent;
pub mod screen;
pub mod series;
pub mod signal_thread;
pub mod smoothing;
pub mod terminal;
pub mod views;
pub mod widgets;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod view_tests;

pub use app::App;
pub use event_loop::{DashboardOptions, run_dashboard};
pub use keys::handle_key;
pub use palette::Look;
