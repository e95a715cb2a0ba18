//! Where pixels go: the [`RasterSink`] trait every output format implements, [`create`]
//! choosing the implementation, and the registry of temporary files that a hard stop removes.
//!
//! Every sink writes under a temporary name and moves the file into place only when it is
//! complete ([`RasterSink::finish`]); dropping an unfinished sink removes the temporary file, so
//! a failed or interrupted run leaves no half-written output.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::geo::GeoInfo;
use super::geotiff::GeoTiffWriter;
use super::raster::Window;
use crate::error::{Error, Result};

pub use super::geotiff::writer::{SampleKind, WriterOptions as SinkOptions};

/// A raster written window by window.
pub trait RasterSink: Send {
    /// The final path.
    fn path(&self) -> &Path;
    /// Write `window` of every band: `bands[b]` holds `window` pixels of band `b` as raw 32-bit
    /// words of the sink's sample kind (f32 bits or u32), row by row. Windows come in order.
    fn write_window(&mut self, window: Window, bands: &[&[u32]]) -> Result<()>;
    /// Complete the file and move it into place.
    fn finish(self: Box<Self>) -> Result<PathBuf>;
}

impl RasterSink for GeoTiffWriter {
    fn path(&self) -> &Path {
        self.final_path()
    }
    fn write_window(&mut self, window: Window, bands: &[&[u32]]) -> Result<()> {
        if window.col_off != 0 || window.width != self.width() || window.row_off != self.rows_done()
        {
            return Err(Error::Internal(format!(
                "GeoTIFF sink takes full-width windows in row order; got {window:?} after {} rows",
                self.rows_done()
            )));
        }
        self.write_words(bands, window.height)
    }
    fn finish(self: Box<Self>) -> Result<PathBuf> {
        GeoTiffWriter::finish(*self)
    }
}

/// Create a `width` × `height` raster of `bands` bands at `path`, georeferenced as `geo`. GeoTIFF
/// is the one output format today.
pub fn create(
    path: &Path,
    width: u32,
    height: u32,
    bands: usize,
    geo: &GeoInfo,
    opts: SinkOptions,
) -> Result<Box<dyn RasterSink>> {
    Ok(Box::new(GeoTiffWriter::create(
        path, width, height, bands, geo, opts,
    )?))
}

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
