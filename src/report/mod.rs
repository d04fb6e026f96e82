//! Reproducing the paper: the sweep's plan and records, and the report
//! (figures, table, automatic reading) drawn from a sweep's run directories.

pub mod checkpoint;
pub mod figures;
pub mod load;
mod markdown;
pub mod plan;
pub mod reading;
pub mod table;

pub use markdown::{FIGURES_DIR, REPORT_FILE, write_report};
