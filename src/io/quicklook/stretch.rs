//! The percentile stretch of RGB composites: percentiles as numpy's default (`linear`) computes
//! them, from every valid pixel of rasters up to [`SAMPLE_MAX`] pixels and from a regular grid
//! sample (every `step`-th row and column) of bigger ones, so memory stays bounded (10980² →
//! every 11th pixel, under 1 M values per channel).

/// Most pixels taken into a composite's percentiles per channel.
pub const SAMPLE_MAX: u64 = 1 << 20;

/// The row and column step of the sample of a `width × height` raster (1: every pixel).
pub fn sample_step(width: u32, height: u32) -> u32 {
    let mut s = 1u32;
    while (width as u64).div_ceil(s as u64) * (height as u64).div_ceil(s as u64) > SAMPLE_MAX {
        s += 1;
    }
    s
}

/// The `q`-th percentile (0–100) of `sorted` (ascending), as `numpy.percentile(a, q)`; 0 when
/// empty.
pub fn percentile(sorted: &[f32], q: f64) -> f32 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let pos = q / 100.0 * last as f64;
    let i = (pos.floor() as usize).min(last);
    let j = (i + 1).min(last);
    let f = pos - i as f64;
    let (a, b) = (sorted[i] as f64, sorted[j] as f64);
    (a + (b - a) * f) as f32
}

/// `v` stretched linearly from `(lo, hi)` to 0–255, clamped (mid-grey when `lo == hi`).
pub fn byte(v: f32, (lo, hi): (f32, f32)) -> u8 {
    if hi > lo {
        (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * 255.0).round() as u8
    } else {
        128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_as_numpy() {
        // numpy.percentile([1, 2, 3, 4], [0, 2, 50, 98, 100]) = 1, 1.06, 2.5, 3.94, 4
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert!((percentile(&v, 2.0) - 1.06).abs() < 1e-6);
        assert_eq!(percentile(&v, 50.0), 2.5);
        assert!((percentile(&v, 98.0) - 3.94).abs() < 1e-6);
        assert_eq!(percentile(&v, 100.0), 4.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn samples_stay_bounded() {
        assert_eq!(sample_step(96, 80), 1);
        assert_eq!(sample_step(1024, 1024), 1);
        assert_eq!(sample_step(10980, 10980), 11);
        assert!(10980u64.div_ceil(11).pow(2) <= SAMPLE_MAX);
        assert_eq!(byte(5.0, (0.0, 10.0)), 128);
        assert_eq!(byte(-1.0, (0.0, 10.0)), 0);
        assert_eq!(byte(11.0, (0.0, 10.0)), 255);
    }
}
