use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = spheres::cli::Cli::parse();
    match spheres::cli::main(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(spheres::cli::exit_code(&e))
        }
    }
}
