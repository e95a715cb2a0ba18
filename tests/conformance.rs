//! Conformance with GDAL: a matrix of GeoTIFFs written by `gdal_translate` (sample types, NBITS,
//! every compression GDAL offers, predictors, photometric interpretations, interleaving, block
//! shapes, sparse blocks, byte order, BigTIFF, COG, nodata variants), each either read exactly
//! as GDAL reads it (EQUAL: every band's values bit-identical to `gdal_translate -ot Float32`
//! of the file, and the same nodata mask) or refused with the expected message (REFUSED).
//! A WRONG case (a read that differs from GDAL's) fails the test, and so does a case whose
//! outcome is not the one expected.
//!
//! Sources are small generated rasters (raw files behind a VRT, which also sets any nodata
//! value, out-of-range ones included, and palettes). The reference is GDAL's reading of every
//! file, from one `gdal_translate -ot Float32 -of ENVI` of a VRT that stacks each band (the
//! conversion `gdal_translate -ot Float32` makes) and its mask band (GDAL's nodata test: the
//! nodata value cast to the band type, float32 for float32 bands; or an internal mask).
//! NaN counts as masked, as it does in climidx.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use climidx::io::geotiff::reader::GeoTiffReader;
use climidx::io::raster::Window;
use climidx::kernels::abi::{decode, raw_sample, BandParams};
use climidx::kernels::samples::{NodataMatch, PackedBand};

use crate::common::{gdal_tool, tempdir};

const W: usize = 29;
const H: usize = 23;

/// A generated source raster: its type and values.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Base {
    U8,
    /// 0/1 values (NBITS=1).
    Bit,
    U16,
    /// Values below 2^12.
    U12,
    I16,
    U32,
    /// Values below 2^20.
    U20,
    I32,
    I64,
    U64,
    F32,
    /// Values a 16-bit float holds (NBITS=16).
    F16,
    F64,
    /// The top-left 16×16 tile and rows 16..20 hold the fill value (SPARSE_OK omits them).
    U8Hole,
    U16Hole,
    F32Hole,
}

impl Base {
    fn gdal_type(self) -> &'static str {
        match self {
            Base::U8 | Base::Bit | Base::U8Hole => "Byte",
            Base::U16 | Base::U12 | Base::U16Hole => "UInt16",
            Base::I16 => "Int16",
            Base::U32 | Base::U20 => "UInt32",
            Base::I32 => "Int32",
            Base::I64 => "Int64",
            Base::U64 => "UInt64",
            Base::F32 | Base::F16 | Base::F32Hole => "Float32",
            Base::F64 => "Float64",
        }
    }

    fn bytes(self) -> usize {
        match self.gdal_type() {
            "Byte" => 1,
            "UInt16" | "Int16" => 2,
            "UInt32" | "Int32" | "Float32" => 4,
            _ => 8,
        }
    }

    /// Sample (band `b`, column `x`, row `y`), little-endian.
    fn sample(self, b: usize, x: usize, y: usize) -> Vec<u8> {
        let i = (y * W + x) as u64;
        let k = i
            .wrapping_mul(2_654_435_761)
            .wrapping_add(b as u64 * 40_503)
            >> 3;
        let hole = x < 16 && y < 16 || (16..20).contains(&y);
        let special = (i + 3 * b as u64) % 17;
        match self {
            Base::U8 => vec![(k % 256) as u8],
            Base::U8Hole => vec![if hole { 9 } else { (k % 256) as u8 }],
            Base::Bit => vec![(k % 2) as u8],
            Base::U16 => ((k % 65536) as u16).to_le_bytes().to_vec(),
            Base::U16Hole => (if hole { 0 } else { (k % 65536) as u16 })
                .to_le_bytes()
                .to_vec(),
            Base::U12 => ((k % 4096) as u16).to_le_bytes().to_vec(),
            Base::I16 => ((k % 65536) as u16 as i16).to_le_bytes().to_vec(),
            Base::U32 => (if special == 0 { 5 } else { k as u32 })
                .to_le_bytes()
                .to_vec(),
            Base::U20 => ((k % (1 << 20)) as u32).to_le_bytes().to_vec(),
            Base::I32 => (if special == 0 { -5 } else { k as u32 as i32 })
                .to_le_bytes()
                .to_vec(),
            Base::I64 => {
                let v = match special {
                    0 => -9999,
                    1 => (1i64 << 40) + 3,
                    2 => -(1i64 << 53) - 7,
                    _ => (k % 2_000_000) as i64 - 1_000_000,
                };
                v.to_le_bytes().to_vec()
            }
            Base::U64 => {
                let v = match special {
                    0 => 77,
                    1 => (1u64 << 50) + 1,
                    _ => k % 3_000_000,
                };
                v.to_le_bytes().to_vec()
            }
            Base::F32 | Base::F32Hole => {
                let v = match special {
                    _ if self == Base::F32Hole && hole => -9999.0,
                    0 => f32::NAN,
                    1 => -3.4e38,
                    2 => -9999.0,
                    3 => -0.0,
                    4 => 1e-40,
                    _ => ((i as f32) * 0.37 + b as f32).sin() * 1000.0 * (b + 1) as f32,
                };
                v.to_le_bytes().to_vec()
            }
            Base::F16 => {
                let v = match special {
                    0 => f32::NAN,
                    1 => -9999.0,
                    _ => (k % 400) as f32 * 0.25 - 50.0,
                };
                v.to_le_bytes().to_vec()
            }
            Base::F64 => {
                let v = match special {
                    0 => f64::NAN,
                    1 => -3.4e38,
                    2 => -9999.0,
                    3 => 1e-300,
                    _ => ((i as f64) * 0.37 + b as f64).sin() * 1e5 / 3.0,
                };
                v.to_le_bytes().to_vec()
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Equal,
    /// Refused, with this in the message.
    Refused(&'static str),
}

struct Case {
    name: &'static str,
    base: Base,
    bands: usize,
    /// NoDataValue of the source (any text GDAL parses; out-of-range values are kept).
    nodata: Option<&'static str>,
    /// A palette source band (PHOTOMETRIC=PALETTE).
    palette: bool,
    /// An `.aux.xml` sidecar written next to the file.
    aux: Option<&'static str>,
    /// gdal_translate options.
    args: &'static str,
    expect: Expect,
}

const fn case(name: &'static str, base: Base, bands: usize, args: &'static str) -> Case {
    Case {
        name,
        base,
        bands,
        nodata: None,
        palette: false,
        aux: None,
        args,
        expect: Expect::Equal,
    }
}

const fn nd(mut c: Case, nodata: &'static str) -> Case {
    c.nodata = Some(nodata);
    c
}

const fn refused(mut c: Case, needle: &'static str) -> Case {
    c.expect = Expect::Refused(needle);
    c
}

const fn aux(mut c: Case, xml: &'static str) -> Case {
    c.aux = Some(xml);
    c
}

const fn palette(mut c: Case) -> Case {
    c.palette = true;
    c
}

use Base::*;

const AUX_NODATA: &str = "<PAMDataset><PAMRasterBand band=\"1\">\
    <NoDataValue>7</NoDataValue></PAMRasterBand></PAMDataset>";
const AUX_STATS: &str = "<PAMDataset><PAMRasterBand band=\"1\"><Metadata>\
    <MDI key=\"STATISTICS_MEAN\">1</MDI></Metadata></PAMRasterBand></PAMDataset>";

fn cases() -> Vec<Case> {
    vec![
        // sample types
        nd(case("byte", U8, 1, ""), "7"),
        nd(case("int8", U8, 2, "-co PIXELTYPE=SIGNEDBYTE"), "-3"),
        nd(case("uint16", U16, 2, ""), "0"),
        nd(case("int16", I16, 1, ""), "-1"),
        nd(case("uint32", U32, 1, ""), "5"),
        nd(case("int32", I32, 2, ""), "-5"),
        nd(case("int64", I64, 2, ""), "-9999"),
        nd(case("uint64", U64, 1, ""), "77"),
        nd(case("float32", F32, 2, ""), "-9999"),
        nd(case("float64", F64, 2, ""), "-9999"),
        case("float64-no-nodata", F64, 1, ""),
        nd(case("float16", F16, 2, "-co NBITS=16"), "-9999"),
        // NBITS
        case("nbits1", Bit, 1, "-co NBITS=1"),
        case("nbits1-tiled", Bit, 1, "-co NBITS=1 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16"),
        nd(case("nbits12", U12, 3, "-co NBITS=12"), "4095"),
        case("nbits12-planar", U12, 2, "-co NBITS=12 -co INTERLEAVE=BAND -co COMPRESS=DEFLATE"),
        case("nbits12-tiled-lzw", U12, 2, "-co NBITS=12 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=32 -co COMPRESS=LZW"),
        case("nbits20", U20, 2, "-co NBITS=20"),
        case("nbits24", U20, 2, "-co NBITS=24"),
        case("nbits4", Bit, 2, "-co NBITS=4"),
        // compressions
        case("none", U16, 3, "-co COMPRESS=NONE"),
        case("lzw", U16, 3, "-co COMPRESS=LZW"),
        case("packbits", U8, 3, "-co COMPRESS=PACKBITS"),
        case("deflate", U16, 3, "-co COMPRESS=DEFLATE -co ZLEVEL=9"),
        nd(case("lzma", U16, 3, "-co COMPRESS=LZMA"), "0"),
        case("lzma-f32-pred3", F32, 2, "-co COMPRESS=LZMA -co PREDICTOR=3"),
        case("zstd", U16, 3, "-co COMPRESS=ZSTD"),
        case("zstd-f64-pred3", F64, 2, "-co COMPRESS=ZSTD -co PREDICTOR=3"),
        refused(case("jpeg", U8, 1, "-co COMPRESS=JPEG"), "JPEG"),
        refused(case("jpeg-ycbcr", U8, 3, "-co COMPRESS=JPEG -co PHOTOMETRIC=YCBCR"), "JPEG"),
        refused(case("webp", U8, 3, "-co COMPRESS=WEBP"), "WebP"),
        refused(case("lerc", F32, 1, "-co COMPRESS=LERC"), "LERC"),
        refused(case("lerc-deflate", F32, 1, "-co COMPRESS=LERC_DEFLATE"), "LERC"),
        refused(case("lerc-zstd", U16, 1, "-co COMPRESS=LERC_ZSTD"), "LERC"),
        refused(case("ccittrle", Bit, 1, "-co NBITS=1 -co COMPRESS=CCITTRLE"), "CCITT"),
        refused(case("ccittfax3", Bit, 1, "-co NBITS=1 -co COMPRESS=CCITTFAX3"), "CCITT"),
        refused(case("ccittfax4", Bit, 1, "-co NBITS=1 -co COMPRESS=CCITTFAX4"), "CCITT"),
        // predictors with pixel interleave
        case("pred2-u8", U8, 4, "-co COMPRESS=LZW -co PREDICTOR=2"),
        nd(case("pred2-u16", U16, 4, "-co COMPRESS=DEFLATE -co PREDICTOR=2"), "0"),
        case("pred2-i16", I16, 3, "-co COMPRESS=ZSTD -co PREDICTOR=2"),
        case("pred2-u32", U32, 3, "-co COMPRESS=LZW -co PREDICTOR=2"),
        case("pred2-i32-tiled", I32, 3, "-co COMPRESS=DEFLATE -co PREDICTOR=2 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16"),
        case("pred2-i64", I64, 2, "-co COMPRESS=DEFLATE -co PREDICTOR=2"),
        nd(case("pred3-f32", F32, 4, "-co COMPRESS=DEFLATE -co PREDICTOR=3"), "-9999"),
        case("pred3-f32-tiled", F32, 3, "-co COMPRESS=LZW -co PREDICTOR=3 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=32"),
        case("pred3-f64", F64, 3, "-co COMPRESS=ZSTD -co PREDICTOR=3"),
        case("pred3-f16", F16, 2, "-co NBITS=16 -co COMPRESS=DEFLATE -co PREDICTOR=3"),
        case("pred2-f32", F32, 2, "-co COMPRESS=DEFLATE -co PREDICTOR=2"),
        // photometric interpretations
        case("miniswhite-u8", U8, 1, "-co PHOTOMETRIC=MINISWHITE"),
        case("miniswhite-u16", U16, 1, "-co PHOTOMETRIC=MINISWHITE -co COMPRESS=LZW"),
        case("miniswhite-nbits1", Bit, 1, "-co NBITS=1 -co PHOTOMETRIC=MINISWHITE"),
        case("rgb", U8, 3, "-co PHOTOMETRIC=RGB"),
        case("rgbn-u8", U8, 4, "-co PHOTOMETRIC=RGB"),
        case("rgbn-u16-deflate", U16, 4, "-co PHOTOMETRIC=RGB -co COMPRESS=DEFLATE -co PREDICTOR=2"),
        case("rgb-5-samples", U16, 5, "-co PHOTOMETRIC=RGB"),
        case("rgb-5-samples-u8-tiled", U8, 5, "-co PHOTOMETRIC=RGB -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16"),
        refused(case("rgba", U8, 4, "-co PHOTOMETRIC=RGB -co ALPHA=YES"), "alpha"),
        refused(case("gray-alpha", U16, 2, "-co ALPHA=YES"), "alpha"),
        nd(case("rgba-nodata", U8, 4, "-co PHOTOMETRIC=RGB -co ALPHA=YES"), "0"),
        case("rgb-5-samples-alpha", U8, 5, "-co PHOTOMETRIC=RGB -co ALPHA=YES"),
        case("rgb-planar", U16, 4, "-co PHOTOMETRIC=RGB -co INTERLEAVE=BAND"),
        refused(case("cmyk", U8, 4, "-co PHOTOMETRIC=CMYK"), "CMYK"),
        refused(case("cmyk-u16", U16, 4, "-co PHOTOMETRIC=CMYK"), "CMYK"),
        case("rgb-nbits4", Bit, 3, "-co PHOTOMETRIC=RGB -co NBITS=4"),
        case("rgb-nbits12", U12, 3, "-co PHOTOMETRIC=RGB -co NBITS=12 -co COMPRESS=LZW"),
        palette(case("palette", U8, 1, "")),
        refused(case("cielab", U8, 3, "-co PHOTOMETRIC=CIELAB"), "CIELAB"),
        // interleave and block shapes
        case("interleave-band", U16, 3, "-co INTERLEAVE=BAND -co COMPRESS=LZW"),
        case("interleave-pixel", F32, 3, "-co INTERLEAVE=PIXEL -co COMPRESS=DEFLATE"),
        case("strips-7", U16, 2, "-co BLOCKYSIZE=7"),
        case("strips-7-band", F64, 2, "-co BLOCKYSIZE=7 -co INTERLEAVE=BAND -co COMPRESS=DEFLATE"),
        case("strip-1-row", U8, 2, "-co BLOCKYSIZE=1 -co COMPRESS=PACKBITS"),
        case("tiles-16x32", U16, 3, "-co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=32 -co COMPRESS=DEFLATE"),
        case("tiles-16x32-band", F32, 3, "-co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=32 -co INTERLEAVE=BAND"),
        // sparse files
        case("sparse-tiles", U16Hole, 1, "-co SPARSE_OK=TRUE -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16 -co COMPRESS=DEFLATE"),
        nd(case("sparse-tiles-nodata", F32Hole, 2, "-co SPARSE_OK=TRUE -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16 -co COMPRESS=LZW"), "-9999"),
        nd(case("sparse-strips-nodata", U8Hole, 1, "-co SPARSE_OK=TRUE -co BLOCKYSIZE=4"), "9"),
        nd(case("sparse-uncompressed-band", U8Hole, 2, "-co SPARSE_OK=TRUE -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16 -co INTERLEAVE=BAND"), "9"),
        // byte order, BigTIFF, COG
        nd(case("big-endian-u16-pred2", U16, 3, "-co ENDIANNESS=BIG -co COMPRESS=LZW -co PREDICTOR=2"), "0"),
        case("big-endian-i32", I32, 2, "-co ENDIANNESS=BIG"),
        case("big-endian-f32-pred3", F32, 2, "-co ENDIANNESS=BIG -co COMPRESS=DEFLATE -co PREDICTOR=3"),
        case("big-endian-f64", F64, 2, "-co ENDIANNESS=BIG -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16"),
        case("big-endian-f16", F16, 1, "-co ENDIANNESS=BIG -co NBITS=16"),
        case("big-endian-nbits12", U12, 2, "-co ENDIANNESS=BIG -co NBITS=12"),
        case("big-endian-nbits24", U20, 2, "-co ENDIANNESS=BIG -co NBITS=24"),
        case("big-endian-u64", U64, 1, "-co ENDIANNESS=BIG -co COMPRESS=ZSTD"),
        case("bigtiff", U16, 2, "-co BIGTIFF=YES -co TILED=YES -co COMPRESS=DEFLATE"),
        case("bigtiff-strips-big-endian", F32, 2, "-co BIGTIFF=YES -co ENDIANNESS=BIG"),
        nd(case("cog-overviews", U16, 2, "-of COG -co BLOCKSIZE=16 -co OVERVIEW_COUNT=2 -co COMPRESS=DEFLATE"), "0"),
        case("cog-f32", F32, 1, "-of COG -co BLOCKSIZE=16 -co COMPRESS=ZSTD -co PREDICTOR=YES"),
        refused(case("cog-mask", U8, 1, "-of COG -co BLOCKSIZE=16 -co OVERVIEW_COUNT=1 -mask 1"), "internal mask"),
        refused(case("internal-mask", U16, 1, "--config GDAL_TIFF_INTERNAL_MASK YES -mask 1"), "internal mask"),
        refused(case("msk-sidecar", U16, 1, "--config GDAL_TIFF_INTERNAL_MASK NO -mask 1"), ".msk"),
        refused(aux(case("aux-nodata", U8, 1, ""), AUX_NODATA), "NoDataValue"),
        aux(case("aux-statistics", U8, 1, ""), AUX_STATS),
        // nodata variants
        nd(case("nodata-out-of-range-u8", U8, 1, ""), "-1"),
        nd(case("nodata-out-of-range-u16", U16, 1, ""), "70000"),
        refused(nd(case("nodata-fraction-i16", I16, 1, ""), "2.5"), "not a whole number"),
        nd(case("nodata-fraction-out-of-range-u8", U8, 1, ""), "300.5"),
        nd(case("nodata-minus-3.4e38-f32", F32, 2, ""), "-3.39999999999999996e+38"),
        nd(case("nodata-minus-3.4e38-f64", F64, 1, ""), "-3.4e38"),
        nd(case("nodata-nan-f32", F32, 2, "-co COMPRESS=DEFLATE -co PREDICTOR=3"), "nan"),
        nd(case("nodata-nan-f64", F64, 1, ""), "nan"),
        nd(case("nodata-beyond-f32-range", F32, 1, ""), "-1e39"),
        nd(case("nodata-f32-not-exact", F32, 1, ""), "0.1"),
    ]
}

#[derive(Debug)]
enum Outcome {
    Equal,
    Refused(String),
    Wrong(String),
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let o = cmd.output().map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// The VRT source of `c` over the raw file `raw`.
fn vrt(c: &Case, raw: &Path) -> String {
    let t = c.base.gdal_type();
    let px = c.base.bytes();
    let mut x = format!("<VRTDataset rasterXSize=\"{W}\" rasterYSize=\"{H}\">\n");
    for b in 0..c.bands {
        x += &format!(
            "<VRTRasterBand dataType=\"{t}\" band=\"{}\" subClass=\"VRTRawRasterBand\">\n\
             <SourceFilename relativetoVRT=\"0\">{}</SourceFilename>\n\
             <ImageOffset>{}</ImageOffset><PixelOffset>{px}</PixelOffset>\
             <LineOffset>{}</LineOffset><ByteOrder>LSB</ByteOrder>\n",
            b + 1,
            raw.display(),
            b * W * H * px,
            W * px
        );
        if let Some(n) = c.nodata {
            x += &format!("<NoDataValue>{n}</NoDataValue>\n");
        }
        if c.palette {
            x += "<ColorInterp>Palette</ColorInterp>\n<ColorTable>\n";
            for i in 0..256 {
                x += &format!(
                    "<Entry c1=\"{}\" c2=\"{}\" c3=\"{}\" c4=\"255\"/>\n",
                    255 - i,
                    (i * 7) % 256,
                    i
                );
            }
            x += "</ColorTable>\n";
        }
        x += "</VRTRasterBand>\n";
    }
    x + "</VRTDataset>\n"
}

/// One band as GDAL reads it: Float32 values and the validity of its mask band.
type BandRead = (Vec<f32>, Vec<bool>);

/// Write the source of `c` and convert it with `gdal_translate` into `DIR/NAME.tif`.
fn generate(dir: &Path, translate: &Path, c: &Case) -> Result<PathBuf, String> {
    let raw = dir.join(format!("{}.raw", c.name));
    let mut data = Vec::with_capacity(W * H * c.bands * c.base.bytes());
    for b in 0..c.bands {
        for y in 0..H {
            for x in 0..W {
                data.extend(c.base.sample(b, x, y));
            }
        }
    }
    std::fs::write(&raw, data).unwrap();
    let src = dir.join(format!("{}.vrt", c.name));
    std::fs::write(&src, vrt(c, &raw)).unwrap();
    let tif = dir.join(format!("{}.tif", c.name));
    run(Command::new(translate)
        .arg("-q")
        .args(c.args.split_whitespace())
        .arg(&src)
        .arg(&tif))?;
    if let Some(xml) = c.aux {
        let mut a = tif.clone().into_os_string();
        a.push(".aux.xml");
        std::fs::write(a, xml).unwrap();
    }
    Ok(tif)
}

/// GDAL's reading of every band of `files` (`bands` each): the values as Float32 and GDAL's
/// mask (nodata, internal mask), from one `gdal_translate -ot Float32` of a VRT that stacks
/// each band and its mask band.
fn gdal_reads(
    dir: &Path,
    translate: &Path,
    files: &[(&Path, usize)],
) -> Result<Vec<Vec<BandRead>>, String> {
    let mut x = format!("<VRTDataset rasterXSize=\"{W}\" rasterYSize=\"{H}\">\n");
    let mut n = 0;
    for (f, bands) in files {
        for b in 1..=*bands {
            for source in [format!("{b}"), format!("mask,{b}")] {
                n += 1;
                x += &format!(
                    "<VRTRasterBand dataType=\"Float32\" band=\"{n}\"><SimpleSource>\
                     <SourceFilename relativeToVRT=\"0\">{}</SourceFilename>\
                     <SourceBand>{source}</SourceBand></SimpleSource></VRTRasterBand>\n",
                    f.display()
                );
            }
        }
    }
    x += "</VRTDataset>\n";
    let stack = dir.join("gdal-stack.vrt");
    std::fs::write(&stack, x).unwrap();
    let img = dir.join("gdal-stack.img");
    run(Command::new(translate)
        .args([
            "-q",
            "-ot",
            "Float32",
            "-of",
            "ENVI",
            "-co",
            "INTERLEAVE=BSQ",
        ])
        .arg(&stack)
        .arg(&img))?;
    let bytes = std::fs::read(&img).map_err(|e| e.to_string())?;
    assert_eq!(
        bytes.len(),
        n * W * H * 4,
        "GDAL's stack has the wrong size"
    );
    let mut planes = bytes.chunks_exact(W * H * 4).map(|p| {
        p.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<f32>>()
    });
    Ok(files
        .iter()
        .map(|(_, bands)| {
            (0..*bands)
                .map(|_| {
                    let values = planes.next().unwrap();
                    let mask = planes.next().unwrap().iter().map(|&m| m != 0.0).collect();
                    (values, mask)
                })
                .collect()
        })
        .collect())
}

/// Our reading of `tif` against GDAL's (`want`: values and validity per band).
fn compare(c: &Case, tif: &Path, want: &[BandRead]) -> Outcome {
    let mut r = match GeoTiffReader::open(tif) {
        Ok(r) => r,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    let info = r.info().clone();
    if (
        info.width as usize,
        info.height as usize,
        info.bands as usize,
    ) != (W, H, want.len())
    {
        return Outcome::Wrong(format!(
            "{}x{}x{} instead of {W}x{H}x{}",
            info.width,
            info.height,
            info.bands,
            want.len()
        ));
    }
    let bands: Vec<u16> = (0..info.bands).collect();
    let mut packed: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
    if let Err(e) = r.read_window(
        info.full(),
        &bands,
        &vec![info.nodata; bands.len()],
        &mut packed,
    ) {
        return Outcome::Refused(e.to_string());
    }
    // Windows of 5 rows and columns 3..20 (through the block-row cache) read the same.
    let nodata = vec![info.nodata; bands.len()];
    for row_off in (0..H as u32).step_by(5) {
        let w = Window {
            col_off: 3,
            row_off,
            width: 17,
            height: 5.min(H as u32 - row_off),
        };
        let mut part: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
        if let Err(e) = r.read_window(w, &bands, &nodata, &mut part) {
            return Outcome::Wrong(format!("window {w:?}: {e}"));
        }
        for (p, whole) in part.iter().zip(&packed) {
            for k in 0..w.pixels() {
                let at = (w.row_off as usize + k / 17) * W + 3 + k % 17;
                if raw_sample(info.dtype, &p.words, k) != raw_sample(info.dtype, &whole.words, at) {
                    return Outcome::Wrong(format!("window {w:?} differs from the full read"));
                }
            }
        }
    }
    let bp = BandParams::new(
        info.dtype,
        NodataMatch::for_band(info.dtype, info.nodata),
        1.0,
        0.0,
    );
    let signed_byte = c.args.contains("SIGNEDBYTE");
    for (b, (p, (values, valid))) in packed.iter().zip(want).enumerate() {
        for (i, (&g, &gdal_valid)) in values.iter().zip(valid).enumerate() {
            // GDAL < 3.7 exposes signed bytes as Byte; from 3.7 on they are Int8, as we read
            // them.
            // Its mask ignores their nodata (out of the Byte range): test it as 3.7 does.
            let (g, gdal_valid) = if signed_byte {
                let g = if g >= 128.0 { g - 256.0 } else { g };
                let nodata = c.nodata.and_then(|n| n.parse::<f32>().ok());
                (g, nodata != Some(g))
            } else {
                (g, gdal_valid)
            };
            let (raw, value, finite) = raw_sample(info.dtype, &p.words, i);
            let ours = decode(&bp, raw, value, finite);
            // NaN is never data to climidx.
            let gdal_valid = gdal_valid && !g.is_nan();
            let same = if gdal_valid {
                ours.valid && value.to_bits() == g.to_bits()
            } else {
                !ours.valid
            };
            if !same {
                return Outcome::Wrong(format!(
                    "band {} pixel ({}, {}): GDAL {g:?}{}, ours {value:?}{} ({:?}, nodata {:?})",
                    b + 1,
                    i % W,
                    i / W,
                    if gdal_valid { "" } else { " (masked)" },
                    if ours.valid { "" } else { " (masked)" },
                    info.dtype,
                    info.nodata
                ));
            }
        }
    }
    Outcome::Equal
}

#[test]
fn every_gdal_encoding_reads_as_gdal_reads_it_or_is_refused() {
    let Some(translate) = gdal_tool("gdal_translate", "conformance") else {
        return;
    };
    let dir = tempdir("conformance");
    let t0 = std::time::Instant::now();
    let cases = cases();
    let next = AtomicUsize::new(0);
    let made: Mutex<Vec<(usize, Result<PathBuf, String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                let t = generate(&dir, &translate, c);
                made.lock().unwrap().push((i, t));
            });
        }
    });
    let mut made = made.into_inner().unwrap();
    made.sort_by_key(|m| m.0);
    let files: Vec<(&Path, usize)> = made
        .iter()
        .filter_map(|(i, t)| t.as_ref().ok().map(|t| (t.as_path(), cases[*i].bands)))
        .collect();
    let t1 = t0.elapsed();
    let mut gdal = gdal_reads(&dir, &translate, &files).unwrap().into_iter();
    let t2 = t0.elapsed();
    let results: Vec<(usize, Result<Outcome, String>)> = made
        .iter()
        .map(|(i, t)| {
            let o = t
                .as_ref()
                .map(|t| compare(&cases[*i], t, &gdal.next().unwrap()))
                .map_err(|e| e.clone());
            (*i, o)
        })
        .collect();
    let (mut equal, mut refused, mut wrong) = (0, 0, 0);
    let mut failures = Vec::new();
    for (i, o) in &results {
        let c = &cases[*i];
        let line = match (o, c.expect) {
            (Ok(Outcome::Equal), e) => {
                equal += 1;
                (e != Expect::Equal).then(|| "read, but expected a refusal".to_string())
            }
            (Ok(Outcome::Refused(m)), Expect::Refused(needle)) => {
                refused += 1;
                eprintln!("  {:<28} REFUSED {m}", c.name);
                (!m.contains(needle) || m.lines().count() != 1)
                    .then(|| format!("refused as {m:?}, expected {needle:?}"))
            }
            (Ok(Outcome::Refused(m)), Expect::Equal) => {
                refused += 1;
                Some(format!("refused: {m}"))
            }
            (Ok(Outcome::Wrong(m)), _) => {
                wrong += 1;
                Some(format!("WRONG: {m}"))
            }
            (Err(e), _) => Some(format!("could not be generated: {e}")),
        };
        if let Some(l) = line {
            failures.push(format!("{}: {l}", c.name));
        }
    }
    eprintln!(
        "conformance: {} files: {equal} EQUAL, {refused} REFUSED, {wrong} WRONG \
         (generated in {t1:.1?}, GDAL read them in {:.1?}, we in {:.1?})",
        cases.len(),
        t2 - t1,
        t0.elapsed() - t2
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Files cut short (an interrupted download) are refused, at open or at the first read, with
/// one line saying they are truncated.
#[test]
fn truncated_files_say_so() {
    let Some(translate) = gdal_tool("gdal_translate", "truncated_files_say_so") else {
        return;
    };
    let dir = tempdir("conformance-truncated");
    for (name, args) in [
        ("strips", "-co COMPRESS=DEFLATE -co BLOCKYSIZE=4"),
        ("cog", "-of COG -co BLOCKSIZE=16 -co COMPRESS=LZW"),
        (
            "tiles-none",
            "-co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16",
        ),
    ] {
        let c = case(name, U16, 2, args);
        let full = std::fs::read(generate(&dir, &translate, &c).unwrap()).unwrap();
        for cut in [full.len() / 3, full.len() / 2, full.len() - 40] {
            let f = dir.join(format!("{name}-{cut}.tif"));
            std::fs::write(&f, &full[..cut]).unwrap();
            let e = match GeoTiffReader::open(&f) {
                Err(e) => e.to_string(),
                Ok(mut r) => {
                    let info = r.info().clone();
                    let mut p = vec![PackedBand::new(info.dtype); 2];
                    match r.read_window(info.full(), &[0, 1], &[None, None], &mut p) {
                        Err(e) => e.to_string(),
                        Ok(()) => panic!("{name} cut at {cut} of {} read", full.len()),
                    }
                }
            };
            assert!(
                e.contains("truncated download?); re-fetch it") && e.lines().count() == 1,
                "{name} cut at {cut}: {e}"
            );
        }
    }
}
