use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Mesa's implicit device-select Vulkan layer prints "XDG_RUNTIME_DIR is invalid" on headless
    // machines; wgpu enumerates every adapter itself, so the layer adds nothing for us.
    if std::env::var_os("NODEVICE_SELECT").is_none() {
        // SAFETY: single-threaded here, before any library reads the environment.
        unsafe { std::env::set_var("NODEVICE_SELECT", "1") };
    }
    // `climidx list | head`: end quietly when the reader goes away, as other command-line
    // tools do, instead of panicking in println!.
    #[cfg(unix)]
    // SAFETY: restores the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    climidx::cli::signals::install_handler();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match climidx::cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // Usage errors in one line (exit 2); --help and --version as clap prints them.
        Err(e) => climidx::cli::usage::exit_on_clap_error(e, &args),
    };
    climidx::cli::init_logging(&cli);
    match climidx::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("climidx: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
