//! Command-line interface: one file per subcommand.

mod args;
mod attach;
mod bench;
mod bench_rare;
mod bound;
mod completions;
mod eval;
mod export;
mod import;
mod ls;
mod presets;
mod report;
mod resume;
mod run;
mod sweep;
mod watch;

pub use args::{Cli, Cmd};

/// Runs the parsed command line.
pub fn main(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or_default() {
        Cmd::Run(a) => run::run(a),
        Cmd::Presets => presets::list(),
        Cmd::Bench(a) => bench::bench(a),
        Cmd::Resume(a) => resume::resume(a),
        Cmd::Attach(a) => attach::attach(a),
        Cmd::Watch(a) => watch::watch(a),
        Cmd::Ls(a) => ls::ls(a),
        Cmd::Serve => serve_detached(),
        Cmd::Export(a) => export::export(a),
        Cmd::Bound(a) => bound::bound(a),
        Cmd::Eval(a) => eval::eval(a),
        Cmd::Sweep(a) => sweep::sweep(a),
        Cmd::Report(a) => report::report(a),
        Cmd::Import(a) => import::import(a),
        Cmd::Completions(a) => completions::completions(a),
    }
}

/// The run process of a detached start: its launch and its readiness pipe
/// come from the environment its starter set.
fn serve_detached() -> anyhow::Result<()> {
    use crate::serve::{ServeOptions, launch::Launch, ready::Ready, serve};
    let launch = Launch::from_env().unwrap_or_else(|| {
        Err(anyhow::anyhow!(
            "`__serve` is started by `spheres run --detach` and `spheres resume --detach`, not by hand"
        ))
    });
    let ready = Ready::from_env();
    let launch = match launch {
        Ok(l) => l,
        Err(e) => {
            if let Some(r) = ready {
                r.fail(&format!("{e:#}"));
            }
            return Err(e);
        }
    };
    serve(
        &launch,
        ServeOptions {
            ready,
            detached: true,
            // Someone will attach and can lower the learning rate.
            stop_on_divergence: false,
            ..ServeOptions::default()
        },
    )
}
