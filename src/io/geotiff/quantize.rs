//! Scaled 16-bit integer output (`--output-type int16 --output-scale S [--output-offset O]`), as
//! operational products store indices (MODIS NDVI: int16, scale 0.0001): the writer receives
//! float32 values and stores `q = round((v − O) / S)` as int16 (SampleFormat 2, BitsPerSample 16),
//! with GDAL's SCALE/OFFSET band metadata so that GDAL (`-unscale`), rasterio (`scales`) and
//! climidx itself read `v = q·S + O` back.
//!
//! Nodata: an invalid value (NaN/±Inf or the float nodata) is stored as the integer nodata
//! (−32768 unless `--out-nodata` gives another integer). A valid value whose `q` falls outside
//! −32768…32767, or on the nodata value itself, cannot be stored: it is written as nodata too and
//! counted; the run warns with the count and the fix (a larger scale). Values are never clipped.

use std::sync::atomic::{AtomicU64, Ordering};

/// How float32 values become int16.
#[derive(Debug)]
pub struct Quantize {
    pub scale: f64,
    pub offset: f64,
    /// The stored nodata value.
    pub nodata: i16,
    /// The float nodata of the values received (besides NaN/±Inf), if finite.
    pub float_nodata: Option<f32>,
    /// Valid values that did not fit (written as nodata).
    out_of_range: AtomicU64,
}

impl Clone for Quantize {
    fn clone(&self) -> Self {
        Quantize {
            out_of_range: AtomicU64::new(self.out_of_range()),
            ..*self
        }
    }
}

impl Quantize {
    pub fn new(scale: f64, offset: f64, nodata: i16, float_nodata: f64) -> Self {
        Quantize {
            scale,
            offset,
            nodata,
            float_nodata: float_nodata.is_finite().then_some(float_nodata as f32),
            out_of_range: AtomicU64::new(0),
        }
    }

    /// The stored value of the float32 with bits `bits`.
    pub fn quantize(&self, bits: u32) -> i16 {
        let v = f32::from_bits(bits);
        if !v.is_finite() || self.float_nodata == Some(v) {
            return self.nodata;
        }
        let q = ((v as f64 - self.offset) / self.scale).round();
        if q < i16::MIN as f64 || q > i16::MAX as f64 || q == self.nodata as f64 {
            self.out_of_range.fetch_add(1, Ordering::Relaxed);
            return self.nodata;
        }
        q as i16
    }

    /// Valid values written as nodata because they did not fit.
    pub fn out_of_range(&self) -> u64 {
        self.out_of_range.load(Ordering::Relaxed)
    }

    /// The values that can be stored: O + S·q for q in −32768…32767 but the nodata value
    /// (its ends, for messages).
    pub fn range(&self) -> (f64, f64) {
        let lo = if self.nodata == i16::MIN {
            -32767.0
        } else {
            -32768.0
        };
        let hi = if self.nodata == i16::MAX {
            32766.0
        } else {
            32767.0
        };
        (self.offset + lo * self.scale, self.offset + hi * self.scale)
    }
}

/// The bytes of a block of float32 `words` stored as int16 by `q`, with `predictor` (1 none,
/// 2 horizontal differencing per sample over rows of `row_samples` samples, stride `spp`).
pub fn block_bytes(
    words: &[u32],
    row_samples: usize,
    spp: usize,
    predictor: u16,
    q: &Quantize,
) -> Vec<u8> {
    let mut s: Vec<i16> = words.iter().map(|&w| q.quantize(w)).collect();
    if predictor == 2 {
        for row in s.chunks_mut(row_samples) {
            for j in (spp..row.len()).rev() {
                row[j] = row[j].wrapping_sub(row[j - spp]);
            }
        }
    }
    bytemuck::cast_slice(&s).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_and_misfits_become_nodata_and_are_counted() {
        let q = Quantize::new(0.0001, 0.0, -32768, f64::NAN);
        let b = |v: f32| v.to_bits();
        assert_eq!(q.quantize(b(0.5)), 5000);
        assert_eq!(q.quantize(b(-0.123_44)), -1234);
        assert_eq!(q.quantize(b(-0.123_46)), -1235);
        assert_eq!(q.quantize(b(3.2767)), 32767);
        assert_eq!(q.quantize(b(f32::NAN)), -32768);
        assert_eq!(q.quantize(b(f32::INFINITY)), -32768);
        assert_eq!(q.out_of_range(), 0);
        assert_eq!(q.quantize(b(3.3)), -32768);
        assert_eq!(q.quantize(b(-3.2768)), -32768); // the nodata value itself
        assert_eq!(q.out_of_range(), 2);
        let (lo, hi) = q.range();
        assert!(
            (lo + 3.2767).abs() < 1e-12 && (hi - 3.2767).abs() < 1e-12,
            "{lo} {hi}"
        );
        let k = Quantize::new(0.02, 273.15, -1, -9999.0);
        assert_eq!(k.quantize(b(293.15)), 1000);
        assert_eq!(k.quantize(b(-9999.0)), -1);
        let (lo, hi) = k.range();
        assert!(
            (lo - (273.15 - 32768.0 * 0.02)).abs() < 1e-9
                && (hi - (273.15 + 32767.0 * 0.02)).abs() < 1e-9
        );
    }

    #[test]
    fn predictor_differences_int16_samples_per_row() {
        let q = Quantize::new(1.0, 0.0, i16::MIN, f64::NAN);
        let w: Vec<u32> = [1.0f32, 5.0, -3.0, 2.0, 2.0, 2.0]
            .iter()
            .map(|v| v.to_bits())
            .collect();
        let b = block_bytes(&w, 3, 1, 2, &q);
        let s: &[i16] = bytemuck::cast_slice(&b);
        assert_eq!(s, &[1, 4, -8, 2, 0, 0]);
    }
}
