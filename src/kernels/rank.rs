//! Percentile rank of an observation among a pixel's baseline values, as
//! `scipy.stats.percentileofscore(a, score, kind, nan_policy="omit")` computes it: the CPU
//! specification of `shaders/rank.wgsl`.
//!
//! The series holds the baseline values at times `0..T−1` and the observation x last (time
//! `T−1`). Over the n valid baseline values, with L = #{a < x} and R = #{a ≤ x}:
//!
//! | kind | value |
//! |---|---|
//! | `rank` (scipy's default) | 50·(L + R + [L < R]) / n — the mean rank of x among ties |
//! | `weak` | 100·R / n (the empirical CDF at x) |
//! | `strict` | 100·L / n |
//! | `mean` | 50·(L + R) / n |
//!
//! The numerator 50·s (s the integer sum) is exact in f32 below 2^24, so the result is the
//! correctly rounded f32 of the exact ratio. Values compare as IEEE floats (−0 = +0, as numpy).
//! Nodata: an invalid observation, no valid baseline value, or fewer than `min_count`.

/// `kind=` of `scipy.stats.percentileofscore`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankKind {
    Rank,
    Weak,
    Strict,
    Mean,
}

impl RankKind {
    pub const ALL: [RankKind; 4] = [
        RankKind::Rank,
        RankKind::Weak,
        RankKind::Strict,
        RankKind::Mean,
    ];

    /// scipy's name.
    pub fn name(self) -> &'static str {
        match self {
            RankKind::Rank => "rank",
            RankKind::Weak => "weak",
            RankKind::Strict => "strict",
            RankKind::Mean => "mean",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The kernel's code (constant 2 of shaders/rank.wgsl).
    pub fn code(self) -> u32 {
        match self {
            RankKind::Rank => 0,
            RankKind::Weak => 1,
            RankKind::Strict => 2,
            RankKind::Mean => 3,
        }
    }
}

/// 50·s / n for the counts of `kind`: `left` = #{a < x}, `right` = #{a ≤ x}. Mirrors
/// `rank_value`.
pub fn rank_value(kind: RankKind, left: u32, right: u32, n: u32) -> f32 {
    let s = match kind {
        RankKind::Rank => left + right + u32::from(left < right),
        RankKind::Weak => 2 * right,
        RankKind::Strict => 2 * left,
        RankKind::Mean => left + right,
    };
    50.0 * s as f32 / n as f32
}

/// One pixel's percentile rank into `px[0]` (f32 bits). `x(k)` is the value at time `k` of
/// `t_len` (`None` when invalid); the last is the observation.
pub fn rank_px(
    x: &dyn Fn(usize) -> Option<f32>,
    t_len: usize,
    kind: RankKind,
    min_count: u32,
    nodata_bits: u32,
    px: &mut [u32],
) {
    let Some(obs) = t_len.checked_sub(1).and_then(x) else {
        px[0] = nodata_bits;
        return;
    };
    let (mut n, mut left, mut right) = (0u32, 0u32, 0u32);
    for v in (0..t_len - 1).filter_map(x) {
        n += 1;
        left += u32::from(v < obs);
        right += u32::from(v <= obs);
    }
    px[0] = if n == 0 || n < min_count {
        nodata_bits
    } else {
        rank_value(kind, left, right, n).to_bits()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(base: &[Option<f32>], obs: Option<f32>, kind: RankKind, min_count: u32) -> f32 {
        let mut v = base.to_vec();
        v.push(obs);
        let mut out = [0u32];
        rank_px(
            &|k| v[k],
            v.len(),
            kind,
            min_count,
            f32::NAN.to_bits(),
            &mut out,
        );
        f32::from_bits(out[0])
    }

    #[test]
    fn matches_scipy_by_hand() {
        // scipy.stats.percentileofscore([1, 2, 3, 4], 3, kind=...): 75, 75, 50, 62.5 (scipy's
        // docstring examples)
        let a = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        assert_eq!(rank(&a, Some(3.0), RankKind::Rank, 1), 75.0);
        assert_eq!(rank(&a, Some(3.0), RankKind::Weak, 1), 75.0);
        assert_eq!(rank(&a, Some(3.0), RankKind::Strict, 1), 50.0);
        assert_eq!(rank(&a, Some(3.0), RankKind::Mean, 1), 62.5);
        // percentileofscore([1, 2, 3, 3, 4], 3) = 70 (ties), ([1, 2, 3, 3, 4], 3.5) = 80
        let b = [Some(1.0), Some(2.0), Some(3.0), Some(3.0), Some(4.0)];
        assert_eq!(rank(&b, Some(3.0), RankKind::Rank, 1), 70.0);
        assert_eq!(rank(&b, Some(3.0), RankKind::Mean, 1), 60.0);
        assert_eq!(rank(&b, Some(3.5), RankKind::Rank, 1), 80.0);
        // below and above everything: 0 and 100
        assert_eq!(rank(&b, Some(0.0), RankKind::Rank, 1), 0.0);
        assert_eq!(rank(&b, Some(9.0), RankKind::Rank, 1), 100.0);
        // nodata skipped in the baseline (nan_policy="omit")
        let c = [Some(1.0), None, Some(3.0)];
        assert_eq!(rank(&c, Some(2.0), RankKind::Weak, 1), 50.0);
    }

    #[test]
    fn nodata_policy() {
        let a = [Some(1.0), Some(2.0), None];
        assert!(rank(&a, None, RankKind::Rank, 1).is_nan());
        assert!(rank(&a, Some(1.5), RankKind::Rank, 3).is_nan());
        assert_eq!(rank(&a, Some(1.5), RankKind::Rank, 2), 50.0);
        assert!(rank(&[None, None], Some(1.0), RankKind::Rank, 1).is_nan());
        assert!(rank(&[], Some(1.0), RankKind::Rank, 1).is_nan());
    }
}
