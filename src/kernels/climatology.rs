//! Per-pixel climatology statistics: the CPU specification ([`accumulate_px`],
//! [`finalize_px`]) of `shaders/climatology.wgsl`, whose entry points
//! [`crate::kernels::wgsl::climatology_kernel`] generates.
//!
//! Count, mean and M2 follow Welford's online update (Welford 1962,
//! doi:10.1080/00401706.1962.10490022) in f32: every input is read once, in any order, and the
//! state is five words per pixel however many years the stack holds. Min and max are exact.
//! `std = sqrt(M2 / (n − ddof))`.

use rayon::prelude::*;

use super::abi::{fetch, BandParams, Sample};
use super::samples::DataType;
use super::vocab::{Role, ROLE_SLOTS};

/// Output regions / statistics, in order.
pub const STATS: [&str; 5] = ["count", "mean", "std", "min", "max"];
/// Index of `count` in [`STATS`].
pub const COUNT: usize = 0;

/// The band slot the input sample is fetched from.
pub const INPUT_ROLE: Role = Role::Value;

/// One pixel's running state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Acc {
    pub n: u32,
    pub mean: f32,
    pub m2: f32,
    pub min: f32,
    pub max: f32,
}

/// Add one sample (ignored when invalid). Mirrors `clim_accumulate`.
#[inline]
pub fn accumulate_px(a: &mut Acc, s: Sample) {
    if !s.valid {
        return;
    }
    let x = s.value;
    if a.n == 0 {
        *a = Acc {
            n: 1,
            mean: x,
            m2: 0.0,
            min: x,
            max: x,
        };
        return;
    }
    let delta = x - a.mean;
    let mean1 = a.mean + delta / (a.n + 1) as f32;
    a.m2 += delta * (x - mean1);
    a.mean = mean1;
    a.n += 1;
    a.min = a.min.min(x);
    a.max = a.max.max(x);
}

fn finite_or(v: f32, nodata_bits: u32) -> u32 {
    if v.is_finite() {
        v.to_bits()
    } else {
        nodata_bits
    }
}

/// The statistics of one pixel as output words, in [`STATS`] order (count as u32, the rest as
/// f32 bits). Mirrors `clim_finalize`.
#[inline]
pub fn finalize_px(a: &Acc, min_count: u32, ddof: u32, nodata_bits: u32) -> [u32; 5] {
    if a.n < min_count || a.n <= ddof {
        return [a.n, nodata_bits, nodata_bits, nodata_bits, nodata_bits];
    }
    let std = (a.m2.max(0.0) / (a.n - ddof) as f32).sqrt();
    [
        a.n,
        finite_or(a.mean, nodata_bits),
        finite_or(std, nodata_bits),
        a.min.to_bits(),
        a.max.to_bits(),
    ]
}

const CHUNK: usize = 1 << 14;

/// Accumulate one input window (`words` decoded with `bp`) into `acc`, in parallel.
pub fn accumulate_window(acc: &mut [Acc], bp: &BandParams, words: &[u32]) {
    acc.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            let start = c * CHUNK;
            for (p, a) in chunk.iter_mut().enumerate() {
                accumulate_px(a, fetch(bp, words, start + p));
            }
        });
}

/// Finalize `acc` into the five output arrays.
pub fn finalize_window(
    acc: &[Acc],
    min_count: u32,
    ddof: u32,
    nodata_bits: u32,
    outs: &mut [Vec<u32>],
) {
    let pixels = acc.len();
    let mut views: Vec<&mut [u32]> = outs.iter_mut().map(|o| &mut o[..pixels]).collect();
    // Transpose into chunks so that chunks run in parallel.
    let mut chunks: Vec<Vec<&mut [u32]>> = Vec::new();
    for v in views.iter_mut() {
        for (c, s) in v.chunks_mut(CHUNK).enumerate() {
            if chunks.len() <= c {
                chunks.push(Vec::new());
            }
            chunks[c].push(s);
        }
    }
    chunks.into_par_iter().enumerate().for_each(|(c, mut o)| {
        for p in 0..o[0].len() {
            let w = finalize_px(&acc[c * CHUNK + p], min_count, ddof, nodata_bits);
            for (j, v) in w.into_iter().enumerate() {
                o[j][p] = v;
            }
        }
    });
}

/// Which generated entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Add one input stored as this type.
    Accumulate(DataType),
    Finalize,
}

/// Band parameters with only the input slot set.
pub fn input_bands(bp: BandParams) -> [Option<BandParams>; ROLE_SLOTS] {
    let mut b = [None; ROLE_SLOTS];
    b[INPUT_ROLE.slot()] = Some(bp);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: f32) -> Sample {
        Sample {
            value: v,
            valid: true,
        }
    }

    #[test]
    fn welford_matches_hand_values() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4, sample variance 32/7.
        let mut a = Acc::default();
        for v in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            accumulate_px(&mut a, s(v));
        }
        accumulate_px(
            &mut a,
            Sample {
                value: 1e30,
                valid: false,
            },
        );
        let nd = f32::NAN.to_bits();
        let w = finalize_px(&a, 2, 0, nd);
        assert_eq!(w[0], 8);
        assert_eq!(f32::from_bits(w[1]), 5.0);
        assert_eq!(f32::from_bits(w[2]), 2.0);
        assert_eq!((f32::from_bits(w[3]), f32::from_bits(w[4])), (2.0, 9.0));
        let w1 = finalize_px(&a, 2, 1, nd);
        assert!((f32::from_bits(w1[2]) - (32.0f32 / 7.0).sqrt()).abs() < 1e-6);
        // too few observations: nodata except the count
        assert_eq!(finalize_px(&a, 9, 0, 7), [8, 7, 7, 7, 7]);
        // constant pixel: std exactly 0
        let mut c = Acc::default();
        for _ in 0..25 {
            accumulate_px(&mut c, s(0.3721));
        }
        assert_eq!(finalize_px(&c, 2, 1, nd)[2], 0f32.to_bits());
        // one observation with ddof 1: nodata even with min_count 1
        let mut o = Acc::default();
        accumulate_px(&mut o, s(1.0));
        assert_eq!(finalize_px(&o, 1, 1, nd)[2], nd);
        assert_eq!(finalize_px(&o, 1, 0, nd)[2], 0);
    }

    #[test]
    fn generated_kernels_name_their_fetch() {
        let (k, src) = crate::kernels::wgsl::climatology_kernel(Stage::Accumulate(DataType::U16));
        assert!(src.contains("clim_accumulate(i, fetch_u16(params.bands[ROLE_VALUE], i));"));
        assert_eq!(k, "climatology-accumulate:U16");
        let (_, f) = crate::kernels::wgsl::climatology_kernel(Stage::Finalize);
        assert!(f.contains("clim_finalize(i);"));
    }
}
