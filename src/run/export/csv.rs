//! `metrics.jsonl` as one CSV table for pandas and spreadsheets.
//!
//! One row per record and one column per field seen in any record, in
//! name order within each record (nested
//! objects flattened as `inner.rate`, arrays kept as JSON text), `wall` and
//! `kind` first. Fields a record lacks are empty cells, which pandas reads
//! as NaN, so `df[df.kind == "StepMetrics"]` gives the training curve with
//! no join across files.

use std::path::Path;

use serde_json::{Map, Value};

use super::ExportError;
use crate::run::atomic::write_atomic;
use crate::run::metrics_log::read_all;

const LEADING: [&str; 2] = ["wall", "kind"];

/// Returns the number of rows written. Lines of the log that are not JSON
/// objects (e.g. a crash's partial last line) are left out.
pub fn metrics_csv(jsonl_path: &Path, csv_path: &Path) -> Result<usize, ExportError> {
    let rows: Vec<Vec<(String, String)>> = read_all(jsonl_path)?
        .records
        .iter()
        .filter_map(Value::as_object)
        .map(|record| {
            let mut cells = Vec::new();
            flatten("", record, &mut cells);
            cells
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for name in rows.iter().flatten().map(|(k, _)| k) {
        if !columns.contains(name) {
            columns.push(name.clone());
        }
    }
    columns.sort_by_key(|c| LEADING.iter().position(|l| l == c).unwrap_or(LEADING.len()));
    let mut out = String::new();
    push_row(&mut out, columns.iter().map(String::as_str));
    for row in &rows {
        push_row(
            &mut out,
            columns.iter().map(|c| {
                row.iter()
                    .find(|(k, _)| k == c)
                    .map_or("", |(_, v)| v.as_str())
            }),
        );
    }
    write_atomic(csv_path, out.as_bytes())?;
    Ok(rows.len())
}

fn flatten(prefix: &str, object: &Map<String, Value>, cells: &mut Vec<(String, String)>) {
    for (key, value) in object {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) => flatten(&name, inner, cells),
            Value::Null => cells.push((name, String::new())),
            Value::String(s) => cells.push((name, s.clone())),
            other => cells.push((name, other.to_string())),
        }
    }
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_kinds_share_one_table() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("metrics.jsonl");
        std::fs::write(
            &jsonl,
            concat!(
                "{\"wall\":1.5,\"kind\":\"Step\",\"step\":1,\"loss\":0.5}\n",
                "{\"wall\":2.5,\"kind\":\"Est\",\"step\":1,\"inner\":{\"rate\":0.1},\"hist\":[1,2]}\n",
                "{\"wall\":3.5,\"kind\":\"No"
            ),
        )
        .unwrap();
        let csv = dir.path().join("metrics.csv");
        assert_eq!(metrics_csv(&jsonl, &csv).unwrap(), 2);
        let text = std::fs::read_to_string(&csv).unwrap();
        let expected = concat!(
            "wall,kind,loss,step,hist,inner.rate\n",
            "1.5,Step,0.5,1,,\n",
            "2.5,Est,,1,\"[1,2]\",0.1\n",
        );
        assert_eq!(text, expected);
    }
}
