//! Ctrl-C and SIGTERM for the command line: the first signal trips the [`CancelToken`] of the
//! running job (it stops at the next window boundary, its sinks remove their temporary files,
//! the process exits 130); a second removes every registered temporary file and exits at once.

use std::sync::Mutex;

use crate::engine::CancelToken;

static CURRENT: Mutex<Option<CancelToken>> = Mutex::new(None);

/// Install the handler (once, from `main`).
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        let token = CURRENT.lock().ok().and_then(|t| t.clone());
        match token {
            Some(t) if !t.is_cancelled() => {
                t.cancel();
                eprintln!(
                    "climidx: interrupted; stopping after the current window (again to stop now)"
                );
            }
            _ => {
                crate::io::files::remove_temp_files();
                eprintln!("climidx: interrupted; temporary files removed");
                std::process::exit(130);
            }
        }
    });
}

/// A fresh token for the next job, tripped by the next signal.
pub fn job_token() -> CancelToken {
    let t = CancelToken::new();
    if let Ok(mut c) = CURRENT.lock() {
        *c = Some(t.clone());
    }
    t
}
