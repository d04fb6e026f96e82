//! `spheres completions SHELL`: a completion script generated from the
//! same clap definition that parses the command line, so it lists every
//! subcommand, option and value-enum value.

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::{Cli, CompletionShell, CompletionsArgs};

pub fn completions(a: CompletionsArgs) -> anyhow::Result<()> {
    let shell = match a.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "spheres", &mut std::io::stdout());
    Ok(())
}
