//! What a caller hands a job besides the job itself: a [`CancelToken`] it can trip from another
//! thread (a signal handler, a notebook's interrupt, a Dask task's cancellation) and a
//! [`Progress`] hook the job reports to. The engine never installs handlers or draws anything.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Asks a running job to stop at the next window boundary; the job then returns
/// [`Error::Interrupted`] and its sinks remove their temporary files. Clones share one flag.
/// A fresh token is not cancelled, so every run can have its own.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(Error::Interrupted)` once cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Receives a job's progress: `start` once with the total of its units (rows, or inputs ×
/// windows), `advance` as units complete, `finish` at the end. Called from the job's compute
/// thread.
pub trait Progress: Send + Sync {
    fn start(&self, _total: u64, _what: &str) {}
    fn advance(&self, _units: u64) {}
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A job's cancel token and progress hook.
#[derive(Clone)]
pub struct Control {
    pub cancel: CancelToken,
    pub progress: Arc<dyn Progress>,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            cancel: CancelToken::new(),
            progress: Arc::new(NoProgress),
        }
    }
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}
