//! The inputs of a stack-taking command (`climatology`, and every command built on a time
//! stack): a `--manifest` CSV, rasters dated by their file names, and NetCDF/Zarr stacks
//! (`FILE.nc:VAR`, `STORE.zarr`), each expanded into its time steps with the dates of its CF
//! time axis ([`crate::io::cf`]), and the items of a STAC ItemCollection (`--stac`, dated by
//! `properties.datetime`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::cf;
use crate::io::stack::dates::date_of;
use crate::io::stack::manifest::read_manifest_csv;
use crate::io::stack::Date;

/// Every input with its date: the manifest's, a CF stack's time axis, or (when `needs_dates`)
/// the file name's (`pattern`, else the first YYYYMMDD/YYYY-MM-DD).
pub fn collect(
    inputs: &[PathBuf],
    manifest: Option<&Path>,
    pattern: Option<&str>,
    needs_dates: bool,
) -> Result<Vec<(PathBuf, Option<Date>)>> {
    let mut out = Vec::new();
    if let Some(m) = manifest {
        out.extend(read_manifest_csv(m)?.into_iter().map(|(p, d)| (p, Some(d))));
    }
    for p in inputs {
        if let Some(members) = cf::members(p)? {
            log::info!("{}: {} time step(s)", p.display(), members.len());
            out.extend(members.into_iter().map(|(m, d)| (m, Some(d))));
        } else if needs_dates {
            out.push((p.clone(), Some(date_of(p, pattern)?)));
        } else {
            out.push((p.clone(), None));
        }
    }
    Ok(out)
}

/// The date of a single observation named as a CF stack member (`STACK:VAR@YYYY-MM-DD`).
pub fn member_date(path: &Path) -> Option<Date> {
    cf::Spec::parse(path).and_then(|(_, d)| d)
}

/// The items of the ItemCollection `stac` as dated inputs: asset `asset` of each, band `band`.
/// Stacks do not apply STAC calibration: assets that declare a `raster:bands` scale or offset
/// are refused unless `calibrated` (the user gave `--scale`/`--offset`), and so are items that
/// declare different ones.
pub fn from_stac(
    stac: &Path,
    asset: &str,
    band: u16,
    calibrated: bool,
) -> Result<Vec<(PathBuf, Option<Date>)>> {
    use crate::io::products::stac::{load_document, Document};
    let items = match load_document(stac)? {
        Document::Item(i) => vec![i],
        Document::Collection(v) => v,
    };
    let mut out = Vec::with_capacity(items.len());
    let mut declared: Option<(String, (f64, f64))> = None;
    for item in &items {
        let a = item.stack_asset(asset)?;
        if a.band != band {
            return Err(Error::Usage(format!(
                "STAC item {}: asset {asset} is band {} of {}; pass --band {}",
                item.id, a.band, a.href, a.band
            )));
        }
        let date = item
            .datetime
            .as_deref()
            .and_then(|d| Date::parse(d.get(..10)?))
            .ok_or_else(|| {
                Error::input(
                    stac,
                    format!(
                        "STAC item {} has no properties.datetime (YYYY-MM-DD…); a stack needs one per item",
                        item.id
                    ),
                )
            })?;
        let cal = (a.scale.unwrap_or(1.0), a.offset.unwrap_or(0.0));
        match &declared {
            Some((first, c)) if *c != cal => {
                return Err(Error::Mismatch(format!(
                    "STAC items {first} and {} declare different raster:bands calibrations \
                     for {asset} ({} {} and {} {}); one stack takes one calibration",
                    item.id, c.0, c.1, cal.0, cal.1
                )))
            }
            None => declared = Some((item.id.clone(), cal)),
            _ => {}
        }
        out.push((PathBuf::from(a.href), Some(date)));
    }
    if let Some((id, (s, o))) = declared {
        if (s, o) != (1.0, 0.0) && !calibrated {
            return Err(Error::Usage(format!(
                "STAC item {id} (and the others) declare raster:bands scale {s} offset {o} for \
                 {asset}; stacks do not apply STAC calibration: pass --scale {s} --offset {o} \
                 (or --scale 1 to keep the DNs)"
            )));
        }
    }
    log::info!("{}: {} item(s)", stac.display(), out.len());
    Ok(out)
}
