//! The pixel vocabulary shared by every layer: band roles and their slots in the host↔WGSL
//! parameters, the Awesome Spectral Indices band symbols, a pixel result ([`Px`]) and the
//! limits of one pass.

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
    /// Thermal infrared (Landsat 8/9 TIRS B10, ETM+ B6, TM B6): radiance or DN.
    Thermal = 6,
    /// Second thermal band for split-window methods (Landsat 8/9 TIRS B11).
    Thermal2 = 7,
    /// An observation compared with its climatology (`climidx anomaly`).
    Value = 8,
    /// Climatological mean of the observation's period (`climidx climatology` mean.tif).
    Mean = 9,
    /// Climatological standard deviation (std.tif).
    Std = 10,
    /// Climatological minimum (min.tif).
    Min = 11,
    /// Climatological maximum (max.tif).
    Max = 12,
    /// Vegetation Condition Index (`climidx vhi`).
    Vci = 13,
    /// Temperature Condition Index (`climidx vhi`).
    Tci = 14,
    /// Coastal aerosol, ~443 nm (ASI `A`; Sentinel-2 B1, Landsat 8/9 B1).
    Coastal = 15,
    /// Green 1, ~510–550 nm (ASI `G1`).
    Green1 = 16,
    /// Yellow, ~585–625 nm (ASI `Y`; WorldView).
    Yellow = 17,
    /// Red edge 1, ~705 nm (ASI `RE1`; Sentinel-2 B5).
    Re1 = 18,
    /// Red edge 2, ~740 nm (ASI `RE2`; Sentinel-2 B6).
    Re2 = 19,
    /// Red edge 3, ~783 nm (ASI `RE3`; Sentinel-2 B7).
    Re3 = 20,
    /// Narrow NIR, ~865 nm (ASI `N2`; Sentinel-2 B8A).
    Nir2 = 21,
    /// Water vapour, ~945 nm (ASI `WV`; Sentinel-2 B9).
    Wv = 22,
    /// A quality/classification band that masks pixels (`--mask`); no formula reads it.
    Mask = 23,
}

/// Slots in `TileParams::bands`.
pub const ROLE_SLOTS: usize = 24;

/// Most indices computed in one pass.
pub const MAX_OUTPUTS: usize = 32;

/// Most constants one index takes (`TileParams::k` holds this many per output).
pub const MAX_CONSTS: usize = 32;

/// The constants of one index, in `IndexDesc::constants` order (unused slots 0).
pub type Consts = [f32; MAX_CONSTS];

impl Role {
    pub const ALL: [Role; 24] = [
        Role::Blue,
        Role::Green,
        Role::Red,
        Role::Nir,
        Role::Swir1,
        Role::Swir2,
        Role::Thermal,
        Role::Thermal2,
        Role::Value,
        Role::Mean,
        Role::Std,
        Role::Min,
        Role::Max,
        Role::Vci,
        Role::Tci,
        Role::Coastal,
        Role::Green1,
        Role::Yellow,
        Role::Re1,
        Role::Re2,
        Role::Re3,
        Role::Nir2,
        Role::Wv,
        Role::Mask,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Blue => "blue",
            Role::Green => "green",
            Role::Red => "red",
            Role::Nir => "nir",
            Role::Swir1 => "swir1",
            Role::Swir2 => "swir2",
            Role::Thermal => "thermal",
            Role::Thermal2 => "thermal2",
            Role::Value => "value",
            Role::Mean => "mean",
            Role::Std => "std",
            Role::Min => "min",
            Role::Max => "max",
            Role::Vci => "vci",
            Role::Tci => "tci",
            Role::Coastal => "coastal",
            Role::Green1 => "green1",
            Role::Yellow => "yellow",
            Role::Re1 => "re1",
            Role::Re2 => "re2",
            Role::Re3 => "re3",
            Role::Nir2 => "nir2",
            Role::Wv => "wv",
            Role::Mask => "mask",
        }
    }

    /// A role by its name or its Awesome Spectral Indices symbol (`N`, `S1`, `RE2`, …),
    /// case-insensitive.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .or_else(|| {
                ASI_BANDS
                    .iter()
                    .find(|(sym, _)| sym.eq_ignore_ascii_case(s))
                    .map(|(_, r)| *r)
            })
    }

    /// The Awesome Spectral Indices symbol of this role, if it has one.
    pub fn asi_symbol(self) -> Option<&'static str> {
        ASI_BANDS.iter().find(|(_, r)| *r == self).map(|(s, _)| *s)
    }

    pub fn slot(self) -> usize {
        self as usize
    }

    /// A spectral band whose calibrated values are reflectances (about 0–1).
    pub fn is_reflectance(self) -> bool {
        use Role::*;
        matches!(
            self,
            Blue | Green
                | Red
                | Nir
                | Swir1
                | Swir2
                | Coastal
                | Green1
                | Yellow
                | Re1
                | Re2
                | Re3
                | Nir2
                | Wv
        )
    }
}

/// Band symbols of the Awesome Spectral Indices catalogue (`output/bands.json`, 17 names) and
/// the role each stands for. `T` and `T1` are both the first thermal band.
pub const ASI_BANDS: &[(&str, Role)] = &[
    ("A", Role::Coastal),
    ("B", Role::Blue),
    ("G", Role::Green),
    ("G1", Role::Green1),
    ("Y", Role::Yellow),
    ("R", Role::Red),
    ("RE1", Role::Re1),
    ("RE2", Role::Re2),
    ("RE3", Role::Re3),
    ("N", Role::Nir),
    ("N2", Role::Nir2),
    ("WV", Role::Wv),
    ("S1", Role::Swir1),
    ("S2", Role::Swir2),
    ("T", Role::Thermal),
    ("T1", Role::Thermal),
    ("T2", Role::Thermal2),
];

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
