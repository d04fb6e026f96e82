//! The command line's shape; clap derives parsing, help and errors from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "spheres",
    version,
    about = "A terminal laboratory for the Adversarial Spheres experiments"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Train a model: the dashboard on a terminal, progress lines otherwise.
    Run(RunArgs),
    /// List the shipped presets.
    Presets,
    /// Measure training throughput (samples/s, data generation included).
    Bench(BenchArgs),
    /// Continue a run from a run directory or a snapshot file.
    Resume(ResumeArgs),
    /// The dashboard of a running run, as a client of its run process.
    Attach(AttachArgs),
    /// Follow one run, or compare several, from their files alone (read-only).
    Watch(WatchArgs),
    /// One line per run: state, progress, loss, error rate, d(E), newest snapshot.
    Ls(LsArgs),
    /// The run process of a detached start (started by `run` and `resume`).
    #[command(name = "__serve", hide = true)]
    Serve,
    /// Write a snapshot's weights as .npy or safetensors, and the metrics as CSV.
    Export(ExportArgs),
    /// The isoperimetric bound, or the exact error rates of a quadratic boundary.
    Bound(BoundArgs),
    /// Error rates, d(E) and the bound for a snapshot or a freshly trained preset.
    Eval(EvalArgs),
    /// Train one model per (architecture, training-set size) and measure error rate and d(E).
    Sweep(SweepArgs),
    /// Write DIR/report.md with the figures, the table and a reading of a sweep.
    Report(ReportArgs),
    /// Make a run directory from weights trained elsewhere (safetensors or .npy).
    Import(ImportArgs),
    /// Print a shell completion script for bash, zsh or fish.
    Completions(CompletionsArgs),
}

impl Default for Cmd {
    fn default() -> Self {
        Cmd::Run(RunArgs::default())
    }
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Preset name (see `spheres presets`) or a path to a TOML config.
    #[arg(long, default_value = "quick")]
    pub preset: String,
    /// Override a config field, e.g. `--set train.lr=3e-4` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Total training steps (same as `--set steps=N`).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Run directory (default: runs/<preset>-<timestamp>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Start the run in the background and return: it keeps training after
    /// the terminal closes (output in RUN/run.log; `spheres attach RUN`).
    #[arg(short, long)]
    pub detach: bool,
    #[command(flatten)]
    pub view: ViewArgs,
}

/// How a run is shown.
#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// Plain progress lines instead of the dashboard (automatic when stdout
    /// is not a terminal).
    #[arg(long)]
    pub headless: bool,
    /// Seconds between headless progress lines.
    #[arg(long, default_value_t = 5.0)]
    pub every: f64,
    /// Dashboard redraws per second at most.
    #[arg(long, default_value_t = 10.0, value_parser = parse_fps)]
    pub fps: f64,
    /// Capture the mouse in the dashboard (off: terminal text selection works).
    #[arg(long)]
    pub mouse: bool,
}

impl Default for ViewArgs {
    fn default() -> Self {
        Self {
            headless: false,
            every: 5.0,
            fps: 10.0,
            mouse: false,
        }
    }
}

/// `key=value` as given to `--set`, split once clap has the argument, so
/// a malformed one is a usage error before anything runs.
fn parse_assignment(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

fn parse_fps(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 240.0 => Ok(v),
        _ => Err(format!("`{s}` is not a frame rate between 0 and 240")),
    }
}

impl Default for RunArgs {
    fn default() -> Self {
        Self {
            preset: "quick".into(),
            set: Vec::new(),
            steps: None,
            out: None,
            detach: false,
            view: ViewArgs::default(),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// What to measure (repeatable; default all).
    #[arg(long, value_enum)]
    pub work: Vec<BenchWork>,
    /// Models to measure (repeatable; default both).
    #[arg(long, value_enum)]
    pub model: Vec<BenchModel>,
    /// Batch sizes (default 50 and 512).
    #[arg(long)]
    pub batch: Vec<usize>,
    /// Thread counts (default 1 and 2).
    #[arg(long)]
    pub threads: Vec<usize>,
    /// Timed repeats per setting; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Seconds per repeat.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
}

/// What `spheres bench` measures. A new kind of work is one line here and
/// one arm in `bench`; the default list is every variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BenchWork {
    /// Training samples/s, data generation included.
    Train,
    /// Monte Carlo evaluation points/s on relu-paper.
    Eval,
    /// Manifold-attack gradient steps/s on relu-paper.
    Attack,
    /// Quadratic-net eigendecompositions/s and exact d(E) points/s (n = 500).
    Exact,
    /// Rare-event error rates of shifted nets, and coverage against exact
    /// tails at n = 500 (`--repeats` seeds per case).
    Rare,
}

/// The models `spheres bench` trains: the paper's ReLU and quadratic nets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchModel {
    /// relu-paper.
    Relu,
    /// quad-paper.
    Quad,
}

/// The paper's models a sweep trains (`report::plan::MODELS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SweepModel {
    Relu,
    ReluDeep,
    Quad,
    QuadPerfectInit,
}

/// A value's name as the command line spells it.
pub fn value_name(value: &impl clap::ValueEnum) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

#[derive(Debug, Clone, Args)]
pub struct ResumeArgs {
    /// A run directory (its newest readable snapshot) or a snapshot file.
    pub path: PathBuf,
    /// Override a live setting, e.g. `--set train.lr=1e-5` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// New total step count.
    #[arg(long)]
    pub steps: Option<u64>,
    /// Resume in the background and return (see `run --detach`).
    #[arg(short, long)]
    pub detach: bool,
    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AttachArgs {
    /// The run directory.
    pub dir: PathBuf,
    /// Show the run without sending any command (keys that would say "read-only").
    #[arg(long)]
    pub read_only: bool,
    /// Dashboard redraws per second at most.
    #[arg(long, default_value_t = 10.0, value_parser = parse_fps)]
    pub fps: f64,
    /// Capture the mouse (off: terminal text selection works).
    #[arg(long)]
    pub mouse: bool,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Run directories: one shows its dashboard, several are overlaid.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Dashboard redraws per second at most.
    #[arg(long, default_value_t = 10.0, value_parser = parse_fps)]
    pub fps: f64,
}

#[derive(Debug, Clone, Args)]
pub struct LsArgs {
    /// A directory of runs (and sweeps).
    #[arg(default_value = "runs")]
    pub dir: PathBuf,
    /// One JSON object per run, one per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Npy,
    Safetensors,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// A run directory (its newest readable snapshot) or a snapshot file.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value = "npy")]
    pub format: ExportFormat,
    /// Output directory (default: <run>/export).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct BoundArgs {
    /// Input dimension.
    #[arg(long)]
    pub n: Option<usize>,
    /// Error rate(s) in (0, 1) (repeatable).
    #[arg(long)]
    pub mu: Vec<f64>,
    /// Alphas of a quadratic boundary: `1.5*1,0.9*499` (value*count), a
    /// comma-separated list, or `@file` with one value per line.
    #[arg(long, conflicts_with = "n")]
    pub alphas: Option<String>,
    /// Outer sphere radius R.
    #[arg(long, default_value_t = 1.3)]
    pub radius: f64,
}

/// `eval` takes only what it uses: a run directory fixes the model and its
/// config, so the training flags are refused beside one.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// A run directory or snapshot file; without it, a preset is trained
    /// here first (`--preset`, `--set`, `--steps`).
    pub path: Option<PathBuf>,
    /// Preset to train when no PATH is given (default quick).
    #[arg(long, conflicts_with = "path")]
    pub preset: Option<String>,
    /// Override a config field of the preset trained here (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_assignment, conflicts_with = "path")]
    pub set: Vec<(String, String)>,
    /// Training steps of the preset trained here.
    #[arg(long, conflicts_with = "path")]
    pub steps: Option<u64>,
    /// Monte Carlo points.
    #[arg(long, default_value_t = 1_000_000)]
    pub samples: u64,
    /// Starting points per sphere of the nearest-error search, and points
    /// of the robustness attacks (0: none).
    #[arg(long, default_value_t = 200)]
    pub starts: usize,
    /// Threads (default: the config's training + evaluation threads).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also estimate both spheres' error rates by rare-event sampling
    /// (adaptive multilevel splitting), far below what Monte Carlo sees:
    /// seconds to minutes per sphere at n = 500.
    #[arg(long)]
    pub rare: bool,
    /// One JSON object with every number instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Sweep one training preset (name or TOML path) over the sizes instead of the paper's models.
    #[arg(long)]
    pub preset: Option<String>,
    /// Training-set sizes, e.g. 1000,10k,100k,online.
    #[arg(long)]
    pub sizes: Option<String>,
    /// Models, e.g. relu,quad (default all).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub models: Vec<SweepModel>,
    /// Sweep directory (default runs/sweep-<timestamp>); rerun with it to resume.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The paper's scale: n = 500, full-size models, sizes 1k to 1M and online.
    #[arg(long)]
    pub full: bool,
    /// Training steps per point.
    #[arg(long)]
    pub steps: Option<u64>,
    /// Measurements per point.
    #[arg(long, default_value_t = 5)]
    pub checkpoints: usize,
    /// Override a config field of every point, e.g. `--set data.n=20` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Run only point I of the plan (see --list), e.g. $SLURM_ARRAY_TASK_ID.
    #[arg(long)]
    pub point: Option<usize>,
    /// Print the plan's points and their state, then exit.
    #[arg(long)]
    pub list: bool,
    /// Training threads of every point (part of the plan: they change the
    /// numbers, so a resume must use the same) and, unless
    /// --eval-threads says otherwise, threads for the measurements.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: u64,
    /// Threads for the measurements alone; free to change on resume
    /// (measurements do not depend on the thread count).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub eval_threads: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A safetensors file, or a directory of `<tensor name>.npy` files, with
    /// the names `spheres export` writes (PyTorch's state_dict names).
    pub file: PathBuf,
    /// The preset (name or TOML path) whose model shape the tensors have.
    #[arg(long)]
    pub preset: String,
    /// Override a config field, e.g. `--set model.width=256` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Run directory (default: runs/<preset>-import-<timestamp>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    pub shell: CompletionShell,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// A sweep directory.
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn sweep_models_are_the_plans_models() {
        let names: Vec<String> = SweepModel::value_variants()
            .iter()
            .map(value_name)
            .collect();
        assert_eq!(names, crate::report::plan::MODELS);
    }

    #[test]
    fn models_accept_a_comma_list() {
        let cli = Cli::try_parse_from(["spheres", "sweep", "--models", "relu-deep,quad"]).unwrap();
        let Some(Cmd::Sweep(a)) = cli.command else {
            panic!("not a sweep")
        };
        assert_eq!(a.models, [SweepModel::ReluDeep, SweepModel::Quad]);
    }
}
