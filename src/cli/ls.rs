//! `spheres ls [DIR]`: one line per run under DIR (default `runs/`), one
//! level into sweep directories, from the files alone.

use super::args::LsArgs;
use crate::history::summary::{Summary, runs_under, summarise};
use crate::tui::format::{count, duration, sci};

fn cell(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".into())
}

fn row(s: &Summary) -> [String; 7] {
    let progress = match (s.step, s.total_steps) {
        (Some(a), Some(b)) => format!("{}/{}", count(a as f64), count(b as f64)),
        (Some(a), None) => count(a as f64),
        _ => "–".into(),
    };
    let error = s.inner_error.map(|r| {
        if r.errors == 0 {
            format!("< {} (0/{})", sci(r.hi), count(r.samples as f64))
        } else {
            format!("{} [{}, {}]", sci(r.rate), sci(r.lo), sci(r.hi))
        }
    });
    [
        s.name.clone(),
        s.state.label(),
        progress,
        cell(s.loss.map(|l| format!("{l:.4e}"))),
        cell(error),
        cell(s.d_e.filter(|d| d.is_finite()).map(|d| format!("{d:.4}"))),
        cell(s.snapshot_age_s.map(|a| format!("{} ago", duration(a)))),
    ]
}

pub fn ls(a: LsArgs) -> anyhow::Result<()> {
    let runs =
        runs_under(&a.dir).map_err(|e| anyhow::anyhow!("cannot list {}: {e}", a.dir.display()))?;
    let summaries: Vec<Summary> = runs
        .into_iter()
        .map(|(name, p)| summarise(&p, name))
        .collect();
    if a.json {
        for s in &summaries {
            println!("{}", serde_json::to_string(s)?);
        }
        return Ok(());
    }
    if summaries.is_empty() {
        println!("no runs in {}", a.dir.display());
        return Ok(());
    }
    let header = [
        "run",
        "state",
        "step",
        "loss",
        "inner error (95%)",
        "d(E)",
        "snapshot",
    ]
    .map(String::from);
    let rows: Vec<[String; 7]> = std::iter::once(header)
        .chain(summaries.iter().map(row))
        .collect();
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(text, w)| format!("{text:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    Ok(())
}
