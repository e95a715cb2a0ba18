//! CPU reference for the `vegetation` shader family: the specification of every spectral index
//! in this family. Mirrors `shaders/vegetation.wgsl` function by function; keep them line-by-line
//! comparable. This is the readable definition, not a fast path.
//!
//! All inputs are surface (or TOA) reflectance as f32, after the band's scale and offset. Every
//! function returns a [`Px`]: `valid == false` means "write the output nodata value". The
//! policy, identical on every device:
//! - an input sample equal to its band's nodata, or a non-finite float sample, makes the pixel
//!   nodata (checked by the caller before these functions run);
//! - a denominator whose magnitude is below `f32::MIN_POSITIVE` (zero or subnormal) gives
//!   nodata, never 0, ±inf or NaN — subnormals are included because GPUs may flush them to zero;
//! - a square root of a negative number gives nodata;
//! - a non-finite result (overflow) gives nodata;
//! - inputs are not clamped: reflectance outside [0, 1] is used as given.

use super::vocab::Px;

/// `num / den`, or nodata when `|den|` is zero or subnormal.
pub fn safe_div(num: f32, den: f32) -> Px {
    if den.abs() < f32::MIN_POSITIVE {
        return Px::INVALID;
    }
    Px::new(num / den)
}

/// Normalized difference `(a − b) / (a + b)`.
pub fn nd_px(a: f32, b: f32) -> Px {
    safe_div(a - b, a + b)
}

/// NDVI = (N − R) / (N + R). Rouse et al. 1974, "Monitoring vegetation systems in the Great
/// Plains with ERTS", NASA SP-351 (ntrs 19740022614).
///
/// ```
/// # use climidx::kernels::vegetation::ndvi_px;
/// assert!((ndvi_px(0.1, 0.5).value - 2.0 / 3.0).abs() < 1e-6);
/// assert!(!ndvi_px(0.0, 0.0).valid); // zero denominator: nodata
/// ```
pub fn ndvi_px(red: f32, nir: f32) -> Px {
    nd_px(nir, red)
}

/// EVI = G·(N − R) / (N + C1·R − C2·B + L), G 2.5, C1 6, C2 7.5, L 1.
/// Huete et al. 2002, RSE 83:195, doi:10.1016/S0034-4257(02)00096-2.
pub fn evi_px(blue: f32, red: f32, nir: f32, g: f32, c1: f32, c2: f32, l: f32) -> Px {
    let num = g * (nir - red);
    let den = nir + c1 * red - c2 * blue + l;
    safe_div(num, den)
}

/// EVI2 = G·(N − R) / (N + C·R + L), G 2.5, C 2.4, L 1.
/// Jiang et al. 2008, RSE 112:3833, doi:10.1016/j.rse.2008.06.006.
pub fn evi2_px(red: f32, nir: f32, g: f32, c: f32, l: f32) -> Px {
    safe_div(g * (nir - red), nir + c * red + l)
}

/// SAVI = (1 + L)·(N − R) / (N + R + L), L 0.5. Huete 1988, RSE 25:295,
/// doi:10.1016/0034-4257(88)90106-X.
pub fn savi_px(red: f32, nir: f32, l: f32) -> Px {
    safe_div((1.0 + l) * (nir - red), nir + red + l)
}

/// MSAVI2 = (2N + 1 − √((2N + 1)² − 8(N − R))) / 2. Qi et al. 1994, RSE 48:119,
/// doi:10.1016/0034-4257(94)90134-1. A negative discriminant (possible only for R < 0) gives
/// nodata.
pub fn msavi2_px(red: f32, nir: f32) -> Px {
    let t = 2.0 * nir + 1.0;
    let disc = t * t - 8.0 * (nir - red);
    if disc < 0.0 {
        return Px::INVALID;
    }
    Px::new(0.5 * (t - disc.sqrt()))
}

/// NDWI (McFeeters) = (G − N) / (G + N). McFeeters 1996, IJRS 17:1425,
/// doi:10.1080/01431169608948714.
pub fn ndwi_px(green: f32, nir: f32) -> Px {
    nd_px(green, nir)
}

/// MNDWI = (G − S1) / (G + S1). Xu 2006, IJRS 27:3025, doi:10.1080/01431160600589179.
pub fn mndwi_px(green: f32, swir1: f32) -> Px {
    nd_px(green, swir1)
}

/// NBR = (N − S2) / (N + S2). Key & Benson, USGS OFR 02-11 (doi:10.3133/ofr0211).
pub fn nbr_px(nir: f32, swir2: f32) -> Px {
    nd_px(nir, swir2)
}

/// NDMI = (N − S1) / (N + S1). Wilson & Sader 2002, RSE 80:385,
/// doi:10.1016/S0034-4257(01)00318-2.
pub fn ndmi_px(nir: f32, swir1: f32) -> Px {
    nd_px(nir, swir1)
}

/// NDBI = (S1 − N) / (S1 + N). Zha et al. 2003, IJRS 24:583, doi:10.1080/01431160304987.
pub fn ndbi_px(nir: f32, swir1: f32) -> Px {
    nd_px(swir1, nir)
}

/// NDSI = (G − S1) / (G + S1). Hall, Riggs & Salomonson, IGARSS 1994,
/// doi:10.1109/IGARSS.1994.399618.
pub fn ndsi_px(green: f32, swir1: f32) -> Px {
    nd_px(green, swir1)
}

/// GNDVI = (N − G) / (N + G). Gitelson et al. 1996, RSE 58:289,
/// doi:10.1016/S0034-4257(96)00072-7.
pub fn gndvi_px(green: f32, nir: f32) -> Px {
    nd_px(nir, green)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(p: Px) -> f32 {
        assert!(p.valid);
        p.value
    }

    #[test]
    fn hand_computed_values() {
        // (0.5 - 0.1) / (0.5 + 0.1) = 0.4 / 0.6
        assert_eq!(v(ndvi_px(0.1, 0.5)), 0.4f32 / 0.6);
        // EVI: 2.5 * 0.4 / (0.5 + 0.6 - 0.375 + 1) = 1.0 / 1.725 = 0.57971
        assert!((v(evi_px(0.05, 0.1, 0.5, 2.5, 6.0, 7.5, 1.0)) - 0.579_710_1).abs() < 1e-6);
        // EVI2: 2.5 * 0.4 / (0.5 + 0.24 + 1) = 1.0 / 1.74 = 0.574713
        assert!((v(evi2_px(0.1, 0.5, 2.5, 2.4, 1.0)) - 0.574_712_6).abs() < 1e-6);
        // SAVI: 1.5 * 0.4 / (0.6 + 0.5) = 0.545454
        assert!((v(savi_px(0.1, 0.5, 0.5)) - 0.545_454_5).abs() < 1e-6);
        // MSAVI2: t = 2, disc = 4 - 3.2 = 0.8, (2 - 0.894427) / 2 = 0.552786
        assert!((v(msavi2_px(0.1, 0.5)) - 0.552_786_4).abs() < 1e-6);
        // NBR with N 0.4, S2 0.1: 0.3 / 0.5 = 0.6
        assert!((v(nbr_px(0.4, 0.1)) - 0.6).abs() < 1e-6);
        // NDBI is NDMI with the sign flipped
        assert_eq!(v(ndbi_px(0.3, 0.2)), -v(ndmi_px(0.3, 0.2)));
        assert_eq!(v(ndsi_px(0.3, 0.2)), v(mndwi_px(0.3, 0.2)));
        assert!((v(gndvi_px(0.2, 0.6)) - 0.5).abs() < 1e-6);
        assert!((v(ndwi_px(0.2, 0.6)) + 0.5).abs() < 1e-6);
    }

    #[test]
    fn zero_and_subnormal_denominators_are_nodata() {
        assert!(!ndvi_px(0.0, 0.0).valid);
        assert!(!nd_px(1e-39, 0.0).valid);
        assert!(!ndvi_px(-0.2, 0.2).valid);
        // EVI denominator N + 6R - 7.5B + 1 = 14 + 0 - 15 + 1 = 0 on integers
        assert!(!evi_px(2.0, 0.0, 14.0, 2.5, 6.0, 7.5, 1.0).valid);
        assert!(!savi_px(-0.25, -0.25, 0.5).valid);
        // a tiny but normal denominator is data
        assert!(nd_px(2e-38, 0.0).valid);
    }

    #[test]
    fn msavi2_negative_discriminant_is_nodata() {
        // disc = (2N+1)^2 - 8(N-R) = (2N-1)^2 + 8R < 0 needs R < 0: N = 0.5, R = -0.1
        assert!(!msavi2_px(-0.1, 0.5).valid);
        assert!(msavi2_px(0.0, 0.5).valid);
    }
}
