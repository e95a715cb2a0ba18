// shaders/smooth.wgsl — temporal smoothing of each pixel's series (one pixel per invocation):
// Savitzky–Golay and 4253H. Mirrored on the CPU (in f64) by src/kernels/smooth.rs, which says
// what each step means; the loops here are counted by `smooth::loop_iterations`.
//
// Input: the series buffer of series.wgsl (prepended). Output: the smoothed value k of pixel i
// at word k * params.out_stride + i (f32 bits, params.out_nodata_bits = invalid), written only
// where the input is valid.
// Constants: 0 T, 1 kind (0 Savitzky–Golay, 1 4253H), 2 window, 3 order.

fn smooth_store(k: u32, i: u32, v: f32) {
    output[k * params.out_stride + i] = bitcast<u32>(v);
}

fn smooth_load(k: u32, i: u32) -> f32 {
    return bitcast<f32>(output[k * params.out_stride + i]);
}

// p_j(u) of the orthogonal polynomials of the recurrence coefficients alpha, beta (Forsythe).
fn orth_poly(j: u32, u: f32, alpha: ptr<function, array<f32, 6>>, beta: ptr<function, array<f32, 6>>) -> f32 {
    var prev = 0.0;
    var cur = 1.0;
    for (var q = 0u; q < j; q++) {
        let next = (u - (*alpha)[q]) * cur - (*beta)[q] * prev;
        prev = cur;
        cur = next;
    }
    return cur;
}

// Savitzky–Golay at sample k of pixel i: the least-squares fit over the window's valid samples
// (orthogonal polynomials, positions centred on the window and scaled to [-1, 1]) at k.
fn savgol_at(k: u32, i: u32) -> u32 {
    let t = series_len();
    let w = u32(kc(2u));
    let m = u32(kc(3u)) + 1u;
    let h = w / 2u;
    let scale = f32(max(h, 1u));
    if !is_finite_bits(series_bits(k, i)) {
        return params.out_nodata_bits;
    }
    let s = min(max(k, h) - h, t - w);
    let centre = f32(s + h);
    let at = (f32(k) - centre) / scale;
    var alpha: array<f32, 6>;
    var beta: array<f32, 6>;
    var value = 0.0;
    var last_norm = 1.0;
    for (var j = 0u; j < m; j++) {
        var norm = 0.0;
        var un = 0.0;
        var yn = 0.0;
        var count = 0u;
        for (var q = s; q < s + w; q++) {
            let bits = series_bits(q, i);
            if is_finite_bits(bits) {
                let u = (f32(q) - centre) / scale;
                let p = orth_poly(j, u, &alpha, &beta);
                norm += p * p;
                un += u * p * p;
                yn += bitcast<f32>(bits) * p;
                count += 1u;
            }
        }
        if count < m || norm <= 0.0 {
            return params.out_nodata_bits;
        }
        alpha[j] = un / norm;
        beta[j] = select(norm / last_norm, 0.0, j == 0u);
        last_norm = norm;
        value += yn / norm * orth_poly(j, at, &alpha, &beta);
    }
    return series_out_bits(value);
}

fn savgol_main(i: u32) {
    for (var k = 0u; k < series_len(); k++) {
        output[k * params.out_stride + i] = savgol_at(k, i);
    }
}

fn med3(a: f32, b: f32, c: f32) -> f32 {
    return min(max(a, b), max(min(a, b), c));
}

fn med4(a: f32, b: f32, c: f32, d: f32) -> f32 {
    // the mean of the two middle values: (sum − min − max) / 2
    let lo = min(min(a, b), min(c, d));
    let hi = max(max(a, b), max(c, d));
    return (a + b + c + d - lo - hi) / 2.0;
}

fn med5(a: f32, b: f32, c: f32, d: f32, e: f32) -> f32 {
    // drop the min and the max of the first four, then the median of three with e
    let f = max(min(a, b), min(c, d));
    let g = min(max(a, b), max(c, d));
    return med3(f, g, e);
}

// One in-place stage over the span output[lo..lo + n) of pixel i: at each position the stage
// reads the span's previous values o(j − 2)..o(j + 2), kept in a five-register window since
// positions before j are already overwritten.
fn stage(stage_kind: u32, lo: u32, n: u32, i: u32) {
    var r: array<f32, 5>;
    for (var q = 0u; q < 5u; q++) {
        let j = i32(q) - 2;
        r[q] = 0.0;
        if j >= 0 && u32(j) < n {
            r[q] = smooth_load(lo + u32(j), i);
        }
    }
    for (var j = 0u; j < n; j++) {
        var v = r[2];
        let in1 = j >= 1u && j + 2u <= n;
        if stage_kind == 0u {
            // median 4 at j − ½ and j + ½ (the means of two at the ends), then their mean
            if in1 {
                var y0 = (r[1] + r[2]) / 2.0;
                if j >= 2u {
                    y0 = med4(r[0], r[1], r[2], r[3]);
                }
                var y1 = (r[2] + r[3]) / 2.0;
                if j + 3u <= n {
                    y1 = med4(r[1], r[2], r[3], r[4]);
                }
                v = (y0 + y1) / 2.0;
            }
        } else if stage_kind == 1u {
            if j >= 2u && j + 3u <= n {
                v = med5(r[0], r[1], r[2], r[3], r[4]);
            } else if in1 {
                v = med3(r[1], r[2], r[3]);
            }
        } else if stage_kind == 2u {
            if in1 {
                v = med3(r[1], r[2], r[3]);
            }
        } else if in1 {
            v = 0.25 * r[1] + 0.5 * r[2] + 0.25 * r[3];
        }
        smooth_store(lo + j, i, v);
        r[0] = r[1];
        r[1] = r[2];
        r[2] = r[3];
        r[3] = r[4];
        r[4] = 0.0;
        if j + 3u < n {
            r[4] = smooth_load(lo + j + 3u, i);
        }
    }
}

fn m4253h_main(i: u32) {
    let t = series_len();
    // the valid span [a, b]
    var a = t;
    var b = 0u;
    for (var k = 0u; k < t; k++) {
        output[k * params.out_stride + i] = params.out_nodata_bits;
        if is_finite_bits(series_bits(k, i)) {
            a = min(a, k);
            b = k;
        }
    }
    if a == t {
        return;
    }
    // interior gaps: linear interpolation between the valid neighbours
    var last = a;
    for (var k = a; k <= b; k++) {
        let bits = series_bits(k, i);
        if is_finite_bits(bits) {
            let s = bitcast<f32>(bits);
            let x0 = bitcast<f32>(series_bits(last, i));
            for (var g = last + 1u; g < k; g++) {
                smooth_store(g, i, x0 + (s - x0) * f32(g - last) / f32(k - last));
            }
            smooth_store(k, i, s);
            last = k;
        }
    }
    let n = b - a + 1u;
    stage(0u, a, n, i);
    stage(1u, a, n, i);
    stage(2u, a, n, i);
    stage(3u, a, n, i);
    // only where the input was valid
    for (var k = a; k <= b; k++) {
        if !is_finite_bits(series_bits(k, i)) {
            output[k * params.out_stride + i] = params.out_nodata_bits;
        }
    }
}

fn smooth_main(i: u32) {
    if kc(1u) == 0.0 {
        savgol_main(i);
    } else {
        m4253h_main(i);
    }
}
