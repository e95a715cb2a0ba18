//! Climate stacks from NetCDF and Zarr, read by CF conventions (CF 1.11).
//!
//! A stack is one variable `VAR(time, y, x)`: `FILE.nc:VAR` (NetCDF-4/HDF5 or NetCDF-3
//! classic), a Zarr group `STORE.zarr` or `STORE.zarr:VAR` (v2 or v3, as xarray writes it),
//! or a bare file/store when it holds exactly one such variable. Each time step is a stack
//! member named `STACK:VAR@YYYY-MM-DD` ([`members`]), which [`crate::io::open`] opens as a
//! raster ([`CfMember`]) — so every job that takes a list of rasters takes a CF stack
//! unchanged. What is decoded:
//!
//! - `time`: `units` (`days|hours|minutes|seconds since …`) and `calendar` to dates
//!   ([`time`]); the axis must increase with one step per date;
//! - the grid: regularly spaced 1-D x/longitude and y/latitude cell centres → the
//!   geotransform, rows read flipped when y increases (outputs are north-up) ([`grid`]);
//! - the CRS: the grid mapping's `crs_wkt`/`spatial_ref` (its EPSG ID), `epsg_code`, CF's
//!   `latitude_longitude` on WGS 84, or WGS 84 for latitude/longitude axes without one;
//! - calibration: `scale_factor`/`add_offset` are the file's declared calibration (so
//!   `--scale/--offset` override them and the provenance records where it came from),
//!   `_FillValue`, `missing_value` and values outside `valid_min`/`valid_max`/`valid_range`
//!   are missing, `units` is the band's unit.
//!
//! Memory: a window read decodes only the chunks that cover it (`netcdf-reader`'s hyperslab
//! reads and `zarrs`' array subsets), and holds the window as f64 (8 B per window pixel) while
//! converting it; no variable is ever read whole (coordinates excepted).

mod grid;
mod member;
mod netcdf;
mod store;
mod time;
mod zarr;

use std::path::{Path, PathBuf};

pub use member::{CfMember, CfStack};
pub use time::Calendar;

use crate::error::Result;
use crate::io::stack::Date;

/// Which reader a stack needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    NetCdf,
    Zarr,
}

/// A CF stack named on the command line: the file or store and the variable, if named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub store: PathBuf,
    pub var: Option<String>,
    pub format: Format,
}

impl Spec {
    /// Recognise `path` as a CF stack (`FILE:VAR`, a Zarr group, a NetCDF file) or one of its
    /// members (`…@YYYY-MM-DD`). A path that exists as a plain file other than NetCDF is not one.
    pub fn parse(path: &Path) -> Option<(Spec, Option<Date>)> {
        let s = path.to_str()?;
        let (base, date) = match s.rsplit_once('@') {
            Some((b, d)) if !path.exists() && Date::parse(d).is_some() => (b, Date::parse(d)),
            _ => (s, None),
        };
        let b = Path::new(base);
        if b.is_dir() && zarr::is_group(b) {
            return Some((
                Spec {
                    store: b.into(),
                    var: None,
                    format: Format::Zarr,
                },
                date,
            ));
        }
        if b.is_file() {
            return netcdf::has_signature(b).then(|| {
                (
                    Spec {
                        store: b.into(),
                        var: None,
                        format: Format::NetCdf,
                    },
                    date,
                )
            });
        }
        let (f, v) = base.rsplit_once(':')?;
        if v.is_empty() || v.contains(['/', '\\']) {
            return None;
        }
        let f = Path::new(f);
        let format = if f.is_dir() && zarr::is_group(f) {
            Format::Zarr
        } else if f.is_file() && netcdf::has_signature(f) {
            Format::NetCdf
        } else {
            return None;
        };
        Some((
            Spec {
                store: f.into(),
                var: Some(v.to_string()),
                format,
            },
            date,
        ))
    }

    fn open_store(&self) -> Result<Box<dyn store::Store>> {
        Ok(match self.format {
            Format::NetCdf => Box::new(netcdf::NetCdf::open(&self.store)?),
            Format::Zarr => Box::new(zarr::Zarr::open(&self.store)?),
        })
    }

    /// The name of the member on `date`.
    pub fn member(&self, var: &str, date: Date) -> PathBuf {
        PathBuf::from(format!("{}:{var}@{date}", self.store.display()))
    }
}

/// The members of the CF stack `path` names, with their dates; `Ok(None)` when `path` is not
/// a CF stack (a GeoTIFF). A member name (`…@DATE`) is itself, after checking it exists.
pub fn members(path: &Path) -> Result<Option<Vec<(PathBuf, Date)>>> {
    let Some((spec, date)) = Spec::parse(path) else {
        return Ok(None);
    };
    let stack = CfStack::open(&spec)?;
    let all = stack
        .dates
        .iter()
        .map(|d| (spec.member(&stack.var, *d), *d));
    Ok(Some(match date {
        Some(d) => {
            CfMember::open(&spec, d, path)?;
            vec![(path.to_path_buf(), d)]
        }
        None => all.collect(),
    }))
}

/// Open the member `path` names; `Ok(None)` when it does not name one.
pub fn open_member(path: &Path) -> Result<Option<CfMember>> {
    match Spec::parse(path) {
        Some((spec, Some(date))) => Ok(Some(CfMember::open(&spec, date, path)?)),
        Some((spec, None)) => {
            let stack = CfStack::open(&spec)?;
            Err(crate::error::Error::input(
                path,
                format!(
                    "is a stack of {} time steps: name one as {}, or pass the stack to a command that takes stacks (climatology)",
                    stack.dates.len(),
                    spec.member(&stack.var, stack.dates[0]).display()
                ),
            ))
        }
        None => Ok(None),
    }
}
