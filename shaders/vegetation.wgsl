// shaders/vegetation.wgsl — per-pixel spectral index functions: ndvi, evi, evi2, savi, msavi2,
// ndwi, mndwi, nbr, ndmi, ndbi, ndsi, gndvi (each `NAME_px`).
// Mirrored on the CPU by src/indices/vegetation.rs (formulas, constants and citations there).
//
// Entry points are generated from the index registry by src/shaders.rs: one kernel per request
// fetches every band role it needs once, then calls `NAME_px(roles in registry order...,
// constants...)` for each requested index and stores each result. A `_px` function therefore
// takes its bands in the registry's role order, then its constants in `IndexDesc::constants`
// order.

fn nd_px(a: f32, b: f32) -> Px {
    return safe_div(a - b, a + b);
}

// (N - R) / (N + R), Rouse et al. 1974
fn ndvi_px(red: f32, nir: f32) -> Px {
    return nd_px(nir, red);
}

// G (N - R) / (N + C1 R - C2 B + L), Huete et al. 2002; k = (G, C1, C2, L)
fn evi_px(blue: f32, red: f32, nir: f32, g: f32, c1: f32, c2: f32, l: f32) -> Px {
    let num = g * (nir - red);
    let den = nir + c1 * red - c2 * blue + l;
    return safe_div(num, den);
}

// G (N - R) / (N + C R + L), Jiang et al. 2008; k = (G, C, L)
fn evi2_px(red: f32, nir: f32, g: f32, c: f32, l: f32) -> Px {
    return safe_div(g * (nir - red), nir + c * red + l);
}

// (1 + L) (N - R) / (N + R + L), Huete 1988; k = (L)
fn savi_px(red: f32, nir: f32, l: f32) -> Px {
    return safe_div((1.0 + l) * (nir - red), nir + red + l);
}

// (2N + 1 - sqrt((2N + 1)^2 - 8 (N - R))) / 2, Qi et al. 1994; negative discriminant -> nodata
fn msavi2_px(red: f32, nir: f32) -> Px {
    let t = 2.0 * nir + 1.0;
    let disc = t * t - 8.0 * (nir - red);
    if disc < 0.0 {
        return invalid_px();
    }
    return px_new(0.5 * (t - sqrt(disc)));
}

fn ndwi_px(green: f32, nir: f32) -> Px { return nd_px(green, nir); }    // McFeeters 1996
fn mndwi_px(green: f32, swir1: f32) -> Px { return nd_px(green, swir1); } // Xu 2006
fn nbr_px(nir: f32, swir2: f32) -> Px { return nd_px(nir, swir2); }      // Key & Benson
fn ndmi_px(nir: f32, swir1: f32) -> Px { return nd_px(nir, swir1); }     // Wilson & Sader 2002
fn ndbi_px(nir: f32, swir1: f32) -> Px { return nd_px(swir1, nir); }     // Zha et al. 2003
fn ndsi_px(green: f32, swir1: f32) -> Px { return nd_px(green, swir1); } // Hall et al. 1994
fn gndvi_px(green: f32, nir: f32) -> Px { return nd_px(nir, green); }    // Gitelson et al. 1996
