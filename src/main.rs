use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = spheres::cli::Cli::parse();
    match spheres::cli::main(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // A signal is not a failure: say what stopped, without "error".
            match spheres::signals::interruption(&e) {
                Some(i) => eprintln!("{i}"),
                None => eprintln!("error: {e:#}"),
            }
            std::process::ExitCode::from(spheres::signals::exit_code(&e))
        }
    }
}
