use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = spheres::cli::Cli::parse();
    match spheres::cli::main(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The command has said what happened; the code tells the shell.
        Err(e) => match e.downcast_ref::<spheres::signals::Interrupted>() {
            Some(i) => std::process::ExitCode::from(i.0.exit_code()),
            None => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}
