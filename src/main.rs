use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = climidx::cli::Cli::parse();
    climidx::cli::init_logging(&cli);
    match climidx::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("climidx: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
