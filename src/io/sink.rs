//! Where pixels go: the [`RasterSink`] trait every output format implements, and [`create`]
//! choosing the implementation.
//!
//! Every sink writes under a temporary name and moves the file into place only when it is
//! complete ([`RasterSink::finish`]); dropping an unfinished sink removes the temporary file, so
//! a failed or interrupted run leaves no half-written output ([`super::files`]).

use std::path::{Path, PathBuf};

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
