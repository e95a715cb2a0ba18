//! Where pixels come from: the [`RasterSource`] trait every input format implements, [`open`]
//! choosing the implementation for a path, and [`BandSource`], one band of one source playing
//! a role in a job.

use std::path::{Path, PathBuf};

use super::cf::CfMember;
use super::geotiff::GeoTiffReader;
use super::raster::{RasterInfo, Window};
use crate::error::{Error, Result};
use crate::kernels::samples::PackedBand;
use crate::kernels::vocab::Role;

/// A raster read window by window. Implementations keep at most a bounded cache (for GeoTIFF
/// one decoded block row), never the whole raster.
pub trait RasterSource: Send {
    /// What the raster holds.
    fn info(&self) -> &RasterInfo;
    /// The path or URI, for messages.
    fn path(&self) -> &Path;
    /// Read `window` of the 0-based `bands` into `out` (one [`PackedBand`] per band, packed
    /// row by row as the kernels read them). `nodata[k]` is band `k`'s nodata, used where the
    /// packing must mark invalid samples itself (f64 converted to f32).
    fn read_window(
        &mut self,
        window: Window,
        bands: &[u16],
        nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()>;
}

impl RasterSource for GeoTiffReader {
    fn info(&self) -> &RasterInfo {
        GeoTiffReader::info(self)
    }
    fn path(&self) -> &Path {
        GeoTiffReader::path(self)
    }
    fn read_window(
        &mut self,
        window: Window,
        bands: &[u16],
        nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        GeoTiffReader::read_window(self, window, bands, nodata, out)
    }
}

impl RasterSource for CfMember {
    fn info(&self) -> &RasterInfo {
        CfMember::info(self)
    }
    fn path(&self) -> &Path {
        CfMember::path(self)
    }
    fn read_window(
        &mut self,
        window: Window,
        bands: &[u16],
        _nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        CfMember::read_window(self, window, bands, out)
    }
}

/// Open the raster at `path`, choosing the reader by what the path names: a time step of a
/// NetCDF or Zarr stack (`STACK:VAR@YYYY-MM-DD`, see [`super::cf`]) or a GeoTIFF; URLs are
/// refused with what to do instead.
pub fn open(path: &Path) -> Result<Box<dyn RasterSource>> {
    let s = path.to_string_lossy();
    if let Some((scheme, _)) = s.split_once("://") {
        return Err(Error::input(
            path,
            format!("{scheme}:// inputs are not supported yet; download the file and pass its local path"),
        ));
    }
    if let Some(m) = super::cf::open_member(path)? {
        return Ok(Box::new(m));
    }
    Ok(Box::new(GeoTiffReader::open(path)?))
}

/// One input band: a role, a file and a 1-based band number, with optional per-band
/// calibration that overrides the job's (`value = DN·scale + offset`), a recorded calibration
/// used only when neither the job nor the file gives one (`fallback`: a climatology's), and the
/// product's documented fill value, used only when neither `--nodata` nor the file's
/// GDAL_NODATA gives one. `force_nodata` overrides everything for this band alone.
#[derive(Clone, Debug)]
pub struct BandSource {
    pub role: Role,
    pub path: PathBuf,
    pub band: u16,
    pub scale: Option<f32>,
    pub offset: Option<f32>,
    /// `(scale, offset)` when nothing else calibrates the band.
    pub fallback: Option<(f32, f32)>,
    pub nodata: Option<f64>,
    pub force_nodata: Option<f64>,
    /// For the `mask` role: (`MASK_BITS` or `MASK_CLASSES`, bits).
    pub mask: Option<(u32, u32)>,
}

impl BandSource {
    pub fn new(role: Role, path: impl Into<PathBuf>, band: u16) -> Self {
        BandSource {
            role,
            path: path.into(),
            band,
            scale: None,
            offset: None,
            fallback: None,
            nodata: None,
            force_nodata: None,
            mask: None,
        }
    }
}
