//! Per-output statistics of a run (`--stats FILE.json`): valid and nodata counts, min, max,
//! mean, population standard deviation and a histogram — computed during the pass: on the GPU by
//! `shaders/stats.wgsl` over the outputs still on the device (one partial per workgroup, merged
//! here in f64), on the CPU path from the window's outputs with the same definitions.
//!
//! A value is counted as valid when it is finite and not the output nodata value; the
//! histogram has [`HIST_BINS`] equal bins over a range (the index's typical range, or
//! `--stats-range`), plus counts below and above it. Masked pixels (`--mask`) are nodata and
//! also counted separately.

pub use super::abi::{HIST_BINS, PARTIAL_WORDS};
use super::abi::{STATS_PX_PER_INVOCATION, WG_SIZE};

/// Running statistics of one output (f64; Chan et al.'s pairwise merge).
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    pub n: u64,
    pub nodata: u64,
    pub mean: f64,
    pub m2: f64,
    pub min: f64,
    pub max: f64,
    pub below: u64,
    pub above: u64,
    pub bins: Vec<u64>,
}

impl Default for Partial {
    fn default() -> Self {
        Partial {
            n: 0,
            nodata: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            below: 0,
            above: 0,
            bins: vec![0; HIST_BINS as usize],
        }
    }
}

impl Partial {
    /// Add one output value (`nodata_bits` is the output nodata pattern). Mirrors the
    /// per-pixel part of `shaders/stats.wgsl`.
    pub fn add(&mut self, bits: u32, nodata_bits: u32, range: (f32, f32)) {
        let x = f32::from_bits(bits);
        if bits == nodata_bits || !x.is_finite() {
            self.nodata += 1;
            return;
        }
        let xf = x as f64;
        self.n += 1;
        let d = xf - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (xf - self.mean);
        self.min = self.min.min(xf);
        self.max = self.max.max(xf);
        let (lo, hi) = range;
        let width = hi - lo;
        if x < lo {
            self.below += 1;
        } else if x > hi || width <= 0.0 {
            self.above += 1;
        } else {
            let b = (((x - lo) / width * HIST_BINS as f32) as u32).min(HIST_BINS - 1);
            self.bins[b as usize] += 1;
        }
    }

    /// Merge `o` into `self`.
    pub fn merge(&mut self, o: &Partial) {
        if o.n > 0 {
            let (na, nb) = (self.n as f64, o.n as f64);
            let nab = na + nb;
            let d = o.mean - self.mean;
            self.mean += d * nb / nab;
            self.m2 += o.m2 + d * d * na * nb / nab;
            self.n += o.n;
            self.min = self.min.min(o.min);
            self.max = self.max.max(o.max);
        }
        self.nodata += o.nodata;
        self.below += o.below;
        self.above += o.above;
        for (a, b) in self.bins.iter_mut().zip(&o.bins) {
            *a += b;
        }
    }

    /// A partial as the statistics kernel writes it.
    pub fn from_words(w: &[u32]) -> Partial {
        let f = |i: usize| f32::from_bits(w[i]) as f64;
        let n = w[0] as u64;
        Partial {
            n,
            nodata: w[1] as u64,
            mean: if n > 0 { f(2) } else { 0.0 },
            m2: if n > 0 { f(3) } else { 0.0 },
            min: if n > 0 { f(4) } else { f64::INFINITY },
            max: if n > 0 { f(5) } else { f64::NEG_INFINITY },
            below: w[6] as u64,
            above: w[7] as u64,
            bins: w[8..8 + HIST_BINS as usize]
                .iter()
                .map(|&v| v as u64)
                .collect(),
        }
    }
}

/// Workgroups along the pixels of a window.
pub fn workgroups(pixels: usize) -> u32 {
    (pixels as u32)
        .div_ceil(WG_SIZE * STATS_PX_PER_INVOCATION)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_merge_to_the_two_pass_values() {
        let vals: Vec<f32> = (0..1000)
            .map(|i| 300.0 + ((i * 37) % 101) as f32 * 0.1)
            .collect();
        let nd = f32::NAN.to_bits();
        let mut whole = Partial::default();
        let mut a = Partial::default();
        let mut b = Partial::default();
        for (i, v) in vals.iter().enumerate() {
            whole.add(v.to_bits(), nd, (300.0, 310.0));
            if i < 333 {
                a.add(v.to_bits(), nd, (300.0, 310.0))
            } else {
                b.add(v.to_bits(), nd, (300.0, 310.0))
            }
        }
        a.add(nd, nd, (300.0, 310.0));
        a.merge(&b);
        let mean: f64 = vals.iter().map(|&v| v as f64).sum::<f64>() / 1000.0;
        let var: f64 = vals.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / 1000.0;
        assert!((a.mean - mean).abs() < 1e-9 && (a.m2 / 1000.0 - var).abs() < 1e-9);
        assert_eq!((a.n, a.nodata), (1000, 1));
        assert_eq!(a.bins, whole.bins);
        assert_eq!(a.bins.iter().sum::<u64>() + a.below + a.above, 1000);
        assert_eq!(a.min, 300.0);
        assert!((a.max - 310.0).abs() < 1e-4);
    }
}
