//! The metrics-log record of an import, so the run says where its weights
//! came from.

use std::path::Path;

use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(tag = "kind")]
pub enum ImportRecord<'a> {
    Imported {
        source: &'a Path,
        step: u64,
        tensors: usize,
        converted: &'a [String],
        ignored: &'a [String],
    },
}
