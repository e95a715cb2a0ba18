//! Reading the GeoKey directory: the key numbers, the unit, ellipsoid and method tables, and
//! [`GeoInfo::crs`], which interprets the keys as a [`Crs`].

use super::crs::{Coded, Crs, CrsKind, Ellipsoid, Geodetic, Projection, UserCrs};
use super::GeoInfo;

/// GeoKey numbers (OGC GeoTIFF 1.1, §7 and Annex; libgeotiff `geokeys.inc`), with the 1.0 names.
pub(super) mod key {
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
pub(super) const USER_DEFINED: u16 = 32767;
/// EPSG prime meridian 8901, Greenwich.
pub(super) const GREENWICH: u16 = 8901;

/// True for the geokeys that take part in the CRS: the model type, the geodetic and the
/// projected keys, less the citations (1026, 2049, 3073). The raster type (1025) is compared
/// on its own by [`GeoInfo::mismatch`]; the vertical keys (4096–4099) and the coordinate epoch
/// (5120) are ignored.
pub(super) fn is_crs_key(k: u16) -> bool {
    k == key::MODEL_TYPE
        || ((key::GEODETIC_CRS..=key::GEOG_TOWGS84).contains(&k) && k != key::GEODETIC_CITATION)
        || ((key::PROJECTED_CRS..=key::PROJ_RECTIFIED_GRID_ANGLE).contains(&k)
            && k != key::PROJECTED_CITATION)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ParamKind {
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
    pub(super) fn default(self) -> f64 {
        if self == ParamKind::Scale {
            1.0
        } else {
            0.0
        }
    }

    pub(super) fn suffix(self) -> &'static str {
        match self {
            ParamKind::Angle | ParamKind::Azimuth => "°",
            ParamKind::Length => " m",
            ParamKind::Scale => "",
        }
    }
}

/// The projection parameter keys 3078–3096 (GeoDoubleParams), their names less `Proj` and
/// `GeoKey`, and their units.
pub(super) const PROJ_PARAMS: [(u16, &str, ParamKind); 19] = [
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

pub(super) fn param_info(k: u16) -> (&'static str, ParamKind) {
    PROJ_PARAMS
        .iter()
        .find(|p| p.0 == k)
        .map_or(("?", ParamKind::Scale), |p| (p.1, p.2))
}

/// Two doubles equal up to a relative 1e-9 (absolute 1e-9 near zero): far below any
/// meaningful difference in a CRS parameter, far above the rounding of unit conversions.
pub(super) fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Metres per unit for the EPSG linear units climidx knows.
pub(super) fn linear_unit_metres(code: u16) -> Option<f64> {
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
pub(super) fn angular_unit_degrees(code: u16) -> Option<f64> {
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
pub(super) fn default_unit(code: u16, kind: CrsKind) -> Option<f64> {
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
pub(super) fn ellipsoid_axes(code: u16) -> Option<(f64, f64)> {
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
pub(super) fn utm(zone: u16, south: bool) -> Projection {
    let mut params = vec![(3080, -183.0 + 6.0 * zone as f64), (3082, 500000.0)];
    if south {
        params.push((3083, 10_000_000.0));
    }
    params.push((3092, 0.9996));
    Projection::Method { method: 1, params }
}

pub(super) fn method_name(m: u16) -> Option<&'static str> {
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

impl GeoInfo {
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
}
