//! Georeferencing carried from inputs to outputs: the GeoTIFF model tags, the whole
//! GeoKeyDirectory with its double and ASCII parameters, and the affine geotransform derived
//! from them.
//!
//! climidx never reprojects. It copies these tags verbatim from the grid input to every
//! output, after checking that all inputs describe the same grid and the same coordinate
//! reference system by meaning ([`GeoInfo::crs`], [`Crs::difference`]): GeoKey directories
//! that differ only in citations, unit keys an EPSG code implies, or the GeoTIFF version agree.

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

    /// The geokeys that describe the CRS with their values, in key order, for directories
    /// [`GeoInfo::crs`] cannot interpret: everything except the raster type, the citations
    /// and the vertical keys.
    fn raw_crs_keys(&self) -> Vec<(u16, String)> {
        let mut keys: Vec<(u16, String)> = self
            .key_entries()
            .filter(|e| is_crs_key(e[0]))
            .map(|e| {
                let (off, cnt) = (e[3] as usize, e[2] as usize);
                let value = match e[1] {
                    0 => e[3].to_string(),
                    34736 => {
                        let v = self.geo_doubles.as_deref().unwrap_or(&[]);
                        format!("{:?}", v.get(off..off + cnt).unwrap_or(&[]))
                    }
                    34737 => {
                        let s = self.geo_ascii.as_deref().unwrap_or("");
                        s.get(off..off + cnt)
                            .unwrap_or("")
                            .trim_end_matches(['|', '\0'])
                            .to_string()
                    }
                    _ => e[3].to_string(),
                };
                (e[0], value)
            })
            .collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        keys
    }

    /// The entries (key, location, count, value-or-offset) of the GeoKeyDirectory.
    fn key_entries(&self) -> impl Iterator<Item = &[u16]> + '_ {
        let d = self.geo_keys.as_deref().unwrap_or(&[]);
        let n = d.get(3).copied().unwrap_or(0) as usize;
        (0..n).map_while(move |k| d.get(4 + 4 * k..8 + 4 * k))
    }

    /// A SHORT geokey, inline or stored in the directory itself; 0 ("undefined") reads as
    /// absent.
    fn code(&self, key: u16) -> Option<u16> {
        let d = self.geo_keys.as_deref()?;
        let e = self.key_entries().find(|e| e[0] == key)?;
        let v = match e[1] {
            0 => e[3],
            34735 if e[2] >= 1 => *d.get(e[3] as usize)?,
            _ => return None,
        };
        (v != 0).then_some(v)
    }

    /// The first value of a DOUBLE geokey (stored in GeoDoubleParamsTag).
    fn double(&self, key: u16) -> Option<f64> {
        let e = self.key_entries().find(|e| e[0] == key)?;
        if e[1] != 34736 || e[2] == 0 {
            return None;
        }
        self.geo_doubles.as_ref()?.get(e[3] as usize).copied()
    }

    /// A units key: `None` when absent, the size in metres (linear) or degrees (angular) when
    /// climidx knows the code or the file gives the size, the bare code otherwise.
    fn unit(&self, key: u16, size_key: u16, linear: bool) -> Option<Coded> {
        let c = self.code(key)?;
        if c == USER_DEFINED {
            return Some(match self.double(size_key) {
                Some(v) if linear => Coded::Value(v),
                Some(v) => Coded::Value(v.to_degrees()),
                None => Coded::Code(c),
            });
        }
        let known = if linear {
            linear_unit_metres(c)
        } else {
            angular_unit_degrees(c)
        };
        Some(known.map_or(Coded::Code(c), Coded::Value))
    }

    /// A units key that must be known to normalise values: its size (the default when
    /// absent), or `None` for a code climidx has no size for.
    fn unit_size(&self, key: u16, size_key: u16, linear: bool) -> Option<f64> {
        match self.unit(key, size_key, linear) {
            None => Some(1.0),
            Some(Coded::Value(v)) => Some(v),
            Some(Coded::Code(_)) => None,
        }
    }

    /// The coordinate reference system the geokeys describe, read by meaning: EPSG codes,
    /// or user-defined parameters normalised to metres and degrees. Citations, the raster
    /// type, the vertical keys and the GeoTIFF version are no part of it.
    pub fn crs(&self) -> Crs {
        if self.geo_keys.is_none() || !self.key_entries().any(|e| is_crs_key(e[0])) {
            return Crs::Unspecified;
        }
        self.interpret_crs()
            .unwrap_or_else(|| Crs::Unknown(self.raw_crs_keys()))
    }

    fn interpret_crs(&self) -> Option<Crs> {
        let pcs = self.code(key::PROJECTED_CRS);
        let gcs = self.code(key::GEODETIC_CRS);
        let kind = match self.code(key::MODEL_TYPE) {
            Some(1) => CrsKind::Projected,
            Some(2) => CrsKind::Geographic,
            // No or a user-defined model type beside projection keys is read as projected, as
            // GDAL does (its ESRI_PE flavour writes model type 32767 with an EPSG code).
            None | Some(USER_DEFINED) => {
                if pcs.is_some()
                    || self.code(key::PROJECTION).is_some()
                    || self.code(key::PROJ_METHOD).is_some()
                {
                    CrsKind::Projected
                } else if gcs.is_some() || self.code(key::GEODETIC_DATUM).is_some() {
                    CrsKind::Geographic
                } else {
                    return None;
                }
            }
            // geocentric and anything else
            Some(_) => return None,
        };
        let (code, unit_key, size_key, linear) = match kind {
            CrsKind::Projected => (
                pcs,
                key::PROJ_LINEAR_UNITS,
                key::PROJ_LINEAR_UNIT_SIZE,
                true,
            ),
            CrsKind::Geographic => (
                gcs,
                key::GEOG_ANGULAR_UNITS,
                key::GEOG_ANGULAR_UNIT_SIZE,
                false,
            ),
        };
        if let Some(code) = code.filter(|&c| c != USER_DEFINED) {
            let unit = self
                .unit(unit_key, size_key, linear)
                .filter(|u| !default_unit(code, kind).is_some_and(|d| u.close(&Coded::Value(d))));
            return Some(Crs::Epsg { code, kind, unit });
        }
        let unit = self.unit_size(unit_key, size_key, linear)?;
        let degrees =
            self.unit_size(key::GEOG_ANGULAR_UNITS, key::GEOG_ANGULAR_UNIT_SIZE, false)?;
        let geodetic = self.geodetic(degrees)?;
        let projection = match kind {
            CrsKind::Projected => Some(self.projection(unit, degrees)?),
            CrsKind::Geographic => None,
        };
        Some(Crs::UserDefined(Box::new(UserCrs {
            kind,
            geodetic,
            projection,
            unit,
        })))
    }

    /// The geodetic part of a user-defined CRS; `degrees` is the size of its angular unit.
    fn geodetic(&self, degrees: f64) -> Option<Geodetic> {
        if let Some(c) = self.code(key::GEODETIC_CRS).filter(|&c| c != USER_DEFINED) {
            return Some(Geodetic::Crs(c));
        }
        let prime_meridian = match self.code(key::PRIME_MERIDIAN) {
            Some(GREENWICH) => Coded::Value(0.0),
            Some(c) if c != USER_DEFINED => Coded::Code(c),
            _ => Coded::Value(self.double(key::PRIME_MERIDIAN_LONG).unwrap_or(0.0) * degrees),
        };
        if let Some(datum) = self
            .code(key::GEODETIC_DATUM)
            .filter(|&c| c != USER_DEFINED)
        {
            return Some(Geodetic::Datum {
                datum,
                prime_meridian,
            });
        }
        let metres = self.unit_size(key::GEOG_LINEAR_UNITS, key::GEOG_LINEAR_UNIT_SIZE, true)?;
        let ellipsoid = match self.double(key::SEMI_MAJOR) {
            Some(a) => {
                let inv_flattening = match (
                    self.double(key::INV_FLATTENING),
                    self.double(key::SEMI_MINOR),
                ) {
                    (Some(f), _) => f,
                    (None, Some(b)) if b != a => a / (a - b),
                    _ => 0.0,
                };
                Some(Ellipsoid::Axes {
                    semi_major: a * metres,
                    inv_flattening,
                })
            }
            None => self
                .code(key::ELLIPSOID)
                .filter(|&c| c != USER_DEFINED)
                .map(|c| match ellipsoid_axes(c) {
                    Some((semi_major, inv_flattening)) => Ellipsoid::Axes {
                        semi_major,
                        inv_flattening,
                    },
                    None => Ellipsoid::Code(c),
                }),
        };
        Some(Geodetic::Defined {
            ellipsoid,
            prime_meridian,
        })
    }

    /// The projection of a user-defined projected CRS, parameters in metres and degrees.
    fn projection(&self, metres: f64, degrees: f64) -> Option<Projection> {
        match self.code(key::PROJECTION) {
            Some(c @ 16001..=16060) => return Some(utm(c - 16000, false)),
            Some(c @ 16101..=16160) => return Some(utm(c - 16100, true)),
            Some(c) if c != USER_DEFINED => return Some(Projection::Epsg(c)),
            _ => {}
        }
        let method = self.code(key::PROJ_METHOD).filter(|&c| c != USER_DEFINED)?;
        // GeoTIFF has no azimuth unit size key: a user-defined azimuth unit takes the angular one
        let azimuth = match self.unit(key::GEOG_AZIMUTH_UNITS, key::GEOG_ANGULAR_UNIT_SIZE, false) {
            None => degrees,
            Some(Coded::Value(v)) => v,
            Some(Coded::Code(_)) => return None,
        };
        let params = PROJ_PARAMS
            .iter()
            .filter_map(|&(k, _, kind)| {
                let v = self.double(k)?;
                let v = match kind {
                    ParamKind::Angle => v * degrees,
                    ParamKind::Azimuth => v * azimuth,
                    ParamKind::Length => v * metres,
                    ParamKind::Scale => v,
                };
                (!close(v, kind.default())).then_some((k, v))
            })
            .collect();
        Some(Projection::Method { method, params })
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

/// GeoKey numbers (OGC GeoTIFF 1.1, §7 and Annex; libgeotiff `geokeys.inc`), with the 1.0 names.
mod key {
    /// GTModelTypeGeoKey: 1 projected, 2 geographic, 3 geocentric.
    pub const MODEL_TYPE: u16 = 1024;
    /// GeodeticCRSGeoKey (1.0: GeographicTypeGeoKey).
    pub const GEODETIC_CRS: u16 = 2048;
    /// GeodeticCitationGeoKey (1.0: GeogCitationGeoKey).
    pub const GEODETIC_CITATION: u16 = 2049;
    /// GeodeticDatumGeoKey (1.0: GeogGeodeticDatumGeoKey).
    pub const GEODETIC_DATUM: u16 = 2050;
    /// PrimeMeridianGeoKey (1.0: GeogPrimeMeridianGeoKey).
    pub const PRIME_MERIDIAN: u16 = 2051;
    pub const GEOG_LINEAR_UNITS: u16 = 2052;
    /// Metres per GeogLinearUnit.
    pub const GEOG_LINEAR_UNIT_SIZE: u16 = 2053;
    pub const GEOG_ANGULAR_UNITS: u16 = 2054;
    /// Radians per GeogAngularUnit.
    pub const GEOG_ANGULAR_UNIT_SIZE: u16 = 2055;
    /// EllipsoidGeoKey (1.0: GeogEllipsoidGeoKey).
    pub const ELLIPSOID: u16 = 2056;
    pub const SEMI_MAJOR: u16 = 2057;
    pub const SEMI_MINOR: u16 = 2058;
    pub const INV_FLATTENING: u16 = 2059;
    pub const GEOG_AZIMUTH_UNITS: u16 = 2060;
    /// PrimeMeridianLongitudeGeoKey, in GeogAngularUnits.
    pub const PRIME_MERIDIAN_LONG: u16 = 2061;
    /// GeogTOWGS84GeoKey (libgeotiff extension), the last geodetic key.
    pub const GEOG_TOWGS84: u16 = 2062;
    /// ProjectedCRSGeoKey (1.0: ProjectedCSTypeGeoKey).
    pub const PROJECTED_CRS: u16 = 3072;
    /// ProjectedCitationGeoKey (1.0: PCSCitationGeoKey).
    pub const PROJECTED_CITATION: u16 = 3073;
    /// ProjectionGeoKey: an EPSG coordinate operation (16033 = UTM zone 33N).
    pub const PROJECTION: u16 = 3074;
    /// ProjMethodGeoKey (1.0: ProjCoordTransGeoKey).
    pub const PROJ_METHOD: u16 = 3075;
    pub const PROJ_LINEAR_UNITS: u16 = 3076;
    /// Metres per ProjLinearUnit.
    pub const PROJ_LINEAR_UNIT_SIZE: u16 = 3077;
    /// ProjRectifiedGridAngleGeoKey (libgeotiff extension), the last projection key.
    pub const PROJ_RECTIFIED_GRID_ANGLE: u16 = 3096;
}

/// The GeoTIFF code for "user-defined" in every key.
const USER_DEFINED: u16 = 32767;
/// EPSG prime meridian 8901, Greenwich.
const GREENWICH: u16 = 8901;

/// True for the geokeys that take part in the CRS: the model type, the geodetic and the
/// projected keys, less the citations (1026, 2049, 3073). The raster type (1025) is compared
/// on its own by [`GeoInfo::mismatch`]; the vertical keys (4096–4099) and the coordinate epoch
/// (5120) are ignored.
fn is_crs_key(k: u16) -> bool {
    k == key::MODEL_TYPE
        || ((key::GEODETIC_CRS..=key::GEOG_TOWGS84).contains(&k) && k != key::GEODETIC_CITATION)
        || ((key::PROJECTED_CRS..=key::PROJ_RECTIFIED_GRID_ANGLE).contains(&k)
            && k != key::PROJECTED_CITATION)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ParamKind {
    /// In GeogAngularUnits.
    Angle,
    /// In GeogAzimuthUnits (GeogAngularUnits when absent).
    Azimuth,
    /// In ProjLinearUnits.
    Length,
    /// A ratio.
    Scale,
}

impl ParamKind {
    /// The value a reader assumes for an absent parameter (libgeotiff: 0, scales 1).
    fn default(self) -> f64 {
        if self == ParamKind::Scale {
            1.0
        } else {
            0.0
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            ParamKind::Angle | ParamKind::Azimuth => "°",
            ParamKind::Length => " m",
            ParamKind::Scale => "",
        }
    }
}

/// The projection parameter keys 3078–3096 (GeoDoubleParams), their names less `Proj` and
/// `GeoKey`, and their units.
const PROJ_PARAMS: [(u16, &str, ParamKind); 19] = [
    (3078, "StdParallel1", ParamKind::Angle),
    (3079, "StdParallel2", ParamKind::Angle),
    (3080, "NatOriginLong", ParamKind::Angle),
    (3081, "NatOriginLat", ParamKind::Angle),
    (3082, "FalseEasting", ParamKind::Length),
    (3083, "FalseNorthing", ParamKind::Length),
    (3084, "FalseOriginLong", ParamKind::Angle),
    (3085, "FalseOriginLat", ParamKind::Angle),
    (3086, "FalseOriginEasting", ParamKind::Length),
    (3087, "FalseOriginNorthing", ParamKind::Length),
    (3088, "CenterLong", ParamKind::Angle),
    (3089, "CenterLat", ParamKind::Angle),
    (3090, "CenterEasting", ParamKind::Length),
    (3091, "CenterNorthing", ParamKind::Length),
    (3092, "ScaleAtNatOrigin", ParamKind::Scale),
    (3093, "ScaleAtCenter", ParamKind::Scale),
    (3094, "AzimuthAngle", ParamKind::Azimuth),
    (3095, "StraightVertPoleLong", ParamKind::Angle),
    (3096, "RectifiedGridAngle", ParamKind::Angle),
];

fn param_info(k: u16) -> (&'static str, ParamKind) {
    PROJ_PARAMS
        .iter()
        .find(|p| p.0 == k)
        .map_or(("?", ParamKind::Scale), |p| (p.1, p.2))
}

/// Two doubles equal up to a relative 1e-9 (absolute 1e-9 near zero): far below any
/// meaningful difference in a CRS parameter, far above the rounding of unit conversions.
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Metres per unit for the EPSG linear units climidx knows.
fn linear_unit_metres(code: u16) -> Option<f64> {
    Some(match code {
        9001 => 1.0,
        9002 => 0.3048,
        9003 => 1200.0 / 3937.0,
        9005 => 0.3047972654,
        9030 => 1852.0,
        9036 => 1000.0,
        9093 => 1609.344,
        _ => return None,
    })
}

/// Degrees per unit for the EPSG angular units climidx knows (not 9110, packed DMS).
fn angular_unit_degrees(code: u16) -> Option<f64> {
    Some(match code {
        9101 => 1f64.to_degrees(),
        9102 | 9122 => 1.0,
        9103 => 1.0 / 60.0,
        9104 => 1.0 / 3600.0,
        9105 | 9106 => 0.9,
        9109 => 1e-6f64.to_degrees(),
        _ => return None,
    })
}

/// The unit an EPSG CRS is defined in, for the common codes climidx knows without an EPSG
/// database: metre for these projected CRSs, degree for these geographic ones.
fn default_unit(code: u16, kind: CrsKind) -> Option<f64> {
    let known = match kind {
        CrsKind::Projected => matches!(code,
            32601..=32660 | 32701..=32760 // WGS 84 / UTM
            | 25828..=25838 // ETRS89 / UTM
            | 26901..=26923 // NAD83 / UTM
            | 26703..=26722 // NAD27 / UTM
            | 28348..=28358 // GDA94 / MGA
            | 2154 | 3031 | 3034 | 3035 | 3395 | 3413 | 3857 | 3976 | 6933 | 27700),
        CrsKind::Geographic => matches!(
            code,
            4230 | 4258 | 4267 | 4269 | 4283 | 4322 | 4326 | 4612 | 4617 | 4674 | 7844
        ),
    };
    known.then_some(1.0)
}

/// Semi-major axis (m) and inverse flattening (0 for a sphere) of common EPSG ellipsoids.
fn ellipsoid_axes(code: u16) -> Option<(f64, f64)> {
    Some(match code {
        7001 => (6377563.396, 299.3249646),       // Airy 1830
        7004 => (6377397.155, 299.1528128),       // Bessel 1841
        7008 => (6378206.4, 294.978_698_213_898), // Clarke 1866
        7019 => (6378137.0, 298.257222101),       // GRS 1980
        7022 => (6378388.0, 297.0),               // International 1924
        7024 => (6378245.0, 298.3),               // Krassowsky 1940
        7030 => (6378137.0, 298.257223563),       // WGS 84
        7035 => (6371000.0, 0.0),                 // sphere
        7043 => (6378135.0, 298.26),              // WGS 72
        7059 => (6378137.0, 0.0),                 // Popular Visualisation Sphere
        _ => return None,
    })
}

/// The EPSG UTM conversions 16001–16060 (north) and 16101–16160 (south) as the Transverse
/// Mercator parameters they stand for.
fn utm(zone: u16, south: bool) -> Projection {
    let mut params = vec![(3080, -183.0 + 6.0 * zone as f64), (3082, 500000.0)];
    if south {
        params.push((3083, 10_000_000.0));
    }
    params.push((3092, 0.9996));
    Projection::Method { method: 1, params }
}

fn method_name(m: u16) -> Option<&'static str> {
    Some(match m {
        1 => "Transverse Mercator",
        2 => "Transverse Mercator (Alaska)",
        3 => "Oblique Mercator",
        4 => "Oblique Mercator (Laborde)",
        5 => "Oblique Mercator (Rosenmund)",
        6 => "Oblique Mercator (spherical)",
        7 => "Mercator",
        8 => "Lambert Conformal Conic (2SP)",
        9 => "Lambert Conformal Conic (1SP)",
        10 => "Lambert Azimuthal Equal Area",
        11 => "Albers Equal Area",
        12 => "Azimuthal Equidistant",
        13 => "Equidistant Conic",
        14 => "Stereographic",
        15 => "Polar Stereographic",
        16 => "Oblique Stereographic",
        17 => "Equirectangular",
        18 => "Cassini-Soldner",
        19 => "Gnomonic",
        20 => "Miller Cylindrical",
        21 => "Orthographic",
        22 => "Polyconic",
        23 => "Robinson",
        24 => "Sinusoidal",
        25 => "Van der Grinten",
        26 => "New Zealand Map Grid",
        27 => "Transverse Mercator (South Orientated)",
        28 => "Cylindrical Equal Area",
        9815 => "Hotine Oblique Mercator (variant B)",
        _ => return None,
    })
}

/// Whether a CRS is projected or geographic (GTModelTypeGeoKey 1 or 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrsKind {
    Projected,
    Geographic,
}

/// A quantity given by its value, normalised (metres, degrees), or by an EPSG code climidx
/// has no table for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Coded {
    Value(f64),
    Code(u16),
}

impl Coded {
    fn close(&self, other: &Coded) -> bool {
        match (self, other) {
            (Coded::Value(a), Coded::Value(b)) => close(*a, *b),
            (Coded::Code(a), Coded::Code(b)) => a == b,
            _ => false,
        }
    }
}

/// An ellipsoid by its axes (semi-major axis in metres, inverse flattening, 0 for a sphere)
/// or by an EPSG code climidx does not know.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ellipsoid {
    Axes {
        semi_major: f64,
        inv_flattening: f64,
    },
    Code(u16),
}

impl Ellipsoid {
    fn close(&self, other: &Ellipsoid) -> bool {
        match (self, other) {
            (
                Ellipsoid::Axes {
                    semi_major: a,
                    inv_flattening: f,
                },
                Ellipsoid::Axes {
                    semi_major: b,
                    inv_flattening: g,
                },
            ) => close(*a, *b) && close(*f, *g),
            (Ellipsoid::Code(a), Ellipsoid::Code(b)) => a == b,
            _ => false,
        }
    }
}

/// The geodetic part of a user-defined CRS.
#[derive(Clone, Debug, PartialEq)]
pub enum Geodetic {
    /// An EPSG geographic CRS (GeodeticCRSGeoKey).
    Crs(u16),
    /// An EPSG datum (GeodeticDatumGeoKey), with the prime meridian (degrees from Greenwich).
    Datum { datum: u16, prime_meridian: Coded },
    /// A user-defined datum: its ellipsoid (`None` when the keys give none) and prime
    /// meridian.
    Defined {
        ellipsoid: Option<Ellipsoid>,
        prime_meridian: Coded,
    },
}

impl Geodetic {
    fn close(&self, other: &Geodetic) -> bool {
        match (self, other) {
            (Geodetic::Crs(a), Geodetic::Crs(b)) => a == b,
            (
                Geodetic::Datum {
                    datum: a,
                    prime_meridian: p,
                },
                Geodetic::Datum {
                    datum: b,
                    prime_meridian: q,
                },
            ) => a == b && p.close(q),
            (
                Geodetic::Defined {
                    ellipsoid: a,
                    prime_meridian: p,
                },
                Geodetic::Defined {
                    ellipsoid: b,
                    prime_meridian: q,
                },
            ) => {
                p.close(q)
                    && match (a, b) {
                        (Some(a), Some(b)) => a.close(b),
                        (None, None) => true,
                        _ => false,
                    }
            }
            _ => false,
        }
    }
}

/// The projection of a user-defined projected CRS.
#[derive(Clone, Debug, PartialEq)]
pub enum Projection {
    /// An EPSG coordinate operation (ProjectionGeoKey) climidx does not expand; the UTM
    /// zones 16001–16060 and 16101–16160 are expanded into [`Projection::Method`].
    Epsg(u16),
    /// ProjMethodGeoKey and the parameters (key, value), in key order: angles in degrees,
    /// lengths in metres; parameters at their default (0, scales 1) are left out.
    Method {
        method: u16,
        params: Vec<(u16, f64)>,
    },
}

/// A user-defined CRS (ProjectedCRSGeoKey or GeodeticCRSGeoKey 32767), normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct UserCrs {
    pub kind: CrsKind,
    pub geodetic: Geodetic,
    /// `Some` for projected CRSs.
    pub projection: Option<Projection>,
    /// The unit of the coordinates: metres per ProjLinearUnit (projected) or degrees per
    /// GeogAngularUnit (geographic).
    pub unit: f64,
}

impl UserCrs {
    /// The parts in which `other` differs from `self`, each as "what (a vs b)".
    fn differences(&self, other: &UserCrs) -> Vec<String> {
        if self.kind != other.kind {
            return vec![format!(
                "kind ({} vs {})",
                kind_name(self.kind),
                kind_name(other.kind)
            )];
        }
        let mut d = Vec::new();
        if !self.geodetic.close(&other.geodetic) {
            d.push(format!(
                "geodetic datum ({} vs {})",
                self.geodetic, other.geodetic
            ));
        }
        match (&self.projection, &other.projection) {
            (
                Some(Projection::Method {
                    method: m,
                    params: p,
                }),
                Some(Projection::Method {
                    method: n,
                    params: q,
                }),
            ) if m == n => {
                let mut keys: Vec<u16> = p.iter().chain(q).map(|e| e.0).collect();
                keys.sort_unstable();
                keys.dedup();
                for k in keys {
                    let (name, kind) = param_info(k);
                    let get = |v: &[(u16, f64)]| {
                        v.iter().find(|e| e.0 == k).map_or(kind.default(), |e| e.1)
                    };
                    let (a, b) = (get(p), get(q));
                    if !close(a, b) {
                        let s = kind.suffix();
                        d.push(format!("{name} ({a}{s} vs {b}{s})"));
                    }
                }
            }
            (a, b) if a != b => d.push(format!(
                "projection ({} vs {})",
                a.as_ref().map_or("none".to_string(), |p| p.to_string()),
                b.as_ref().map_or("none".to_string(), |p| p.to_string())
            )),
            _ => {}
        }
        if !close(self.unit, other.unit) {
            d.push(format!(
                "unit ({} vs {})",
                unit_name(self.kind, Coded::Value(self.unit)),
                unit_name(self.kind, Coded::Value(other.unit))
            ));
        }
        d
    }
}

/// A raster's coordinate reference system as its geokeys mean it ([`GeoInfo::crs`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Crs {
    /// No GeoKeyDirectory, or one without CRS keys: nothing to compare, accepted beside any
    /// CRS.
    Unspecified,
    /// An EPSG CRS (ProjectedCRSGeoKey or GeodeticCRSGeoKey), everything else implied.
    /// `unit` is an explicit units key (ProjLinearUnits, GeogAngularUnits), left out when it
    /// is the unit the code is known to be defined in (metre or degree, for common codes).
    Epsg {
        code: u16,
        kind: CrsKind,
        unit: Option<Coded>,
    },
    /// A user-defined CRS by its normalised parameters.
    UserDefined(Box<UserCrs>),
    /// Geokeys climidx cannot interpret (geocentric, incomplete, units it has no size for):
    /// the CRS keys with their values, compared as they are.
    Unknown(Vec<(u16, String)>),
}

impl Crs {
    /// `None` when `self` and `other` are the same CRS, otherwise a one-line description of
    /// the difference ("EPSG:32633 vs EPSG:32634"). An unspecified CRS matches any. Two EPSG
    /// CRSs match when the codes are equal and their units agree: both keys absent, equal, or
    /// one absent and the other the code's known unit; climidx has no EPSG database, so an
    /// explicit unit beside an absent one on a code it does not know is taken as the code's
    /// own (what GDAL writes for GeoTIFF 1.0 and leaves out for 1.1).
    pub fn difference(&self, other: &Crs) -> Option<String> {
        let same = match (self, other) {
            (Crs::Unspecified, _) | (_, Crs::Unspecified) => true,
            (
                Crs::Epsg {
                    code: a,
                    kind: k,
                    unit: u,
                },
                Crs::Epsg {
                    code: b,
                    kind: l,
                    unit: v,
                },
            ) => {
                a == b
                    && k == l
                    && match (u, v) {
                        (Some(u), Some(v)) => u.close(v),
                        (None, None) => true,
                        (Some(u), None) | (None, Some(u)) => {
                            default_unit(*a, *k).is_none_or(|d| u.close(&Coded::Value(d)))
                        }
                    }
            }
            (Crs::UserDefined(a), Crs::UserDefined(b)) => {
                let d = a.differences(b);
                if d.is_empty() {
                    return None;
                }
                return Some(format!("user-defined CRSs differ in {}", d.join(", ")));
            }
            (Crs::Unknown(a), Crs::Unknown(b)) => a == b,
            _ => false,
        };
        (!same).then(|| format!("{self} vs {other}"))
    }
}

fn kind_name(k: CrsKind) -> &'static str {
    match k {
        CrsKind::Projected => "projected",
        CrsKind::Geographic => "geographic",
    }
}

/// A unit of coordinates of a `kind` CRS, by name when it is a common one.
fn unit_name(kind: CrsKind, u: Coded) -> String {
    let v = match u {
        Coded::Code(c) => return format!("unit EPSG:{c}"),
        Coded::Value(v) => v,
    };
    let names: &[(f64, &str)] = match kind {
        CrsKind::Projected => &[
            (1.0, "metre"),
            (0.3048, "foot"),
            (1200.0 / 3937.0, "US survey foot"),
            (1000.0, "kilometre"),
        ],
        CrsKind::Geographic => &[
            (1.0, "degree"),
            (0.9, "grad"),
            (180.0 / std::f64::consts::PI, "radian"),
        ],
    };
    match names.iter().find(|n| close(n.0, v)) {
        Some(n) => n.1.to_string(),
        None if kind == CrsKind::Projected => format!("{v} m"),
        None => format!("{v}°"),
    }
}

impl std::fmt::Display for Ellipsoid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ellipsoid::Axes {
                semi_major,
                inv_flattening,
            } => write!(f, "ellipsoid a={semi_major} m 1/f={inv_flattening}"),
            Ellipsoid::Code(c) => write!(f, "ellipsoid EPSG:{c}"),
        }
    }
}

impl std::fmt::Display for Geodetic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pm = |f: &mut std::fmt::Formatter<'_>, p: &Coded| match p {
            Coded::Value(v) if *v == 0.0 => Ok(()),
            Coded::Value(v) => write!(f, ", prime meridian {v}°"),
            Coded::Code(c) => write!(f, ", prime meridian EPSG:{c}"),
        };
        match self {
            Geodetic::Crs(c) => write!(f, "EPSG:{c}"),
            Geodetic::Datum {
                datum,
                prime_meridian,
            } => {
                write!(f, "datum EPSG:{datum}")?;
                pm(f, prime_meridian)
            }
            Geodetic::Defined {
                ellipsoid,
                prime_meridian,
            } => {
                match ellipsoid {
                    Some(e) => write!(f, "{e}")?,
                    None => write!(f, "no ellipsoid")?,
                }
                pm(f, prime_meridian)
            }
        }
    }
}

impl std::fmt::Display for Projection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Projection::Epsg(c) => write!(f, "projection EPSG:{c}"),
            Projection::Method { method, params } => {
                match method_name(*method) {
                    Some(n) => write!(f, "{n}")?,
                    None => write!(f, "method {method}")?,
                }
                for (i, (k, v)) in params.iter().enumerate() {
                    let (name, kind) = param_info(*k);
                    let sep = if i == 0 { " " } else { ", " };
                    write!(f, "{sep}{name}={v}{}", kind.suffix())?;
                }
                Ok(())
            }
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Crs::Unspecified => write!(f, "no CRS"),
            Crs::Epsg { code, kind, unit } => {
                write!(f, "EPSG:{code}")?;
                match unit {
                    Some(u) => write!(f, " in {}", unit_name(*kind, *u)),
                    None => Ok(()),
                }
            }
            Crs::UserDefined(u) => {
                write!(f, "user-defined {} CRS (", kind_name(u.kind))?;
                if let Some(p) = &u.projection {
                    write!(f, "{p}; ")?;
                }
                write!(
                    f,
                    "{}; {})",
                    u.geodetic,
                    unit_name(u.kind, Coded::Value(u.unit))
                )
            }
            Crs::Unknown(keys) => {
                write!(f, "uninterpreted GeoKeys (")?;
                for (i, (k, v)) in keys.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{k}={v}")?;
                }
                write!(f, ")")
            }
        }
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

    /// A value in a hand-built GeoKey directory.
    enum V {
        S(u16),
        D(f64),
        A(&'static str),
    }

    /// A 10 m grid at (600000, 5000000) with the GeoKey directory of `keys` (GeoTIFF 1.`minor`,
    /// 0 or 1), its doubles and ASCII parameters laid out as GDAL does.
    fn keyed(minor: u16, keys: &[(u16, V)]) -> GeoInfo {
        let mut dir = vec![1, 1, minor, keys.len() as u16];
        let (mut doubles, mut ascii) = (Vec::new(), String::new());
        for (k, v) in keys {
            match v {
                V::S(s) => dir.extend([*k, 0, 1, *s]),
                V::D(d) => {
                    dir.extend([*k, 34736, 1, doubles.len() as u16]);
                    doubles.push(*d);
                }
                V::A(a) => {
                    let s = format!("{a}|");
                    dir.extend([*k, 34737, s.len() as u16, ascii.len() as u16]);
                    ascii.push_str(&s);
                }
            }
        }
        GeoInfo {
            pixel_scale: Some(vec![10.0, 10.0, 0.0]),
            tiepoints: Some(vec![0.0, 0.0, 0.0, 600000.0, 5000000.0, 0.0]),
            geo_keys: Some(dir),
            geo_doubles: (!doubles.is_empty()).then_some(doubles),
            geo_ascii: (!ascii.is_empty()).then_some(ascii),
            ..Default::default()
        }
    }

    /// EPSG:`code` the way the sample assets, GDAL (GeoTIFF 1.0), GDAL with GeoTIFF 1.1 and
    /// GDAL's ESRI_PE flavour write it.
    fn epsg_flavours(code: u16) -> [GeoInfo; 4] {
        use V::*;
        [
            keyed(
                0,
                &[
                    (1024, S(1)),
                    (1025, S(1)),
                    (2057, D(6378137.0)),
                    (3072, S(code)),
                    (3073, A("WGS 84 / UTM zone 33N")),
                ],
            ),
            keyed(
                0,
                &[
                    (1024, S(1)),
                    (1025, S(1)),
                    (1026, A("WGS 84 / UTM zone 33N")),
                    (2049, A("WGS 84")),
                    (2054, S(9102)),
                    (3072, S(code)),
                    (3076, S(9001)),
                ],
            ),
            keyed(1, &[(1024, S(1)), (1025, S(1)), (3072, S(code))]),
            keyed(
                0,
                &[
                    (1024, S(32767)),
                    (1025, S(1)),
                    (1026, A("WGS 84 / UTM zone 33N")),
                    (2049, A("WGS 84")),
                    (2054, S(9102)),
                    (3072, S(code)),
                    (
                        3073,
                        A("ESRI PE String = PROJCS[\"WGS_1984_UTM_Zone_33N\"]"),
                    ),
                    (3076, S(9001)),
                ],
            ),
        ]
    }

    #[test]
    fn same_epsg_code_with_other_citations_units_and_versions_is_the_same_crs() {
        let all = epsg_flavours(32633);
        for a in &all {
            assert_eq!(
                a.crs(),
                Crs::Epsg {
                    code: 32633,
                    kind: CrsKind::Projected,
                    unit: None
                }
            );
            for b in &all {
                assert_eq!(a.mismatch(b), None, "{a:?} vs {b:?}");
                assert_eq!(a.coarsening_of(b), None);
            }
        }
        // a 20 m band written by another tool still lies on the 10 m grid
        let mut coarse = all[1].clone();
        coarse.pixel_scale = Some(vec![20.0, 20.0, 0.0]);
        assert_eq!(coarse.coarsening_of(&all[0]), Some(2));
    }

    #[test]
    fn other_epsg_codes_are_named_in_the_message() {
        for (a, b) in epsg_flavours(32633).iter().zip(&epsg_flavours(32634)) {
            assert_eq!(
                a.mismatch(b).as_deref(),
                Some("coordinate reference systems differ: EPSG:32633 vs EPSG:32634")
            );
            let mut coarse = b.clone();
            coarse.pixel_scale = Some(vec![20.0, 20.0, 0.0]);
            assert_eq!(coarse.coarsening_of(a), None);
        }
        let geographic = keyed(1, &[(1024, V::S(2)), (1025, V::S(1)), (2048, V::S(4326))]);
        assert_eq!(
            geographic.crs(),
            Crs::Epsg {
                code: 4326,
                kind: CrsKind::Geographic,
                unit: None
            }
        );
        assert!(epsg_flavours(32633)[0]
            .mismatch(&geographic)
            .unwrap()
            .ends_with("EPSG:32633 vs EPSG:4326"));
    }

    #[test]
    fn units_keys_count_only_when_they_change_the_unit() {
        use V::*;
        let with = |code: u16, unit: Option<u16>| {
            let mut k = vec![(1024, S(1)), (1025, S(1)), (3072, S(code))];
            k.extend(unit.map(|u| (3076, S(u))));
            keyed(0, &k)
        };
        // metre on a metre code is the default; feet on it overrides (GDAL honours that)
        assert_eq!(with(32633, Some(9001)).mismatch(&with(32633, None)), None);
        assert_eq!(
            with(32633, Some(9002))
                .mismatch(&with(32633, None))
                .as_deref(),
            Some("coordinate reference systems differ: EPSG:32633 in foot vs EPSG:32633")
        );
        // a code whose unit climidx does not know: GDAL writes it for 1.0, omits it for 1.1
        assert_eq!(with(2229, Some(9003)).mismatch(&with(2229, None)), None);
        assert_eq!(
            with(2229, Some(9003)).crs().to_string(),
            "EPSG:2229 in US survey foot"
        );
        assert!(with(2229, Some(9003))
            .mismatch(&with(2229, Some(9001)))
            .unwrap()
            .contains("EPSG:2229 in US survey foot vs EPSG:2229 in metre"));
    }

    /// `gdal_translate -a_srs "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000
    /// +ellps=GRS80"`: GDAL's keys, with `lon_0` and the false easting as given.
    fn laea(lon_0: f64, x_0: f64) -> Vec<(u16, V)> {
        use V::*;
        vec![
            (1024, S(1)),
            (1025, S(1)),
            (1026, A("unknown")),
            (2048, S(32767)),
            (
                2049,
                A("GCS Name = unknown|Datum = Unknown based on GRS80 ellipsoid"),
            ),
            (2050, S(32767)),
            (2054, S(9102)),
            (2056, S(7019)),
            (2057, D(6378137.0)),
            (2059, D(298.257222101)),
            (2061, D(0.0)),
            (3072, S(32767)),
            (3074, S(32767)),
            (3075, S(10)),
            (3076, S(9001)),
            (3082, D(x_0)),
            (3083, D(3210000.0)),
            (3088, D(lon_0)),
            (3089, D(52.0)),
        ]
    }

    #[test]
    fn user_defined_projections_compare_by_their_parameters() {
        use V::*;
        let gdal = keyed(0, &laea(10.0, 4321000.0));
        // the same projection as another writer might put it: GeoTIFF 1.1, no citations, the
        // ellipsoid by its code only, the prime meridian implied, the centre in grads and
        // the false easting in kilometres, with a rounding error
        let other = keyed(
            1,
            &[
                (1024, S(1)),
                (2048, S(32767)),
                (2050, S(32767)),
                (2054, S(9105)),
                (2056, S(7019)),
                (3072, S(32767)),
                (3075, S(10)),
                (3076, S(9036)),
                (3082, D(4321.0 * (1.0 + 1e-13))),
                (3083, D(3210.0)),
                (3088, D(10.0 / 0.9)),
                (3089, D(52.0 / 0.9)),
            ],
        );
        let Crs::UserDefined(u) = gdal.crs() else {
            panic!("{:?}", gdal.crs())
        };
        assert_eq!(u.kind, CrsKind::Projected);
        assert_eq!(u.unit, 1.0);
        assert_eq!(
            u.projection,
            Some(Projection::Method {
                method: 10,
                params: vec![
                    (3082, 4321000.0),
                    (3083, 3210000.0),
                    (3088, 10.0),
                    (3089, 52.0)
                ]
            })
        );
        // the kilometre grid is another unit of coordinates, otherwise the same
        assert_eq!(
            gdal.mismatch(&other).as_deref(),
            Some("coordinate reference systems differ: user-defined CRSs differ in unit (metre vs kilometre)")
        );
        let mut metres = laea(10.0, 4321000.0);
        metres.retain(|(k, _)| ![1026, 2049, 2057, 2059, 2061].contains(k));
        assert_eq!(gdal.mismatch(&keyed(1, &metres)), None);
        let mut other_metres = other.clone();
        let d = other_metres.geo_keys.as_mut().unwrap();
        let at = d.chunks(4).position(|e| e[0] == 3076).unwrap();
        d[4 * at + 3] = 9001;
        let dd = other_metres.geo_doubles.as_mut().unwrap();
        dd[0] *= 1000.0;
        dd[1] *= 1000.0;
        assert_eq!(gdal.mismatch(&other_metres), None);

        // a real difference names the parameter
        let moved = keyed(0, &laea(11.0, 4321000.0));
        assert_eq!(
            gdal.mismatch(&moved).as_deref(),
            Some("coordinate reference systems differ: user-defined CRSs differ in CenterLong (10° vs 11°)")
        );
        let shifted = keyed(0, &laea(10.0, 0.0));
        assert!(gdal
            .mismatch(&shifted)
            .unwrap()
            .contains("FalseEasting (4321000 m vs 0 m)"));
        let mut wgs84 = laea(10.0, 4321000.0);
        wgs84.retain(|(k, _)| ![2056, 2057, 2059].contains(k));
        wgs84.push((2056, S(7030)));
        assert!(gdal
            .mismatch(&keyed(0, &wgs84))
            .unwrap()
            .contains("geodetic datum (ellipsoid a=6378137 m 1/f=298.257222101 vs ellipsoid a=6378137 m 1/f=298.257223563)"));
        // against an EPSG code, both are described
        let epsg = &epsg_flavours(3035)[2];
        assert_eq!(
            gdal.mismatch(epsg).as_deref(),
            Some("coordinate reference systems differ: user-defined projected CRS (Lambert Azimuthal Equal Area FalseEasting=4321000 m, FalseNorthing=3210000 m, CenterLong=10°, CenterLat=52°; ellipsoid a=6378137 m 1/f=298.257222101; metre) vs EPSG:3035")
        );
    }

    #[test]
    fn utm_projection_codes_equal_their_transverse_mercator_parameters() {
        use V::*;
        // gdal_translate -a_srs "+proj=utm +zone=33 +ellps=intl"
        let code = keyed(
            0,
            &[
                (1024, S(1)),
                (2048, S(32767)),
                (2050, S(32767)),
                (2056, S(32767)),
                (2057, D(6378388.0)),
                (2059, D(297.0)),
                (3072, S(32767)),
                (3074, S(16033)),
                (3076, S(9001)),
            ],
        );
        let params = keyed(
            1,
            &[
                (1024, S(1)),
                (2048, S(32767)),
                (2050, S(32767)),
                (2056, S(7022)),
                (3072, S(32767)),
                (3075, S(1)),
                (3080, D(15.0)),
                (3081, D(0.0)),
                (3082, D(500000.0)),
                (3083, D(0.0)),
                (3092, D(0.9996)),
            ],
        );
        assert_eq!(code.mismatch(&params), None);
        let south = keyed(
            1,
            &[
                (1024, S(1)),
                (2048, S(32767)),
                (2050, S(32767)),
                (2056, S(7022)),
                (3072, S(32767)),
                (3074, S(16133)),
            ],
        );
        assert!(code
            .mismatch(&south)
            .unwrap()
            .ends_with("differ in FalseNorthing (0 m vs 10000000 m)"));
    }

    #[test]
    fn unspecified_and_uninterpreted_crs() {
        use V::*;
        let a = &epsg_flavours(32633)[0];
        // no directory, or one without CRS keys, matches anything (as before)
        let mut none = a.clone();
        none.geo_keys = None;
        assert_eq!(none.crs(), Crs::Unspecified);
        assert_eq!(a.mismatch(&none), None);
        let bare = keyed(0, &[(1025, S(1)), (1026, A("nothing")), (4096, S(5773))]);
        assert_eq!(bare.crs(), Crs::Unspecified);
        assert_eq!(a.mismatch(&bare), None);
        // geocentric: compared key by key, less citations, raster type and vertical keys
        let geocentric = keyed(0, &[(1024, S(3)), (1026, A("x")), (2048, S(4978))]);
        let again = keyed(1, &[(1024, S(3)), (2048, S(4978)), (4096, S(5773))]);
        assert_eq!(
            geocentric.crs(),
            Crs::Unknown(vec![(1024, "3".into()), (2048, "4978".into())])
        );
        assert_eq!(geocentric.mismatch(&again), None);
        assert_eq!(
            a.mismatch(&geocentric).as_deref(),
            Some("coordinate reference systems differ: EPSG:32633 vs uninterpreted GeoKeys (1024=3, 2048=4978)")
        );
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
