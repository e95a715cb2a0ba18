//! Theil–Sen slope and the Mann–Kendall trend test per pixel: the CPU specification of
//! `shaders/trend.wgsl`.
//!
//! Over the `n` valid observations `x_k` at times `t_k` (years, in date order):
//! - slope = median over valid pairs i < j of (x_j − x_i)/(t_j − t_i) (Sen 1968,
//!   doi:10.1080/01621459.1968.10480934), per year;
//! - intercept = median(x) − slope·median(t), as pymannkendall's `sens_slope` (its time is the
//!   observation index; ours is years since the stack's first date, so for an evenly spaced stack
//!   the two agree once the slope is converted);
//! - S = Σ_{i<j} sign(x_j − x_i) (Mann 1945, Kendall 1975);
//! - var(S) = [n(n−1)(2n+5) − Σ_ties t(t−1)(2t+5)] / 18 (tie groups of equal values);
//! - z = (S − 1)/√var for S > 0, (S + 1)/√var for S < 0, 0 for S = 0;
//! - p = 2(1 − Φ(|z|)) = erfc(|z|/√2), two-sided;
//! - tau = S / (n(n−1)/2), as pymannkendall's `original_test` reports it;
//! - count = n. Fewer than 3 valid observations: every output but count is nodata.
//!
//! Cost: n(n−1)/2 pairs per pixel for S and the ties; the GPU's exact median of the pair slopes
//! takes 33 passes over the pairs (bisection on [`super::order::order_key`]). The arithmetic is
//! f32: S and the variance are exact integers up to 2^24 (n ≲ 200 for the variance; beyond,
//! its relative rounding is ~1e-7).

use super::order::median;

/// Times are days since the stack's first date (exact integers in f32); slopes are converted
/// to per year (of 365.25 days) after the division, so a pair's slope is rounded twice at most.
pub const DAYS_PER_YEAR: f32 = 365.25;

/// Output names, in output order (a significance mask may follow).
pub const TREND_OUTPUTS: [&str; 8] = ["slope", "intercept", "s", "var", "z", "p", "tau", "count"];
/// Index of `count`.
pub const COUNT: usize = 7;

/// erfc(x) with fractional error below 1.2e-7 (Press et al., Numerical Recipes, `erfcc`: a
/// Chebyshev fit). Mirrors `erfc_approx` in shaders/common.wgsl.
pub fn erfc_approx(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// z of the Mann–Kendall test from S and its variance. Mirrors `mk_z`.
pub fn mk_z(s: f32, var: f32) -> f32 {
    if s > 0.0 && var > 0.0 {
        (s - 1.0) / var.sqrt()
    } else if s < 0.0 && var > 0.0 {
        (s + 1.0) / var.sqrt()
    } else {
        0.0
    }
}

fn bits_or(v: f32, nodata_bits: u32) -> u32 {
    if v.is_finite() {
        v.to_bits()
    } else {
        nodata_bits
    }
}

/// One pixel: `x(k)` is its value at time `t[k]` (days; `None` when invalid); `px` receives the
/// outputs (f32 bits, count as u32). `scratch` is reused between pixels.
pub fn trend_px(
    t: &[f32],
    x: &dyn Fn(usize) -> Option<f32>,
    alpha: Option<f32>,
    nodata_bits: u32,
    scratch: &mut Vec<f32>,
    px: &mut [u32],
) {
    let obs: Vec<(f32, f32)> = (0..t.len())
        .filter_map(|k| x(k).map(|v| (t[k], v)))
        .collect();
    let n = obs.len();
    px.fill(nodata_bits);
    px[COUNT] = n as u32;
    if n < 3 {
        return;
    }
    // S and the tie term.
    let mut s = 0i32;
    let mut ties = 0.0f32;
    for i in 0..n {
        let mut same = 0u32;
        for j in 0..n {
            if obs[j].1 == obs[i].1 {
                same += 1;
            }
            if j > i {
                s += (obs[j].1 > obs[i].1) as i32 - (obs[j].1 < obs[i].1) as i32;
            }
        }
        ties += ((same - 1) * (2 * same + 5)) as f32;
    }
    let nf = n as f32;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let sf = s as f32;
    let z = mk_z(sf, var);
    let p = erfc_approx(z.abs() * std::f32::consts::FRAC_1_SQRT_2);
    // Sen's slope over all valid pairs.
    scratch.clear();
    for i in 0..n {
        for j in i + 1..n {
            scratch.push((obs[j].1 - obs[i].1) / (obs[j].0 - obs[i].0) * DAYS_PER_YEAR);
        }
    }
    let slope = median(scratch);
    scratch.clear();
    scratch.extend(obs.iter().map(|o| o.1));
    let mx = median(scratch);
    // Times are in date order: the median time is that of the middle observation(s).
    let mt = if n % 2 == 1 {
        obs[n / 2].0
    } else {
        (obs[n / 2 - 1].0 + obs[n / 2].0) * 0.5
    };
    let intercept = mx - slope * (mt / DAYS_PER_YEAR);
    let tau = sf / (nf * (nf - 1.0) * 0.5);
    let vals = [slope, intercept, sf, var, z, p, tau];
    for (o, v) in px.iter_mut().zip(vals) {
        *o = bits_or(v, nodata_bits);
    }
    if let Some(a) = alpha {
        px[TREND_OUTPUTS.len()] = if p < a { 1.0f32 } else { 0.0 }.to_bits();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_matches_known_values() {
        // erfc(0) = 1, erfc(1) = 0.157299207, erfc(2) = 0.004677735, erfc(-1) = 1.842700793
        for (x, e) in [
            (0.0f32, 1.0f64),
            (1.0, 0.157_299_207),
            (2.0, 0.004_677_735),
            (-1.0, 1.842_700_793),
            (4.0, 1.541_725_790e-8),
        ] {
            let r = erfc_approx(x) as f64;
            assert!(((r - e) / e).abs() < 5e-7, "erfc({x}) = {r}, expected {e}");
        }
    }

    #[test]
    fn hand_computed_series() {
        // x = 1, 3, 2, 5 at t = 0, 1, 2, 3 years: pairs (i<j) signs + + + - + + → S = 4;
        // slopes 2, 0.5, 4/3, -1, 1, 3 → median (1 + 4/3)/2; no ties: var = 4·3·13/18.
        let t = [0.0f32, 365.25, 730.5, 1095.75];
        let v = [1.0f32, 3.0, 2.0, 5.0];
        let mut px = [0u32; 9];
        trend_px(&t, &|k| Some(v[k]), Some(0.05), 0, &mut Vec::new(), &mut px);
        let f = |j: usize| f32::from_bits(px[j]);
        assert!((f(0) - (1.0 + 4.0 / 3.0) / 2.0).abs() < 1e-6);
        assert_eq!(f(2), 4.0);
        assert!((f(3) - 4.0 * 3.0 * 13.0 / 18.0).abs() < 1e-5);
        assert!((f(4) - 3.0 / (26.0f32 / 3.0).sqrt()).abs() < 1e-6);
        assert!((f(6) - 4.0 / 6.0).abs() < 1e-7);
        // intercept: median(x) = 2.5, median(t) = 1.5
        assert!((f(1) - (2.5 - f(0) * 1.5)).abs() < 1e-6);
        assert_eq!(px[COUNT], 4);
        assert_eq!(f(8), 0.0, "p = {} is not significant", f(5));
        // two valid values: nodata but the count
        trend_px(
            &t,
            &|k| (k < 2).then_some(v[k]),
            None,
            7,
            &mut Vec::new(),
            &mut px[..8],
        );
        assert_eq!(&px[..8], &[7, 7, 7, 7, 7, 7, 7, 2]);
    }
}
