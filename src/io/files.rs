//! Output files written safely: refuse to overwrite without asking, write under a temporary
//! name and rename when complete, and remember temporary files so that a hard stop can remove
//! them. Every sink and every side output (statistics, quicklooks, manifests) goes through here.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Refuse to write where we must not: an existing file without `overwrite`, or a folder that
/// does not exist.
pub fn check_output_path(path: &Path, overwrite: bool) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Error::output(
            path,
            "the output folder does not exist; create it first",
        ));
    }
    if path.is_dir() {
        return Err(Error::output(path, "is a folder; give a file name"));
    }
    if path.exists() && !overwrite {
        return Err(Error::output(
            path,
            "already exists; pass --overwrite to replace it",
        ));
    }
    Ok(())
}

/// Whether `a` and `b` name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Whether `path` names a remote object (`http://`, `https://`, `s3://`).
pub fn is_remote(path: &Path) -> bool {
    let s = path.to_string_lossy();
    ["http://", "https://", "s3://"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// The local file or folder holding input `path`: the path itself, or the NetCDF file / Zarr
/// store of a stack member `STACK:VAR@DATE` (`None` when neither exists, or remote).
pub fn backing_path(path: &Path) -> Option<PathBuf> {
    if is_remote(path) {
        return None;
    }
    if path.exists() {
        return Some(path.to_path_buf());
    }
    crate::io::cf::Spec::parse(path)
        .map(|(spec, _)| spec.store)
        .filter(|s| s.exists())
}

/// Size and modification time (nanoseconds since 1970) of the local file holding input `path`
/// (`None` for remote inputs, folders such as Zarr stores, and missing files).
pub fn fingerprint(path: &Path) -> Option<(u64, i64)> {
    let p = backing_path(path)?;
    let m = fs::metadata(&p).ok().filter(|m| m.is_file())?;
    let t = m.modified().ok()?;
    let ns = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(e) => -(e.duration().as_nanos() as i64),
    };
    Some((m.len(), ns))
}

/// The temporary name an output is written under, in its own folder, before it is moved into
/// place.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.climidx-{}.tmp", std::process::id()))
}

/// Write a small output whole: `write` fills the temporary file ([`temp_path`]), which is then
/// renamed to `path`. On any error the temporary file is removed and nothing is left under
/// `path`.
pub fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = temp_path(path);
    let res = write(&tmp).and_then(|()| {
        fs::rename(&tmp, path)
            .map_err(|e| Error::output(path, format!("cannot move into place: {e}")))
    });
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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

/// Remove every temporary file still registered (a second Ctrl-C).
pub fn remove_temp_files() {
    let files = TEMP_FILES.lock().map(|f| f.clone()).unwrap_or_default();
    for f in files {
        let _ = std::fs::remove_file(f);
    }
}
