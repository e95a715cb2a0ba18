//! GeoTIFF header reading and validation: the image tags, sample type, layout and georeferencing
//! of the first IFD, refused before any allocation when they cannot describe real data.

use std::path::Path;

use tiff::decoder::{ChunkType, Decoder};
use tiff::tags::{ByteOrder, Tag};

use super::block::BlockFormat;
use super::format::{self, Codec, TO_DEFLATE};
use crate::error::{Error, Result};
use crate::io::bytes::ByteSource;
use crate::io::geo::{parse_nodata, GeoInfo};
use crate::io::raster::RasterInfo;

/// How the samples are laid out and encoded in the file.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    /// Band-separate planes (PlanarConfiguration 2) rather than pixel-interleaved samples.
    pub(super) planar: bool,
    /// Tiles rather than strips.
    pub(super) tiled: bool,
    pub(super) format: BlockFormat,
    /// File offset and byte count of every block (0 bytes: a missing, sparse block).
    pub(super) offsets: Vec<u64>,
    pub(super) counts: Vec<u64>,
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
        tiff::TiffError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "file ends inside its TIFF header or directory (truncated download?); re-fetch it"
                .to_string()
        }
        other => format!("cannot decode TIFF: {other}"),
    };
    Error::input(path, msg)
}

pub(super) fn read_info(path: &Path, d: &mut Decoder<ByteSource>) -> Result<(RasterInfo, Layout)> {
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
    let (Some(&bits0), Some(&format0)) = (bits.first(), formats.first()) else {
        return Err(Error::input(
            path,
            "corrupt TIFF: empty BitsPerSample or SampleFormat",
        ));
    };
    if bits.iter().any(|&b| b != bits0) || formats.iter().any(|&f| f != format0) {
        return Err(Error::input(
            path,
            "bands have different sample types; unsupported (split the bands into separate files)",
        ));
    }
    let refuse = |m: String| Error::input(path, m);
    let enc = format::encoding(format0, bits0).map_err(refuse)?;
    let dtype = enc.dtype;
    let tag16 = |d: &mut Decoder<_>, t, default| -> Result<u16> {
        Ok(d.find_tag_unsigned::<u16>(t).map_err(e)?.unwrap_or(default))
    };
    let codec = format::codec(tag16(d, Tag::Compression, 1)?).map_err(refuse)?;
    format::photometric(tag16(d, Tag::PhotometricInterpretation, 1)?).map_err(refuse)?;
    let predictor = format::predictor(tag16(d, Tag::Predictor, 1)?, &enc).map_err(refuse)?;
    if tag16(d, Tag::FillOrder, 1)? != 1 {
        return Err(refuse(format!(
            "unsupported FillOrder 2 (least significant bit first); convert it with `{TO_DEFLATE}`"
        )));
    }
    let extra = d
        .find_tag_unsigned_vec::<u16>(Tag::ExtraSamples)
        .map_err(e)?
        .unwrap_or_default();
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
    // RowsPerStrip may exceed the height (2^32 - 1: one strip); a strip holds the rows there are.
    let block = if tiled {
        block
    } else {
        (block.0, block.1.min(height))
    };
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
    let format = BlockFormat {
        codec,
        enc,
        predictor,
        big_endian: d.byte_order() == ByteOrder::BigEndian,
        spp: if planar { 1 } else { spp as usize },
        fill: format::sparse_fill(&enc, nodata),
    };
    let layout = Layout {
        planar,
        tiled,
        format,
        offsets,
        counts,
    };
    let file_len = d.inner().len();
    check_blocks(path, width, height, spp, block, &layout, file_len)?;
    refuse_masks(path, d, (width, height))?;
    let gdal_metadata = d
        .find_tag(Tag::Unknown(42112))
        .ok()
        .flatten()
        .and_then(|v| v.into_string().ok());
    let info = RasterInfo {
        width,
        height,
        bands: spp,
        dtype,
        block,
        nodata,
        geo,
        gdal_metadata,
    };
    format::masks_and_nodata(&info, &extra).map_err(refuse)?;
    refuse_aux(path, &info)?;
    Ok((info, layout))
}

/// GDAL reads a full-resolution mask IFD (`-of COG` of a masked input, `GDAL_TIFF_INTERNAL_MASK`)
/// or a `.msk` sidecar as the validity of every band. climidx does not apply masks, so it
/// refuses such files rather than read masked pixels as data. Moves `d` past the first IFD.
fn refuse_masks(path: &Path, d: &mut Decoder<ByteSource>, dims: (u32, u32)) -> Result<()> {
    let refuse = |what: &str| {
        Error::input(
            path,
            format!(
                "{what}, which climidx does not apply (it would read masked pixels as data); \
                 turn the mask into nodata with `gdalwarp -dstnodata VALUE in.tif out.tif`"
            ),
        )
    };
    let sidecar = |ext: &str| {
        let mut s = path.as_os_str().to_owned();
        s.push(ext);
        std::path::PathBuf::from(s)
    };
    if sidecar(".msk").exists() {
        return Err(refuse("has a .msk mask sidecar"));
    }
    while d.more_images() && d.next_image().is_ok() {
        let tag = |d: &mut Decoder<_>, t| d.find_tag_unsigned::<u32>(t).ok().flatten();
        let sub = tag(d, Tag::NewSubfileType).unwrap_or(0);
        let mask = sub & 4 != 0 && sub & 1 == 0;
        if mask
            && tag(d, Tag::PhotometricInterpretation) == Some(4)
            && d.dimensions().ok() == Some(dims)
        {
            return Err(refuse("has an internal mask"));
        }
    }
    Ok(())
}

/// GDAL takes nodata, scale and offset from an `.aux.xml` sidecar when the file declares none
/// (the file's own tags win); climidx reads only the file, so it refuses the sidecar's.
fn refuse_aux(path: &Path, info: &RasterInfo) -> Result<()> {
    let mut aux = path.as_os_str().to_owned();
    aux.push(".aux.xml");
    let Ok(aux) = std::fs::read_to_string(aux) else {
        return Ok(());
    };
    let calibrated =
        (0..info.bands as usize).any(|b| info.band_calibration(b).ok().flatten().is_some());
    let what = if info.nodata.is_none() && aux.contains("<NoDataValue>") {
        "NoDataValue"
    } else if !calibrated && (aux.contains("<Scale>") || aux.contains("<Offset>")) {
        "Scale/Offset"
    } else {
        return Ok(());
    };
    Err(Error::input(
        path,
        format!(
            "its .aux.xml sidecar declares {what}, which GDAL applies and climidx does not read; \
             write it into the file with `gdal_translate in.tif out.tif`"
        ),
    ))
}

/// Largest decoded block row (one strip, or one row of tiles, of the bands read) we allocate.
pub const MAX_BLOCK_ROW_BYTES: u64 = 1 << 30;

/// Refuse headers that cannot describe real data before anything is allocated: block rows
/// larger than [`MAX_BLOCK_ROW_BYTES`], a block table of the wrong length, blocks that lie
/// beyond the end of the file, and uncompressed blocks shorter than their pixels. Blocks of 0
/// bytes are missing (sparse) blocks, read as GDAL reads them.
fn check_blocks(
    path: &Path,
    width: u32,
    height: u32,
    spp: u16,
    block: (u32, u32),
    layout: &Layout,
    file_len: u64,
) -> Result<()> {
    let f = &layout.format;
    let across = if layout.tiled {
        width.div_ceil(block.0) as u64
    } else {
        1
    };
    // A row of tiles is decoded tile by tile, padding included: its padded width counts (a tile
    // may be much wider or taller than the image).
    let padded = if layout.tiled {
        across * block.0 as u64
    } else {
        width as u64
    };
    let row_bytes = (f.decoded_row_bytes(1) as u64)
        .saturating_mul(padded)
        .saturating_mul(block.1 as u64);
    if row_bytes > MAX_BLOCK_ROW_BYTES {
        return Err(Error::input(
            path,
            format!(
                "{width}x{height} image with {}x{} blocks needs {} MiB per block row (limit {} MiB); \
                 re-tile it (gdal_translate -co TILED=YES) or check that the header is not corrupt",
                block.0,
                block.1,
                row_bytes >> 20,
                MAX_BLOCK_ROW_BYTES >> 20
            ),
        ));
    }
    let per_plane = height.div_ceil(block.1) as u64;
    let expected = across * per_plane * if layout.planar { spp as u64 } else { 1 };
    let (offsets, counts) = (&layout.offsets, &layout.counts);
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
    for (i, (&o, &c)) in offsets.iter().zip(counts).enumerate() {
        if c == 0 {
            continue;
        }
        if o == 0 {
            return Err(Error::input(
                path,
                format!("corrupt TIFF: block {i} has {c} bytes at offset 0"),
            ));
        }
        if o.checked_add(c).is_none_or(|end| end > file_len) {
            return Err(Error::input(
                path,
                format!(
                    "file ends inside block {i} (bytes {o}..{} of a {file_len}-byte file; \
                     truncated download?); re-fetch it",
                    o.saturating_add(c)
                ),
            ));
        }
        // An uncompressed block holds exactly its rows (the last strip of a plane may have
        // fewer).
        if f.codec == Codec::None {
            let (bw, rows) = if layout.tiled {
                (block.0, block.1)
            } else {
                let row0 = (i as u64 % per_plane) as u32 * block.1;
                (width, block.1.min(height - row0))
            };
            let need = rows as u64 * f.encoded_row_bytes(bw as usize) as u64;
            if c < need {
                let what = if layout.tiled { "tile" } else { "strip" };
                return Err(Error::input(
                    path,
                    format!("corrupt TIFF: uncompressed {what} {i} has {c} bytes, expected {need}"),
                ));
            }
        }
    }
    Ok(())
}
