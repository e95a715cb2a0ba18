//! Encoding of one TIFF block (strip or tile) of 32-bit samples: predictor, then compression.
//!
//! - Predictor 3 (floating point, Adobe TIFF Technical Note 3) for float32: each row's sample
//!   bytes are regrouped most-significant byte first (all MSBs of the row, then the next bytes),
//!   then byte-wise horizontal differencing with a stride of the samples per pixel — what GDAL
//!   writes with `PREDICTOR=3`, and what makes deflate effective on floats.
//! - Predictor 2 (horizontal differencing) for uint32 samples, per sample with the same stride.
//! - Compression: deflate (zlib stream, TIFF code 8; libdeflate through `libdeflater`, the
//!   library GDAL itself links when available), zstd (GDAL's code 50000), LZW (code 5, MSB-first
//!   with the TIFF early code-size change), or none. Deflate and zstd take a level
//!   (`deflate:LEVEL`, `zstd:LEVEL`).

use std::cell::RefCell;

use super::quantize::Quantize;
use crate::error::{Error, Result};

/// `Compression::Deflate(DEFLATE_AUTO)`, a plain `deflate` (the default): the level picked
/// from the data as it is written by [`super::autolevel`] (libdeflate level 1 where it stays
/// within 1 % of level 6, else 6).
pub const DEFLATE_AUTO: u8 = 0;
/// `Compression::Deflate(DEFLATE_PLANES)`: deflate written by the byte-plane coder
/// ([`super::planes`]), which [`super::autolevel`] picks for a plain `deflate` where it is
/// within 1 % of level 6 (on index outputs it is smaller). Not a level users write.
pub const DEFLATE_PLANES: u8 = u8::MAX;
/// The zstd level of a plain `zstd`.
pub const DEFAULT_ZSTD_LEVEL: u8 = 3;

/// Block compression of the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    /// Deflate at a libdeflate level (1–12), or [`DEFLATE_AUTO`].
    Deflate(u8),
    /// Zstandard at a level (1–22).
    Zstd(u8),
    Lzw,
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Deflate(DEFLATE_AUTO)
    }
}

/// The words `--compress` takes, for help and messages.
pub const COMPRESSION_WORDS: &str = "none, deflate[:1-12], zstd[:1-22], lzw";

impl Compression {
    /// TIFF Compression tag value.
    pub fn tag(self) -> u16 {
        match self {
            Compression::None => 1,
            Compression::Lzw => 5,
            Compression::Deflate(_) => 8,
            Compression::Zstd(_) => 50000,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Deflate(_) => "deflate",
            Compression::Zstd(_) => "zstd",
            Compression::Lzw => "lzw",
        }
    }

    /// The codec and its level as a user writes it: `deflate:6`, `zstd:3`, `lzw`, `none`
    /// (`deflate` for the level picked from the data).
    pub fn spec(self) -> String {
        match self {
            Compression::Deflate(DEFLATE_AUTO) => "deflate".to_string(),
            Compression::Deflate(l) | Compression::Zstd(l) => format!("{}:{l}", self.name()),
            _ => self.name().to_string(),
        }
    }

    /// Parse `none`, `lzw`, `deflate`, `deflate:LEVEL`, `zstd`, `zstd:LEVEL`.
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        let (codec, level) = match s.split_once(':') {
            Some((c, l)) => (c, Some(l)),
            None => (s, None),
        };
        let levelled = |lo: u8, hi: u8, default: u8| -> std::result::Result<u8, String> {
            match level {
                None => Ok(default),
                Some(l) => match l.parse::<u8>() {
                    Ok(v) if (lo..=hi).contains(&v) => Ok(v),
                    _ => Err(format!(
                        "compression level {l:?} of {codec} is not in {lo}–{hi} \
                         (write e.g. {codec}:{default})"
                    )),
                },
            }
        };
        match codec {
            "none" | "lzw" if level.is_some() => {
                Err(format!("{codec} takes no level (write --compress {codec})"))
            }
            "none" => Ok(Compression::None),
            "lzw" => Ok(Compression::Lzw),
            "deflate" if level.is_none() => Ok(Compression::Deflate(DEFLATE_AUTO)),
            "deflate" => Ok(Compression::Deflate(levelled(1, 12, 6)?)),
            "zstd" => Ok(Compression::Zstd(levelled(1, 22, DEFAULT_ZSTD_LEVEL)?)),
            _ => Err(format!(
                "unknown compression {s:?} (choose from {COMPRESSION_WORDS})"
            )),
        }
    }
}

/// TIFF Predictor tag value for this compression and sample kind (float or not).
pub fn predictor(c: Compression, float: bool) -> u16 {
    match (c, float) {
        (Compression::None, _) => 1,
        (_, true) => 3,
        (_, false) => 2,
    }
}

/// The rows of a block's bytes, as the byte-plane coder reads them: `row_len` bytes each, in
/// `planes` planes (4 after predictor 3 on float32, else 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    pub row_len: usize,
    pub planes: usize,
}

impl Rows {
    /// Rows of `row_samples` 32-bit samples with `predictor` applied, stored as int16 if
    /// `quantized`.
    pub fn of(row_samples: usize, predictor: u16, quantized: bool) -> Rows {
        Rows {
            row_len: row_samples * if quantized { 2 } else { 4 },
            planes: if predictor == 3 && !quantized { 4 } else { 1 },
        }
    }
}

/// Apply `predictor` in place to `rows` rows of `row_samples` little-endian 32-bit samples
/// (`spp` per pixel), returning the bytes to compress.
pub fn apply_predictor(words: &[u32], row_samples: usize, spp: usize, predictor: u16) -> Vec<u8> {
    match predictor {
        2 => {
            let mut w = words.to_vec();
            for row in w.chunks_mut(row_samples) {
                for j in (spp..row.len()).rev() {
                    row[j] = row[j].wrapping_sub(row[j - spp]);
                }
            }
            bytemuck::cast_slice(&w).to_vec()
        }
        3 => {
            // Regrouped and differenced in one pass: plane b holds byte 3 − b of every sample
            // (MSB first), less the byte `spp` positions before it in the regrouped row (for
            // the first `spp` bytes of a plane, the previous plane's last ones).
            let n = row_samples;
            let mut out = vec![0u8; words.len() * 4];
            let byte = |w: u32, b: usize| (w >> (24 - 8 * b)) as u8;
            for (row, dst) in words.chunks(n).zip(out.chunks_mut(4 * n)) {
                let (d0, rest) = dst.split_at_mut(n);
                let (d1, rest) = rest.split_at_mut(n);
                let (d2, d3) = rest.split_at_mut(n);
                for i in spp..n {
                    let (c, p) = (row[i], row[i - spp]);
                    d0[i] = byte(c, 0).wrapping_sub(byte(p, 0));
                    d1[i] = byte(c, 1).wrapping_sub(byte(p, 1));
                    d2[i] = byte(c, 2).wrapping_sub(byte(p, 2));
                    d3[i] = byte(c, 3).wrapping_sub(byte(p, 3));
                }
                for i in 0..spp.min(n) {
                    let (c, p) = (row[i], row[n + i - spp]);
                    d0[i] = byte(c, 0);
                    d1[i] = byte(c, 1).wrapping_sub(byte(p, 0));
                    d2[i] = byte(c, 2).wrapping_sub(byte(p, 1));
                    d3[i] = byte(c, 3).wrapping_sub(byte(p, 2));
                }
            }
            out
        }
        _ => bytemuck::cast_slice(words).to_vec(),
    }
}

/// Tile `t` of a row of tiles: `rows` rows of `width` pixels (`spp` words each) cut into a
/// `tile` × `tile` block, padded with zeros outside the image.
pub fn cut_tile(
    src: &[u32],
    width: usize,
    rows: usize,
    spp: usize,
    tile: usize,
    t: usize,
) -> Vec<u32> {
    cut(src, width, rows, spp, tile, t)
}

/// The cut of [`cut_tile`] over elements of any plain type, `per_px` of them a pixel.
fn cut<T: bytemuck::Pod>(
    src: &[T],
    width: usize,
    rows: usize,
    per_px: usize,
    tile: usize,
    t: usize,
) -> Vec<T> {
    let x0 = t * tile;
    let x1 = (x0 + tile).min(width);
    let row = tile * per_px;
    let mut block = vec![T::zeroed(); tile * row];
    for y in 0..rows {
        let s = &src[(y * width + x0) * per_px..(y * width + x1) * per_px];
        block[y * row..y * row + s.len()].copy_from_slice(s);
    }
    block
}

/// Encode one row of tiles: `rows` rows of `width` pixels (`spp` words each) cut into
/// `tile` × `tile` blocks, each padded with zeros outside the image, predicted and compressed
/// (in parallel).
#[allow(clippy::too_many_arguments)]
pub fn encode_tile_row(
    src: &[u32],
    width: usize,
    rows: usize,
    spp: usize,
    tile: usize,
    c: Compression,
    pred: u16,
    q: Option<&Quantize>,
) -> Vec<Result<Vec<u8>>> {
    use rayon::prelude::*;
    (0..width.div_ceil(tile))
        .into_par_iter()
        .map(|t| {
            if pred == 1 && q.is_none() {
                // No predictor, no int16 store: the tile's bytes are its words, cut once.
                let bytes = cut(bytemuck::cast_slice(src), width, rows, 4 * spp, tile, t);
                return compress(bytes, c, Rows::of(tile * spp, pred, false));
            }
            let block = cut_tile(src, width, rows, spp, tile, t);
            let layout = Rows::of(tile * spp, pred, q.is_some());
            compress(block_bytes(&block, tile * spp, spp, pred, q), c, layout)
        })
        .collect()
}

/// The bytes of a block of 32-bit `words` (rows of `row_samples`, `spp` per pixel) with
/// `predictor` applied, stored as int16 by `q` if given (float32 words then).
pub fn block_bytes(
    words: &[u32],
    row_samples: usize,
    spp: usize,
    predictor: u16,
    q: Option<&Quantize>,
) -> Vec<u8> {
    match q {
        Some(q) => super::quantize::block_bytes(words, row_samples, spp, predictor, q),
        None => apply_predictor(words, row_samples, spp, predictor),
    }
}

thread_local! {
    /// One libdeflate compressor per thread (rayon worker), kept for its level.
    static DEFLATER: RefCell<Option<(u8, libdeflater::Compressor)>> = const { RefCell::new(None) };
}

fn deflate(data: &[u8], level: u8) -> Result<Vec<u8>> {
    DEFLATER.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|(l, _)| *l != level) {
            let lvl = libdeflater::CompressionLvl::new(level as i32)
                .map_err(|_| Error::Internal(format!("deflate level {level} out of range")))?;
            *cell = Some((level, libdeflater::Compressor::new(lvl)));
        }
        let (_, c) = cell.as_mut().expect("set above");
        let mut out = vec![0u8; c.zlib_compress_bound(data.len())];
        let n = c
            .zlib_compress(data, &mut out)
            .map_err(|e| Error::Internal(format!("deflate compression failed: {e}")))?;
        out.truncate(n);
        Ok(out)
    })
}

/// Compress `data` (laid out in `rows`) with `c`.
pub fn compress(data: Vec<u8>, c: Compression, rows: Rows) -> Result<Vec<u8>> {
    let err = |e: std::io::Error| Error::Internal(format!("{} compression failed: {e}", c.name()));
    match c {
        Compression::None => Ok(data),
        Compression::Deflate(DEFLATE_AUTO) => deflate(&data, super::autolevel::FALLBACK),
        Compression::Deflate(DEFLATE_PLANES) => {
            Ok(super::planes::deflate(&data, rows.row_len, rows.planes))
        }
        Compression::Deflate(level) => deflate(&data, level),
        Compression::Zstd(level) => zstd::bulk::compress(&data, level as i32).map_err(err),
        Compression::Lzw => weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(&data)
            .map_err(|e| Error::Internal(format!("lzw compression failed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_words() {
        assert_eq!(
            Compression::parse("deflate"),
            Ok(Compression::Deflate(DEFLATE_AUTO))
        );
        assert_eq!(Compression::parse("deflate:6"), Ok(Compression::Deflate(6)));
        assert_eq!(Compression::default().spec(), "deflate");
        assert_eq!(Compression::parse("deflate:1"), Ok(Compression::Deflate(1)));
        assert_eq!(Compression::parse("zstd:19"), Ok(Compression::Zstd(19)));
        assert_eq!(Compression::parse("lzw"), Ok(Compression::Lzw));
        for bad in [
            "deflate:0",
            "deflate:13",
            "zstd:x",
            "none:1",
            "gzip",
            "deflate:",
        ] {
            assert!(Compression::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Compression::Deflate(9).spec(), "deflate:9");
    }

    #[test]
    fn deflate_is_a_zlib_stream() {
        use std::io::Read;
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * i % 251) as u8).collect();
        for level in [1, 6, 12, DEFLATE_PLANES] {
            let rows = Rows {
                row_len: 1000,
                planes: 4,
            };
            let z = compress(data.clone(), Compression::Deflate(level), rows).unwrap();
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&z[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "level {level}");
        }
    }

    #[test]
    fn predictor_3_is_regrouping_then_differencing() {
        let mut x = 0x9e37_79b9u32;
        for spp in 1..=3 {
            let n = 7 * spp;
            let words: Vec<u32> = (0..3 * n)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    x
                })
                .collect();
            let mut want = Vec::new();
            for row in words.chunks(n) {
                let mut r: Vec<u8> = (0..4)
                    .flat_map(|b| row.iter().map(move |w| w.to_be_bytes()[b]))
                    .collect();
                for j in (spp..r.len()).rev() {
                    r[j] = r[j].wrapping_sub(r[j - spp]);
                }
                want.extend(r);
            }
            assert_eq!(apply_predictor(&words, n, spp, 3), want, "spp {spp}");
        }
    }

    #[test]
    fn predictors_invert() {
        // predictor 2: prefix sums per row restore the samples
        let w: Vec<u32> = (0..12).map(|i| i * 7 + 3).collect();
        let b = apply_predictor(&w, 6, 2, 2);
        let d: &[u32] = bytemuck::cast_slice(&b);
        for row in 0..2 {
            let mut acc = [0u32; 2];
            for j in 0..6 {
                acc[j % 2] = if j < 2 {
                    d[row * 6 + j]
                } else {
                    acc[j % 2].wrapping_add(d[row * 6 + j])
                };
                assert_eq!(acc[j % 2], w[row * 6 + j]);
            }
        }
        // predictor 3: undo the byte differencing and regrouping
        let f: Vec<u32> = [1.5f32, -2.25, 3.0e10, 0.0, f32::NAN, 7.0]
            .iter()
            .map(|v| v.to_bits())
            .collect();
        let b = apply_predictor(&f, 3, 1, 3);
        for r in 0..2 {
            let mut row = b[r * 12..(r + 1) * 12].to_vec();
            for j in 1..row.len() {
                row[j] = row[j].wrapping_add(row[j - 1]);
            }
            for i in 0..3 {
                let v = u32::from_le_bytes([row[9 + i], row[6 + i], row[3 + i], row[i]]);
                assert_eq!(v, f[r * 3 + i]);
            }
        }
    }
}
