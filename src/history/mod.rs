//! A run's history as events, from its files: the log read once (attach,
//! resume) or followed as it grows (watch).

pub mod log_reader;
pub mod summary;

pub use log_reader::LogReader;
