//! Reproducing the paper: the sweep's plan and records, and the report
//! (figures, table, automatic reading) drawn from a sweep's run directories.

pub mod checkpoint;
pub mod measure;
pub mod plan;

/// Placeholder until the report lands.
pub fn write_report(dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    Ok(dir.join("report.md"))
}
