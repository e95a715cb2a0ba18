//! Standardized Precipitation Index per pixel: the CPU specification of `shaders/spi.wgsl`.
//!
//! SPI (McKee, Doesken & Kleist 1993, "The relationship of drought frequency and duration to
//! time scales", 8th Conf. on Applied Climatology) over a pixel's consecutive monthly totals
//! `x_t`, as the `climate_indices` package (3.x, `indices.spi` with `Distribution.gamma`,
//! `zero_handling="classic"`) computes it:
//!
//! 1. k-month sums `s_t = x_{t−k+1} + … + x_t` (`compute.sum_to_scale`): the first k−1 months
//!    and every sum over a missing month are missing.
//! 2. Per calendar month m, over the sums of month m whose year lies in the calibration years:
//!    `n` valid sums, `z` of them zero; the probability of zero `q = z / n` (over the
//!    calibration's valid sums, as `_calibration_probabilities_of_zero`).
//! 3. A two-parameter gamma fitted to the non-zero calibration sums by Thom's (1958)
//!    maximum-likelihood approximation (`compute.gamma_parameters`):
//!    `A = ln(mean) − mean(ln s)`, `α = (1 + √(1 + 4A/3)) / (4A)`, `β = mean / α`.
//!    A is computed as `−mean(ln(s / mean))` (the same quantity, without the cancellation of
//!    two large logarithms in f32).
//! 4. `H = q + (1 − q)·P(α, s/β)` with P the regularized lower incomplete gamma function
//!    (Press et al., Numerical Recipes, `gammp`: series for x < α+1, Lentz's continued
//!    fraction otherwise, `gammln` by Lanczos); a zero sum has `H = q`.
//! 5. `SPI = Φ⁻¹(H)` (Wichura 1988, AS241 `PPND7`), clipped to ±3.09.
//!
//! Missing data, as climate_indices does it, plus one rule of ours:
//! - a month whose calibration has fewer than `min_years` valid sums (or none) is nodata;
//! - all calibration sums of a month zero (q = 1): q is taken as 0 and no gamma is fitted, so a
//!   zero sum is −3.09 and a non-zero sum nodata (climate_indices: NaN);
//! - no usable fit (no non-zero calibration sum, or the non-zero sums (almost) all equal, A ≤
//!   1e-6): zero sums get Φ⁻¹(q), non-zero sums nodata.
//!
//! The arithmetic is f32 (sums in input order, the same on the GPU); climate_indices works in
//! f64. The difference stays below 1e-3 in SPI (tests/spi.rs).

use rayon::prelude::*;

use super::abi::is_finite_bits;
pub use super::gamma::{gammln, gammp, gammp_gln, ppnd7, GAMMA_EPS, GAMMA_ITMAX};

/// SPI is clipped to ±this (climate_indices `_FITTED_INDEX_VALID_MIN/MAX`).
pub const SPI_CLIP: f32 = 3.09;
/// Below this `A` (a sample of practically equal non-zero sums) no gamma is fitted.
pub const MIN_A: f32 = 1e-6;

/// Where a pixel series' months fall; the same for every pixel of a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpiParams {
    /// k: months per sum.
    pub scale: u32,
    /// Calendar month of the first input, 0 = January.
    pub first_month: u32,
    /// Inputs `cal_start..cal_end` are the calibration years.
    pub cal_start: u32,
    pub cal_end: u32,
    /// Fewest valid calibration sums a calendar month needs.
    pub min_years: u32,
}

/// The kernel constants (component `c % 4` of `TileParams::k[c / 4]`; shaders/spi.wgsl):
/// 0 T, 1 scale, 2 first month, 3 calibration start, 4 calibration end, 5 min_years.
pub fn constants(p: &SpiParams, t_len: usize) -> Vec<f32> {
    vec![
        t_len as f32,
        p.scale as f32,
        p.first_month as f32,
        p.cal_start as f32,
        p.cal_end as f32,
        p.min_years as f32,
    ]
}

/// ln r for the ratios r = s / mean of the fit: near 1 by the series
/// ln r = 2·atanh(u) = 2(u + u³/3 + … + u¹³/13), u = (r − 1)/(r + 1), |u| < 0.2 (relative error
/// < 1e-10), else `ln`. A device's `log` may be off by 2⁻²¹ absolutely near 1 (the Vulkan
/// bound), which matters for a small A. Mirrors `ln_ratio` in spi.wgsl.
pub fn ln_ratio(r: f32) -> f32 {
    let u = (r - 1.0) / (r + 1.0);
    if u.abs() >= 0.2 {
        return r.ln();
    }
    let u2 = u * u;
    let p = 1.0
        + u2 * (1.0 / 3.0
            + u2 * (1.0 / 5.0
                + u2 * (1.0 / 7.0 + u2 * (1.0 / 9.0 + u2 * (1.0 / 11.0 + u2 / 13.0)))));
    2.0 * u * p
}

/// SPI of probability `h`, clipped to ±[`SPI_CLIP`] (h is first kept inside [1e-6, 1 − 1e-6],
/// where Φ⁻¹ is beyond the clip, so no infinity arises).
pub fn spi_of_probability(h: f32) -> f32 {
    ppnd7(h.clamp(1e-6, 1.0 - 1e-6)).clamp(-SPI_CLIP, SPI_CLIP)
}

/// The k-month sum ending at `t` (`None`: before the k-th month, or over a missing month).
pub fn running_sum(x: &[Option<f32>], t: usize, k: usize) -> Option<f32> {
    if t + 1 < k {
        return None;
    }
    let mut s = 0.0f32;
    for v in &x[t + 1 - k..=t] {
        s += (*v)?;
    }
    Some(s)
}

/// One calendar month's fit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MonthFit {
    /// Valid calibration sums.
    pub n: u32,
    /// Probability of zero (0 when every calibration sum is zero).
    pub q: f32,
    /// Gamma shape and scale (`fit` false: none).
    pub alpha: f32,
    pub beta: f32,
    pub fit: bool,
}

/// The twelve calendar months' fits of one pixel from its k-month sums `s`.
pub fn fit_months(s: &[Option<f32>], p: &SpiParams) -> [MonthFit; 12] {
    let mut n = [0u32; 12];
    let mut zeros = [0u32; 12];
    let mut sum = [0.0f32; 12];
    let cal = p.cal_start as usize..(p.cal_end as usize).min(s.len());
    let month = |t: usize| (p.first_month as usize + t) % 12;
    for t in cal.clone() {
        if let Some(v) = s[t] {
            let m = month(t);
            n[m] += 1;
            if v == 0.0 {
                zeros[m] += 1;
            } else {
                sum[m] += v;
            }
        }
    }
    let mut mean = [0.0f32; 12];
    for m in 0..12 {
        let nz = n[m] - zeros[m];
        if nz > 0 {
            mean[m] = sum[m] / nz as f32;
        }
    }
    let mut lsum = [0.0f32; 12];
    for t in cal {
        if let Some(v) = s[t] {
            let m = month(t);
            if v != 0.0 {
                lsum[m] += ln_ratio(v / mean[m]);
            }
        }
    }
    let mut out = [MonthFit::default(); 12];
    for m in 0..12 {
        let nz = n[m] - zeros[m];
        let f = &mut out[m];
        f.n = n[m];
        if n[m] == 0 {
            continue;
        }
        f.q = if nz == 0 {
            0.0
        } else {
            zeros[m] as f32 / n[m] as f32
        };
        if nz == 0 {
            continue;
        }
        let a = -lsum[m] / nz as f32;
        if a > MIN_A {
            f.alpha = (1.0 + (1.0 + 4.0 * a / 3.0).sqrt()) / (4.0 * a);
            f.beta = mean[m] / f.alpha;
            f.fit = f.alpha.is_finite() && f.beta > 0.0;
        }
    }
    out
}

/// The months whose SPI is wanted (`keep[t]`), and what they need: the k-month sums of the kept
/// months and of the calibration months of their calendar months. A job writing one month of a
/// 40-year stack computes 1/12 of the sums and fits and one incomplete gamma per pixel, not 480;
/// the kept months' values are those of computing every month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    keep: Vec<bool>,
    sum: Vec<bool>,
}

impl Wanted {
    /// Months `t` with `keep[t]`, at `p`.
    pub fn new(p: &SpiParams, keep: &[bool]) -> Self {
        let month = |t: usize| (p.first_month as usize + t) % 12;
        let mut fit = [false; 12];
        for t in (0..keep.len()).filter(|&t| keep[t]) {
            fit[month(t)] = true;
        }
        let cal = p.cal_start as usize..(p.cal_end as usize).min(keep.len());
        let sum = (0..keep.len())
            .map(|t| keep[t] || (cal.contains(&t) && fit[month(t)]))
            .collect();
        Wanted {
            keep: keep.to_vec(),
            sum,
        }
    }
}

/// One pixel, one scale: `x[t]` its monthly totals (`None` missing); `px[t]` receives SPI of
/// month t (f32 bits) for the months `want` keeps, `nodata_bits` for the others. `s` is scratch
/// for the sums (reused between pixels).
pub fn spi_px(
    x: &[Option<f32>],
    p: &SpiParams,
    want: &Wanted,
    nodata_bits: u32,
    s: &mut Vec<Option<f32>>,
    px: &mut [u32],
) {
    let k = p.scale as usize;
    s.clear();
    // Sums nothing kept needs stay missing: their calendar months' fits are then empty, and
    // unused.
    s.extend((0..x.len()).map(|t| want.sum[t].then(|| running_sum(x, t, k)).flatten()));
    let fits = fit_months(s, p);
    let gln = fits.map(|f| if f.fit { gammln(f.alpha) } else { 0.0 });
    for (t, o) in px.iter_mut().enumerate().take(x.len()) {
        let m = (p.first_month as usize + t) % 12;
        let f = &fits[m];
        *o = nodata_bits;
        if !want.keep[t] {
            continue;
        }
        let Some(v) = s[t] else { continue };
        if f.n == 0 || f.n < p.min_years {
            continue;
        }
        let h = if v == 0.0 {
            f.q
        } else if f.fit {
            f.q + (1.0 - f.q) * gammp_gln(f.alpha, v / f.beta, gln[m])
        } else {
            continue;
        };
        *o = spi_of_probability(h).to_bits();
    }
}

const CHUNK: usize = 256;

/// SPI of a window: `series` laid out as in [`crate::kernels::series`] (times first, unused
/// here) for `pixels` pixels of `t_len` months; SPI of month t of pixel i goes to
/// `out[t * pixels + i]` for the months `want` keeps, `nodata_bits` for the others.
pub fn spi_window(
    p: &SpiParams,
    want: &Wanted,
    series: &[u32],
    t_len: usize,
    pixels: usize,
    nodata_bits: u32,
    out: &mut [u32],
) {
    let kept: Vec<usize> = (0..t_len).filter(|&t| want.keep[t]).collect();
    let words: Vec<Vec<u32>> = (0..pixels.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(pixels));
            let mut w = vec![0u32; (hi - lo) * kept.len()];
            let mut px = vec![0u32; t_len];
            let mut x = vec![None; t_len];
            let mut s = Vec::with_capacity(t_len);
            for i in lo..hi {
                for (t, v) in x.iter_mut().enumerate() {
                    let b = series[t_len + t * pixels + i];
                    *v = is_finite_bits(b).then(|| f32::from_bits(b));
                }
                spi_px(&x, p, want, nodata_bits, &mut s, &mut px);
                let row = &mut w[(i - lo) * kept.len()..(i - lo + 1) * kept.len()];
                for (o, &t) in row.iter_mut().zip(&kept) {
                    *o = px[t];
                }
            }
            w
        })
        .collect();
    for t in (0..t_len).filter(|&t| !want.keep[t]) {
        out[t * pixels..(t + 1) * pixels].fill(nodata_bits);
    }
    for (c, w) in words.iter().enumerate() {
        for (j, px) in w.chunks(kept.len().max(1)).enumerate() {
            let i = c * CHUNK + j;
            for (v, &t) in px.iter().zip(&kept) {
                out[t * pixels + i] = *v;
            }
        }
    }
}

/// Pixels one invocation of the SPI kernel computes: one, as it loops a lot per pixel.
pub const SPI_PX_PER_INVOCATION: u32 = 1;
/// Most loop iterations one invocation runs in one dispatch of [`dispatch_plan`].
pub const DISPATCH_BUDGET: u64 = 8000;

/// One dispatch of the SPI kernel: `stage` (0 sums, 1 fits, 2 SPI; shaders/spi.wgsl) over the
/// months `t0..t1` (stages 0 and 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dispatch {
    pub stage: u32,
    pub t0: usize,
    pub t1: usize,
}

/// An upper bound of the loop iterations one invocation runs in dispatch `d` over `t_len`
/// months, counted from the loops of shaders/spi.wgsl: every loop of the kernel, both sides of
/// each branch included (a software rasteriser runs a SIMD group together and, where its lanes
/// diverge, both sides: the value stage may run the gamma series *and* the continued fraction).
pub fn dispatch_iterations(p: &SpiParams, t_len: usize, d: &Dispatch) -> u64 {
    let months = d.t1.saturating_sub(d.t0) as u64;
    let per_pixel = match d.stage {
        // the month loop, and running_sum's k months each
        0 => months * (1 + u64::from(p.scale)),
        // three 12-month loops and two passes over the calibration
        1 => {
            let cal = (p.cal_end.min(t_len as u32).saturating_sub(p.cal_start)) as u64;
            36 + 2 * cal
        }
        // the month loop, and gammp's series and continued fraction each
        _ => months * (1 + 2 * u64::from(GAMMA_ITMAX)),
    };
    u64::from(SPI_PX_PER_INVOCATION) * (per_pixel + 1)
}

/// The dispatches that compute SPI at `p` over `t_len` months for the months `keep` keeps,
/// each within [`DISPATCH_BUDGET`] loop iterations per invocation (but the fit, which is one
/// pass over the calibration: at most ~3 980 calibration months fit the budget). The sums and
/// the fit cover every month; the values only the runs of kept months.
pub fn dispatch_plan(p: &SpiParams, t_len: usize, keep: &[bool]) -> Vec<Dispatch> {
    let per_invocation = DISPATCH_BUDGET / u64::from(SPI_PX_PER_INVOCATION);
    let slices = |stage: u32, per_month: u64, a: usize, b: usize| {
        let step = ((per_invocation.saturating_sub(1) / per_month).max(1)) as usize;
        (a..b).step_by(step).map(move |t0| Dispatch {
            stage,
            t0,
            t1: (t0 + step).min(b),
        })
    };
    let mut plan: Vec<Dispatch> = slices(0, 1 + u64::from(p.scale), 0, t_len).collect();
    plan.push(Dispatch {
        stage: 1,
        t0: 0,
        t1: 0,
    });
    let mut t = 0;
    while t < t_len {
        if !keep.get(t).copied().unwrap_or(false) {
            t += 1;
            continue;
        }
        let run = keep[t..t_len].iter().take_while(|&&k| k).count();
        plan.extend(slices(2, 1 + 2 * u64::from(GAMMA_ITMAX), t, t + run));
        t += run;
    }
    plan
}

const SPI_WGSL: &str = include_str!("../../shaders/spi.wgsl");

/// WGSL source of the SPI kernel (entry point `main`) and its pipeline cache key.
pub fn spi_kernel() -> (String, String) {
    let mut s = super::wgsl::prelude();
    s.push_str(super::wgsl::COMMON);
    s.push('\n');
    s.push_str(SPI_WGSL);
    s.push_str("\n// generated entry point\n@compute @workgroup_size(WG_SIZE)\n");
    s.push_str("fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n");
    // One pixel per invocation (SPI_PX_PER_INVOCATION), as dispatch_iterations counts.
    s.push_str("    let i = gid.x + gid.y * nwg.x * WG_SIZE;\n");
    s.push_str("    if i < params.pixel_count {\n        spi_main(i);\n    }\n}\n");
    ("spi".to_string(), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_plan_covers_every_month_within_the_loop_budget() {
        // The longest stacks and calibrations the job accepts, and every scale shape.
        for (t_len, scale, cal) in [(1, 1, 1), (480, 3, 360), (1000, 12, 360), (3700, 48, 3600)] {
            let p = SpiParams {
                scale,
                first_month: 0,
                cal_start: 0,
                cal_end: cal,
                min_years: 1,
            };
            let plan = dispatch_plan(&p, t_len, &vec![true; t_len]);
            for stage in [0u32, 2] {
                let mut next = 0;
                for d in plan.iter().filter(|d| d.stage == stage) {
                    assert_eq!(d.t0, next, "{t_len} {scale}: stage {stage} gap");
                    next = d.t1;
                }
                assert_eq!(next, t_len, "{t_len} {scale}: stage {stage} ends early");
            }
            assert_eq!(plan.iter().filter(|d| d.stage == 1).count(), 1);
            for d in &plan {
                let n = dispatch_iterations(&p, t_len, d);
                assert!(
                    n <= DISPATCH_BUDGET,
                    "{t_len} {scale} {d:?}: {n} iterations"
                );
                // lavapipe's limiter, with room to spare
                assert!(n * 8 <= 65_535, "{d:?}: {n}");
            }
        }
        // A value month costs both gamma loops: 13 months per dispatch, not 26.
        let p = SpiParams {
            scale: 1,
            first_month: 0,
            cal_start: 0,
            cal_end: 12,
            min_years: 1,
        };
        let plan = dispatch_plan(&p, 100, &[true; 100]);
        assert_eq!(plan.iter().rfind(|d| d.stage == 2).unwrap().t0, 91);
        // Kept months 5..40 and 70: values only there, sums over all 100 months.
        let keep: Vec<bool> = (0..100).map(|t| (5..40).contains(&t) || t == 70).collect();
        let plan = dispatch_plan(&p, 100, &keep);
        let values: Vec<(usize, usize)> = plan
            .iter()
            .filter(|d| d.stage == 2)
            .map(|d| (d.t0, d.t1))
            .collect();
        assert_eq!(values, [(5, 18), (18, 31), (31, 40), (70, 71)]);
        assert_eq!(plan.iter().rfind(|d| d.stage == 0).unwrap().t1, 100);
        assert!(dispatch_plan(&p, 100, &[false; 100])
            .iter()
            .all(|d| d.stage != 2));
    }

    #[test]
    fn wanted_sums_are_the_kept_months_and_their_calibration() {
        let p = SpiParams {
            scale: 3,
            first_month: 2,
            cal_start: 0,
            cal_end: 24,
            min_years: 1,
        };
        // t = 30 is calendar month (2 + 30) % 12 = 8: its calibration months are t = 6 and 18.
        let keep: Vec<bool> = (0..36).map(|t| t == 30).collect();
        let w = Wanted::new(&p, &keep);
        let sums: Vec<usize> = (0..36).filter(|&t| w.sum[t]).collect();
        assert_eq!(sums, [6, 18, 30]);
    }

    #[test]
    fn running_sums_need_every_month() {
        let x = [Some(1.0), Some(2.0), None, Some(4.0), Some(5.0)];
        assert_eq!(running_sum(&x, 0, 2), None);
        assert_eq!(running_sum(&x, 1, 2), Some(3.0));
        assert_eq!(running_sum(&x, 2, 2), None);
        assert_eq!(running_sum(&x, 4, 2), Some(9.0));
        assert_eq!(running_sum(&x, 4, 1), Some(5.0));
    }
}
