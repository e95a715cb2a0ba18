//! Per-pixel reducers along time: the CPU specification of `shaders/series.wgsl` (with
//! `shaders/trend.wgsl` and `shaders/percentile.wgsl`), whose entry points
//! [`crate::kernels::wgsl::series_kernel`] generates.
//!
//! A window of a stack of `T` inputs is laid out as one word array (the *series buffer*):
//! words `0..T` hold each input's time in days since the first date (f32 bits, see
//! [`series_time`]), then value `k`
//! of pixel `p` is word `T + k·P + p` (`P` = the window's pixels; time-major, so neighbouring
//! invocations read neighbouring words). A value is valid when its bits are finite
//! ([`is_finite_bits`]); the host writes [`INVALID_BITS`] for nodata and non-finite samples, so
//! the kernels test bit patterns and never rely on NaN arithmetic.
//!
//! Order statistics are exact: the GPU finds the k-th smallest value by bisection over the
//! totally ordered u32 keys of f32 ([`order_key`]; 32 counting passes), the CPU twin by
//! selection on a copy (`select_nth_unstable_by(total_cmp)`, the same order). Both return the
//! same element, so they agree bit for bit wherever the values agree.

use rayon::prelude::*;

use super::abi::is_finite_bits;
pub use super::order::order_key;
pub use super::percentile::{percentile_px, QuantileMethod};
pub use super::trend::{trend_px, TREND_OUTPUTS};

/// Bits the host writes for an invalid value (a quiet NaN, tested as non-finite bits).
pub const INVALID_BITS: u32 = 0x7fc0_0000;

/// Most outputs one series kernel writes (the binding layout's limit).
pub const MAX_SERIES_OUTPUTS: usize = super::vocab::MAX_OUTPUTS;

/// What a series kernel computes per pixel.
#[derive(Clone, Debug, PartialEq)]
pub enum Reducer {
    /// Percentiles (0–100) of the valid values, one output each.
    Percentiles {
        q: Vec<f32>,
        method: QuantileMethod,
        min_count: u32,
    },
    /// Theil–Sen slope and Mann–Kendall test ([`TREND_OUTPUTS`]), plus a significance mask
    /// (`p < alpha`) when `alpha` is given.
    Trend { alpha: Option<f32> },
}

impl Reducer {
    /// Output names (file stems), in output order.
    pub fn outputs(&self) -> Vec<String> {
        match self {
            Reducer::Percentiles { q, .. } => q.iter().map(|q| percentile_name(*q)).collect(),
            Reducer::Trend { alpha } => {
                let mut v: Vec<String> = TREND_OUTPUTS.iter().map(|s| s.to_string()).collect();
                if alpha.is_some() {
                    v.push("significant".into());
                }
                v
            }
        }
    }

    /// Index of an output holding a count (written as u32), if any.
    pub fn count_output(&self) -> Option<usize> {
        match self {
            Reducer::Percentiles { .. } => None,
            Reducer::Trend { .. } => Some(super::trend::COUNT),
        }
    }
}

/// The kernel constants of `reducer` over `t_len` inputs (flat: constant `c` is component
/// `c % 4` of `TileParams::k[c / 4]`; layouts in shaders/trend.wgsl and percentile.wgsl).
pub fn constants(reducer: &Reducer, t_len: usize) -> Vec<f32> {
    let mut k = vec![t_len as f32];
    match reducer {
        Reducer::Trend { alpha } => {
            k.push(if alpha.is_some() { 1.0 } else { 0.0 });
            k.push(alpha.unwrap_or(0.0));
        }
        Reducer::Percentiles {
            q,
            method,
            min_count,
        } => {
            let (kind, a, b) = method.code();
            k.extend([
                *min_count as f32,
                q.len() as f32,
                kind as f32,
                a,
                b,
                0.0,
                0.0,
            ]);
            k.extend(q);
        }
    }
    k
}

/// `p10`, `p50`, `p2.5`: the file stem of a percentile.
pub fn percentile_name(q: f32) -> String {
    format!("p{q}")
}

/// The series time of a date `days` days after the stack's first date: the day count itself
/// (exact in f32 up to 2^24 days); reducers convert to years of 365.25 days.
pub fn series_time(days: i64) -> f32 {
    days as f32
}

/// The value of pixel `p` at time `k` in a series buffer of `t_len` inputs and `pixels`
/// pixels (`None` when invalid).
#[inline]
pub fn value_at(series: &[u32], t_len: usize, pixels: usize, k: usize, p: usize) -> Option<f32> {
    let bits = series[t_len + k * pixels + p];
    is_finite_bits(bits).then(|| f32::from_bits(bits))
}

const CHUNK: usize = 1 << 10;

/// Reduce a window: `series` laid out as in the module docs for `pixels` pixels; output `j`'s
/// word for pixel `p` goes to `outs[j][p]` (f32 bits, counts as u32).
pub fn reduce_window(
    reducer: &Reducer,
    series: &[u32],
    t_len: usize,
    pixels: usize,
    nodata_bits: u32,
    outs: &mut [Vec<u32>],
) {
    let t: Vec<f32> = series[..t_len].iter().map(|b| f32::from_bits(*b)).collect();
    let n_out = reducer.outputs().len();
    let words: Vec<Vec<u32>> = (0..pixels.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(pixels));
            let mut w = vec![0u32; (hi - lo) * n_out];
            let mut scratch = Vec::new();
            for p in lo..hi {
                let px = &mut w[(p - lo) * n_out..(p - lo + 1) * n_out];
                let x = |k: usize| value_at(series, t_len, pixels, k, p);
                match reducer {
                    Reducer::Percentiles {
                        q,
                        method,
                        min_count,
                    } => percentile_px(
                        &x,
                        t_len,
                        q,
                        *method,
                        *min_count,
                        nodata_bits,
                        &mut scratch,
                        px,
                    ),
                    Reducer::Trend { alpha } => {
                        trend_px(&t, &x, *alpha, nodata_bits, &mut scratch, px)
                    }
                }
            }
            w
        })
        .collect();
    for (c, w) in words.iter().enumerate() {
        for (i, px) in w.chunks(n_out).enumerate() {
            for (j, v) in px.iter().enumerate() {
                outs[j][c * CHUNK + i] = *v;
            }
        }
    }
}
