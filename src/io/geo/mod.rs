//! Georeferencing carried from inputs to outputs: the GeoTIFF model tags, the whole
//! GeoKeyDirectory with its double and ASCII parameters, and the affine geotransform derived
//! from them.
//!
//! climidx never reprojects. It copies these tags verbatim from the grid input to every
//! output, after checking that all inputs describe the same grid and the same coordinate
//! reference system by meaning ([`GeoInfo::crs`], [`Crs::difference`]): GeoKey directories
//! that differ only in citations, unit keys an EPSG code implies, or the GeoTIFF version agree.

mod crs;
mod keys;

pub use crs::{Coded, Crs, CrsKind, Ellipsoid, Geodetic, Projection, UserCrs};

/// GDAL-style affine transform: `x = c0 + col*c1 + row*c2`, `y = c3 + col*c4 + row*c5`.
///
/// | coefficient | meaning |
/// |---|---|
/// | `origin_x` (c0) | x of the upper-left corner of the upper-left pixel |
/// | `pixel_width` (c1) | west–east pixel size |
/// | `row_rotation` (c2) | 0 for north-up |
/// | `origin_y` (c3) | y of the upper-left corner |
/// | `col_rotation` (c4) | 0 for north-up |
/// | `pixel_height` (c5) | north–south pixel size, negative for north-up |
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoTransform {
    pub origin_x: f64,
    pub pixel_width: f64,
    pub row_rotation: f64,
    pub origin_y: f64,
    pub col_rotation: f64,
    pub pixel_height: f64,
}

impl GeoTransform {
    pub fn from_gdal(c: [f64; 6]) -> Self {
        GeoTransform {
            origin_x: c[0],
            pixel_width: c[1],
            row_rotation: c[2],
            origin_y: c[3],
            col_rotation: c[4],
            pixel_height: c[5],
        }
    }

    pub fn to_gdal(&self) -> [f64; 6] {
        [
            self.origin_x,
            self.pixel_width,
            self.row_rotation,
            self.origin_y,
            self.col_rotation,
            self.pixel_height,
        ]
    }

    /// Map a (col, row) pixel-corner coordinate to model space.
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        (
            self.origin_x + col * self.pixel_width + row * self.row_rotation,
            self.origin_y + col * self.col_rotation + row * self.pixel_height,
        )
    }

    /// True when both transforms agree to within 1e-9 of a pixel over a 100 000-pixel extent.
    pub fn approx_eq(&self, other: &GeoTransform) -> bool {
        let scale = self
            .pixel_width
            .abs()
            .max(self.pixel_height.abs())
            .max(1e-12);
        let tol = 1e-9 * scale;
        let a = self.to_gdal();
        let b = other.to_gdal();
        // origins compared in pixel units, sizes relative
        (a[0] - b[0]).abs() <= 1e-6 * scale
            && (a[3] - b[3]).abs() <= 1e-6 * scale
            && [1, 2, 4, 5].iter().all(|&k| (a[k] - b[k]).abs() <= tol)
    }
}

/// The GeoTIFF tags of one raster, kept verbatim.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoInfo {
    /// ModelPixelScaleTag (33550): ScaleX, ScaleY, ScaleZ.
    pub pixel_scale: Option<Vec<f64>>,
    /// ModelTiepointTag (33922): (I, J, K, X, Y, Z) × n.
    pub tiepoints: Option<Vec<f64>>,
    /// ModelTransformationTag (34264): 4×4 row-major matrix.
    pub transformation: Option<Vec<f64>>,
    /// GeoKeyDirectoryTag (34735), the whole directory.
    pub geo_keys: Option<Vec<u16>>,
    /// GeoDoubleParamsTag (34736).
    pub geo_doubles: Option<Vec<f64>>,
    /// GeoAsciiParamsTag (34737), including its `|` separators.
    pub geo_ascii: Option<String>,
}

/// GeoKey 1025, GTRasterTypeGeoKey: 1 = PixelIsArea, 2 = PixelIsPoint.
const GT_RASTER_TYPE_GEO_KEY: u16 = 1025;

impl GeoInfo {
    pub fn is_georeferenced(&self) -> bool {
        self.transformation.is_some() || (self.pixel_scale.is_some() && self.tiepoints.is_some())
    }

    /// The affine transform, following GDAL's reading of the tags (a single tiepoint plus
    /// pixel scale, or a transformation matrix). `None` without georeferencing or with
    /// several tiepoints (GCPs), which climidx passes through but does not interpret.
    pub fn geotransform(&self) -> Option<GeoTransform> {
        if let Some(m) = &self.transformation {
            if m.len() >= 8 {
                return Some(GeoTransform::from_gdal([
                    m[3], m[0], m[1], m[7], m[4], m[5],
                ]));
            }
        }
        let (scale, tie) = (self.pixel_scale.as_ref()?, self.tiepoints.as_ref()?);
        if scale.len() < 2 || tie.len() != 6 {
            return None;
        }
        let (sx, sy) = (scale[0], scale[1]);
        let origin_x = tie[3] - tie[0] * sx;
        let origin_y = tie[4] + tie[1] * sy;
        Some(GeoTransform::from_gdal([
            origin_x, sx, 0.0, origin_y, 0.0, -sy,
        ]))
    }

    /// Value of a SHORT geokey stored inline in the directory.
    pub fn geo_key_short(&self, key: u16) -> Option<u16> {
        let d = self.geo_keys.as_ref()?;
        let n = *d.get(3)? as usize;
        (0..n).find_map(|k| {
            let e = d.get(4 + 4 * k..8 + 4 * k)?;
            (e[0] == key && e[1] == 0).then_some(e[3])
        })
    }

    /// True for PixelIsPoint rasters (GTRasterTypeGeoKey = 2).
    pub fn is_pixel_is_point(&self) -> bool {
        self.geo_key_short(GT_RASTER_TYPE_GEO_KEY) == Some(2)
    }

    /// `Some(f)` when `self` is the grid of `fine` coarsened by an integer factor `f ≥ 2`: same
    /// CRS and raster type, no rotation, the same upper-left corner, pixels `f` times larger.
    /// Such a band can be resampled onto `fine` by nearest neighbour without misalignment.
    pub fn coarsening_of(&self, fine: &GeoInfo) -> Option<u32> {
        let (c, f) = (self.geotransform()?, fine.geotransform()?);
        let (c, f) = (c.to_gdal(), f.to_gdal());
        if c[2] != 0.0 || c[4] != 0.0 || f[2] != 0.0 || f[4] != 0.0 || f[1] == 0.0 {
            return None;
        }
        let ratio = c[1] / f[1];
        let k = ratio.round();
        if k < 2.0 || (ratio - k).abs() > 1e-9 * k || ((c[5] / f[5]) - k).abs() > 1e-9 * k {
            return None;
        }
        let tol = 1e-6 * f[1].abs();
        if (c[0] - f[0]).abs() > tol || (c[3] - f[3]).abs() > tol {
            return None;
        }
        if self.is_pixel_is_point() != fine.is_pixel_is_point() {
            return None;
        }
        if self.crs().difference(&fine.crs()).is_some() {
            return None;
        }
        Some(k as u32)
    }

    /// Describe how `other` disagrees with `self`, or `None` when both describe the same grid:
    /// the same geotransform, raster type and CRS by meaning ([`Crs::difference`]).
    pub fn mismatch(&self, other: &GeoInfo) -> Option<String> {
        match (self.geotransform(), other.geotransform()) {
            (Some(a), Some(b)) if !a.approx_eq(&b) => {
                return Some(format!(
                    "geotransforms differ ({:?} vs {:?})",
                    a.to_gdal(),
                    b.to_gdal()
                ))
            }
            (Some(_), None) | (None, Some(_)) => {
                return Some("one input is georeferenced and the other is not".into())
            }
            (None, None) if self.tiepoints != other.tiepoints => {
                return Some("tie points differ".into())
            }
            _ => {}
        }
        if self.is_pixel_is_point() != other.is_pixel_is_point() {
            return Some("raster types differ (PixelIsArea vs PixelIsPoint)".into());
        }
        if let Some(d) = self.crs().difference(&other.crs()) {
            return Some(format!("coordinate reference systems differ: {d}"));
        }
        None
    }
}

/// Parse a GDAL_NODATA string ("nan", "-9999", "0", "1e20", "inf").
pub fn parse_nodata(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    match t.to_ascii_lowercase().as_str() {
        "nan" | "-nan" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        other => other.parse::<f64>().ok(),
    }
}

/// Format a nodata value the way GDAL writes GDAL_NODATA.
pub fn format_nodata(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod crs_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn utm() -> GeoInfo {
        GeoInfo {
            pixel_scale: Some(vec![10.0, 10.0, 0.0]),
            tiepoints: Some(vec![0.0, 0.0, 0.0, 600000.0, 5000040.0, 0.0]),
            geo_keys: Some(vec![
                1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633,
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn geotransform_from_scale_and_tiepoint() {
        let gt = utm().geotransform().unwrap();
        assert_eq!(gt.to_gdal(), [600000.0, 10.0, 0.0, 5000040.0, 0.0, -10.0]);
        assert_eq!(gt.apply(1.0, 2.0), (600010.0, 5000020.0));
    }

    #[test]
    fn geotransform_from_matrix() {
        let g = GeoInfo {
            transformation: Some(vec![
                30.0, 0.5, 0.0, 100.0, 0.25, -30.0, 0.0, 200.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                1.0,
            ]),
            ..Default::default()
        };
        assert_eq!(
            g.geotransform().unwrap().to_gdal(),
            [100.0, 30.0, 0.5, 200.0, 0.25, -30.0]
        );
    }

    #[test]
    fn mismatches_are_described() {
        let a = utm();
        assert_eq!(a.mismatch(&a.clone()), None);
        let mut b = utm();
        b.tiepoints.as_mut().unwrap()[3] += 10.0;
        assert!(a.mismatch(&b).unwrap().contains("geotransforms differ"));
        let mut c = utm();
        c.geo_keys.as_mut().unwrap()[15] = 32634;
        assert!(a
            .mismatch(&c)
            .unwrap()
            .contains("coordinate reference systems"));
        let mut d = utm();
        d.geo_keys.as_mut().unwrap()[11] = 2;
        assert!(d.is_pixel_is_point());
        assert!(a.mismatch(&d).unwrap().contains("raster types"));
        assert!(a.mismatch(&GeoInfo::default()).is_some());
    }

    #[test]
    fn nodata_strings() {
        assert!(parse_nodata("nan").unwrap().is_nan());
        assert_eq!(parse_nodata("-9999\0"), Some(-9999.0));
        assert_eq!(parse_nodata(" 0 "), Some(0.0));
        assert_eq!(parse_nodata("x"), None);
        assert_eq!(format_nodata(f64::NAN), "nan");
        assert_eq!(format_nodata(-9999.0), "-9999");
        assert_eq!(format_nodata(0.5), "0.5");
    }
}
