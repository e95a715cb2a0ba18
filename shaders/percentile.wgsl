// shaders/percentile.wgsl — exact percentiles of a pixel's valid values, as numpy computes them
// (methods and formulas in src/kernels/percentile.rs, its CPU mirror). Uses series.wgsl.
// Constants: 0 T, 1 min_count, 2 number of percentiles, 3 method kind (0 interpolate with
// alpha/beta, 1 lower, 2 higher, 3 nearest, 4 midpoint), 4 alpha, 5 beta, 8.. the percentiles
// (0-100). Output j: percentile j.

// Mirrors `np_lerp` (numpy `_lerp`).
fn np_lerp(a: f32, b: f32, g: f32) -> f32 {
    let d = b - a;
    if g >= 0.5 {
        return b - d * (1.0 - g);
    }
    return a + d * g;
}

struct PctIndex {
    lo: u32,
    up: u32,
    frac: f32,
}

// Mirrors `pct_index`.
fn pct_index(n: u32, pct: f32) -> PctIndex {
    let kind = u32(kc(3u));
    let alpha = kc(4u);
    let beta = kc(5u);
    let last = n - 1u;
    let tenth = pct * 10.0;
    var lo = 0u;
    var frac = 0.0;
    if alpha == 1.0 && beta == 1.0 && tenth == floor(tenth) && tenth <= 1000.0 {
        let num = last * u32(tenth);
        lo = num / 1000u;
        frac = f32(num % 1000u) / 1000.0;
    } else {
        let q = pct / 100.0;
        let h = f32(n) * q + (alpha + q * (1.0 - alpha - beta)) - 1.0;
        if h < 0.0 {
            lo = 0u;
        } else if h >= f32(last) {
            lo = last;
        } else {
            let f = floor(h);
            lo = u32(f);
            frac = h - f;
        }
    }
    lo = min(lo, last);
    let up = min(lo + 1u, last);
    if kind == 1u {
        return PctIndex(lo, lo, 0.0);
    }
    if kind == 2u {
        let i = select(lo, up, frac > 0.0);
        return PctIndex(i, i, 0.0);
    }
    if kind == 3u {
        let i = select(lo, up, frac > 0.5 || (frac == 0.5 && lo % 2u == 1u));
        return PctIndex(i, i, 0.0);
    }
    if kind == 4u {
        if frac > 0.0 {
            return PctIndex(lo, up, 0.5);
        }
        return PctIndex(lo, lo, 0.0);
    }
    return PctIndex(lo, up, frac);
}

fn percentile_main(i: u32) {
    let nq = u32(kc(2u));
    let st = params.out_stride;
    let n = count_values_le(i, 0xffffffffu);
    if n == 0u || n < u32(kc(1u)) {
        for (var j = 0u; j < nq; j++) {
            output[j * st + i] = params.out_nodata_bits;
        }
        return;
    }
    for (var j = 0u; j < nq; j++) {
        let ix = pct_index(n, kc(8u + j));
        let a = kth_value(i, ix.lo);
        var v = a;
        if ix.up != ix.lo {
            v = np_lerp(a, kth_value(i, ix.up), ix.frac);
        }
        output[j * st + i] = bitcast<u32>(v);
    }
}
