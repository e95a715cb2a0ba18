//! CPU reference for the `thermal` shader family: brightness temperature, land-surface
//! emissivity and land-surface temperature. Mirrors `shaders/thermal.wgsl` function by function.
//!
//! Units: radiance in W/(m²·sr·µm) (the thermal band's scale/offset, RADIANCE_MULT/ADD from the
//! MTL, turn DN into radiance before these functions run), temperatures in kelvin (plus
//! `unit_offset`, −273.15 for °C, added last), wavelengths in µm, ρ = h·c/k_B in µm·K — one unit
//! system throughout (a peer tool mixes metres and µm and loses the emissivity term by 10⁶).
//!
//! Nodata policy, on top of the family-wide one (see `vegetation.rs`): radiance ≤ 0, an invalid
//! NDVI (zero denominator) where emissivity needs it, and an emissivity ≤ 0 give nodata.

use super::vegetation::{nd_px, safe_div};
use super::vocab::Px;

/// Second radiation constant ρ = h·c/k_B = 1.438776877e-2 m·K (CODATA 2018), in µm·K.
pub const RHO_UM_K: f32 = 14387.769;

/// Brightness temperature BT = K2 / ln(K1/L + 1) (USGS Landsat 8 Data Users Handbook §5.3;
/// K1, K2 per band from the MTL `K1_CONSTANT_BAND_x`, `K2_CONSTANT_BAND_x`).
pub fn brightness_px(radiance: f32, k1: f32, k2: f32) -> Px {
    if radiance <= 0.0 {
        return Px::INVALID;
    }
    safe_div(k2, (k1 / radiance + 1.0).ln())
}

/// `brightness_px` plus the unit offset (0 for kelvin, −273.15 for °C).
pub fn bt_px(radiance: f32, k1: f32, k2: f32, unit_offset: f32) -> Px {
    let bt = brightness_px(radiance, k1, k2);
    if !bt.valid {
        return bt;
    }
    Px::new(bt.value + unit_offset)
}

/// Land-surface emissivity from red and NIR reflectance.
///
/// `mode` 0 — NDVI thresholds (Sobrino et al. 2004, RSE 90:434, doi:10.1016/j.rse.2004.02.003;
/// Sobrino et al. 2008, IEEE TGRS 46:316): NDVI < `ndvi_s` (bare soil): ε = `soil_a` −
/// `soil_b`·ρ_red, or `soil_fixed` when it is > 0; NDVI > `ndvi_v` (vegetation): ε = `eps_v`;
/// in between: Pv = ((NDVI − ndvi_s)/(ndvi_v − ndvi_s))², ε = εv·Pv + εs·(1 − Pv) + C with the
/// cavity term C = (1 − εs)·εv·F·(1 − Pv).
///
/// `mode` 1 — Avdan & Jovanovska 2016 (J. Sensors, doi:10.1155/2016/1480307): ε = 0.004·Pv +
/// 0.986 with Pv clamped to [0, 1].
///
/// `mode` 2 — constant ε = `eps_const`.
#[allow(clippy::too_many_arguments)]
pub fn emissivity_px(
    red: f32,
    nir: f32,
    mode: f32,
    ndvi_s: f32,
    ndvi_v: f32,
    eps_s: f32,
    eps_v: f32,
    cavity: f32,
    soil_a: f32,
    soil_b: f32,
    soil_fixed: f32,
    eps_const: f32,
) -> Px {
    if mode > 1.5 {
        return Px::new(eps_const);
    }
    let ndvi = nd_px(nir, red);
    if !ndvi.valid {
        return Px::INVALID;
    }
    let pv_lin = (ndvi.value - ndvi_s) / (ndvi_v - ndvi_s);
    if mode > 0.5 {
        let pv = pv_lin.clamp(0.0, 1.0);
        return Px::new(0.004 * (pv * pv) + 0.986);
    }
    if ndvi.value < ndvi_s {
        if soil_fixed > 0.0 {
            return Px::new(soil_fixed);
        }
        return Px::new(soil_a - soil_b * red);
    }
    if ndvi.value > ndvi_v {
        return Px::new(eps_v);
    }
    let pv = pv_lin * pv_lin;
    let c = (1.0 - eps_s) * eps_v * cavity * (1.0 - pv);
    Px::new(eps_v * pv + eps_s * (1.0 - pv) + c)
}

/// Single-channel LST = BT / (1 + (λ·BT/ρ)·ln ε) (Artis & Carnahan 1982; λ in µm, ρ in µm·K).
/// BT 300 K, ε 0.97, λ 10.895 µm give 302.09 K.
pub fn lst_from_brightness_px(bt: f32, eps: f32, lambda_um: f32, rho_um_k: f32) -> Px {
    if eps <= 0.0 {
        return Px::INVALID;
    }
    safe_div(bt, 1.0 + (lambda_um * bt / rho_um_k) * eps.ln())
}

/// The whole single-channel chain for one pixel: radiance → BT, red/NIR → ε, → LST (+ unit).
#[allow(clippy::too_many_arguments)]
pub fn lst_px(
    red: f32,
    nir: f32,
    radiance: f32,
    k1: f32,
    k2: f32,
    lambda_um: f32,
    rho_um_k: f32,
    mode: f32,
    ndvi_s: f32,
    ndvi_v: f32,
    eps_s: f32,
    eps_v: f32,
    cavity: f32,
    soil_a: f32,
    soil_b: f32,
    soil_fixed: f32,
    eps_const: f32,
    unit_offset: f32,
) -> Px {
    let bt = brightness_px(radiance, k1, k2);
    let e = emissivity_px(
        red, nir, mode, ndvi_s, ndvi_v, eps_s, eps_v, cavity, soil_a, soil_b, soil_fixed, eps_const,
    );
    if !(bt.valid && e.valid) {
        return Px::INVALID;
    }
    let t = lst_from_brightness_px(bt.value, e.value, lambda_um, rho_um_k);
    if !t.valid {
        return t;
    }
    Px::new(t.value + unit_offset)
}

/// Split-window LST (Jiménez-Muñoz et al. 2014, IEEE GRSL 11:1840, doi:10.1109/LGRS.2014.2312032):
/// LST = T10 + c1·ΔT + c2·ΔT² + c0 + (c3 + c4·w)(1 − ε) + (c5 + c6·w)·Δε, with ΔT = T10 − T11,
/// ε = (ε10 + ε11)/2, Δε = ε10 − ε11, w the column water vapour in g/cm². Emissivities per band
/// from [`emissivity_px`] with each band's soil/vegetation constants.
#[allow(clippy::too_many_arguments)]
pub fn lst_sw_px(
    red: f32,
    nir: f32,
    rad10: f32,
    rad11: f32,
    k1_10: f32,
    k2_10: f32,
    k1_11: f32,
    k2_11: f32,
    w: f32,
    c0: f32,
    c1: f32,
    c2: f32,
    c3: f32,
    c4: f32,
    c5: f32,
    c6: f32,
    mode: f32,
    ndvi_s: f32,
    ndvi_v: f32,
    eps_s10: f32,
    eps_v10: f32,
    cavity: f32,
    soil_a10: f32,
    soil_b10: f32,
    soil_fixed: f32,
    eps_const: f32,
    eps_s11: f32,
    eps_v11: f32,
    soil_a11: f32,
    soil_b11: f32,
    unit_offset: f32,
) -> Px {
    let t10 = brightness_px(rad10, k1_10, k2_10);
    let t11 = brightness_px(rad11, k1_11, k2_11);
    let e10 = emissivity_px(
        red, nir, mode, ndvi_s, ndvi_v, eps_s10, eps_v10, cavity, soil_a10, soil_b10, soil_fixed,
        eps_const,
    );
    let e11 = emissivity_px(
        red, nir, mode, ndvi_s, ndvi_v, eps_s11, eps_v11, cavity, soil_a11, soil_b11, soil_fixed,
        eps_const,
    );
    if !(t10.valid && t11.valid && e10.valid && e11.valid) {
        return Px::INVALID;
    }
    let dt = t10.value - t11.value;
    let e = 0.5 * (e10.value + e11.value);
    let de = e10.value - e11.value;
    let lst =
        t10.value + c1 * dt + c2 * (dt * dt) + c0 + (c3 + c4 * w) * (1.0 - e) + (c5 + c6 * w) * de;
    Px::new(lst + unit_offset)
}

/// Pass-through of a temperature already in kelvin (Collection 2 Level-2 ST_B10 after its scale
/// DN·0.00341802 + 149.0), plus the unit offset.
pub fn st_px(kelvin: f32, unit_offset: f32) -> Px {
    Px::new(kelvin + unit_offset)
}

/// Per-band constants of a thermal band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThermalBand {
    pub name: &'static str,
    /// Effective wavelength, µm (overridable with `--wavelength`).
    pub lambda_um: f32,
    /// Fallback K1/K2 when the MTL has none (the MTL's values always win).
    pub k1: f32,
    pub k2: f32,
    /// Bare-soil relation ε = a − b·ρ_red and the soil/vegetation emissivities of the band.
    pub soil_a: f32,
    pub soil_b: f32,
    pub eps_s: f32,
    pub eps_v: f32,
}

/// Landsat 8/9 TIRS band 10: K1/K2 from the USGS Landsat 8 handbook (MTL values), emissivity
/// constants from Yu et al. 2014 (Remote Sens. 6:9829) and Skoković et al. 2014 as collected in
/// REFERENCES.md §2a, λ = 10.895 µm.
pub const TIRS_B10: ThermalBand = ThermalBand {
    name: "Landsat 8/9 TIRS B10",
    lambda_um: 10.895,
    k1: 774.8853,
    k2: 1321.0789,
    soil_a: 0.973,
    soil_b: 0.047,
    eps_s: 0.9668,
    eps_v: 0.9863,
};

/// Landsat 8/9 TIRS band 11, same sources, λ = 12.005 µm.
pub const TIRS_B11: ThermalBand = ThermalBand {
    name: "Landsat 8/9 TIRS B11",
    lambda_um: 12.005,
    k1: 480.8883,
    k2: 1201.1442,
    soil_a: 0.984,
    soil_b: 0.026,
    eps_s: 0.9747,
    eps_v: 0.9896,
};

/// Landsat 7 ETM+ band 6: K1/K2 from Chander et al. 2009 (RSE 113:893) table 5; TM6 emissivity
/// relation of Sobrino et al. 2004 (ε = 0.979 − 0.035·ρ_red, εs 0.97, εv 0.99); λ = 11.269 µm.
pub const ETM_B6: ThermalBand = ThermalBand {
    name: "Landsat 7 ETM+ B6",
    lambda_um: 11.269,
    k1: 666.09,
    k2: 1282.71,
    soil_a: 0.979,
    soil_b: 0.035,
    eps_s: 0.97,
    eps_v: 0.99,
};

/// Landsat 5 TM band 6: K1/K2 from Chander et al. 2009; Sobrino et al. 2004 emissivity;
/// λ = 11.457 µm.
pub const TM5_B6: ThermalBand = ThermalBand {
    name: "Landsat 5 TM B6",
    k1: 607.76,
    k2: 1260.56,
    ..TM4_B6
};

/// Landsat 4 TM band 6: K1/K2 from Chander et al. 2009.
pub const TM4_B6: ThermalBand = ThermalBand {
    name: "Landsat 4 TM B6",
    lambda_um: 11.457,
    k1: 671.62,
    k2: 1284.30,
    soil_a: 0.979,
    soil_b: 0.035,
    eps_s: 0.97,
    eps_v: 0.99,
};

/// Jiménez-Muñoz et al. 2014 split-window coefficients c0..c6 for Landsat 8 TIRS.
pub const JM2014: [f32; 7] = [-0.268, 1.378, 0.183, 54.30, -2.238, -129.20, 16.40];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lst_hand_computed() {
        // BT 300 K, ε 0.97, λ 10.895 µm, ρ 14387.77 µm·K:
        // λ·BT/ρ = 3268.5 / 14387.77 = 0.227173; ln 0.97 = −0.0304592;
        // 1 + 0.227173·(−0.0304592) = 0.993081; 300 / 0.993081 = 302.090 K.
        let t = lst_from_brightness_px(300.0, 0.97, 10.895, RHO_UM_K);
        assert!((t.value - 302.090).abs() < 1e-3, "{}", t.value);
        // The peer defect (λ in m with ρ in µm·K) would give 300.000002 K; we must not.
        assert!((t.value - 300.0).abs() > 2.0);
    }

    #[test]
    fn bt_hand_computed() {
        // L = 10 W/(m²·sr·µm), B10: K1/L + 1 = 78.48853, ln = 4.362953, 1321.0789 / 4.362953 = 302.7955 K
        let bt = brightness_px(10.0, 774.8853, 1321.0789);
        assert!((bt.value - 302.7955).abs() < 2e-3, "{}", bt.value);
        assert!(!brightness_px(0.0, 774.8853, 1321.0789).valid);
        assert!(!brightness_px(-1.0, 774.8853, 1321.0789).valid);
        let c = bt_px(10.0, 774.8853, 1321.0789, -273.15);
        assert!((c.value - 29.6455).abs() < 2e-3);
    }

    fn eps(red: f32, nir: f32, mode: f32, soil_fixed: f32) -> Px {
        let b = TIRS_B10;
        emissivity_px(
            red, nir, mode, 0.2, 0.5, b.eps_s, b.eps_v, 0.55, b.soil_a, b.soil_b, soil_fixed, 0.95,
        )
    }

    #[test]
    fn emissivity_hand_computed() {
        // Mixed: red 0.13, nir 0.27 → NDVI = 0.14/0.40 = 0.35; Pv = ((0.35 − 0.2)/0.3)² = 0.25;
        // ε = 0.9863·0.25 + 0.9668·0.75 + (1 − 0.9668)·0.9863·0.55·0.75
        //   = 0.246575 + 0.7251 + 0.0135074 = 0.9851824
        assert!((eps(0.13, 0.27, 0.0, 0.0).value - 0.985_182_4).abs() < 1e-5);
        // Soil: red 0.3, nir 0.35 → NDVI 0.0769 < 0.2 → 0.973 − 0.047·0.3 = 0.9589
        assert!((eps(0.3, 0.35, 0.0, 0.0).value - 0.9589).abs() < 1e-6);
        // ... unless a soil emissivity is given
        assert_eq!(eps(0.3, 0.35, 0.0, 0.96).value, 0.96);
        // Vegetation: NDVI 0.8 → εv
        assert_eq!(eps(0.05, 0.45, 0.0, 0.0).value, 0.9863);
        // Avdan: Pv 0.25 → 0.004·0.25 + 0.986 = 0.987
        assert!((eps(0.13, 0.27, 1.0, 0.0).value - 0.987).abs() < 1e-6);
        // constant
        assert_eq!(eps(0.13, 0.27, 2.0, 0.0).value, 0.95);
        // NDVI undefined → nodata
        assert!(!eps(0.0, 0.0, 0.0, 0.0).valid);
    }

    #[test]
    fn split_window_hand_computed() {
        // Radiances chosen so that T10 = 300 K and T11 = 298 K exactly:
        // L = K1 / (exp(K2/T) − 1).
        let r10 = (774.8853f64 / ((1321.0789f64 / 300.0).exp() - 1.0)) as f32;
        let r11 = (480.8883f64 / ((1201.1442f64 / 298.0).exp() - 1.0)) as f32;
        let (a, b) = (TIRS_B10, TIRS_B11);
        let c = JM2014;
        // Constant emissivity 0.97 on both bands: ε = 0.97, Δε = 0, w = 2:
        // 300 + 1.378·2 + 0.183·4 − 0.268 + (54.30 − 2.238·2)·0.03 + 0
        // = 300 + 2.756 + 0.732 − 0.268 + 49.824·0.03 = 303.22 + 1.49472 = 304.71472 K
        let t = lst_sw_px(
            0.1, 0.3, r10, r11, a.k1, a.k2, b.k1, b.k2, 2.0, c[0], c[1], c[2], c[3], c[4], c[5],
            c[6], 2.0, 0.2, 0.5, a.eps_s, a.eps_v, 0.55, a.soil_a, a.soil_b, 0.0, 0.97, b.eps_s,
            b.eps_v, b.soil_a, b.soil_b, 0.0,
        );
        assert!((t.value - 304.714_72).abs() < 5e-3, "{}", t.value);
    }

    #[test]
    fn chain_hand_computed() {
        // Forest pixel: red 0.025, nir 0.38 → NDVI 0.8765 > 0.5 → ε = 0.9863; radiance 10 → BT
        // 302.7955 K; LST = 302.7955 / (1 + (10.895·302.7955/14387.77)·ln 0.9863)
        //  = 302.7955 / (1 + 0.229289·(−0.0137947)) = 302.7955 / 0.996837 = 303.7563 K
        let b = TIRS_B10;
        let t = lst_px(
            0.025,
            0.38,
            10.0,
            b.k1,
            b.k2,
            b.lambda_um,
            RHO_UM_K,
            0.0,
            0.2,
            0.5,
            b.eps_s,
            b.eps_v,
            0.55,
            b.soil_a,
            b.soil_b,
            0.0,
            0.0,
            0.0,
        );
        assert!((t.value - 303.7563).abs() < 3e-3, "{}", t.value);
    }
}
