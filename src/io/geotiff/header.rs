//! GeoTIFF header reading and validation: the image tags, sample type, layout and georeferencing
//! of the first IFD, refused before any allocation when they cannot describe real data.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use tiff::decoder::{ChunkType, Decoder};
use tiff::tags::Tag;

use crate::error::{Error, Result};
use crate::io::geo::{parse_nodata, GeoInfo};
use crate::io::raster::RasterInfo;
use crate::kernels::samples::DataType;

/// How the samples are laid out in the file.
#[derive(Clone, Copy, Debug)]
pub(super) struct Layout {
    /// Band-separate planes (PlanarConfiguration 2) rather than pixel-interleaved samples.
    pub(super) planar: bool,
    /// Tiles rather than strips.
    pub(super) tiled: bool,
}

pub(super) fn tiff_err(path: &Path, e: tiff::TiffError) -> Error {
    let msg = match e {
        tiff::TiffError::UnsupportedError(u) => {
            format!("unsupported TIFF feature: {u}; convert it with `gdal_translate` first")
        }
        tiff::TiffError::FormatError(f) => format!("corrupt or truncated TIFF: {f}"),
        tiff::TiffError::LimitsExceeded => {
            "a TIFF block is larger than the decoder's memory limit (512 MiB)".to_string()
        }
        other => format!("cannot decode TIFF: {other}"),
    };
    Error::input(path, msg)
}

pub(super) fn read_info(
    path: &Path,
    d: &mut Decoder<BufReader<File>>,
) -> Result<(RasterInfo, Layout)> {
    let e = |err| tiff_err(path, err);
    let (width, height) = d.dimensions().map_err(e)?;
    if width == 0 || height == 0 {
        return Err(Error::input(path, "image has zero width or height"));
    }
    let spp = d
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .map_err(e)?
        .unwrap_or(1);
    let bits = d
        .find_tag_unsigned_vec::<u16>(Tag::BitsPerSample)
        .map_err(e)?
        .unwrap_or(vec![1]);
    let formats = d
        .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
        .map_err(e)?
        .unwrap_or(vec![1]);
    if spp == 0 {
        return Err(Error::input(path, "SamplesPerPixel is 0"));
    }
    if bits.iter().any(|&b| b != bits[0]) || formats.iter().any(|&f| f != formats[0]) {
        return Err(Error::input(
            path,
            "bands have different sample types; unsupported (split the bands into separate files)",
        ));
    }
    let dtype = match (formats[0], bits[0]) {
        (1, 8) => DataType::U8,
        (2, 8) => DataType::I8,
        (1, 16) => DataType::U16,
        (2, 16) => DataType::I16,
        (1, 32) => DataType::U32,
        (2, 32) => DataType::I32,
        (3, 32) => DataType::F32,
        (3, 64) => DataType::F64,
        (f, b) => {
            let kind = match f {
                1 => "unsigned integer",
                2 => "signed integer",
                3 => "floating point",
                _ => "unknown-format",
            };
            return Err(Error::input(
                path,
                format!(
                    "unsupported sample type: {b}-bit {kind}; supported are u8, i8, u16, i16, u32, i32, f32, f64"
                ),
            ));
        }
    };
    let planar = d
        .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
        .map_err(e)?
        .unwrap_or(1)
        == 2;
    let tiled = d.get_chunk_type() == ChunkType::Tile;
    let block = d.chunk_dimensions();
    if block.0 == 0 || block.1 == 0 {
        return Err(Error::input(path, "zero-sized tiles or strips"));
    }
    check_blocks(path, d, width, height, spp, planar, tiled, block, dtype)?;
    let f64v = |d: &mut Decoder<_>, t| -> Result<Option<Vec<f64>>> {
        d.find_tag(t)
            .map_err(e)?
            .map(|v: tiff::decoder::ifd::Value| v.into_f64_vec())
            .transpose()
            .map_err(e)
    };
    let geo = GeoInfo {
        pixel_scale: f64v(d, Tag::ModelPixelScaleTag)?,
        tiepoints: f64v(d, Tag::ModelTiepointTag)?,
        transformation: f64v(d, Tag::ModelTransformationTag)?,
        geo_keys: d
            .find_tag_unsigned_vec::<u16>(Tag::GeoKeyDirectoryTag)
            .map_err(e)?,
        geo_doubles: f64v(d, Tag::GeoDoubleParamsTag)?,
        geo_ascii: d
            .find_tag(Tag::GeoAsciiParamsTag)
            .map_err(e)?
            .and_then(|v| v.into_string().ok()),
    };
    let nodata = match d.find_tag(Tag::GdalNodata).map_err(e)? {
        Some(v) => {
            let s = v.into_string().map_err(e)?;
            Some(parse_nodata(&s).ok_or_else(|| {
                Error::input(path, format!("GDAL_NODATA tag {s:?} is not a number"))
            })?)
        }
        None => None,
    };
    let gdal_metadata = d
        .find_tag(Tag::Unknown(42112))
        .ok()
        .flatten()
        .and_then(|v| v.into_string().ok());
    Ok((
        RasterInfo {
            width,
            height,
            bands: spp,
            dtype,
            block,
            nodata,
            geo,
            gdal_metadata,
        },
        Layout { planar, tiled },
    ))
}

/// Largest decoded block row (one strip, or one row of tiles, of the bands read) we allocate.
pub const MAX_BLOCK_ROW_BYTES: u64 = 1 << 30;

/// Refuse headers that cannot describe real data before anything is allocated: block rows
/// larger than [`MAX_BLOCK_ROW_BYTES`], a block table of the wrong length, blocks that lie
/// beyond the end of the file, and uncompressed blocks shorter than their pixels.
#[allow(clippy::too_many_arguments)]
fn check_blocks(
    path: &Path,
    d: &mut Decoder<BufReader<File>>,
    width: u32,
    height: u32,
    spp: u16,
    planar: bool,
    tiled: bool,
    block: (u32, u32),
    dtype: DataType,
) -> Result<()> {
    let e = |err| tiff_err(path, err);
    let samples = if planar { 1 } else { spp as u64 };
    let row_bytes = width as u64 * block.1 as u64 * samples * dtype.file_bytes() as u64;
    if row_bytes > MAX_BLOCK_ROW_BYTES {
        return Err(Error::input(
            path,
            format!(
                "{width}x{height} image with {}-row blocks needs {} MiB per block row (limit {} MiB); \
                 re-tile it (gdal_translate -co TILED=YES) or check that the header is not corrupt",
                block.1,
                row_bytes >> 20,
                MAX_BLOCK_ROW_BYTES >> 20
            ),
        ));
    }
    let across = if tiled {
        width.div_ceil(block.0) as u64
    } else {
        1
    };
    let expected = across * height.div_ceil(block.1) as u64 * if planar { spp as u64 } else { 1 };
    let (off_tag, cnt_tag) = if tiled {
        (Tag::TileOffsets, Tag::TileByteCounts)
    } else {
        (Tag::StripOffsets, Tag::StripByteCounts)
    };
    let offsets = d
        .find_tag_unsigned_vec::<u64>(off_tag)
        .map_err(e)?
        .unwrap_or_default();
    let counts = d
        .find_tag_unsigned_vec::<u64>(cnt_tag)
        .map_err(e)?
        .unwrap_or_default();
    if offsets.len() as u64 != expected || counts.len() as u64 != expected {
        return Err(Error::input(
            path,
            format!(
                "corrupt TIFF: {} block offsets and {} byte counts for {expected} blocks",
                offsets.len(),
                counts.len()
            ),
        ));
    }
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
    let compression = d
        .find_tag_unsigned::<u16>(Tag::Compression)
        .map_err(e)?
        .unwrap_or(1);
    for (i, (&o, &c)) in offsets.iter().zip(&counts).enumerate() {
        if o.checked_add(c).is_none_or(|end| end > file_len) {
            return Err(Error::input(
                path,
                format!("corrupt or truncated TIFF: block {i} (bytes {o}..{}) lies beyond the end of the file ({file_len} bytes)", o.saturating_add(c)),
            ));
        }
        // An uncompressed strip holds exactly its rows (the last one of a plane may have fewer).
        if compression == 1 && !tiled {
            let per_plane = height.div_ceil(block.1) as u64;
            let row0 = (i as u64 % per_plane) * block.1 as u64;
            let rows = (block.1 as u64).min(height as u64 - row0);
            let need = rows * width as u64 * samples * dtype.file_bytes() as u64;
            if c < need {
                return Err(Error::input(
                    path,
                    format!("corrupt TIFF: uncompressed strip {i} has {c} bytes, expected {need}"),
                ));
            }
        }
    }
    Ok(())
}
