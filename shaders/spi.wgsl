// shaders/spi.wgsl — Standardized Precipitation Index per pixel (formulas, references and
// missing-data rules in src/kernels/spi.rs, its CPU mirror; every function here mirrors the
// one of the same name there).
//
// Input: the series buffer of src/kernels/series.rs (words 0..T times, unused here; value t
// of pixel i at word T + t * params.pixel_count + i, invalid = non-finite bits).
// Constants: 0 T, 1 scale k, 2 calendar month of the first input (0 = January), 3..4 the
// calibration inputs [start, end), 5 min_years, 6 stage, 7..8 months of this dispatch.
// Output: SPI of month t of pixel i at word t * params.out_stride + i (f32 bits or nodata),
// then 48 state words per pixel (the fits; see state_word).

const SPI_CLIP: f32 = 3.09;
const MIN_A: f32 = 1e-6;
const WILSON_HILFERTY_SHAPE: f32 = 300.0;
const GAMMA_ITMAX: u32 = 300u;
const GAMMA_EPS: f32 = 1e-7;
const FPMIN: f32 = 1e-30;

fn kc(c: u32) -> f32 {
    return params.k[c / 4u][c % 4u];
}

fn ln_ratio(r: f32) -> f32 {
    let u = (r - 1.0) / (r + 1.0);
    if abs(u) >= 0.2 {
        return log(r);
    }
    let u2 = u * u;
    let p = 1.0
        + u2 * (1.0 / 3.0
            + u2 * (1.0 / 5.0
                + u2 * (1.0 / 7.0 + u2 * (1.0 / 9.0 + u2 * (1.0 / 11.0 + u2 / 13.0)))));
    return 2.0 * u * p;
}

fn gammln(x: f32) -> f32 {
    var y = x;
    var tmp = x + 5.5;
    tmp = tmp - (x + 0.5) * log(tmp);
    var ser = 1.0;
    y += 1.0; ser += 76.18009 / y;
    y += 1.0; ser += -86.50532 / y;
    y += 1.0; ser += 24.0141 / y;
    y += 1.0; ser += -1.2317396 / y;
    y += 1.0; ser += 0.0012086509 / y;
    y += 1.0; ser += -0.000005395239 / y;
    return -tmp + log(2.5066283 * ser / x);
}


fn gammp(a: f32, x: f32) -> f32 {
    if x <= 0.0 {
        return 0.0;
    }
    if a > WILSON_HILFERTY_SHAPE {
        // cube root of a positive ratio
        let z = (pow(x / a, 1.0 / 3.0) - 1.0 + 1.0 / (9.0 * a)) * 3.0 * sqrt(a);
        return 0.5 * erfc_approx(-z * 0.70710677);
    }
    let front = exp(-x + a * log(x) - gammln(a));
    if x < a + 1.0 {
        var ap = a;
        var del = 1.0 / a;
        var sum = del;
        for (var n = 0u; n < GAMMA_ITMAX; n++) {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if abs(del) < abs(sum) * GAMMA_EPS {
                break;
            }
        }
        return min(sum * front, 1.0);
    }
    var b = x + 1.0 - a;
    var c = 1.0 / FPMIN;
    var d = 1.0 / b;
    var h = d;
    for (var i = 1u; i <= GAMMA_ITMAX; i++) {
        let fi = f32(i);
        let an = -fi * (fi - a);
        b += 2.0;
        d = an * d + b;
        if abs(d) < FPMIN {
            d = FPMIN;
        }
        c = b + an / c;
        if abs(c) < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if abs(del - 1.0) < GAMMA_EPS {
            break;
        }
    }
    return max(1.0 - front * h, 0.0);
}

fn ppnd7(p: f32) -> f32 {
    let q = p - 0.5;
    if abs(q) <= 0.425 {
        let r = 0.180625 - q * q;
        return q * (((59.109375 * r + 159.29113) * r + 50.43427) * r + 3.3871328)
            / (((67.18756 * r + 78.75776) * r + 17.89517) * r + 1.0);
    }
    var r = select(1.0 - p, p, q < 0.0);
    r = sqrt(-log(r));
    var v = 0.0;
    if r <= 5.0 {
        r -= 1.6;
        v = (((0.17023821 * r + 1.3067285) * r + 2.7568154) * r + 1.4234372)
            / ((0.12021133 * r + 0.7370016) * r + 1.0);
    } else {
        r -= 5.0;
        v = (((0.017337204 * r + 0.42848285) * r + 3.0812264) * r + 6.657905)
            / ((0.012258203 * r + 0.24197894) * r + 1.0);
    }
    return select(v, -v, q < 0.0);
}

fn spi_of_probability(h: f32) -> f32 {
    return clamp(ppnd7(clamp(h, 1e-6, 1.0 - 1e-6)), -SPI_CLIP, SPI_CLIP);
}

struct Sum {
    valid: bool,
    value: f32,
}

// The k-month sum of pixel i ending at month t.
fn running_sum(i: u32, t: u32, k: u32) -> Sum {
    if t + 1u < k {
        return Sum(false, 0.0);
    }
    let n = u32(kc(0u));
    var s = 0.0;
    for (var u = t + 1u - k; u <= t; u++) {
        let b = input[n + u * params.pixel_count + i];
        if !is_finite_bits(b) {
            return Sum(false, 0.0);
        }
        s += bitcast<f32>(b);
    }
    return Sum(true, s);
}

// The work of a pixel is split over dispatches (constant 6 = stage, 7..8 = the months
// [t0, t1) of this dispatch) so that no invocation (one pixel) runs more than 8000 loop
// iterations, both sides of every branch counted (dispatch_iterations in src/kernels/spi.rs):
// lavapipe (llvmpipe) ends every loop of an invocation once the loops together have run
// 65 535 iterations (gallivm LP_MAX_TGSI_LOOP_ITERATIONS, shared by every loop of a shader),
// which silently leaves outputs unwritten. The host (src/engine/gpu/spi.rs) plans the stages:
//   0: the k-month sums of months [t0, t1) into output word t * stride + i (bits, invalid bits
//      when missing);
//   1: the twelve fits from the sums of the calibration months, into the state words after
//      the months (see state_word);
//   2: SPI of months [t0, t1), from their sums, in place.

// Word of fit field f (0 n, 1 q, 2 alpha, 3 beta; beta 0 = no fit) of calendar month m.
fn state_word(m: u32, f: u32, i: u32) -> u32 {
    let n_t = u32(kc(0u));
    return (n_t + m * 4u + f) * params.out_stride + i;
}

fn sum_bits(t: u32, i: u32) -> u32 {
    return output[t * params.out_stride + i];
}

fn spi_sums(i: u32, t0: u32, t1: u32) {
    let k = u32(kc(1u));
    for (var t = t0; t < t1; t++) {
        let s = running_sum(i, t, k);
        output[t * params.out_stride + i] = select(0x7fc00000u, bitcast<u32>(s.value), s.valid);
    }
}

// Mirrors fit_months.
fn spi_fit(i: u32) {
    let n_t = u32(kc(0u));
    let m0 = u32(kc(2u));
    let c0 = u32(kc(3u));
    let c1 = min(u32(kc(4u)), n_t);
    var n: array<u32, 12>;
    var zeros: array<u32, 12>;
    var sum: array<f32, 12>;
    var mean: array<f32, 12>;
    var lsum: array<f32, 12>;
    for (var m = 0u; m < 12u; m++) {
        n[m] = 0u;
        zeros[m] = 0u;
        sum[m] = 0.0;
        mean[m] = 0.0;
        lsum[m] = 0.0;
    }
    for (var t = c0; t < c1; t++) {
        let b = sum_bits(t, i);
        if is_finite_bits(b) {
            let v = bitcast<f32>(b);
            let m = (m0 + t) % 12u;
            n[m] += 1u;
            if v == 0.0 {
                zeros[m] += 1u;
            } else {
                sum[m] += v;
            }
        }
    }
    for (var m = 0u; m < 12u; m++) {
        let nz = n[m] - zeros[m];
        if nz > 0u {
            mean[m] = sum[m] / f32(nz);
        }
    }
    for (var t = c0; t < c1; t++) {
        let b = sum_bits(t, i);
        if is_finite_bits(b) && bitcast<f32>(b) != 0.0 {
            let m = (m0 + t) % 12u;
            lsum[m] += ln_ratio(bitcast<f32>(b) / mean[m]);
        }
    }
    for (var m = 0u; m < 12u; m++) {
        let nz = n[m] - zeros[m];
        var q = 0.0;
        var alpha = 0.0;
        var beta = 0.0;
        if n[m] != 0u && nz != 0u {
            q = f32(zeros[m]) / f32(n[m]);
            let a = -lsum[m] / f32(nz);
            if a > MIN_A {
                alpha = (1.0 + sqrt(1.0 + 4.0 * a / 3.0)) / (4.0 * a);
                beta = mean[m] / alpha;
                if !(is_finite_bits(bitcast<u32>(alpha)) && beta > 0.0) {
                    beta = 0.0;
                }
            }
        }
        output[state_word(m, 0u, i)] = bitcast<u32>(f32(n[m]));
        output[state_word(m, 1u, i)] = bitcast<u32>(q);
        output[state_word(m, 2u, i)] = bitcast<u32>(alpha);
        output[state_word(m, 3u, i)] = bitcast<u32>(beta);
    }
}

// Mirrors spi_px.
fn spi_values(i: u32, t0: u32, t1: u32) {
    let m0 = u32(kc(2u));
    let min_years = f32(kc(5u));
    for (var t = t0; t < t1; t++) {
        let m = (m0 + t) % 12u;
        let b = sum_bits(t, i);
        let n = bitcast<f32>(output[state_word(m, 0u, i)]);
        let q = bitcast<f32>(output[state_word(m, 1u, i)]);
        let alpha = bitcast<f32>(output[state_word(m, 2u, i)]);
        let beta = bitcast<f32>(output[state_word(m, 3u, i)]);
        var o = params.out_nodata_bits;
        if is_finite_bits(b) && n != 0.0 && n >= min_years {
            let v = bitcast<f32>(b);
            if v == 0.0 {
                o = bitcast<u32>(spi_of_probability(q));
            } else if beta > 0.0 {
                let h = q + (1.0 - q) * gammp(alpha, v / beta);
                o = bitcast<u32>(spi_of_probability(h));
            }
        }
        output[t * params.out_stride + i] = o;
    }
}

fn spi_main(i: u32) {
    let stage = u32(kc(6u));
    let t0 = u32(kc(7u));
    let t1 = min(u32(kc(8u)), u32(kc(0u)));
    if stage == 0u {
        spi_sums(i, t0, t1);
    } else if stage == 1u {
        spi_fit(i);
    } else {
        spi_values(i, t0, t1);
    }
}
