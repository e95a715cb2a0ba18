//! A coordinate reference system by meaning: an EPSG code, or user-defined parameters
//! normalised to metres and degrees, and how two of them differ, in words.

use super::keys::{close, default_unit, method_name, param_info};

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
    pub(super) fn close(&self, other: &Coded) -> bool {
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
