//! Engine errors as Python exceptions, with the CLI's one-line messages: usage and data problems
//! are `ValueError`, unreadable or unwritable files `OSError`, an interrupted job
//! `KeyboardInterrupt`, device failures and bugs `RuntimeError`.

use climidx::Error;
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::PyErr;

pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Usage(_) | Error::Mismatch(_) => PyValueError::new_err(msg),
        Error::Input { .. } | Error::Output { .. } => PyOSError::new_err(msg),
        Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
        _ => PyRuntimeError::new_err(msg),
    }
}
