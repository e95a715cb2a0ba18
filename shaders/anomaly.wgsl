// shaders/anomaly.wgsl — a value against its per-pixel climatology: diff, zscore, percent, vci,
// tci, vhi (each `NAME_px`). Mirrored on the CPU by src/indices/anomaly.rs (definitions,
// citations and the nodata rules there). Entry points are generated (src/shaders.rs).

// x - mean
fn diff_px(x: f32, mean: f32) -> Px {
    return px_new(x - mean);
}

// (x - mean) / std; nodata where std is 0
fn zscore_px(x: f32, mean: f32, sd: f32) -> Px {
    return safe_div(x - mean, sd);
}

// 100 x / mean; nodata where mean is 0
fn percent_px(x: f32, mean: f32) -> Px {
    let r = safe_div(x, mean);
    if !r.valid {
        return r;
    }
    return px_new(100.0 * r.value);
}

// 100 (x - min) / (max - min), Kogan 1995
fn vci_px(x: f32, mn: f32, mx: f32) -> Px {
    return safe_div(100.0 * (x - mn), mx - mn);
}

// 100 (max - x) / (max - min), Kogan 1995
fn tci_px(x: f32, mn: f32, mx: f32) -> Px {
    return safe_div(100.0 * (mx - x), mx - mn);
}

// a VCI + (1 - a) TCI; k = (A)
fn vhi_px(vci: f32, tci: f32, a: f32) -> Px {
    return px_new(a * vci + (1.0 - a) * tci);
}
