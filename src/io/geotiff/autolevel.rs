//! The coder of a plain `--compress deflate`, picked from the data as it is written.
//!
//! Three coders write the same kind of file (deflate, predictor as configured): the byte-plane
//! coder ([`super::planes`]), libdeflate's level 1 and its level 6 (GDAL's default level). On
//! float32 index outputs the byte-plane coder is the fastest and the smallest (tiles of the
//! benchmark's 10980² NDVI outputs, noise and realistic: 1.5–2.9 % smaller than level 6 at
//! 2.3–3× level 1's speed), and level 1 is as small as level 6 but ~1.5× as fast
//! (`benches/levels.rs`); on smooth fields (a climatology mean, a quantised product) where long matches pay,
//! both are 2–6 % larger than level 6. So the writer samples: on every [`EVERY`]-th row of
//! tiles it compresses the middle tile with all three, and writes each row of tiles with the
//! first of (byte planes, level [`FAST`]) whose sampled tiles together stay within
//! [`TOLERANCE`] of their size at [`FALLBACK`], else at [`FALLBACK`]. Mixing coders between
//! tiles is plain deflate; the choice depends only on the pixels, so the same input writes the
//! same bytes. The sampling costs one tile at three coders per 8 rows of tiles: ~2 % more
//! compression work on a 10980-wide raster (22 tiles a row), by that count.

use super::encode::{compress, Compression, Rows, DEFLATE_PLANES};
use crate::error::Result;

/// The fast libdeflate level.
pub const FAST: u8 = 1;
/// The level written where neither fast coder stays within the tolerance.
pub const FALLBACK: u8 = 6;
/// Most size a fast coder may add over the fallback, over the sampled tiles.
pub const TOLERANCE: f64 = 1.01;
/// Rows of tiles between samples (the first row is sampled).
pub const EVERY: u32 = 8;
/// Sampled tiles smaller than this at the fallback level (nodata, constant) are not counted.
const MIN_SAMPLE_BYTES: usize = 4096;

/// The running choice of one output.
#[derive(Clone, Debug, Default)]
pub struct AutoLevel {
    planes_bytes: u64,
    fast_bytes: u64,
    fallback_bytes: u64,
    samples: u32,
}

impl AutoLevel {
    /// Before writing row of tiles `row`: sample it (`sample()` gives its middle tile's bytes,
    /// predictor applied, laid out in `rows`) if it is one of the sampled rows.
    pub fn observe(
        &mut self,
        row: u32,
        rows: Rows,
        sample: impl FnOnce() -> Vec<u8>,
    ) -> Result<()> {
        if !row.is_multiple_of(EVERY) {
            return Ok(());
        }
        let bytes = sample();
        let size = |level: u8| -> Result<u64> {
            Ok(compress(bytes.clone(), Compression::Deflate(level), rows)?.len() as u64)
        };
        let fallback = size(FALLBACK)?;
        if fallback >= MIN_SAMPLE_BYTES as u64 {
            self.planes_bytes += size(DEFLATE_PLANES)?;
            self.fast_bytes += size(FAST)?;
            self.fallback_bytes += fallback;
            self.samples += 1;
        }
        Ok(())
    }

    /// The level to write with now ([`DEFLATE_PLANES`] for the byte-plane coder).
    pub fn level(&self) -> u8 {
        let within = |b: u64| b as f64 <= TOLERANCE * self.fallback_bytes as f64;
        if within(self.planes_bytes) {
            DEFLATE_PLANES
        } else if within(self.fast_bytes) {
            FAST
        } else {
            FALLBACK
        }
    }

    /// One line for the log: the coder and what the samples measured.
    pub fn describe(&self) -> String {
        let coder = match self.level() {
            DEFLATE_PLANES => "deflate by byte planes".to_string(),
            l => format!("deflate level {l}"),
        };
        if self.samples == 0 {
            return format!("{coder} (no tile large enough to sample)");
        }
        let pct = |b: u64| 100.0 * (b as f64 / self.fallback_bytes as f64 - 1.0);
        format!(
            "{coder} (byte planes {:+.2} %, level {FAST} {:+.2} % of level {FALLBACK} over {} \
             sampled tiles)",
            pct(self.planes_bytes),
            pct(self.fast_bytes),
            self.samples
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 512² float32 tile of `f(x, y)`, predictor 3 applied, as the writer samples it.
    fn tile(f: impl Fn(f32, f32) -> f32) -> Vec<u8> {
        let w: Vec<u32> = (0..512 * 512)
            .map(|i| f((i % 512) as f32, (i / 512) as f32).to_bits())
            .collect();
        super::super::encode::apply_predictor(&w, 512, 1, 3)
    }

    #[test]
    fn noisy_data_gets_the_byte_planes_and_smooth_data_the_fallback() {
        let rows = Rows::of(512, 3, false);
        // An index with sensor noise: the byte-plane coder is as small as level 6.
        let mut s = 7u64;
        let noise = std::cell::RefCell::new(move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1000) as f32 * 1e-4
        });
        let noisy =
            tile(|x, y| 0.4 + 0.2 * (x / 97.0).sin() * (y / 61.0).cos() + noise.borrow_mut()());
        let mut a = AutoLevel::default();
        a.observe(0, rows, || noisy.clone()).unwrap();
        assert_eq!(a.level(), DEFLATE_PLANES, "{}", a.describe());
        assert!(a.planes_bytes < a.fallback_bytes, "{}", a.describe());
        // Only every EVERY-th row is sampled.
        a.observe(1, rows, || panic!("row 1 is not sampled"))
            .unwrap();
        // A smooth field quantised to 1e-3 (a climatology of a scaled product): level 6 finds
        // far longer matches.
        let smooth = tile(|x, y| {
            ((0.5 + 0.3 * (x / 37.0).sin() * (y / 23.0).cos()) * 1000.0).round() / 1000.0
        });
        let size = |l: u8| {
            compress(smooth.clone(), Compression::Deflate(l), rows)
                .unwrap()
                .len()
        };
        let (planes, l1, l6) = (size(DEFLATE_PLANES), size(FAST), size(FALLBACK));
        assert!(l1 as f64 > TOLERANCE * l6 as f64, "{l1} {l6}");
        assert!(planes as f64 > TOLERANCE * l6 as f64, "{planes} {l6}");
        let mut b = AutoLevel::default();
        b.observe(0, rows, || smooth.clone()).unwrap();
        assert_eq!(b.level(), FALLBACK, "{}", b.describe());
        // Tiny samples (nodata tiles) do not count.
        let mut c = AutoLevel::default();
        c.observe(0, rows, || vec![0; 100_000]).unwrap();
        assert_eq!(c.samples, 0);
        assert_eq!(c.level(), DEFLATE_PLANES);
    }
}
