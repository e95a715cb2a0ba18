//! Where pixels come from: the [`RasterSource`] trait every input format implements, [`open`]
//! choosing the implementation for a path, and [`BandSource`], one band of one source playing
//! a role in a job.

use std::path::{Path, PathBuf};

use super::cf::CfMember;
use super::geotiff::GeoTiffReader;
use super::jp2::boxes::{J2K_SIGNATURE, JP2_SIGNATURE};
use super::jp2::Jp2Reader;
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

impl RasterSource for Jp2Reader {
    fn info(&self) -> &RasterInfo {
        Jp2Reader::info(self)
    }
    fn path(&self) -> &Path {
        Jp2Reader::path(self)
    }
    fn read_window(
        &mut self,
        window: Window,
        bands: &[u16],
        nodata: &[Option<f64>],
        out: &mut [PackedBand],
    ) -> Result<()> {
        Jp2Reader::read_window(self, window, bands, nodata, out)
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

/// Open the raster at `path`, choosing the reader by what the path names and the file's first
/// bytes: a time step of a NetCDF or Zarr stack (`STACK:VAR@YYYY-MM-DD`, see [`super::cf`]), a
/// JP2 signature box (or a `.jp2` name) opens a [`Jp2Reader`], anything else the GeoTIFF reader
/// (which names what it is not). GeoTIFFs are also read from `http://`, `https://` and `s3://`
/// URLs (see [`crate::io::bytes`]); a remote JPEG 2000 is refused with what to do instead.
pub fn open(path: &Path) -> Result<Box<dyn RasterSource>> {
    let s = path.to_string_lossy();
    if s.contains("://") {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jp2"))
        {
            return Err(Error::input(
                path,
                "JPEG 2000 is read from local files only; download it (or convert it to a COG with `gdal_translate -of COG`) and pass that",
            ));
        }
        return Ok(Box::new(GeoTiffReader::open(path)?));
    }
    if let Some(m) = super::cf::open_member(path)? {
        return Ok(Box::new(m));
    }
    let mut head = [0u8; 12];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let jp2_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jp2"));
    if (n == 12 && head == JP2_SIGNATURE) || jp2_name {
        return Ok(Box::new(Jp2Reader::open(path)?));
    }
    if n >= 4 && head[..4] == J2K_SIGNATURE {
        return Err(Error::input(
            path,
            "a raw JPEG 2000 codestream has no georeferencing; wrap it with `gdal_translate -of GTiff IN.j2k OUT.tif`",
        ));
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
    /// `scale`/`offset` come from a STAC item's `raster:bands` (said so in the provenance).
    pub stac: bool,
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
            stac: false,
        }
    }
}
