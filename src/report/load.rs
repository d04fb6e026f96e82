//! Reads a sweep back from its directory: the plan and, per point, the
//! records of its metrics log and its done marker.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

use super::checkpoint::{Checkpoint, PerfectInit, SweepRecord};
use super::plan::{DONE_FILE, PLAN_FILE, Plan, PointPlan};
use crate::run::metrics_log::read_all;

#[derive(Debug, Clone)]
pub struct PointData {
    pub plan: PointPlan,
    pub dir: PathBuf,
    pub checkpoints: Vec<Checkpoint>,
    pub perfect_init: Vec<PerfectInit>,
    /// The done marker's status ("finished", "diverged"), None if unfinished.
    pub status: Option<String>,
    /// Training seconds, from the marker or the last record.
    pub elapsed_s: f64,
    /// Unix seconds of the first and last record.
    pub wall: Option<(f64, f64)>,
    /// Lines of the log that could not be read as records.
    pub skipped_lines: usize,
}

#[derive(Debug, Clone)]
pub struct SweepData {
    pub dir: PathBuf,
    pub plan: Plan,
    pub points: Vec<PointData>,
}

impl SweepData {
    pub fn checkpoints(&self) -> impl Iterator<Item = &Checkpoint> {
        self.points.iter().flat_map(|p| p.checkpoints.iter())
    }
}

/// A resumed point may measure a step twice (after a crash between the
/// record and the snapshot); the later measurement wins.
fn keep_last_per_step<T>(records: Vec<T>, step: impl Fn(&T) -> u64) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for r in records {
        if let Some(i) = out.iter().position(|o| step(o) == step(&r)) {
            out.remove(i);
        }
        out.push(r);
    }
    out.sort_by_key(|r| step(r));
    out
}

fn load_point(dir: &Path, plan: &PointPlan) -> anyhow::Result<PointData> {
    let root = dir.join(&plan.name);
    let metrics = root.join(crate::run::run_dir::METRICS_FILE);
    let (mut checkpoints, mut perfect, mut skipped, mut walls) = (vec![], vec![], 0, vec![]);
    if metrics.exists() {
        let read = read_all(&metrics)?;
        skipped = read.skipped_lines.len();
        for value in read.records {
            if let Some(w) = value.get("wall").and_then(|w| w.as_f64()) {
                walls.push(w);
            }
            match serde_json::from_value::<SweepRecord>(value) {
                Ok(SweepRecord::Checkpoint(c)) => checkpoints.push(*c),
                Ok(SweepRecord::PerfectInit(p)) => perfect.push(p),
                Ok(SweepRecord::Progress(_)) => {}
                Err(_) => skipped += 1,
            }
        }
    }
    let checkpoints = keep_last_per_step(checkpoints, |c| c.step);
    let perfect_init = keep_last_per_step(perfect, |p| p.step);
    let done = root.join(DONE_FILE);
    let marker: Option<serde_json::Value> = match std::fs::read_to_string(&done) {
        Ok(text) => Some(
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", done.display()))?,
        ),
        Err(_) => None,
    };
    let status = marker
        .as_ref()
        .and_then(|m| m.get("status")?.as_str().map(String::from));
    let elapsed_s = marker
        .as_ref()
        .and_then(|m| m.get("elapsed_s")?.as_f64())
        .or_else(|| checkpoints.last().map(|c| c.elapsed_s))
        .unwrap_or(0.0);
    let wall = walls
        .iter()
        .copied()
        .fold(None, |acc: Option<(f64, f64)>, w| {
            Some(acc.map_or((w, w), |(a, b)| (a.min(w), b.max(w))))
        });
    Ok(PointData {
        plan: plan.clone(),
        dir: root,
        checkpoints,
        perfect_init,
        status,
        elapsed_s,
        wall,
        skipped_lines: skipped,
    })
}

pub fn load(dir: &Path) -> anyhow::Result<SweepData> {
    let path = dir.join(PLAN_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: not a sweep directory (no readable {PLAN_FILE})",
            dir.display()
        )
    })?;
    let plan = Plan::from_toml(&text, &path).map_err(|e| anyhow!(e))?;
    let points = plan
        .points
        .iter()
        .map(|p| load_point(dir, p).with_context(|| format!("point {}", p.name)))
        .collect::<anyhow::Result<_>>()?;
    Ok(SweepData {
        dir: dir.to_path_buf(),
        plan,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_steps_keep_the_later_record_in_step_order() {
        let got = keep_last_per_step(vec![(2, 'a'), (1, 'b'), (2, 'c')], |r| r.0);
        assert_eq!(got, vec![(1, 'b'), (2, 'c')]);
    }
}
