//! The level of a plain `--compress deflate`, picked from the data as it is written.
//!
//! libdeflate's level 1 compresses about 1.5× as fast as its level 6 on float32 index outputs and, on
//! those, as small (measured on 10980² NDVI: +0.28 % on random noise, −0.48 % on a realistic
//! scene; `benches/levels.rs`), but on smooth fields (a climatology mean, a quantised product)
//! it is 2–6 % larger. So the writer samples: on every [`EVERY`]-th row of tiles it compresses
//! the middle tile at both levels, and writes each row of tiles at level [`FAST`] while the
//! sampled tiles together stay within [`TOLERANCE`] of their size at [`FALLBACK`], else at
//! [`FALLBACK`] (GDAL's default level). Mixing levels between tiles is plain deflate; the
//! choice depends only on the pixels, so the same input writes the same bytes. The sampling
//! costs one tile at two levels per 8 rows of tiles: ~1.5 % more compression work on a
//! 10980-wide raster (22 tiles a row), by that count.

use super::encode::{compress, Compression};
use crate::error::Result;

/// The fast level.
pub const FAST: u8 = 1;
/// The level written where the fast one would be larger than the tolerance allows.
pub const FALLBACK: u8 = 6;
/// Most size the fast level may add over the fallback, over the sampled tiles.
pub const TOLERANCE: f64 = 1.01;
/// Rows of tiles between samples (the first row is sampled).
pub const EVERY: u32 = 8;
/// Sampled tiles smaller than this at the fallback level (nodata, constant) are not counted.
const MIN_SAMPLE_BYTES: usize = 4096;

/// The running choice of one output.
#[derive(Clone, Debug, Default)]
pub struct AutoLevel {
    fast_bytes: u64,
    fallback_bytes: u64,
    samples: u32,
}

impl AutoLevel {
    /// Before writing row of tiles `row`: sample it (`sample()` gives its middle tile's bytes,
    /// predictor applied) if it is one of the sampled rows.
    pub fn observe(&mut self, row: u32, sample: impl FnOnce() -> Vec<u8>) -> Result<()> {
        if !row.is_multiple_of(EVERY) {
            return Ok(());
        }
        let bytes = sample();
        let fast = compress(bytes.clone(), Compression::Deflate(FAST))?.len();
        let fallback = compress(bytes, Compression::Deflate(FALLBACK))?.len();
        if fallback >= MIN_SAMPLE_BYTES {
            self.fast_bytes += fast as u64;
            self.fallback_bytes += fallback as u64;
            self.samples += 1;
        }
        Ok(())
    }

    /// The level to write with now.
    pub fn level(&self) -> u8 {
        if self.fast_bytes as f64 <= TOLERANCE * self.fallback_bytes as f64 {
            FAST
        } else {
            FALLBACK
        }
    }

    /// One line for the log: the level and what the samples measured.
    pub fn describe(&self) -> String {
        if self.samples == 0 {
            return format!(
                "deflate level {} (no tile large enough to sample)",
                self.level()
            );
        }
        format!(
            "deflate level {} (level {FAST} was {:+.2} % of level {FALLBACK} over {} sampled tiles)",
            self.level(),
            100.0 * (self.fast_bytes as f64 / self.fallback_bytes as f64 - 1.0),
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
    fn noisy_data_gets_the_fast_level_and_smooth_data_the_fallback() {
        // An index with sensor noise: level 1 is as small as level 6.
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
        a.observe(0, || noisy.clone()).unwrap();
        assert_eq!(a.level(), FAST, "{}", a.describe());
        // Only every EVERY-th row is sampled.
        a.observe(1, || panic!("row 1 is not sampled")).unwrap();
        // A smooth field quantised to 1e-3 (a climatology of a scaled product): level 6 finds
        // far longer matches.
        let smooth = tile(|x, y| {
            ((0.5 + 0.3 * (x / 37.0).sin() * (y / 23.0).cos()) * 1000.0).round() / 1000.0
        });
        let l1 = compress(smooth.clone(), Compression::Deflate(FAST))
            .unwrap()
            .len();
        let l6 = compress(smooth.clone(), Compression::Deflate(FALLBACK))
            .unwrap()
            .len();
        assert!(l1 as f64 > TOLERANCE * l6 as f64, "{l1} {l6}");
        let mut b = AutoLevel::default();
        b.observe(0, || smooth.clone()).unwrap();
        assert_eq!(b.level(), FALLBACK, "{}", b.describe());
        // Tiny samples (nodata tiles) do not count.
        let mut c = AutoLevel::default();
        c.observe(0, || vec![0; 100_000]).unwrap();
        assert_eq!(c.samples, 0);
        assert_eq!(c.level(), FAST);
    }
}
