//! Command-line interface: one file per subcommand.

mod args;
mod bench;
mod bound;
mod eval;
mod export;
mod headless;
mod interrupted;
mod presets;
mod report;
mod resume;
mod run;
mod sweep;

pub use args::{Cli, Cmd};
pub use interrupted::{Interrupted, exit_code};

/// Runs the parsed command line.
pub fn main(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or_default() {
        Cmd::Run(a) => run::run(a),
        Cmd::Presets => presets::list(),
        Cmd::Bench(a) => bench::bench(a),
        Cmd::Resume(a) => resume::resume(a),
        Cmd::Export(a) => export::export(a),
        Cmd::Bound(a) => bound::bound(a),
        Cmd::Eval(a) => eval::eval(a),
        Cmd::Sweep(a) => sweep::sweep(a),
        Cmd::Report(a) => report::report(a),
    }
}
