//! Ctrl-C and SIGTERM: the first signal asks the run to stop at the next window boundary (the
//! engine returns [`Error::Interrupted`], the writer's drop removes its temporary file, the
//! process exits 130); a second signal removes every registered temporary file and exits at once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

static CANCELLED: AtomicBool = AtomicBool::new(false);
static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Install the signal handler (once, from `main`).
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        if CANCELLED.swap(true, Ordering::SeqCst) {
            let files = TEMP_FILES.lock().map(|f| f.clone()).unwrap_or_default();
            for f in files {
                let _ = std::fs::remove_file(f);
            }
            eprintln!("climidx: interrupted again; temporary files removed");
            std::process::exit(130);
        }
        eprintln!("climidx: interrupted; stopping after the current window (again to stop now)");
    });
}

/// `Err(Error::Interrupted)` once a signal arrived.
pub fn check() -> Result<()> {
    if CANCELLED.load(Ordering::SeqCst) {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Remember a temporary file to remove if the process is stopped hard.
pub fn register_temp(path: &Path) {
    if let Ok(mut f) = TEMP_FILES.lock() {
        f.push(path.to_path_buf());
    }
}

pub fn unregister_temp(path: &Path) {
    if let Ok(mut f) = TEMP_FILES.lock() {
        f.retain(|p| p != path);
    }
}
