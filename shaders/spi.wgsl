// shaders/spi.wgsl — Standardized Precipitation Index per pixel (formulas, references and
// missing-data rules in src/kernels/spi.rs, its CPU mirror; every function here mirrors the
// one of the same name there).
//
// Input: the series buffer of src/kernels/series.rs (words 0..T times, unused here; value t
// of pixel i at word T + t * params.pixel_count + i, invalid = non-finite bits).
// Constants: 0 T, 1 scale k, 2 calendar month of the first input (0 = January), 3..4 the
// calibration inputs [start, end), 5 min_years.
// Output: SPI of month t of pixel i at word t * params.out_stride + i (f32 bits or nodata).

const SPI_CLIP: f32 = 3.09;
const MIN_A: f32 = 1e-6;
const GAMMA_ITMAX: u32 = 1000u;
const GAMMA_EPS: f32 = 1e-7;
const FPMIN: f32 = 1e-30;

fn kc(c: u32) -> f32 {
    return params.k[c / 4u][c % 4u];
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

fn spi_main(i: u32) {
    let n_t = u32(kc(0u));
    let k = u32(kc(1u));
    let m0 = u32(kc(2u));
    let c0 = u32(kc(3u));
    let c1 = min(u32(kc(4u)), n_t);
    let min_years = u32(kc(5u));
    let st = params.out_stride;
    // fit_months
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
        let s = running_sum(i, t, k);
        if s.valid {
            let m = (m0 + t) % 12u;
            n[m] += 1u;
            if s.value == 0.0 {
                zeros[m] += 1u;
            } else {
                sum[m] += s.value;
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
        let s = running_sum(i, t, k);
        if s.valid && s.value != 0.0 {
            let m = (m0 + t) % 12u;
            lsum[m] += log(s.value / mean[m]);
        }
    }
    var q: array<f32, 12>;
    var alpha: array<f32, 12>;
    var beta: array<f32, 12>;
    var fit: array<bool, 12>;
    for (var m = 0u; m < 12u; m++) {
        let nz = n[m] - zeros[m];
        q[m] = 0.0;
        alpha[m] = 0.0;
        beta[m] = 0.0;
        fit[m] = false;
        if n[m] == 0u || nz == 0u {
            continue;
        }
        q[m] = f32(zeros[m]) / f32(n[m]);
        let a = -lsum[m] / f32(nz);
        if a > MIN_A {
            alpha[m] = (1.0 + sqrt(1.0 + 4.0 * a / 3.0)) / (4.0 * a);
            beta[m] = mean[m] / alpha[m];
            fit[m] = is_finite_bits(bitcast<u32>(alpha[m])) && beta[m] > 0.0;
        }
    }
    // spi_px
    for (var t = 0u; t < n_t; t++) {
        let m = (m0 + t) % 12u;
        var o = params.out_nodata_bits;
        let s = running_sum(i, t, k);
        if s.valid && n[m] != 0u && n[m] >= min_years {
            if s.value == 0.0 {
                o = bitcast<u32>(spi_of_probability(q[m]));
            } else if fit[m] {
                let h = q[m] + (1.0 - q[m]) * gammp(alpha[m], s.value / beta[m]);
                o = bitcast<u32>(spi_of_probability(h));
            }
        }
        output[t * st + i] = o;
    }
}
