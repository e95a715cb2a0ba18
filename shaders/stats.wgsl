// shaders/stats.wgsl — per-output statistics of a window, computed on the device over the
// outputs the index kernel just wrote (no readback, no re-reading). Mirrored on the CPU by
// src/engine/stats.rs (`Partial::add`, `Partial::merge`); the host merges the partials in f64.
//
// Dispatch: x = workgroups along the pixels (each covers WG_SIZE * STATS_PX_PER_INVOCATION
// pixels), y = the output index. Each workgroup writes one partial of STATS_WORDS words for its
// output after the output regions: at MAX(out) * out_stride + (j * num_workgroups.x + wg) *
// STATS_WORDS, laid out as
//   0 valid count (u32), 1 nodata count (u32), 2 mean, 3 M2, 4 min, 5 max (f32 bits),
//   6 below-range count, 7 above-range count, 8.. HIST_BINS bin counts (u32).
// Counts, min and max are exact; mean and M2 are merged with Chan et al.'s pairwise update
// (doi:10.1007/978-3-642-51461-6_3) in f32 inside the workgroup.

var<workgroup> wg_n: array<f32, WG_SIZE>;
var<workgroup> wg_mean: array<f32, WG_SIZE>;
var<workgroup> wg_m2: array<f32, WG_SIZE>;
var<workgroup> wg_min: array<f32, WG_SIZE>;
var<workgroup> wg_max: array<f32, WG_SIZE>;
var<workgroup> wg_nodata: array<u32, WG_SIZE>;
var<workgroup> wg_hist: array<atomic<u32>, HIST_BINS + 2u>;

const BIG: f32 = 3.0e38;

fn hist_range(j: u32) -> vec2<f32> {
    let v = params.hist[j / 2u];
    return select(v.xy, v.zw, (j % 2u) == 1u);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = lid.x;
    let j = wid.y;
    for (var b = t; b < HIST_BINS + 2u; b += WG_SIZE) {
        atomicStore(&wg_hist[b], 0u);
    }
    workgroupBarrier();
    let range = hist_range(j);
    let width = range.y - range.x;
    var n = 0.0;
    var mean = 0.0;
    var m2 = 0.0;
    var mn = BIG;
    var mx = -BIG;
    var nodata = 0u;
    let base = wid.x * WG_SIZE * STATS_PX_PER_INVOCATION;
    for (var k = 0u; k < STATS_PX_PER_INVOCATION; k++) {
        let i = base + k * WG_SIZE + t;
        if i >= params.pixel_count {
            break;
        }
        let bits = output[j * params.out_stride + i];
        if bits == params.out_nodata_bits || !is_finite_bits(bits) {
            nodata += 1u;
            continue;
        }
        let x = bitcast<f32>(bits);
        n += 1.0;
        let d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
        mn = min(mn, x);
        mx = max(mx, x);
        var bin = HIST_BINS; // below
        if x >= range.x {
            bin = HIST_BINS + 1u; // above
            if x <= range.y && width > 0.0 {
                bin = min(u32((x - range.x) / width * f32(HIST_BINS)), HIST_BINS - 1u);
            }
        }
        atomicAdd(&wg_hist[bin], 1u);
    }
    wg_n[t] = n;
    wg_mean[t] = mean;
    wg_m2[t] = m2;
    wg_min[t] = mn;
    wg_max[t] = mx;
    wg_nodata[t] = nodata;
    workgroupBarrier();
    for (var s = WG_SIZE / 2u; s > 0u; s = s / 2u) {
        if t < s {
            let na = wg_n[t];
            let nb = wg_n[t + s];
            let nab = na + nb;
            if nb > 0.0 {
                let d = wg_mean[t + s] - wg_mean[t];
                wg_mean[t] = wg_mean[t] + d * (nb / nab);
                wg_m2[t] = wg_m2[t] + wg_m2[t + s] + d * d * (na * nb / nab);
                wg_n[t] = nab;
            }
            wg_min[t] = min(wg_min[t], wg_min[t + s]);
            wg_max[t] = max(wg_max[t], wg_max[t + s]);
            wg_nodata[t] = wg_nodata[t] + wg_nodata[t + s];
        }
        workgroupBarrier();
    }
    let p = params.n_outputs * params.out_stride + (j * nwg.x + wid.x) * STATS_WORDS;
    if t == 0u {
        output[p] = u32(wg_n[0]);
        output[p + 1u] = wg_nodata[0];
        output[p + 2u] = bitcast<u32>(wg_mean[0]);
        output[p + 3u] = bitcast<u32>(wg_m2[0]);
        output[p + 4u] = bitcast<u32>(wg_min[0]);
        output[p + 5u] = bitcast<u32>(wg_max[0]);
    }
    for (var b = t; b < HIST_BINS + 2u; b += WG_SIZE) {
        // bins 0.. HIST_BINS-1, then below and above at words 6 and 7
        let v = atomicLoad(&wg_hist[b]);
        if b < HIST_BINS {
            output[p + 8u + b] = v;
        } else {
            output[p + 6u + (b - HIST_BINS)] = v;
        }
    }
}
