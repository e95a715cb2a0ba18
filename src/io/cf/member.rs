//! One CF variable `VAR(time, y, x)` as a stack ([`CfStack`]: its dates, grid, CRS and
//! calibration) and one time step of it as a raster read window by window ([`CfMember`]).

use std::path::{Path, PathBuf};

use super::grid::{self, Epsg};
use super::store::{Store, VarMeta};
use super::{time, Spec};
use crate::error::{Error, Result};
use crate::io::raster::{RasterInfo, Window};
use crate::io::stack::Date;
use crate::kernels::samples::{DataType, PackedBand, INVALID_F32_BITS};

/// A CF stack, opened and checked.
pub struct CfStack {
    store: Box<dyn Store>,
    pub var: String,
    pub dates: Vec<Date>,
    pub info: RasterInfo,
    /// Rows are stored south to north: read flipped.
    flip: bool,
    /// Raw values that are missing: `_FillValue` and `missing_value`.
    fills: Vec<f64>,
    /// `valid_min`/`valid_max`/`valid_range`: raw values outside are missing.
    valid: (f64, f64),
}

fn input(p: &Path, m: impl std::fmt::Display) -> Error {
    Error::input(p, m)
}

/// The single data variable: 3-D, the first dimension a CF time axis.
fn pick_variable(store: &dyn Store) -> Result<String> {
    let mut found = Vec::new();
    for v in store.variables()? {
        if let Some(m) = store.meta(&v)? {
            if m.dims.len() == 3 && !m.dims.contains(&v) && time_units(store, &m.dims[0])?.is_some()
            {
                found.push(v);
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(input(
            store.path(),
            "holds no variable(time, y, x) with a CF time axis",
        )),
        _ => Err(input(
            store.path(),
            format!(
                "holds several stacks ({}): name one as PATH:VARIABLE",
                found.join(", ")
            ),
        )),
    }
}

/// The `units` of the coordinate variable of dimension `dim`, when it is a CF time axis.
fn time_units(store: &dyn Store, dim: &str) -> Result<Option<(String, VarMeta)>> {
    Ok(store.meta(dim)?.and_then(|m| {
        let u = m.text("units")?.to_string();
        u.to_ascii_lowercase().contains(" since ").then_some((u, m))
    }))
}

/// The CRS of `var`: its grid mapping's `crs_wkt`/`spatial_ref`/`epsg_code`, CF's
/// `latitude_longitude` on WGS 84, or WGS 84 for latitude/longitude axes without a mapping
/// (as GDAL's netCDF driver assumes).
fn crs(store: &dyn Store, meta: &VarMeta, lat_lon: bool) -> Result<Option<Epsg>> {
    let gm = meta
        .text("grid_mapping")
        .and_then(|g| g.split_whitespace().next())
        .map(|g| g.trim_end_matches(':').to_string());
    let Some(name) = gm else {
        return Ok(lat_lon.then_some(Epsg {
            code: 4326,
            geographic: true,
        }));
    };
    let Some(g) = store.meta(&name)? else {
        return Err(input(
            store.path(),
            format!("grid_mapping names {name:?}, which is not a variable"),
        ));
    };
    for key in ["crs_wkt", "spatial_ref"] {
        if let Some(e) = g.text(key).and_then(grid::epsg_of_wkt) {
            return Ok(Some(e));
        }
    }
    if let Some(e) = g.text("epsg_code").and_then(grid::epsg_of_code) {
        return Ok(Some(e));
    }
    let wgs84 = g.num("semi_major_axis").is_none_or(|a| a == 6378137.0)
        && g.num("inverse_flattening")
            .is_none_or(|f| (f - 298.257223563).abs() < 1e-6);
    if g.text("grid_mapping_name") == Some("latitude_longitude") && wgs84 {
        return Ok(Some(Epsg {
            code: 4326,
            geographic: true,
        }));
    }
    Ok(None)
}

impl CfStack {
    pub fn open(spec: &Spec) -> Result<CfStack> {
        let store = spec.open_store()?;
        let p = store.path().to_path_buf();
        let var = match &spec.var {
            Some(v) => v.clone(),
            None => pick_variable(store.as_ref())?,
        };
        let Some(m) = store.meta(&var)? else {
            let names = store.variables()?.join(", ");
            return Err(input(
                &p,
                format!("has no variable {var:?} (variables: {names})"),
            ));
        };
        if m.dims.len() != 3 {
            let dims = m.dims.join(", ");
            return Err(input(
                &p,
                format!("{var}({dims}) is not a stack (no time axis, or extra dimensions): climidx reads VARIABLE(time, y, x); select or squeeze the others first"),
            ));
        }
        let Some((units, tmeta)) = time_units(store.as_ref(), &m.dims[0])? else {
            let dims = m.dims.join(", ");
            return Err(input(
                &p,
                format!("{var}({dims}) has no time axis first: its first dimension needs a coordinate variable with CF time units (`days since …`); transpose to (time, y, x) if time is elsewhere"),
            ));
        };
        let n = m.shape[0];
        if n == 0 {
            return Err(input(&p, format!("{var} has no time steps")));
        }
        let values = store.read(&m.dims[0], &[0], &[n])?;
        let dates = time::decode(&values, &units, tmeta.text("calendar"))
            .map_err(|e| input(&p, format!("{}: {e}", m.dims[0])))?;
        for k in 1..dates.len() {
            if dates[k] == dates[k - 1] {
                return Err(input(
                    &p,
                    format!("time steps {} and {} of {var} both fall on {}: climidx takes one raster per date (aggregate to daily or coarser first, e.g. xarray resample)", k - 1, k, dates[k]),
                ));
            }
            if dates[k] < dates[k - 1] {
                return Err(input(
                    &p,
                    format!("the time axis of {var} is not increasing: step {k} ({}) comes before step {} ({}); sort by time first", dates[k], k - 1, dates[k - 1]),
                ));
            }
        }
        let (h, w) = (m.shape[1], m.shape[2]);
        let coord = |d: &str, len: u64| -> Result<(Vec<f64>, VarMeta)> {
            let cm = store.meta(d)?.ok_or_else(|| {
                input(
                    &p,
                    format!(
                        "dimension {d} of {var} has no coordinate variable: the grid is unknown"
                    ),
                )
            })?;
            Ok((store.read(d, &[0], &[len])?, cm))
        };
        let (y, ym) = coord(&m.dims[1], h)?;
        let (x, xm) = coord(&m.dims[2], w)?;
        let (gt, flip) = grid::transform(&x, &y).map_err(|e| input(&p, e))?;
        let is = |cm: &VarMeta, units: &str, std: &str| {
            cm.text("units").is_some_and(|u| u.starts_with(units))
                || cm.text("standard_name") == Some(std)
        };
        let lat_lon = is(&ym, "degrees_n", "latitude") && is(&xm, "degrees_e", "longitude");
        let epsg = crs(store.as_ref(), &m, lat_lon)?;
        if epsg.is_none() {
            log::warn!(
                "{}: the CRS of {var} is not recognised (no EPSG code in its grid mapping); outputs carry the grid but no CRS",
                p.display()
            );
        }
        let fill = m.num("_FillValue").or(m.format_fill);
        let mut fills: Vec<f64> = fill.into_iter().collect();
        fills.extend(m.nums("missing_value"));
        let range = m.nums("valid_range");
        let valid = (
            m.num("valid_min")
                .or(range.first().copied())
                .unwrap_or(f64::NEG_INFINITY),
            m.num("valid_max")
                .or(range.get(1).copied())
                .unwrap_or(f64::INFINITY),
        );
        let info = RasterInfo {
            width: w as u32,
            height: h as u32,
            bands: 1,
            dtype: DataType::F32,
            block: (
                w as u32,
                m.chunks
                    .as_ref()
                    .and_then(|c| c.get(1).copied())
                    .unwrap_or(1) as u32,
            ),
            nodata: fill.filter(|f| f.is_finite()),
            geo: grid::geo_info(gt, epsg),
            gdal_metadata: metadata(&m),
        };
        Ok(CfStack {
            store,
            var,
            dates,
            info,
            flip,
            fills,
            valid,
        })
    }

    /// Read rows `w` of time step `t` (north-up) into `out` as f32, missing samples invalid.
    fn read(&self, t: usize, w: Window, out: &mut PackedBand) -> Result<()> {
        let h = self.info.height;
        let row0 = if self.flip {
            h - w.row_off - w.height
        } else {
            w.row_off
        };
        let v = self.store.read(
            &self.var,
            &[t as u64, row0 as u64, w.col_off as u64],
            &[1, w.height as u64, w.width as u64],
        )?;
        out.dtype = DataType::F32;
        out.resize(w.pixels());
        let cols = w.width as usize;
        for r in 0..w.height as usize {
            let src = if self.flip {
                w.height as usize - 1 - r
            } else {
                r
            };
            for c in 0..cols {
                let x = v[src * cols + c];
                let bad = !x.is_finite()
                    || self.fills.iter().any(|&f| is_fill(x, f))
                    || x < self.valid.0
                    || x > self.valid.1
                    || (x as f32).is_infinite();
                out.words[r * cols + c] = if bad {
                    INVALID_F32_BITS
                } else {
                    (x as f32).to_bits()
                };
            }
        }
        Ok(())
    }
}

/// `x` is the fill value `f`: equal, or equal as f32 for f32 samples (a float32 variable's
/// `_FillValue` may be written as a double).
fn is_fill(x: f64, f: f64) -> bool {
    x == f || ((x as f32) as f64 == x && x as f32 == f as f32)
}

/// GDAL-style metadata giving the variable's `scale_factor`/`add_offset` and `units`, so that
/// the calibration follows the file as for a GeoTIFF's declared Scale/Offset.
fn metadata(m: &VarMeta) -> Option<String> {
    let mut items = String::new();
    let (s, o) = (m.num("scale_factor"), m.num("add_offset"));
    if s.is_some() || o.is_some() {
        items += &format!(
            "<Item name=\"SCALE\" sample=\"0\" role=\"scale\">{}</Item><Item name=\"OFFSET\" sample=\"0\" role=\"offset\">{}</Item>",
            s.unwrap_or(1.0),
            o.unwrap_or(0.0)
        );
    }
    if let Some(u) = m.text("units").filter(|u| !u.contains(['<', '>', '&'])) {
        items += &format!("<Item name=\"UNITTYPE\" sample=\"0\" role=\"unittype\">{u}</Item>");
    }
    (!items.is_empty()).then(|| format!("<GDALMetadata>{items}</GDALMetadata>"))
}

/// One time step of a CF stack, named `PATH:VARIABLE@YYYY-MM-DD`.
pub struct CfMember {
    stack: CfStack,
    t: usize,
    path: PathBuf,
}

impl CfMember {
    pub fn open(spec: &Spec, date: Date, path: &Path) -> Result<CfMember> {
        let stack = CfStack::open(spec)?;
        let t = stack.dates.iter().position(|d| *d == date).ok_or_else(|| {
            let (a, b) = (stack.dates.first(), stack.dates.last());
            input(
                path,
                format!(
                    "{} has no time step on {date} (it has {} from {} to {})",
                    stack.var,
                    stack.dates.len(),
                    a.map(|d| d.to_string()).unwrap_or_default(),
                    b.map(|d| d.to_string()).unwrap_or_default()
                ),
            )
        })?;
        Ok(CfMember {
            stack,
            t,
            path: path.to_path_buf(),
        })
    }

    pub fn info(&self) -> &RasterInfo {
        &self.stack.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read_window(&mut self, w: Window, bands: &[u16], out: &mut [PackedBand]) -> Result<()> {
        if bands != [0] || out.len() != 1 {
            return Err(Error::Internal("a CF stack member has one band".into()));
        }
        self.stack.read(self.t, w, &mut out[0])
    }
}
