//! Command-line front end: clap definitions ([`args`]) and one file per subcommand
//! ([`commands`]). The binary's `main` only parses, logs and maps errors to exit codes.

pub mod args;
pub mod bench;
pub mod commands;
pub mod config;
pub mod output_type;
pub mod progress;
pub mod report;
pub mod signals;
pub mod stack_inputs;
pub mod usage;

pub use args::Cli;

use crate::error::Result;
use args::Command;

/// Set up env_logger from `-v`/`-q` (RUST_LOG still wins when set).
pub fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    // wgpu_hal::gles logs an ERROR for every machine without a GL driver while probing
    // adapters; that is not an error for us.
    let filter = format!("{level},wgpu_core=warn,wgpu_hal=warn,wgpu_hal::gles=off,naga=warn");
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(filter))
        .format_timestamp_millis()
        .try_init();
}

/// Run the parsed command. Commands that write files end with a summary line on standard
/// error (not with `-q`) and, with `--json`, a report on standard output ([`report`]).
pub fn run(cli: Cli) -> Result<()> {
    let done = match cli.command {
        Command::Adapters(a) => return commands::adapters::run(&a),
        Command::Bench(a) => return commands::bench::run(&a),
        Command::List(a) => return commands::list::run(&a),
        Command::Show(a) => return commands::list::show(&a),
        Command::Index(a) => commands::index::run(&a)?,
        Command::Lst(a) => commands::lst::run(&a)?,
        Command::Quicklook(a) => commands::quicklook::run(&a)?,
        Command::Expr(a) => commands::index::run_expr(&a)?,
        Command::Climatology(a) => commands::climatology::run(&a)?,
        Command::Anomaly(a) => commands::anomaly::run(&a)?,
        Command::Vhi(a) => commands::anomaly::run_vhi(&a)?,
        Command::Trend(a) => commands::trend::run(&a)?,
        Command::Spi(a) => commands::spi::run(&a)?,
    };
    done.print(cli.quiet);
    Ok(())
}
