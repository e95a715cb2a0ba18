//! The crate's error type. Every variant says who is at fault and what to do.
//!
//! The binary maps variants to exit codes (see [`Error::exit_code`]): 2 usage, 3 input data,
//! 4 device, 5 output, 70 internal, 130 interrupted.

use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong in climidx.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user asked for something inconsistent (bad flag values, missing bands, unknown index).
    #[error("{0}")]
    Usage(String),

    /// An input file could not be read or is not something we can process.
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },

    /// Inputs disagree with each other (size, georeferencing, CRS).
    #[error("{0}")]
    Mismatch(String),

    /// No adapter matched the request.
    #[error("{0}")]
    NoAdapter(String),

    /// The device failed (request, lost, out of memory, map or poll timeout).
    #[error("GPU device error: {0}; retry with `--device cpu` to use the native CPU path")]
    Device(String),

    /// The output could not be written.
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },

    /// Ctrl-C or SIGTERM: the run stopped, its partial output was removed.
    #[error("interrupted; the partial output was removed")]
    Interrupted,

    /// A bug in climidx: an invariant was broken.
    #[error("internal error: {0} (please report this as a bug)")]
    Internal(String),
}

impl Error {
    /// Process exit code for this error class (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Input { .. } | Error::Mismatch(_) => 3,
            Error::NoAdapter(_) | Error::Device(_) => 4,
            Error::Output { .. } => 5,
            Error::Interrupted => 130,
            Error::Internal(_) => 70,
        }
    }

    pub(crate) fn input(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        Error::Input {
            path: path.into(),
            message: message.to_string(),
        }
    }

    pub(crate) fn output(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        Error::Output {
            path: path.into(),
            message: message.to_string(),
        }
    }
}
