// shaders/trend.wgsl — Theil–Sen slope and the Mann–Kendall test per pixel (formulas in
// src/kernels/trend.rs, its CPU mirror). Uses series.wgsl.
// Constants: 0 T, 1 significance mask wanted (0/1), 2 alpha.
// Outputs (stride params.out_stride): 0 slope, 1 intercept, 2 S, 3 var(S), 4 z, 5 p, 6 tau,
// 7 count (u32), 8 significant (1/0, when asked).

// Slope per year of the pair (a, b), a < b, both valid (times are days).
fn pair_slope(i: u32, a: u32, b: u32) -> f32 {
    let xa = bitcast<f32>(series_bits(a, i));
    let xb = bitcast<f32>(series_bits(b, i));
    return (xb - xa) / (series_time(b) - series_time(a)) * 365.25;
}

// Valid pairs whose slope key is <= key (le = true) or the smallest slope key above key
// (le = false; 0xffffffff when none).
fn scan_slopes(i: u32, key: u32, le: bool) -> u32 {
    let n = series_len();
    var c = 0u;
    var best = 0xffffffffu;
    for (var a = 0u; a < n; a++) {
        if !is_finite_bits(series_bits(a, i)) {
            continue;
        }
        for (var b = a + 1u; b < n; b++) {
            if !is_finite_bits(series_bits(b, i)) {
                continue;
            }
            let k = order_key(bitcast<u32>(pair_slope(i, a, b)));
            if k <= key {
                c += 1u;
            } else {
                best = min(best, k);
            }
        }
    }
    return select(best, c, le);
}

fn kth_slope_key(i: u32, r: u32) -> u32 {
    var lo = 0u;
    var hi = 0xffffffffu;
    loop {
        if lo >= hi {
            break;
        }
        let mid = lo + (hi - lo) / 2u;
        if scan_slopes(i, mid, true) >= r + 1u {
            hi = mid;
        } else {
            lo = mid + 1u;
        }
    }
    return lo;
}

// Median of the m pair slopes (numpy: mean of the two middle ones when m is even).
fn median_slope(i: u32, m: u32) -> f32 {
    if m % 2u == 1u {
        return key_value(kth_slope_key(i, m / 2u));
    }
    let k = kth_slope_key(i, m / 2u - 1u);
    let lo = key_value(k);
    var hi = lo;
    if scan_slopes(i, k, true) < m / 2u + 1u {
        hi = key_value(scan_slopes(i, k, false));
    }
    return (lo + hi) * 0.5;
}

// Smallest valid value key above key.
fn min_value_key_above(i: u32, key: u32) -> u32 {
    var best = 0xffffffffu;
    for (var k = 0u; k < series_len(); k++) {
        let b = series_bits(k, i);
        if is_finite_bits(b) && order_key(b) > key {
            best = min(best, order_key(b));
        }
    }
    return best;
}

// Median of the n valid values.
fn median_value(i: u32, n: u32) -> f32 {
    if n % 2u == 1u {
        return kth_value(i, n / 2u);
    }
    let lo = kth_value(i, n / 2u - 1u);
    let k = order_key(bitcast<u32>(lo));
    var hi = lo;
    if count_values_le(i, k) < n / 2u + 1u {
        hi = key_value(min_value_key_above(i, k));
    }
    return (lo + hi) * 0.5;
}

// Time of the r-th valid observation (inputs are in date order).
fn valid_time(i: u32, r: u32) -> f32 {
    var c = 0u;
    for (var k = 0u; k < series_len(); k++) {
        if is_finite_bits(series_bits(k, i)) {
            if c == r {
                return series_time(k);
            }
            c += 1u;
        }
    }
    return 0.0;
}


// Mirrors `mk_z`.
fn mk_z(s: f32, v: f32) -> f32 {
    if s > 0.0 && v > 0.0 {
        return (s - 1.0) / sqrt(v);
    }
    if s < 0.0 && v > 0.0 {
        return (s + 1.0) / sqrt(v);
    }
    return 0.0;
}

fn trend_store(j: u32, i: u32, v: f32) {
    output[j * params.out_stride + i] = series_out_bits(v);
}

fn trend_main(i: u32) {
    let len = series_len();
    let st = params.out_stride;
    let nd = params.out_nodata_bits;
    let sig = kc(1u) > 0.5;
    var n = 0u;
    var s = 0i;
    var ties = 0.0;
    for (var a = 0u; a < len; a++) {
        let ba = series_bits(a, i);
        if !is_finite_bits(ba) {
            continue;
        }
        n += 1u;
        let xa = bitcast<f32>(ba);
        var same = 0u;
        for (var b = 0u; b < len; b++) {
            let bb = series_bits(b, i);
            if !is_finite_bits(bb) {
                continue;
            }
            let xb = bitcast<f32>(bb);
            if xb == xa {
                same += 1u;
            }
            if b > a {
                s += select(0i, 1i, xb > xa) - select(0i, 1i, xb < xa);
            }
        }
        ties += f32((same - 1u) * (2u * same + 5u));
    }
    output[7u * st + i] = n;
    if n < 3u {
        for (var j = 0u; j < 7u; j++) {
            output[j * st + i] = nd;
        }
        if sig {
            output[8u * st + i] = nd;
        }
        return;
    }
    let nf = f32(n);
    let v = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let sf = f32(s);
    let z = mk_z(sf, v);
    let p = erfc_approx(abs(z) * 0.70710677);
    let slope = median_slope(i, n * (n - 1u) / 2u);
    let mx = median_value(i, n);
    var mt = valid_time(i, n / 2u);
    if n % 2u == 0u {
        mt = (valid_time(i, n / 2u - 1u) + mt) * 0.5;
    }
    trend_store(0u, i, slope);
    trend_store(1u, i, mx - slope * (mt / 365.25));
    trend_store(2u, i, sf);
    trend_store(3u, i, v);
    trend_store(4u, i, z);
    trend_store(5u, i, p);
    trend_store(6u, i, sf / (nf * (nf - 1.0) * 0.5));
    if sig {
        output[8u * st + i] = bitcast<u32>(select(0.0, 1.0, p < kc(2u)));
    }
}
