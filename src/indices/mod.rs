//! The index registry: one table row per index, with its band roles, constants, CPU reference
//! and WGSL entry point (same name on every side: registry `"ndvi"`, WGSL entry point `ndvi` in
//! `shaders/vegetation.wgsl`, Rust reference [`vegetation::ndvi_px`], CLI value `ndvi`).
//!
//! Adding an index is one row here plus its `_px` function in Rust and WGSL; tests, the naga
//! check, the CLI and the benchmarks iterate [`INDICES`].

pub mod common;
pub mod vegetation;

/// A band's role in a formula. The discriminant is the slot in `TileParams::bands` (and the
/// `ROLE_*` constants generated into the WGSL prelude).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Role {
    Blue = 0,
    Green = 1,
    Red = 2,
    Nir = 3,
    Swir1 = 4,
    Swir2 = 5,
}

/// Slots in `TileParams::bands` (room for roles to come: thermal, red edge).
pub const ROLE_SLOTS: usize = 8;

/// Most indices computed in one pass.
pub const MAX_OUTPUTS: usize = 16;

/// Most constants one index takes (`TileParams::k` holds this many per output).
pub const MAX_CONSTS: usize = 16;

/// The constants of one index, in `IndexDesc::constants` order (unused slots 0).
pub type Consts = [f32; MAX_CONSTS];

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Blue,
        Role::Green,
        Role::Red,
        Role::Nir,
        Role::Swir1,
        Role::Swir2,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Blue => "blue",
            Role::Green => "green",
            Role::Red => "red",
            Role::Nir => "nir",
            Role::Swir1 => "swir1",
            Role::Swir2 => "swir2",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
    }

    pub fn slot(self) -> usize {
        self as usize
    }
}

/// One pixel's result: `valid == false` means "write the output nodata value".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Px {
    pub value: f32,
    pub valid: bool,
}

impl Px {
    pub const INVALID: Px = Px {
        value: 0.0,
        valid: false,
    };

    /// A computed value; non-finite results (overflow) are nodata.
    pub fn new(value: f32) -> Px {
        Px {
            value,
            valid: value.is_finite(),
        }
    }
}

/// Shader family: one WGSL file and one Rust reference module each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Vegetation,
}

impl Family {
    pub const ALL: [Family; 1] = [Family::Vegetation];

    pub fn name(self) -> &'static str {
        match self {
            Family::Vegetation => "vegetation",
        }
    }
}

/// A named constant of an index formula; it reaches WGSL as a component of `params.k[output]`.
#[derive(Clone, Copy, Debug)]
pub struct ConstDesc {
    pub name: &'static str,
    pub value: f32,
}

/// Per-pixel CPU reference: the samples of `IndexDesc::roles` (in that order) and the
/// constants in, result out. Mirrors the generated WGSL call `NAME_px(roles..., constants...)`.
pub type CpuFn = fn(&[f32], &Consts) -> Px;

/// The same formula over a run of pixels: `inputs[a][p]` is role `a` of pixel `p` with NaN for
/// an invalid sample; writes the value or NaN (nodata) to `out[p]`. Built by [`cpu_fns!`] from
/// the per-pixel expression, so the formula is inlined into the loop (the native fast path).
pub type BatchFn = fn(&[&[f32]], &Consts, &mut [f32]);

/// Both CPU forms of one formula, written once.
#[derive(Clone, Copy)]
pub struct CpuFns {
    pub px: CpuFn,
    pub batch: BatchFn,
}

impl std::fmt::Debug for CpuFns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CpuFns")
    }
}

/// `cpu_fns!(|s, k| expr)` gives the per-pixel reference and its batch twin of `expr`.
macro_rules! cpu_fns {
    (|$s:ident, $k:ident| $body:expr) => {
        CpuFns {
            px: |$s: &[f32], $k: &Consts| $body,
            batch: |inputs, k, out| {
                crate::cpu::batch(inputs, k, out, |$s: &[f32], $k: &Consts| $body)
            },
        }
    };
}

/// Allowed |GPU − CPU| difference: `abs + rel·|cpu|`. Nodata masks must match exactly.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub abs: f32,
    pub rel: f32,
}

impl Tolerance {
    pub fn accepts(&self, gpu: f32, cpu: f32) -> bool {
        (gpu - cpu).abs() <= self.abs + self.rel * cpu.abs()
    }
}

/// One index.
#[derive(Debug)]
pub struct IndexDesc {
    /// CLI value and WGSL entry point.
    pub name: &'static str,
    pub long_name: &'static str,
    pub family: Family,
    /// Roles in the order the `_px` function takes them.
    pub roles: &'static [Role],
    pub formula: &'static str,
    pub constants: &'static [ConstDesc],
    /// Typical output range for reflectance inputs in [0, 1] (documentation and quicklooks).
    pub range: (f32, f32),
    pub reference: &'static str,
    pub cpu: CpuFns,
    /// Division and sqrt are not correctly rounded on every GPU (WGSL allows 2.5 ULP), and
    /// drivers may fuse multiply-adds: relative error near 1e-6, amplified where a denominator
    /// nearly cancels. Values here hold on lavapipe and leave room for hardware GPUs.
    pub tolerance: Tolerance,
}

impl IndexDesc {
    /// Default constants laid out in `params.k` order.
    pub fn default_constants(&self) -> Consts {
        let mut k = [0.0; MAX_CONSTS];
        for (slot, c) in self.constants.iter().enumerate() {
            k[slot] = c.value;
        }
        k
    }
}

const RATIO_TOL: Tolerance = Tolerance {
    abs: 2e-6,
    rel: 4e-6,
};

use Role::*;

/// Every built-in index.
pub static INDICES: &[IndexDesc] = &[
    IndexDesc {
        name: "ndvi",
        long_name: "Normalized Difference Vegetation Index",
        family: Family::Vegetation,
        roles: &[Red, Nir],
        formula: "(N - R) / (N + R)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Rouse et al. 1974, NASA SP-351 (ntrs 19740022614)",
        cpu: cpu_fns!(|s, _k| vegetation::ndvi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "evi",
        long_name: "Enhanced Vegetation Index",
        family: Family::Vegetation,
        roles: &[Blue, Red, Nir],
        formula: "G * (N - R) / (N + C1 * R - C2 * B + L)",
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
        reference: "Huete et al. 2002, doi:10.1016/S0034-4257(02)00096-2",
        cpu: cpu_fns!(|s, k| vegetation::evi_px(s[0], s[1], s[2], k[0], k[1], k[2], k[3])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: "evi2",
        long_name: "Two-band Enhanced Vegetation Index",
        family: Family::Vegetation,
        roles: &[Red, Nir],
        formula: "G * (N - R) / (N + C * R + L)",
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
        reference: "Jiang et al. 2008, doi:10.1016/j.rse.2008.06.006",
        cpu: cpu_fns!(|s, k| vegetation::evi2_px(s[0], s[1], k[0], k[1], k[2])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: "savi",
        long_name: "Soil-Adjusted Vegetation Index",
        family: Family::Vegetation,
        roles: &[Red, Nir],
        formula: "(1 + L) * (N - R) / (N + R + L)",
        constants: &[ConstDesc {
            name: "L",
            value: 0.5,
        }],
        range: (-1.5, 1.5),
        reference: "Huete 1988, doi:10.1016/0034-4257(88)90106-X",
        cpu: cpu_fns!(|s, k| vegetation::savi_px(s[0], s[1], k[0])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: "msavi2",
        long_name: "Modified Soil-Adjusted Vegetation Index 2",
        family: Family::Vegetation,
        roles: &[Red, Nir],
        formula: "(2 * N + 1 - sqrt((2 * N + 1)^2 - 8 * (N - R))) / 2",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Qi et al. 1994, doi:10.1016/0034-4257(94)90134-1",
        cpu: cpu_fns!(|s, _k| vegetation::msavi2_px(s[0], s[1])),
        tolerance: Tolerance {
            abs: 1e-5,
            rel: 2e-5,
        },
    },
    IndexDesc {
        name: "ndwi",
        long_name: "Normalized Difference Water Index (McFeeters)",
        family: Family::Vegetation,
        roles: &[Green, Nir],
        formula: "(G - N) / (G + N)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "McFeeters 1996, doi:10.1080/01431169608948714",
        cpu: cpu_fns!(|s, _k| vegetation::ndwi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "mndwi",
        long_name: "Modified Normalized Difference Water Index",
        family: Family::Vegetation,
        roles: &[Green, Swir1],
        formula: "(G - S1) / (G + S1)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Xu 2006, doi:10.1080/01431160600589179",
        cpu: cpu_fns!(|s, _k| vegetation::mndwi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "nbr",
        long_name: "Normalized Burn Ratio",
        family: Family::Vegetation,
        roles: &[Nir, Swir2],
        formula: "(N - S2) / (N + S2)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Key & Benson, USGS OFR 02-11, doi:10.3133/ofr0211",
        cpu: cpu_fns!(|s, _k| vegetation::nbr_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "ndmi",
        long_name: "Normalized Difference Moisture Index",
        family: Family::Vegetation,
        roles: &[Nir, Swir1],
        formula: "(N - S1) / (N + S1)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Wilson & Sader 2002, doi:10.1016/S0034-4257(01)00318-2",
        cpu: cpu_fns!(|s, _k| vegetation::ndmi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "ndbi",
        long_name: "Normalized Difference Built-up Index",
        family: Family::Vegetation,
        roles: &[Nir, Swir1],
        formula: "(S1 - N) / (S1 + N)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Zha et al. 2003, doi:10.1080/01431160304987",
        cpu: cpu_fns!(|s, _k| vegetation::ndbi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "ndsi",
        long_name: "Normalized Difference Snow Index",
        family: Family::Vegetation,
        roles: &[Green, Swir1],
        formula: "(G - S1) / (G + S1)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Hall, Riggs & Salomonson 1994, doi:10.1109/IGARSS.1994.399618",
        cpu: cpu_fns!(|s, _k| vegetation::ndsi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
    IndexDesc {
        name: "gndvi",
        long_name: "Green Normalized Difference Vegetation Index",
        family: Family::Vegetation,
        roles: &[Green, Nir],
        formula: "(N - G) / (N + G)",
        constants: &[],
        range: (-1.0, 1.0),
        reference: "Gitelson et al. 1996, doi:10.1016/S0034-4257(96)00072-7",
        cpu: cpu_fns!(|s, _k| vegetation::gndvi_px(s[0], s[1])),
        tolerance: RATIO_TOL,
    },
];

/// Look an index up by name (case-insensitive).
pub fn find(name: &str) -> Option<&'static IndexDesc> {
    INDICES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// All index names, for error messages and help.
pub fn names() -> Vec<&'static str> {
    INDICES.iter().map(|d| d.name).collect()
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
            let v0 = (d.cpu.px)(s0, &k);
            assert!(v0.valid, "{}", d.name);
            for r in 0..d.roles.len() {
                let mut s = s0.to_vec();
                s[r] += 0.0123;
                assert_ne!(
                    (d.cpu.px)(&s, &k),
                    v0,
                    "{} ignores role {:?}",
                    d.name,
                    d.roles[r]
                );
            }
        }
    }
}
