//! The built-in indices: one table row per index, with its band roles, constants, CPU reference
//! and WGSL entry point (same name on every side: registry `"ndvi"`, WGSL entry point `ndvi` in
//! `shaders/vegetation.wgsl`, Rust reference [`vegetation::ndvi_px`], CLI value `ndvi`), and
//! lookup by name.
//!
//! Adding an index is one row here plus its `_px` function in Rust and WGSL; tests, the naga
//! check, the CLI and the benchmarks iterate [`INDICES`].

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use super::registry::{ConstDesc, CpuFns, Eval, Family, IndexDesc, IndexRef, Tolerance};
use super::vocab::Consts;
#[cfg(test)]
use super::vocab::MAX_CONSTS;
use super::{anomaly, thermal, vegetation};

/// `cpu_fns!(|s, k| expr)` gives the per-pixel reference and its batch twin of `expr`.
macro_rules! cpu_fns {
    (|$s:ident, $k:ident| $body:expr) => {
        Eval::Builtin(CpuFns {
            px: |$s: &[f32], $k: &Consts| $body,
            batch: |inputs, k, out| {
                crate::kernels::batch::batch(
                    inputs,
                    k,
                    out,
                    #[inline(always)]
                    |$s: &[f32], $k: &Consts| $body,
                )
            },
        })
    };
}

const RATIO_TOL: Tolerance = Tolerance {
    abs: 2e-6,
    rel: 4e-6,
};

/// Temperatures: logarithms and divisions in f32 near 300 K (f32 spacing 3e-5 K), plus a few
/// ULP of relative slack for the magnitudes that nonsense inputs reach (property tests found
/// 1-ULP differences at −37 000 "K" from random radiances).
const KELVIN_TOL: Tolerance = Tolerance {
    abs: 2e-3,
    rel: 1e-6,
};

const fn c(name: &'static str, value: f32) -> ConstDesc {
    ConstDesc { name, value }
}

/// `&[before…, the emissivity constants of thermal::emissivity_px in order, after…]`
/// (Landsat 8/9 B10 defaults): the one list every thermal entry that computes ε shares.
macro_rules! with_emissivity {
    ([$($before:expr),* $(,)?], [$($after:expr),* $(,)?]) => {
        &[
            $($before,)*
            c("MODE", 0.0),
            c("NDVI_S", 0.2),
            c("NDVI_V", 0.5),
            c("EPS_S", thermal::TIRS_B10.eps_s),
            c("EPS_V", thermal::TIRS_B10.eps_v),
            c("CAVITY", 0.55),
            c("SOIL_A", thermal::TIRS_B10.soil_a),
            c("SOIL_B", thermal::TIRS_B10.soil_b),
            c("SOIL_FIXED", 0.0),
            c("EPS_CONST", 0.97),
            $($after,)*
        ]
    };
}

/// Constants of `thermal::emissivity_px`, in order.
const EMISSIVITY_CONSTS: &[ConstDesc] = with_emissivity!([], []);

use crate::kernels::vocab::Role::*;

/// Every built-in index.
pub static INDICES: &[IndexDesc] = &[
    IndexDesc {
        name: Cow::Borrowed("ndvi"),
        long_name: Cow::Borrowed("Normalized Difference Vegetation Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Red, Nir]),
        formula: Cow::Borrowed("(N - R) / (N + R)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Rouse et al. 1974, NASA SP-351 (ntrs 19740022614)"),
        cpu: cpu_fns!(|s, _k| vegetation::ndvi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("evi"),
        long_name: Cow::Borrowed("Enhanced Vegetation Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Blue, Red, Nir]),
        formula: Cow::Borrowed("G * (N - R) / (N + C1 * R - C2 * B + L)"),
        constants: &[
            ConstDesc {
                name: "G",
                value: 2.5,
            },
            ConstDesc {
                name: "C1",
                value: 6.0,
            },
            ConstDesc {
                name: "C2",
                value: 7.5,
            },
            ConstDesc {
                name: "L",
                value: 1.0,
            },
        ],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Huete et al. 2002, doi:10.1016/S0034-4257(02)00096-2"),
        cpu: cpu_fns!(|s, k| vegetation::evi_px(s[0], s[1], s[2], k[0], k[1], k[2], k[3])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: Cow::Borrowed("evi2"),
        long_name: Cow::Borrowed("Two-band Enhanced Vegetation Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Red, Nir]),
        formula: Cow::Borrowed("G * (N - R) / (N + C * R + L)"),
        constants: &[
            ConstDesc {
                name: "G",
                value: 2.5,
            },
            ConstDesc {
                name: "C",
                value: 2.4,
            },
            ConstDesc {
                name: "L",
                value: 1.0,
            },
        ],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Jiang et al. 2008, doi:10.1016/j.rse.2008.06.006"),
        cpu: cpu_fns!(|s, k| vegetation::evi2_px(s[0], s[1], k[0], k[1], k[2])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: Cow::Borrowed("savi"),
        long_name: Cow::Borrowed("Soil-Adjusted Vegetation Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Red, Nir]),
        formula: Cow::Borrowed("(1 + L) * (N - R) / (N + R + L)"),
        constants: &[ConstDesc {
            name: "L",
            value: 0.5,
        }],
        range: (-1.5, 1.5),
        reference: Cow::Borrowed("Huete 1988, doi:10.1016/0034-4257(88)90106-X"),
        cpu: cpu_fns!(|s, k| vegetation::savi_px(s[0], s[1], k[0])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: Cow::Borrowed("msavi2"),
        long_name: Cow::Borrowed("Modified Soil-Adjusted Vegetation Index 2"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Red, Nir]),
        formula: Cow::Borrowed("(2 * N + 1 - sqrt((2 * N + 1)^2 - 8 * (N - R))) / 2"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Qi et al. 1994, doi:10.1016/0034-4257(94)90134-1"),
        cpu: cpu_fns!(|s, _k| vegetation::msavi2_px(s[0], s[1])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: Cow::Borrowed("ndwi"),
        long_name: Cow::Borrowed("Normalized Difference Water Index (McFeeters)"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Green, Nir]),
        formula: Cow::Borrowed("(G - N) / (G + N)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("McFeeters 1996, doi:10.1080/01431169608948714"),
        cpu: cpu_fns!(|s, _k| vegetation::ndwi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("mndwi"),
        long_name: Cow::Borrowed("Modified Normalized Difference Water Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Green, Swir1]),
        formula: Cow::Borrowed("(G - S1) / (G + S1)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Xu 2006, doi:10.1080/01431160600589179"),
        cpu: cpu_fns!(|s, _k| vegetation::mndwi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("nbr"),
        long_name: Cow::Borrowed("Normalized Burn Ratio"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Nir, Swir2]),
        formula: Cow::Borrowed("(N - S2) / (N + S2)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Key & Benson, USGS OFR 02-11, doi:10.3133/ofr0211"),
        cpu: cpu_fns!(|s, _k| vegetation::nbr_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("ndmi"),
        long_name: Cow::Borrowed("Normalized Difference Moisture Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Nir, Swir1]),
        formula: Cow::Borrowed("(N - S1) / (N + S1)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Wilson & Sader 2002, doi:10.1016/S0034-4257(01)00318-2"),
        cpu: cpu_fns!(|s, _k| vegetation::ndmi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("ndbi"),
        long_name: Cow::Borrowed("Normalized Difference Built-up Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Nir, Swir1]),
        formula: Cow::Borrowed("(S1 - N) / (S1 + N)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Zha et al. 2003, doi:10.1080/01431160304987"),
        cpu: cpu_fns!(|s, _k| vegetation::ndbi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("ndsi"),
        long_name: Cow::Borrowed("Normalized Difference Snow Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Green, Swir1]),
        formula: Cow::Borrowed("(G - S1) / (G + S1)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Hall, Riggs & Salomonson 1994, doi:10.1109/IGARSS.1994.399618"),
        cpu: cpu_fns!(|s, _k| vegetation::ndsi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("gndvi"),
        long_name: Cow::Borrowed("Green Normalized Difference Vegetation Index"),
        family: Family::Vegetation,
        roles: Cow::Borrowed(&[Green, Nir]),
        formula: Cow::Borrowed("(N - G) / (N + G)"),
        constants: &[],
        range: (-1.0, 1.0),
        reference: Cow::Borrowed("Gitelson et al. 1996, doi:10.1016/S0034-4257(96)00072-7"),
        cpu: cpu_fns!(|s, _k| vegetation::gndvi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    // Thermal family: constants come from the scene's MTL and `climidx lst` options; the defaults
    // here are Landsat 8/9 TIRS band 10's (thermal::TIRS_B10).
    IndexDesc {
        name: Cow::Borrowed("bt"),
        long_name: Cow::Borrowed("Brightness temperature"),
        family: Family::Thermal,
        roles: Cow::Borrowed(&[Thermal]),
        formula: Cow::Borrowed("K2 / ln(K1 / L + 1) + UNIT"),
        constants: &[c("K1", thermal::TIRS_B10.k1), c("K2", thermal::TIRS_B10.k2), c("UNIT", 0.0)],
        range: (250.0, 340.0),
        reference: Cow::Borrowed("USGS Landsat 8 Data Users Handbook, section 5.3"),
        cpu: cpu_fns!(|s, k| thermal::bt_px(s[0], k[0], k[1], k[2])),
        tolerance: KELVIN_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("emissivity"),
        long_name: Cow::Borrowed("Land-surface emissivity (NDVI thresholds, Avdan, or constant)"),
        family: Family::Thermal,
        roles: Cow::Borrowed(&[Red, Nir]),
        formula: Cow::Borrowed("NDVI<S: A-B*R; NDVI>V: EV; else EV*Pv+ES*(1-Pv)+(1-ES)*EV*F*(1-Pv), Pv=((NDVI-S)/(V-S))^2"),
        constants: EMISSIVITY_CONSTS,
        range: (0.9, 1.0),
        reference: Cow::Borrowed("Sobrino et al. 2004, doi:10.1016/j.rse.2004.02.003; Avdan & Jovanovska 2016, doi:10.1155/2016/1480307"),
        cpu: cpu_fns!(|s, k| thermal::emissivity_px(s[0], s[1], k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9])),
        tolerance: Tolerance { abs: 2e-6, rel: 0.0 },
    },
    IndexDesc {
        name: Cow::Borrowed("lst"),
        long_name: Cow::Borrowed("Land-surface temperature, single channel"),
        family: Family::Thermal,
        roles: Cow::Borrowed(&[Red, Nir, Thermal]),
        formula: Cow::Borrowed("BT / (1 + (LAMBDA * BT / RHO) * ln(emissivity)) + UNIT"),
        constants: with_emissivity!(
            [c("K1", thermal::TIRS_B10.k1), c("K2", thermal::TIRS_B10.k2), c("LAMBDA", thermal::TIRS_B10.lambda_um), c("RHO", thermal::RHO_UM_K)],
            [c("UNIT", 0.0)]
        ),
        range: (250.0, 340.0),
        reference: Cow::Borrowed("Sobrino et al. 2004, doi:10.1016/j.rse.2004.02.003 (emissivity); Artis & Carnahan 1982 (LST)"),
        cpu: cpu_fns!(|s, k| thermal::lst_px(
            s[0], s[1], s[2], k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10], k[11], k[12], k[13],
            k[14]
        )),
        tolerance: KELVIN_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("lst_sw"),
        long_name: Cow::Borrowed("Land-surface temperature, split window (Landsat 8/9 B10 + B11)"),
        family: Family::Thermal,
        roles: Cow::Borrowed(&[Red, Nir, Thermal, Thermal2]),
        formula: Cow::Borrowed("T10 + C1*dT + C2*dT^2 + C0 + (C3 + C4*W)(1 - e) + (C5 + C6*W)*de + UNIT"),
        constants: with_emissivity!(
            [
                c("K1_10", thermal::TIRS_B10.k1),
                c("K2_10", thermal::TIRS_B10.k2),
                c("K1_11", thermal::TIRS_B11.k1),
                c("K2_11", thermal::TIRS_B11.k2),
                c("W", 2.0),
                c("C0", thermal::JM2014[0]),
                c("C1", thermal::JM2014[1]),
                c("C2", thermal::JM2014[2]),
                c("C3", thermal::JM2014[3]),
                c("C4", thermal::JM2014[4]),
                c("C5", thermal::JM2014[5]),
                c("C6", thermal::JM2014[6]),
            ],
            [
                c("EPS_S_11", thermal::TIRS_B11.eps_s),
                c("EPS_V_11", thermal::TIRS_B11.eps_v),
                c("SOIL_A_11", thermal::TIRS_B11.soil_a),
                c("SOIL_B_11", thermal::TIRS_B11.soil_b),
                c("UNIT", 0.0),
            ]
        ),
        range: (250.0, 340.0),
        reference: Cow::Borrowed("Jimenez-Munoz et al. 2014, doi:10.1109/LGRS.2014.2312032"),
        cpu: cpu_fns!(|s, k| thermal::lst_sw_px(
            s[0], s[1], s[2], s[3], k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10], k[11], k[12],
            k[13], k[14], k[15], k[16], k[17], k[18], k[19], k[20], k[21], k[22], k[23], k[24], k[25], k[26]
        )),
        tolerance: KELVIN_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("st"),
        long_name: Cow::Borrowed("Surface temperature pass-through (Collection 2 Level-2 ST_B10)"),
        family: Family::Thermal,
        roles: Cow::Borrowed(&[Thermal]),
        formula: Cow::Borrowed("DN * 0.00341802 + 149.0 + UNIT (scale applied as the band's scale/offset)"),
        constants: &[c("UNIT", 0.0)],
        range: (250.0, 340.0),
        reference: Cow::Borrowed("USGS, How do I use a scale factor with Landsat Level-2 science products?"),
        cpu: cpu_fns!(|s, k| thermal::st_px(s[0], k[0])),
        tolerance: KELVIN_TOL,
    },
    // Anomaly family: inputs are an observation and its period's climatology.
    IndexDesc {
        name: Cow::Borrowed("diff"),
        long_name: Cow::Borrowed("Difference from the climatological mean"),
        family: Family::Anomaly,
        roles: Cow::Borrowed(&[Value, Mean]),
        formula: Cow::Borrowed("x - mean"),
        constants: &[],
        range: (-0.5, 0.5),
        reference: Cow::Borrowed("openEO `anomaly` process; ArcGIS Anomaly function (difference from mean)"),
        cpu: cpu_fns!(|s, _k| anomaly::diff_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: Cow::Borrowed("zscore"),
        long_name: Cow::Borrowed("Standardized anomaly"),
        family: Family::Anomaly,
        roles: Cow::Borrowed(&[Value, Mean, Std]),
        formula: Cow::Borrowed("(x - mean) / std"),
        constants: &[],
        range: (-3.0, 3.0),
        reference: Cow::Borrowed("Digital Earth Africa monthly NDVI standardised anomaly (REFERENCES.md 2c)"),
        cpu: cpu_fns!(|s, _k| anomaly::zscore_px(s[0], s[1], s[2])),
        tolerance: Tolerance { abs: 1e-5, rel: 2e-5 },
    },
    IndexDesc {
        name: Cow::Borrowed("percent"),
        long_name: Cow::Borrowed("Percent of normal"),
        family: Family::Anomaly,
        roles: Cow::Borrowed(&[Value, Mean]),
        formula: Cow::Borrowed("100 * x / mean"),
        constants: &[],
        range: (0.0, 200.0),
        reference: Cow::Borrowed("climate_indices PNP; ArcGIS Anomaly function (percent of average)"),
        cpu: cpu_fns!(|s, _k| anomaly::percent_px(s[0], s[1])),
        tolerance: Tolerance { abs: 1e-4, rel: 4e-6 },
    },
    IndexDesc {
        name: Cow::Borrowed("vci"),
        long_name: Cow::Borrowed("Vegetation Condition Index"),
        family: Family::Anomaly,
        roles: Cow::Borrowed(&[Value, Min, Max]),
        formula: Cow::Borrowed("100 * (x - min) / (max - min)"),
        constants: &[],
        range: (0.0, 100.0),
        reference: Cow::Borrowed("Kogan 1995, doi:10.1016/0273-1177(95)00079-T"),
        cpu: cpu_fns!(|s, _k| anomaly::vci_px(s[0], s[1], s[2])),
        tolerance: Tolerance { abs: 1e-3, rel: 2e-5 },
    },
    IndexDesc {
        name: Cow::Borrowed("tci"),
        long_name: Cow::Borrowed("Temperature Condition Index"),
        family: Family::Anomaly,
        roles: Cow::Borrowed(&[Value, Min, Max]),
        formula: Cow::Borrowed("100 * (max - x) / (max - min)"),
        constants: &[],
        range: (0.0, 100.0),
        reference: Cow::Borrowed("Kogan 1995, doi:10.1016/0273-1177(95)00079-T"),
        cpu: cpu_fns!(|s, _k| anomaly::tci_px(s[0], s[1], s[2])),
        tolerance: Tolerance { abs: 1e-3, rel: 2e-5 },
    },
    IndexDesc {
        name: Cow::Borrowed("vhi"),
        long_name: Cow::Borrowed("Vegetation Health Index"),
        family: Family::Anomaly,
        roles: Cow::Borrowed(&[Vci, Tci]),
        formula: Cow::Borrowed("A * vci + (1 - A) * tci"),
        constants: &[c("A", 0.5)],
        range: (0.0, 100.0),
        reference: Cow::Borrowed("Kogan 1995, doi:10.1016/0273-1177(95)00079-T; FAO ASIS (equal weights)"),
        cpu: cpu_fns!(|s, k| anomaly::vhi_px(s[0], s[1], k[0])),
        tolerance: Tolerance { abs: 1e-4, rel: 4e-6 },
    },
];

/// The built-in rows ([`INDICES`]) as shared descriptors, made once.
pub fn builtins() -> &'static [IndexRef] {
    static BUILTIN: LazyLock<Vec<IndexRef>> =
        LazyLock::new(|| INDICES.iter().map(|d| Arc::new(d.clone())).collect());
    &BUILTIN
}

/// Look a built-in index up by name (case-insensitive).
pub fn find(name: &str) -> Option<IndexRef> {
    builtins()
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
        .cloned()
}

/// All index names, for error messages and help.
pub fn names() -> Vec<&'static str> {
    INDICES.iter().map(|d| d.name.as_ref()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_roles_declared() {
        let mut n = names();
        n.sort();
        n.dedup();
        assert_eq!(n.len(), INDICES.len());
        for d in INDICES {
            assert!(d.constants.len() <= MAX_CONSTS, "{}", d.name);
            assert!(!d.roles.is_empty());
        }
    }

    #[test]
    fn cpu_functions_depend_on_every_declared_role() {
        for d in INDICES {
            let k = d.default_constants();
            let base = [0.05f32, 0.08, 0.1, 0.45, 0.25, 0.15];
            let s0 = &base[..d.roles.len()];
            let v0 = d.eval_px(s0, &k);
            assert!(v0.valid, "{}", d.name);
            for r in 0..d.roles.len() {
                let mut s = s0.to_vec();
                s[r] += 0.0123;
                assert_ne!(
                    d.eval_px(&s, &k),
                    v0,
                    "{} ignores role {:?}",
                    d.name,
                    d.roles[r]
                );
            }
        }
    }
}
