//! Temporal smoothing of each pixel's series before a stack is reduced (`--smooth`): the CPU
//! specification (f64) of `shaders/smooth.wgsl` (f32), over the series buffer of
//! [`super::series`] (times, then value `k` of pixel `p` at word `T + k·P + p`).
//!
//! Positions are sample indices (the stack's order), not the dates' real spacing: both filters
//! assume a regular series (monthly, dekadal, weekly composites).
//!
//! * Savitzky–Golay (Savitzky & Golay 1964): the value at `k` of the least-squares polynomial
//!   of degree `order` fitted to the valid samples of the `window` samples centred on `k`; near
//!   the ends the window is the first (last) `window` samples, as scipy's
//!   `savgol_filter(x, window, order)` (mode `interp`) does. On a gap-free series this is
//!   scipy's result. With gaps the fit uses the valid samples at their own positions; the
//!   output is nodata when fewer than `order + 1` are valid.
//! * 4253H (Velleman 1980; NOAA STAR VHP, Kogan 1997): interior gaps filled by linear
//!   interpolation between the valid neighbours (as the filter's input only); then over the
//!   span from the first to the last valid sample, `x[0..n)`: running median of 4 (at half
//!   positions), of 2 (re-centring), of 5, of 3, and Hanning (¼, ½, ¼). End rule: each stage's
//!   span shrinks symmetrically near the ends (4 → 2, 5 → 3) and the end values are copied.
//!
//! Both keep the input's validity: a smoothed value is written only where the input was
//! valid (smoothing never invents an observation, and a climatology's count is unchanged).

use rayon::prelude::*;

use super::abi::is_finite_bits;
use super::series::INVALID_BITS;

/// Largest Savitzky–Golay degree (the WGSL kernel's private arrays; f32 conditioning).
pub const MAX_ORDER: u32 = 5;
/// Largest Savitzky–Golay window.
pub const MAX_WINDOW: u32 = 255;

/// A temporal smoother (`--smooth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Smoother {
    /// `savgol:WINDOW:ORDER`.
    SavGol { window: u32, order: u32 },
    /// `4253h`.
    Median4253H,
}

impl Smoother {
    /// Parse `savgol:W:O` or `4253h`; errors are one line naming the fix.
    pub fn parse(s: &str) -> Result<Smoother, String> {
        let t = s.trim().to_ascii_lowercase();
        if t == "4253h" {
            return Ok(Smoother::Median4253H);
        }
        let parts: Vec<&str> = t.split(':').collect();
        if parts.len() != 3 || parts[0] != "savgol" {
            return Err(format!(
                "--smooth {s}: expected savgol:WINDOW:ORDER (e.g. savgol:7:2) or 4253h"
            ));
        }
        let num = |p: &str, what: &str| {
            p.parse::<u32>()
                .map_err(|_| format!("--smooth {s}: {what} {p:?} is not a whole number"))
        };
        let (window, order) = (num(parts[1], "WINDOW")?, num(parts[2], "ORDER")?);
        if window % 2 == 0 {
            return Err(format!(
                "--smooth {s}: WINDOW must be odd (the value is the window's centre), e.g. {}",
                window + 1
            ));
        }
        if window <= order {
            return Err(format!(
                "--smooth {s}: WINDOW must exceed ORDER (a degree-{order} fit needs at least {} samples)",
                order + 1
            ));
        }
        if order > MAX_ORDER || window > MAX_WINDOW {
            return Err(format!(
                "--smooth {s}: at most ORDER {MAX_ORDER} and WINDOW {MAX_WINDOW}"
            ));
        }
        Ok(Smoother::SavGol { window, order })
    }

    /// `savgol:7:2`, `4253h`: as parsed (metadata, logs).
    pub fn name(&self) -> String {
        match self {
            Smoother::SavGol { window, order } => format!("savgol:{window}:{order}"),
            Smoother::Median4253H => "4253h".into(),
        }
    }

    /// Refuse a series of `t_len` samples too short for this smoother.
    pub fn check_len(&self, t_len: usize) -> Result<(), String> {
        if let Smoother::SavGol { window, .. } = self {
            if *window as usize > t_len {
                return Err(format!(
                    "--smooth {}: WINDOW {window} is longer than the series ({t_len} inputs); use a window of at most {t_len}",
                    self.name()
                ));
            }
        }
        Ok(())
    }

    /// The kernel constants (flat, as [`super::series::constants`]): T, kind, window, order.
    pub fn constants(&self, t_len: usize) -> Vec<f32> {
        match self {
            Smoother::SavGol { window, order } => {
                vec![t_len as f32, 0.0, *window as f32, *order as f32]
            }
            Smoother::Median4253H => vec![t_len as f32, 1.0, 0.0, 0.0],
        }
    }
}

/// An upper bound of the loop iterations one invocation (one pixel) of `shaders/smooth.wgsl`
/// runs over `t_len` samples, every loop and both sides of every branch counted (see
/// [`super::series::loop_iterations`]).
pub fn loop_iterations(s: &Smoother, t_len: usize) -> u64 {
    let t = t_len as u64;
    match s {
        Smoother::SavGol { window, order } => {
            let (w, m) = (*window as u64, *order as u64 + 1);
            // per output (the k-loop's own step included): per degree j < m its step, the
            // sample loop with the recurrence (≤ m steps) per sample, and the evaluation at k
            // (≤ m steps).
            let fit = m * (1 + w * (1 + m) + m);
            t * (1 + fit) + 1
        }
        // span search, gap fill (a sweep and its inner fill), four stage sweeps (each after a
        // five-read prime loop), the final mask sweep.
        Smoother::Median4253H => t + 2 * t + 4 * (t + 5) + t + 1,
    }
}

/// Savitzky–Golay at every position of one series (`None`: invalid), in f64.
///
/// The least-squares fit is computed with polynomials orthogonal over the window's valid
/// samples (Forsythe 1957: `p_0 = 1`, `p_1 = u − α_0`, `p_{j+1} = (u − α_j) p_j − β_j p_{j−1}`,
/// `α_j = Σ u p_j² / Σ p_j²`, `β_j = Σ p_j² / Σ p_{j−1}²`; the fit is `Σ_j (Σ y p_j / Σ p_j²) p_j`),
/// positions centred on the window and scaled to [−1, 1]: no matrix, and accurate in the GPU's
/// f32. (The WGSL recomputes `p_j` per sample from the coefficients instead of keeping the
/// per-sample arrays this loop keeps; the arithmetic is the same.)
pub fn savgol(x: &[Option<f64>], window: usize, order: usize) -> Vec<Option<f64>> {
    let n = x.len();
    let h = window / 2;
    let scale = h.max(1) as f64;
    let m = order + 1;
    let cap = MAX_WINDOW as usize;
    let (mut us, mut ys) = (vec![0.0f64; cap], vec![0.0f64; cap]);
    let (mut pp, mut pc) = (vec![0.0f64; cap], vec![0.0f64; cap]);
    (0..n)
        .map(|k| {
            x[k]?;
            let s = k.saturating_sub(h).min(n.saturating_sub(window));
            let centre = (s + h) as f64;
            let mut len = 0;
            for (j, v) in x.iter().enumerate().take((s + window).min(n)).skip(s) {
                if let Some(v) = v {
                    us[len] = (j as f64 - centre) / scale;
                    ys[len] = *v;
                    len += 1;
                }
            }
            if len < m {
                return None;
            }
            let at = (k as f64 - centre) / scale;
            pp[..len].fill(0.0);
            pc[..len].fill(1.0);
            let (mut ep, mut ec) = (0.0, 1.0);
            let (mut alpha, mut beta) = (0.0, 0.0);
            let (mut value, mut last_norm) = (0.0, 1.0);
            for j in 0..m {
                if j > 0 {
                    for i in 0..len {
                        let next = (us[i] - alpha) * pc[i] - beta * pp[i];
                        pp[i] = pc[i];
                        pc[i] = next;
                    }
                    let next = (at - alpha) * ec - beta * ep;
                    ep = ec;
                    ec = next;
                }
                let (mut norm, mut un, mut yn) = (0.0, 0.0, 0.0);
                for i in 0..len {
                    let p = pc[i];
                    norm += p * p;
                    un += us[i] * p * p;
                    yn += ys[i] * p;
                }
                if norm <= 0.0 {
                    return None;
                }
                alpha = un / norm;
                beta = if j == 0 { 0.0 } else { norm / last_norm };
                last_norm = norm;
                value += yn / norm * ec;
            }
            value.is_finite().then_some(value)
        })
        .collect()
}

fn med3(a: f64, b: f64, c: f64) -> f64 {
    a.max(b).min(a.min(b).max(c))
}

/// 4253H of one series (`None`: invalid), in f64 (module docs for gaps and ends).
pub fn median_4253h(x: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out = vec![None; x.len()];
    let (Some(a), Some(b)) = (
        x.iter().position(Option::is_some),
        x.iter().rposition(Option::is_some),
    ) else {
        return out;
    };
    // interior gaps: linear interpolation between the valid neighbours.
    let mut v: Vec<f64> = Vec::with_capacity(b - a + 1);
    let mut last = a;
    for (j, s) in x.iter().enumerate().take(b + 1).skip(a) {
        if let Some(s) = s {
            let x0 = x[last].unwrap_or(*s);
            for g in last + 1..j {
                v.push(x0 + (s - x0) * (g - last) as f64 / (j - last) as f64);
            }
            v.push(*s);
            last = j;
        }
    }
    let n = v.len();
    let y: Vec<f64> = (0..n.saturating_sub(1))
        .map(|i| {
            if i >= 1 && i + 2 < n {
                let mut q = [v[i - 1], v[i], v[i + 1], v[i + 2]];
                q.sort_by(f64::total_cmp);
                (q[1] + q[2]) / 2.0
            } else {
                (v[i] + v[i + 1]) / 2.0
            }
        })
        .collect();
    let z: Vec<f64> = (0..n)
        .map(|i| {
            if i >= 1 && i + 2 <= n {
                (y[i - 1] + y[i]) / 2.0
            } else {
                v[i]
            }
        })
        .collect();
    let w: Vec<f64> = (0..n)
        .map(|i| {
            if i >= 2 && i + 3 <= n {
                let mut q = [z[i - 2], z[i - 1], z[i], z[i + 1], z[i + 2]];
                q.sort_by(f64::total_cmp);
                q[2]
            } else if i >= 1 && i + 2 <= n {
                med3(z[i - 1], z[i], z[i + 1])
            } else {
                z[i]
            }
        })
        .collect();
    let m3: Vec<f64> = (0..n)
        .map(|i| {
            if i >= 1 && i + 2 <= n {
                med3(w[i - 1], w[i], w[i + 1])
            } else {
                w[i]
            }
        })
        .collect();
    for i in (0..n).filter(|i| x[a + i].is_some()) {
        out[a + i] = Some(if i >= 1 && i + 2 <= n {
            0.25 * m3[i - 1] + 0.5 * m3[i] + 0.25 * m3[i + 1]
        } else {
            m3[i]
        });
    }
    out
}

/// One series smoothed by `s`.
pub fn smooth_series(s: &Smoother, x: &[Option<f64>]) -> Vec<Option<f64>> {
    match s {
        Smoother::SavGol { window, order } => savgol(x, *window as usize, *order as usize),
        Smoother::Median4253H => median_4253h(x),
    }
}

const CHUNK: usize = 1 << 9;

/// Smooth the values of a series buffer of `t_len` inputs and `pixels` pixels in place
/// (invalid values as [`INVALID_BITS`]); the times are left as they are. Uses a transient
/// copy of the values (`4·T·P` bytes).
pub fn smooth_window(s: &Smoother, series: &mut [u32], t_len: usize, pixels: usize) {
    let vals = &series[t_len..t_len + t_len * pixels];
    let chunks: Vec<Vec<u32>> = (0..pixels.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(pixels));
            let mut w = vec![0u32; (hi - lo) * t_len];
            for p in lo..hi {
                let x: Vec<Option<f64>> = (0..t_len)
                    .map(|k| {
                        let b = vals[k * pixels + p];
                        is_finite_bits(b).then(|| f32::from_bits(b) as f64)
                    })
                    .collect();
                for (k, y) in smooth_series(s, &x).into_iter().enumerate() {
                    w[(p - lo) * t_len + k] = y.map_or(INVALID_BITS, |y| (y as f32).to_bits());
                }
            }
            w
        })
        .collect();
    let vals = &mut series[t_len..t_len + t_len * pixels];
    for (c, w) in chunks.iter().enumerate() {
        for (i, px) in w.chunks(t_len).enumerate() {
            for (k, b) in px.iter().enumerate() {
                vals[k * pixels + c * CHUNK + i] = *b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_refuses_what_cannot_be_fitted() {
        assert_eq!(
            Smoother::parse("savgol:7:2"),
            Ok(Smoother::SavGol {
                window: 7,
                order: 2
            })
        );
        assert_eq!(Smoother::parse("4253H"), Ok(Smoother::Median4253H));
        assert!(Smoother::parse("savgol:6:2").unwrap_err().contains("odd"));
        assert!(Smoother::parse("savgol:3:3")
            .unwrap_err()
            .contains("exceed ORDER"));
        assert!(Smoother::parse("savgol:9:6")
            .unwrap_err()
            .contains("at most ORDER"));
        assert!(Smoother::parse("savgol:x:2")
            .unwrap_err()
            .contains("whole number"));
        assert!(Smoother::parse("hanning").unwrap_err().contains("4253h"));
        let s = Smoother::parse("savgol:13:2").unwrap();
        assert!(s
            .check_len(12)
            .unwrap_err()
            .contains("longer than the series"));
        assert!(s.check_len(13).is_ok());
    }

    /// A quadratic is its own degree-2 fit, gaps or not; gaps stay gaps.
    #[test]
    fn savgol_reproduces_polynomials_and_keeps_gaps() {
        let f = |k: usize| 0.5 + 0.1 * k as f64 - 0.02 * (k * k) as f64;
        let mut x: Vec<Option<f64>> = (0..11).map(|k| Some(f(k))).collect();
        x[4] = None;
        x[10] = None;
        let y = savgol(&x, 5, 2);
        for k in (0..10).filter(|k| *k != 4) {
            assert!((y[k].unwrap() - f(k)).abs() < 1e-12, "k={k}: {:?}", y[k]);
        }
        assert_eq!((y[4], y[10]), (None, None));
    }

    /// Worked by hand: x = 1 5 2 8 3 9 4.
    /// median 4 (half positions): 3, 3.5, 4, 5.5, 6, 6.5 (ends: the means of two);
    /// median 2: 1, 3.25, 3.75, 4.75, 5.75, 6.25, 4 (ends copied);
    /// median 5: 1, med3(1, 3.25, 3.75) = 3.25, 3.75, 4.75, 4.75, med3(5.75, 6.25, 4) = 5.75, 4;
    /// median 3: 1, 3.25, 3.75, 4.75, 4.75, 4.75, 4;
    /// Hanning: 1, 2.8125, 3.875, 4.5, 4.75, 4.5625, 4.
    #[test]
    fn median_4253h_by_hand() {
        let x: Vec<Option<f64>> = [1.0, 5.0, 2.0, 8.0, 3.0, 9.0, 4.0].map(Some).to_vec();
        let y: Vec<f64> = median_4253h(&x).into_iter().map(Option::unwrap).collect();
        assert_eq!(y, vec![1.0, 2.8125, 3.875, 4.5, 4.75, 4.5625, 4.0]);
    }

    #[test]
    fn median_4253h_keeps_gaps() {
        // filled span 1 2 3 3: median 4 → 1.5 2.5 3; median 2 → 1 2 2.75 3; median 5 (3 near
        // the ends) → 1 2 2.75 3; median 3 the same; Hanning → 1 1.9375 2.625 3; the gap at
        // the filled 2 stays a gap.
        let x = vec![None, Some(1.0), None, Some(3.0), Some(3.0), None];
        let y = median_4253h(&x);
        assert_eq!(y, vec![None, Some(1.0), None, Some(2.625), Some(3.0), None]);
    }
}
