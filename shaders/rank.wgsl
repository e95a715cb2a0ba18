// shaders/rank.wgsl — percentile rank of the observation (the series' last member) among the
// pixel's valid baseline values, as scipy.stats.percentileofscore (kinds and formulas in
// src/kernels/rank.rs, its CPU mirror). Uses series.wgsl. One counting pass.
// Constants: 0 T (baseline inputs + 1), 1 min_count, 2 kind (0 rank, 1 weak, 2 strict,
// 3 mean). Output 0: the rank (0-100).

// Mirrors `rank_value`.
fn rank_value(kind: u32, left: u32, right: u32, n: u32) -> f32 {
    var s = left + right + select(0u, 1u, left < right);
    if kind == 1u {
        s = 2u * right;
    } else if kind == 2u {
        s = 2u * left;
    } else if kind == 3u {
        s = left + right;
    }
    return 50.0 * f32(s) / f32(n);
}

fn rank_main(i: u32) {
    let t = series_len();
    if t == 0u {
        output[i] = params.out_nodata_bits;
        return;
    }
    let ob = series_bits(t - 1u, i);
    if !is_finite_bits(ob) {
        output[i] = params.out_nodata_bits;
        return;
    }
    let x = bitcast<f32>(ob);
    var n = 0u;
    var left = 0u;
    var right = 0u;
    for (var k = 0u; k + 1u < t; k++) {
        let b = series_bits(k, i);
        if is_finite_bits(b) {
            let v = bitcast<f32>(b);
            n += 1u;
            left += select(0u, 1u, v < x);
            right += select(0u, 1u, v <= x);
        }
    }
    if n == 0u || n < u32(kc(1u)) {
        output[i] = params.out_nodata_bits;
        return;
    }
    output[i] = bitcast<u32>(rank_value(u32(kc(2u)), left, right, n));
}
