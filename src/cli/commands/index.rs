//! `climidx index`: arguments → [`IndexJob`] → [`run_index_job`].

use std::path::PathBuf;

use crate::cli::args::{IndexArgs, OutputArgs};
use crate::engine::{run_index_job, Backend, BandSource, IndexJob};
use crate::error::{Error, Result};
use crate::indices::{self, Role};
use crate::io::geo::parse_nodata;

/// Parse `ROLE=PATH[:N]`. A trailing `:N` is a band number only when N is all digits, so paths
/// with colons still work.
pub fn parse_band(spec: &str) -> Result<BandSource> {
    let (role, rest) = spec.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "--band {spec:?}: expected ROLE=PATH[:N], e.g. red=scene.tif:3"
        ))
    })?;
    let role = Role::parse(role.trim()).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        Error::Usage(format!(
            "--band {spec:?}: unknown role {role:?}; known roles: {}",
            known.join(", ")
        ))
    })?;
    let (path, band) = match rest.rsplit_once(':') {
        Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            let band: u16 = n.parse().ok().filter(|&b| b >= 1).ok_or_else(|| {
                Error::Usage(format!("--band {spec:?}: band number must be 1 or more"))
            })?;
            (p, band)
        }
        _ => (rest, 1),
    };
    if path.is_empty() {
        return Err(Error::Usage(format!("--band {spec:?}: missing file path")));
    }
    Ok(BandSource::new(role, PathBuf::from(path), band))
}

pub fn run(a: &IndexArgs) -> Result<()> {
    let mut descs = Vec::new();
    for name in &a.indices {
        let d = indices::find(name).ok_or_else(|| {
            Error::Usage(format!(
                "unknown index {name:?}; known: {}",
                indices::names().join(", ")
            ))
        })?;
        if d.family == indices::Family::Thermal {
            return Err(Error::Usage(format!(
                "'{}' needs scene calibration constants: use `climidx lst` (see `climidx lst --help`)",
                d.name
            )));
        }
        if descs.iter().any(|x: &&indices::IndexDesc| x.name == d.name) {
            return Err(Error::Usage(format!("index {name:?} is given twice")));
        }
        descs.push(d);
    }
    if descs.len() > indices::MAX_OUTPUTS {
        return Err(Error::Usage(format!(
            "at most {} indices per run",
            indices::MAX_OUTPUTS
        )));
    }
    let bands = a
        .bands
        .iter()
        .map(|s| parse_band(s))
        .collect::<Result<Vec<_>>>()?;
    if !a.scale.is_finite() || !a.offset.is_finite() || a.scale == 0.0 {
        return Err(Error::Usage(
            "--scale must be finite and non-zero, --offset finite".into(),
        ));
    }
    let (out_nodata, window_pixels) = parse_common(&a.out)?;
    let job = IndexJob {
        constants: descs.iter().map(|d| d.default_constants()).collect(),
        indices: descs,
        bands,
        scale: a.scale,
        offset: a.offset,
        nodata: a.nodata,
        out_nodata,
        output: a.output.clone(),
        overwrite: a.out.overwrite,
        window_pixels,
        mem_limit: a.out.mem_limit << 20,
        metadata: Vec::new(),
    };
    run_job(&job, &a.device)
}

/// Output nodata and window override, shared by the commands that write rasters.
pub fn parse_common(o: &OutputArgs) -> Result<(f64, Option<usize>)> {
    let out_nodata = parse_nodata(&o.out_nodata)
        .ok_or_else(|| Error::Usage(format!("--out-nodata {:?} is not a number", o.out_nodata)))?;
    if o.mem_limit == 0 {
        return Err(Error::Usage("--mem-limit must be at least 1 MiB".into()));
    }
    let window_pixels = match o.window_pixels {
        Some(n) => Some(n),
        None => match std::env::var("CLIMIDX_WINDOW_PIXELS") {
            Ok(s) => Some(s.parse().map_err(|_| {
                Error::Usage(format!("CLIMIDX_WINDOW_PIXELS={s:?} is not a number"))
            })?),
            Err(_) => None,
        },
    };
    Ok((out_nodata, window_pixels))
}

/// Validate, open the device, run, log.
pub fn run_job(job: &IndexJob, device: &crate::cli::args::DeviceArgs) -> Result<()> {
    job.validate()?;
    let ctx = super::open_device(device)?;
    let backend = match &ctx {
        Some(c) => Backend::Gpu(c),
        None => Backend::Cpu,
    };
    let report = run_index_job(job, backend)?;
    log::info!(
        "{} windows of {} rows on {}",
        report.windows,
        report.rows_per_window,
        report.device
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_specs() {
        let b = parse_band("red=scene.tif:3").unwrap();
        assert_eq!(
            (b.role, b.path.to_str().unwrap(), b.band),
            (Role::Red, "scene.tif", 3)
        );
        let b = parse_band("NIR=/data/x:y/B08.tif").unwrap();
        assert_eq!(
            (b.role, b.path.to_str().unwrap(), b.band),
            (Role::Nir, "/data/x:y/B08.tif", 1)
        );
        assert!(parse_band("red")
            .unwrap_err()
            .to_string()
            .contains("ROLE=PATH"));
        assert!(parse_band("purple=a.tif")
            .unwrap_err()
            .to_string()
            .contains("known roles"));
        assert!(parse_band("red=a.tif:0")
            .unwrap_err()
            .to_string()
            .contains("1 or more"));
        assert!(parse_band("red=").is_err());
    }
}
