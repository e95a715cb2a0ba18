//! The inputs of a stack-taking command (`climatology`, and every command built on a time
//! stack): a `--manifest` CSV, rasters dated by their file names, and NetCDF/Zarr stacks
//! (`FILE.nc:VAR`, `STORE.zarr`), each expanded into its time steps with the dates of its CF
//! time axis ([`crate::io::cf`]).

use std::path::{Path, PathBuf};

use crate::error::Result;
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
