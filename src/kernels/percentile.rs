//! Exact percentiles of a pixel's valid values, as numpy's `percentile` computes them: the CPU
//! specification of `shaders/percentile.wgsl`.
//!
//! With the n valid values sorted, x_(0) ≤ … ≤ x_(n−1), and q = P/100, numpy's continuous
//! methods (Hyndman & Fan 1996, doi:10.2307/2684934) use the virtual index
//! h = n·q + α + q(1 − α − β) − 1, clipped to [0, n − 1], and interpolate
//! x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋)) the way numpy's `_lerp` does (from the upper value
//! when the fraction is ≥ 0.5). `linear` (the default, type 7) is α = β = 1, h = q(n − 1).
//! `lower`, `higher`, `nearest` (ties to even) and `midpoint` round or average around the
//! `linear` index. When P has at most one decimal, the `linear`-family index is computed in
//! integers (⌊(n−1)·10P / 1000⌋ and its remainder), so it never lands on the wrong side of an
//! integer because of f32 rounding.
//!
//! Pixels with fewer than `min_count` valid values (or none) are nodata in every percentile.

use super::order::kth_smallest;

/// numpy's `method=` of `percentile`/`quantile` that climidx offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantileMethod {
    Linear,
    Lower,
    Higher,
    Nearest,
    Midpoint,
    InterpolatedInvertedCdf,
    Hazen,
    Weibull,
    MedianUnbiased,
    NormalUnbiased,
}

impl QuantileMethod {
    pub const ALL: [QuantileMethod; 10] = [
        QuantileMethod::Linear,
        QuantileMethod::Lower,
        QuantileMethod::Higher,
        QuantileMethod::Nearest,
        QuantileMethod::Midpoint,
        QuantileMethod::InterpolatedInvertedCdf,
        QuantileMethod::Hazen,
        QuantileMethod::Weibull,
        QuantileMethod::MedianUnbiased,
        QuantileMethod::NormalUnbiased,
    ];

    /// numpy's name.
    pub fn name(self) -> &'static str {
        match self {
            QuantileMethod::Linear => "linear",
            QuantileMethod::Lower => "lower",
            QuantileMethod::Higher => "higher",
            QuantileMethod::Nearest => "nearest",
            QuantileMethod::Midpoint => "midpoint",
            QuantileMethod::InterpolatedInvertedCdf => "interpolated_inverted_cdf",
            QuantileMethod::Hazen => "hazen",
            QuantileMethod::Weibull => "weibull",
            QuantileMethod::MedianUnbiased => "median_unbiased",
            QuantileMethod::NormalUnbiased => "normal_unbiased",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == s)
    }

    /// (kind, α, β) as the kernels take them: kind 0 interpolates with α, β; 1 lower, 2 higher,
    /// 3 nearest, 4 midpoint (around the linear index).
    pub fn code(self) -> (u32, f32, f32) {
        match self {
            QuantileMethod::Linear => (0, 1.0, 1.0),
            QuantileMethod::Lower => (1, 1.0, 1.0),
            QuantileMethod::Higher => (2, 1.0, 1.0),
            QuantileMethod::Nearest => (3, 1.0, 1.0),
            QuantileMethod::Midpoint => (4, 1.0, 1.0),
            QuantileMethod::InterpolatedInvertedCdf => (0, 0.0, 1.0),
            QuantileMethod::Hazen => (0, 0.5, 0.5),
            QuantileMethod::Weibull => (0, 0.0, 0.0),
            QuantileMethod::MedianUnbiased => (0, 1.0 / 3.0, 1.0 / 3.0),
            QuantileMethod::NormalUnbiased => (0, 0.375, 0.375),
        }
    }
}

/// numpy's `_lerp`. Mirrors `np_lerp`.
pub fn np_lerp(a: f32, b: f32, g: f32) -> f32 {
    let d = b - a;
    if g >= 0.5 {
        b - d * (1.0 - g)
    } else {
        a + d * g
    }
}

/// Where percentile `pct` of `n` sorted values lies: (lower index, upper index, fraction).
/// Mirrors `pct_index`.
pub fn pct_index(n: u32, pct: f32, method: QuantileMethod) -> (u32, u32, f32) {
    let (kind, alpha, beta) = method.code();
    let last = n - 1;
    let tenth = pct * 10.0;
    let (lo, frac) = if alpha == 1.0 && beta == 1.0 && tenth == tenth.floor() && tenth <= 1000.0 {
        // Exact linear index: (n − 1)·10P / 1000.
        let num = last * tenth as u32;
        (num / 1000, (num % 1000) as f32 / 1000.0)
    } else {
        let q = pct / 100.0;
        let h = n as f32 * q + (alpha + q * (1.0 - alpha - beta)) - 1.0;
        if h < 0.0 {
            (0, 0.0)
        } else if h >= last as f32 {
            (last, 0.0)
        } else {
            let f = h.floor();
            (f as u32, h - f)
        }
    };
    let lo = lo.min(last);
    let up = (lo + 1).min(last);
    match kind {
        1 => (lo, lo, 0.0),
        2 => {
            let i = if frac > 0.0 { up } else { lo };
            (i, i, 0.0)
        }
        3 => {
            let i = if frac > 0.5 || (frac == 0.5 && lo % 2 == 1) {
                up
            } else {
                lo
            };
            (i, i, 0.0)
        }
        4 => {
            if frac > 0.0 {
                (lo, up, 0.5)
            } else {
                (lo, lo, 0.0)
            }
        }
        _ => (lo, up, frac),
    }
}

/// One pixel's percentiles `q` (0–100) into `px` (f32 bits). `x(k)` is the value at time `k`
/// of `t_len` (`None` when invalid); `scratch` is reused between pixels.
#[allow(clippy::too_many_arguments)]
pub fn percentile_px(
    x: &dyn Fn(usize) -> Option<f32>,
    t_len: usize,
    q: &[f32],
    method: QuantileMethod,
    min_count: u32,
    nodata_bits: u32,
    scratch: &mut Vec<f32>,
    px: &mut [u32],
) {
    scratch.clear();
    scratch.extend((0..t_len).filter_map(x));
    let n = scratch.len() as u32;
    if n == 0 || n < min_count {
        px[..q.len()].fill(nodata_bits);
        return;
    }
    for (o, pct) in px.iter_mut().zip(q) {
        let (lo, up, g) = pct_index(n, *pct, method);
        let a = kth_smallest(scratch, lo as usize);
        let b = if up == lo {
            a
        } else {
            kth_smallest(scratch, up as usize)
        };
        let v = if up == lo { a } else { np_lerp(a, b, g) };
        *o = v.to_bits();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(v: &[f32], p: f32, m: QuantileMethod) -> f32 {
        let mut out = [0u32];
        percentile_px(
            &|k| Some(v[k]),
            v.len(),
            &[p],
            m,
            1,
            0,
            &mut Vec::new(),
            &mut out,
        );
        f32::from_bits(out[0])
    }

    #[test]
    fn matches_numpy_by_hand() {
        // np.percentile([1,2,3,4,10], q, method=...) values
        let v = [10.0f32, 2.0, 4.0, 1.0, 3.0];
        assert_eq!(pct(&v, 50.0, QuantileMethod::Linear), 3.0);
        assert!((pct(&v, 90.0, QuantileMethod::Linear) - 7.6).abs() < 1e-6);
        assert!((pct(&v, 10.0, QuantileMethod::Linear) - 1.4).abs() < 1e-6);
        assert_eq!(pct(&v, 90.0, QuantileMethod::Lower), 4.0);
        assert_eq!(pct(&v, 90.0, QuantileMethod::Higher), 10.0);
        assert_eq!(pct(&v, 90.0, QuantileMethod::Nearest), 10.0);
        assert_eq!(pct(&v, 90.0, QuantileMethod::Midpoint), 7.0);
        // hazen: h = 5·0.9 + 0.5 − 1 = 4 → 10; weibull: h = 6·0.9 − 1 = 4.4 → clipped 10
        assert_eq!(pct(&v, 90.0, QuantileMethod::Hazen), 10.0);
        assert!((pct(&v, 25.0, QuantileMethod::Weibull) - 1.5).abs() < 1e-6);
        assert_eq!(pct(&v, 0.0, QuantileMethod::Linear), 1.0);
        assert_eq!(pct(&v, 100.0, QuantileMethod::Linear), 10.0);
        // nearest: h = 2.5 rounds to even (2) → 3; h = 1.5 → 2 → 3
        let w = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(pct(&w, 50.0, QuantileMethod::Nearest), 3.0);
        assert_eq!(pct(&w, 30.0, QuantileMethod::Nearest), 3.0);
    }
}
