//! Colormaps of the quicklooks: matplotlib's own 256-entry lookup tables (`assets/colormaps/`,
//! written by `tests/fixtures/make_quicklook_refs.py` from `cmap(np.arange(256), bytes=True)`),
//! looked up as matplotlib does (`t` in [0, 1] → entry `floor(256·t)`, 1.0 → the last), and the
//! choice of a colormap from a band's index or unit. Not a colour-science library: no
//! interpolation between entries, no gamma handling.
//!
//! Sources: viridis, magma and cividis are matplotlib's perceptually uniform maps (van der Walt &
//! Smith; Nuñez et al. 2018 for cividis); `ndvi` is ColorBrewer's RdYlGn, `rdbu` RdBu, `greys`
//! Greys and `blues` Blues (Brewer, colorbrewer2.org); `gray` is matplotlib's linear gray; all
//! as matplotlib 3.11 publishes them.

use crate::kernels::{Family, IndexDesc};

/// Colormaps (`--colormap`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colormap {
    /// Pick from the band's index or unit (see [`Colormap::auto`]).
    Auto,
    /// matplotlib `viridis`: perceptual, for reflectance and values of no known kind.
    Viridis,
    /// matplotlib `magma`: perceptual black – purple – yellow, for temperatures.
    Magma,
    /// matplotlib `cividis`: perceptual, readable with colour-vision deficiency.
    Cividis,
    /// ColorBrewer RdYlGn (matplotlib `RdYlGn`): the usual red – yellow – green NDVI ramp.
    Ndvi,
    /// ColorBrewer Greys (matplotlib `Greys`): white – black.
    Greys,
    /// matplotlib `gray`: black – white.
    Gray,
    /// ColorBrewer RdBu (matplotlib `RdBu`): diverging red – white – blue, centred on 0.
    Rdbu,
    /// ColorBrewer Blues (matplotlib `Blues`): water indices.
    Blues,
}

impl crate::choice::Choice for Colormap {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (Colormap::Auto, "auto", "Pick from the band's index or unit: ndvi for vegetation ratios, blues for water indices, magma for temperatures, rdbu centred on 0 for anomalies, viridis for reflectance and other values"),
        (Colormap::Viridis, "viridis", "matplotlib viridis (perceptual)"),
        (Colormap::Magma, "magma", "matplotlib magma (perceptual, temperatures)"),
        (Colormap::Cividis, "cividis", "matplotlib cividis (perceptual, colour-vision deficiency friendly)"),
        (Colormap::Ndvi, "ndvi", "ColorBrewer RdYlGn, the usual NDVI ramp"),
        (Colormap::Greys, "greys", "ColorBrewer Greys (white – black)"),
        (Colormap::Gray, "gray", "matplotlib gray (black – white)"),
        (Colormap::Rdbu, "rdbu", "ColorBrewer RdBu (red – white – blue, diverging)"),
        (Colormap::Blues, "blues", "ColorBrewer Blues (water indices)"),
        // Earlier names, still accepted; reports use the names above.
        (Colormap::Ndvi, "vegetation", "Same as ndvi (earlier name)"),
        (Colormap::Blues, "water", "Same as blues (earlier name)"),
        (Colormap::Magma, "thermal", "Same as magma (earlier name)"),
        (Colormap::Rdbu, "diverging", "Same as rdbu (earlier name)"),
    ];
}

static VIRIDIS: &[u8; 768] = include_bytes!("../../../assets/colormaps/viridis.rgb");
static MAGMA: &[u8; 768] = include_bytes!("../../../assets/colormaps/magma.rgb");
static CIVIDIS: &[u8; 768] = include_bytes!("../../../assets/colormaps/cividis.rgb");
static NDVI: &[u8; 768] = include_bytes!("../../../assets/colormaps/ndvi.rgb");
static GREYS: &[u8; 768] = include_bytes!("../../../assets/colormaps/greys.rgb");
static GRAY: &[u8; 768] = include_bytes!("../../../assets/colormaps/gray.rgb");
static RDBU: &[u8; 768] = include_bytes!("../../../assets/colormaps/rdbu.rgb");
static BLUES: &[u8; 768] = include_bytes!("../../../assets/colormaps/blues.rgb");

impl Colormap {
    fn table(self) -> &'static [u8; 768] {
        match self {
            Colormap::Viridis | Colormap::Auto => VIRIDIS,
            Colormap::Magma => MAGMA,
            Colormap::Cividis => CIVIDIS,
            Colormap::Ndvi => NDVI,
            Colormap::Greys => GREYS,
            Colormap::Gray => GRAY,
            Colormap::Rdbu => RDBU,
            Colormap::Blues => BLUES,
        }
    }

    /// The colour of `t` in [0, 1] (clamped), as matplotlib's `cmap(t, bytes=True)`.
    pub fn color(self, t: f32) -> [u8; 3] {
        let i = if t.is_nan() {
            0
        } else {
            ((t.clamp(0.0, 1.0) * 256.0) as usize).min(255)
        };
        let e = &self.table()[3 * i..3 * i + 3];
        [e[0], e[1], e[2]]
    }

    /// Whether the map is diverging (its range is centred on 0 by default).
    pub fn diverging(self) -> bool {
        self == Colormap::Rdbu
    }

    /// `Auto` resolved for a band computed with `desc` (from climidx's metadata) whose unit is
    /// `unit` (GDAL's unit type): ratio indices the NDVI ramp (conditions 0–100 too), water
    /// indices blues, temperatures magma, anomalies and z-scores rdbu, emissivity, reflectance
    /// and anything else viridis — never the vegetation ramp for a band of unknown kind.
    /// Other values are returned as they are.
    pub fn resolve(self, desc: Option<&IndexDesc>, unit: Option<&str>) -> Colormap {
        if self != Colormap::Auto {
            return self;
        }
        match desc.map(|d| (d.family, d.name.as_ref())) {
            Some((Family::Anomaly, "vci" | "tci" | "vhi" | "percent")) => Colormap::Ndvi,
            Some((Family::Anomaly, _)) => Colormap::Rdbu,
            Some((Family::Thermal, "emissivity")) => Colormap::Viridis,
            Some((Family::Thermal, _)) => Colormap::Magma,
            Some((_, "ndwi" | "mndwi")) => Colormap::Blues,
            Some((Family::Vegetation, _)) => Colormap::Ndvi,
            _ => match unit {
                Some("K" | "degC" | "celsius") => Colormap::Magma,
                _ => Colormap::Viridis,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_matplotlib_indexing() {
        // matplotlib's viridis ends (0.267004, 0.004874, 0.329415) and (0.993248, 0.906157,
        // 0.143936), as `bytes=True` truncates them
        assert_eq!(Colormap::Viridis.color(0.0), [68, 1, 84]);
        assert_eq!(Colormap::Viridis.color(1.0), [253, 231, 36]);
        assert_eq!(Colormap::Viridis.color(-3.0), [68, 1, 84]);
        assert_eq!(Colormap::Viridis.color(f32::NAN), [68, 1, 84]);
        assert_eq!(Colormap::Greys.color(0.0), [255, 255, 255]);
        assert_eq!(Colormap::Greys.color(1.0), [0, 0, 0]);
        assert_eq!(Colormap::Auto.color(0.5), Colormap::Viridis.color(0.5));
    }
}
