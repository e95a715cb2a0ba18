//! Encoding of one TIFF block (strip or tile) of 32-bit samples: predictor, then compression.
//!
//! - Predictor 3 (floating point, Adobe TIFF Technical Note 3) for float32: each row's sample
//!   bytes are regrouped most-significant byte first (all MSBs of the row, then the next bytes),
//!   then byte-wise horizontal differencing with a stride of the samples per pixel — what GDAL
//!   writes with `PREDICTOR=3`, and what makes deflate effective on floats.
//! - Predictor 2 (horizontal differencing) for uint32 samples, per sample with the same stride.
//! - Compression: deflate (zlib stream, TIFF code 8), zstd (GDAL's code 50000), LZW (code 5,
//!   MSB-first with the TIFF early code-size change), or none.

use crate::error::{Error, Result};

/// Block compression of the outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    None,
    #[default]
    Deflate,
    Zstd,
    Lzw,
}

impl crate::choice::Choice for Compression {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (Compression::None, "none", "Uncompressed"),
        (
            Compression::Deflate,
            "deflate",
            "DEFLATE (zlib), read by every GIS",
        ),
        (Compression::Zstd, "zstd", "Zstandard: faster, GDAL ≥ 2.3"),
        (Compression::Lzw, "lzw", "LZW"),
    ];
}

impl Compression {
    /// TIFF Compression tag value.
    pub fn tag(self) -> u16 {
        match self {
            Compression::None => 1,
            Compression::Lzw => 5,
            Compression::Deflate => 8,
            Compression::Zstd => 50000,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Deflate => "deflate",
            Compression::Zstd => "zstd",
            Compression::Lzw => "lzw",
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
            let mut out = vec![0u8; words.len() * 4];
            let n = row_samples;
            for (r, row) in words.chunks(n).enumerate() {
                let dst = &mut out[r * n * 4..(r + 1) * n * 4];
                // Regroup bytes: plane b holds byte (3 - b) of every sample (MSB first).
                for (i, w) in row.iter().enumerate() {
                    let b = w.to_le_bytes();
                    dst[i] = b[3];
                    dst[n + i] = b[2];
                    dst[2 * n + i] = b[1];
                    dst[3 * n + i] = b[0];
                }
                for j in (spp..dst.len()).rev() {
                    dst[j] = dst[j].wrapping_sub(dst[j - spp]);
                }
            }
            out
        }
        _ => bytemuck::cast_slice(words).to_vec(),
    }
}

/// Compress `data` with `c`.
pub fn compress(data: Vec<u8>, c: Compression) -> Result<Vec<u8>> {
    let err = |e: std::io::Error| Error::Internal(format!("{} compression failed: {e}", c.name()));
    match c {
        Compression::None => Ok(data),
        Compression::Deflate => {
            use std::io::Write;
            let mut e = flate2::write::ZlibEncoder::new(
                Vec::with_capacity(data.len() / 2),
                flate2::Compression::new(6),
            );
            e.write_all(&data).map_err(err)?;
            e.finish().map_err(err)
        }
        Compression::Zstd => zstd::bulk::compress(&data, 3).map_err(err),
        Compression::Lzw => weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(&data)
            .map_err(|e| Error::Internal(format!("lzw compression failed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
