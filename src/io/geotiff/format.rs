//! What a GeoTIFF stores, and whether climidx reads it exactly as GDAL does: the sample encoding
//! ([`Encoding`]), the compression ([`Codec`]) and the photometric interpretation. Everything
//! else is refused with a one-line message naming the feature and the `gdal_translate` command
//! that converts it (see README, "GeoTIFF support").

use crate::io::raster::RasterInfo;
use crate::kernels::samples::DataType;

/// The conversion offered for encodings climidx does not decode.
pub(super) const TO_DEFLATE: &str = "gdal_translate -co COMPRESS=DEFLATE in.tif out.tif";

/// Block compressions decoded here, losslessly, as libtiff does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Codec {
    None,
    Lzw,
    Deflate,
    PackBits,
    Zstd,
    /// LZMA2 in an xz stream (libtiff adds a delta filter), via `lzma-rust2`.
    Lzma,
}

impl Codec {
    pub(super) fn name(self) -> &'static str {
        match self {
            Codec::None => "uncompressed",
            Codec::Lzw => "LZW",
            Codec::Deflate => "deflate",
            Codec::PackBits => "PackBits",
            Codec::Zstd => "zstd",
            Codec::Lzma => "LZMA",
        }
    }
}

/// The codec of TIFF Compression `code`, or the refusal.
pub(super) fn codec(code: u16) -> Result<Codec, String> {
    let name = match code {
        1 => return Ok(Codec::None),
        5 => return Ok(Codec::Lzw),
        8 | 32946 => return Ok(Codec::Deflate),
        32773 => return Ok(Codec::PackBits),
        50000 => return Ok(Codec::Zstd),
        34925 => return Ok(Codec::Lzma),
        6 | 7 => {
            return Err(format!(
                "unsupported compression JPEG: no decoder at hand matches libjpeg (GDAL's) bit for \
                 bit, nor its YCbCr to RGB conversion; convert it with `{TO_DEFLATE}`"
            ))
        }
        2 => "CCITT RLE",
        3 => "CCITT Group 3 fax",
        4 => "CCITT Group 4 fax",
        32771 => "CCITT RLEW",
        34887 => "LERC",
        50001 => "WebP",
        50002 | 52546 => "JPEG XL",
        34712 => "JPEG 2000",
        34676 | 34677 => "SGILog",
        _ => {
            return Err(format!(
                "unsupported compression (code {code}); convert it with `{TO_DEFLATE}`"
            ))
        }
    };
    Err(format!(
        "unsupported compression {name} ({code}); convert it with `{TO_DEFLATE}`"
    ))
}

/// What a decoded block holds per sample (native-endian, byte-aligned).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decoded {
    /// The reported type's own representation.
    Typed,
    /// 64-bit integers, converted to f32 while packing (the reported type is f64).
    I64,
    U64,
}

/// How one sample is stored in the file and what the reader makes of it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Encoding {
    /// Bits per sample in the file (1..=64).
    pub(super) bits: u16,
    /// IEEE floating point (SampleFormat 3).
    pub(super) float: bool,
    pub(super) decoded: Decoded,
    /// The type reported to callers (GDAL's band type, but f64 for 64-bit integers).
    pub(super) dtype: DataType,
}

impl Encoding {
    /// Bytes of one decoded sample.
    pub(super) fn decoded_bytes(&self) -> usize {
        match self.decoded {
            Decoded::Typed => self.dtype.file_bytes(),
            Decoded::I64 | Decoded::U64 => 8,
        }
    }

    /// Whether decoded samples are the file's own bytes (no unpacking or widening).
    pub(super) fn is_byte_aligned_native(&self) -> bool {
        self.bits as usize == 8 * self.decoded_bytes()
    }
}

/// The encoding of samples of SampleFormat `format` with `bits` bits, as GDAL reads them:
/// `NBITS` 1–7, 9–15 and 17–31 unsigned samples widen to u8/u16/u32, 16-bit floats to f32, 64-bit
/// integers go through the f64 path.
pub(super) fn encoding(format: u16, bits: u16) -> Result<Encoding, String> {
    use DataType::*;
    let (dtype, decoded) = match (format, bits) {
        (1, 1..=8) => (U8, Decoded::Typed),
        (2, 8) => (I8, Decoded::Typed),
        (1, 9..=16) => (U16, Decoded::Typed),
        (2, 16) => (I16, Decoded::Typed),
        (1, 17..=32) => (U32, Decoded::Typed),
        (2, 32) => (I32, Decoded::Typed),
        (3, 16 | 32) => (F32, Decoded::Typed),
        (3, 64) => (F64, Decoded::Typed),
        (1, 64) => (F64, Decoded::U64),
        (2, 64) => (F64, Decoded::I64),
        (f, b) => {
            let (kind, to) = match f {
                1 => ("unsigned integer", "UInt32"),
                2 => ("signed integer", if b < 16 { "Int16" } else { "Int32" }),
                3 => ("floating point", "Float32"),
                5 => ("complex integer", "Float32"),
                6 => ("complex floating point", "Float32"),
                _ => ("undefined-format", "Float32"),
            };
            let note = if f == 5 || f == 6 {
                " (keeps the real part)"
            } else {
                ""
            };
            return Err(format!(
                "unsupported sample type: {b}-bit {kind}; supported are 1–32-bit unsigned, 8/16/32/64-bit \
                 signed, 16/32/64-bit float; convert it with `gdal_translate -ot {to} in.tif out.tif`{note}"
            ));
        }
    };
    Ok(Encoding {
        bits,
        float: format == 3,
        decoded,
        dtype,
    })
}

/// Refuse the photometric interpretations GDAL converts on reading (YCbCr, CMYK, CIE Lab, …)
/// or that hold no data (transparency masks). Min-is-black, min-is-white (GDAL returns the
/// stored values, not inverted ones), RGB with any extra samples and palette (GDAL returns the
/// indices) read as stored.
pub(super) fn photometric(code: u16) -> Result<(), String> {
    let name = match code {
        0..=3 => return Ok(()),
        4 => "MASK (a transparency mask, not data)",
        5 => "SEPARATED (CMYK; GDAL converts it to RGBA)",
        6 => "YCBCR (GDAL converts it to RGB)",
        8 => "CIELAB",
        9 => "ICCLAB",
        10 => "ITULAB",
        32844 => "LOGL",
        32845 => "LOGLUV",
        _ => "",
    };
    let name = if name.is_empty() {
        format!("code {code}")
    } else {
        name.to_string()
    };
    Err(format!(
        "unsupported photometric interpretation {name}; convert it with \
         `gdal_translate -co COMPRESS=DEFLATE -co PHOTOMETRIC=RGB in.tif out.tif` \
         (or -co PHOTOMETRIC=MINISBLACK)"
    ))
}

/// The predictor, checked against the encoding as libtiff checks it.
pub(super) fn predictor(code: u16, enc: &Encoding) -> Result<u16, String> {
    let ok = match code {
        1 => true,
        2 => matches!(enc.bits, 8 | 16 | 32 | 64),
        3 => enc.float,
        _ => false,
    };
    if ok {
        Ok(code)
    } else {
        Err(format!(
            "unsupported predictor {code} for {}-bit {} samples; convert it with `{TO_DEFLATE}`",
            enc.bits,
            if enc.float { "float" } else { "integer" }
        ))
    }
}

/// One decoded sample of the value GDAL fills a missing (sparse) block with: the nodata value
/// cast to the band type as `GDALCopyWords` does (rounded half away from zero, saturated; NaN
/// gives 0), or 0 when there is none. Native bytes, [`Encoding::decoded_bytes`] of them used.
pub(super) fn sparse_fill(enc: &Encoding, nodata: Option<f64>) -> [u8; 8] {
    let Some(v) = nodata else {
        return [0; 8];
    };
    let r = v.round();
    let mut out = [0u8; 8];
    let mut put = |b: &[u8]| out[..b.len()].copy_from_slice(b);
    match (enc.decoded, enc.dtype) {
        (Decoded::I64, _) => put(&(r as i64).to_ne_bytes()),
        (Decoded::U64, _) => put(&(r as u64).to_ne_bytes()),
        (_, DataType::U8) => put(&[r as u8]),
        (_, DataType::I8) => put(&(r as i8).to_ne_bytes()),
        (_, DataType::U16) => put(&(r as u16).to_ne_bytes()),
        (_, DataType::I16) => put(&(r as i16).to_ne_bytes()),
        (_, DataType::U32) => put(&(r as u32).to_ne_bytes()),
        (_, DataType::I32) => put(&(r as i32).to_ne_bytes()),
        (_, DataType::F32) => put(&(v as f32).to_ne_bytes()),
        (_, DataType::F64) => put(&v.to_ne_bytes()),
    }
    out
}

/// Refuse what GDAL's mask band would read differently from climidx's nodata test:
/// - an alpha band (the last of 2 or 4 bands, by GDAL_METADATA's COLORINTERP or else
///   ExtraSamples 1/2) without an applicable nodata value: GDAL masks the pixels where it is 0;
/// - a fractional nodata value within an integer type's range: GDAL's mask matches it truncated
///   (2.5 masks 2) while its copies (`gdal_translate`) match nothing.
pub(super) fn masks_and_nodata(info: &RasterInfo, extra: &[u16]) -> Result<(), String> {
    let int_range = |dt: DataType| match dt {
        DataType::U8 => Some((0.0, 255.0)),
        DataType::I8 => Some((-128.0, 127.0)),
        DataType::U16 => Some((0.0, 65535.0)),
        DataType::I16 => Some((-32768.0, 32767.0)),
        DataType::U32 => Some((0.0, u32::MAX as f64)),
        DataType::I32 => Some((i32::MIN as f64, i32::MAX as f64)),
        DataType::F32 | DataType::F64 => None,
    };
    let in_range = |v: f64| match int_range(info.dtype) {
        Some((lo, hi)) => v >= lo && v <= hi,
        None if info.dtype == DataType::F32 => !v.is_finite() || v.abs() <= f32::MAX as f64,
        None => true,
    };
    if let Some(v) = info.nodata {
        if int_range(info.dtype).is_some() && in_range(v) && v.fract() != 0.0 {
            return Err(format!(
                "GDAL_NODATA {v} is not a whole number but the bands are {}: GDAL's mask would \
                 match {}, its copies nothing; set an integer one with \
                 `gdal_translate -a_nodata VALUE in.tif out.tif`",
                info.dtype.name(),
                v.trunc()
            ));
        }
    }
    let n = info.bands as usize;
    if n != 2 && n != 4 || info.nodata.is_some_and(in_range) {
        return Ok(());
    }
    let alpha = match info.band_item(n - 1, "COLORINTERP", "colorinterp") {
        Some(ci) => ci.trim().eq_ignore_ascii_case("alpha"),
        None => extra.len() <= n && matches!(extra.last(), Some(1 | 2)),
    };
    if !alpha {
        return Ok(());
    }
    let keep = if n == 2 {
        "-b 1".to_string()
    } else {
        "-b 1 -b 2 -b 3".to_string()
    };
    Err(format!(
        "band {n} is an alpha band: GDAL masks the pixels where it is 0, climidx does not; write \
         the mask as nodata with `gdalwarp -dstnodata VALUE in.tif tmp.tif`, then drop the alpha \
         band with `gdal_translate {keep} tmp.tif out.tif`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_gdal() {
        let e = encoding(1, 12).unwrap();
        assert_eq!((e.dtype, e.decoded_bytes()), (DataType::U16, 2));
        assert!(!e.is_byte_aligned_native());
        assert_eq!(encoding(1, 1).unwrap().dtype, DataType::U8);
        assert_eq!(encoding(3, 16).unwrap().dtype, DataType::F32);
        assert_eq!(encoding(2, 64).unwrap().decoded, Decoded::I64);
        assert!(encoding(2, 12).unwrap_err().contains("12-bit signed"));
        assert!(encoding(6, 64).unwrap_err().contains("complex"));
        assert!(codec(7).unwrap_err().contains("JPEG"));
        assert!(codec(34887).unwrap_err().contains("LERC"));
        assert!(photometric(6).unwrap_err().contains("YCBCR"));
    }

    #[test]
    fn sparse_fill_casts_like_gdal() {
        let u8e = encoding(1, 8).unwrap();
        assert_eq!(sparse_fill(&u8e, Some(-1.0))[0], 0);
        assert_eq!(sparse_fill(&u8e, Some(300.0))[0], 255);
        assert_eq!(sparse_fill(&u8e, Some(2.5))[0], 3);
        assert_eq!(sparse_fill(&u8e, None)[0], 0);
        let f = encoding(3, 32).unwrap();
        assert_eq!(
            sparse_fill(&f, Some(-3.4e38))[..4],
            (-3.4e38f32).to_ne_bytes()
        );
    }
}
