//! `spheres resume PATH`: continue a run from its newest readable snapshot
//! (or a named snapshot file), in the same run directory and metrics log,
//! started like `spheres run` (dashboard, headless or `--detach`).

use std::path::Path;

use super::args::ResumeArgs;
use crate::run::RunDir;
use crate::serve::launch::Launch;
use crate::train::Trainer;

/// The trainer a path holds and its run directory, with what loading it
/// had to say on stderr. Read-only: for `eval` and `export`.
pub fn load(path: &Path) -> anyhow::Result<(Trainer, Option<RunDir>)> {
    let mut notices = Vec::new();
    let loaded = crate::serve::launch::load(path, &mut notices);
    for n in notices {
        eprintln!("{n}");
    }
    loaded
}

pub fn resume(a: ResumeArgs) -> anyhow::Result<()> {
    let launch = Launch::Resume {
        path: a.path.clone(),
        steps: a.steps,
        set: a.set.clone(),
    };
    // Refuse a bad snapshot or edit here, before anything starts.
    launch.validate()?;
    super::run::start(&launch, &a.view, a.detach)
}
