//! Arguments → validated configuration: the option groups every command shares (`--band`,
//! `--const`, calibration, output options, masks) parsed and checked into engine jobs. Commands
//! build their job here and stay thin.

use std::path::{Path, PathBuf};

use crate::cli::args::{BandArgs, OutputArgs};
use crate::engine::IndexJob;
use crate::error::{Error, Result};
use crate::io::geo::parse_nodata;
use crate::io::products::needs_band;
use crate::io::products::presets::Sensor;
use crate::io::BandSource;
use crate::kernels::suggest::role_label;
use crate::kernels::{Consts, IndexRef, Role};

/// Parse `ROLE=PATH[:N][@SCALE[,OFFSET]]`. A trailing `:N` is a band number only when N is all
/// digits, and a trailing `@…` a calibration only when it is one or two numbers, so paths with
/// colons or `@` still work. The calibration is this band's alone (`value = DN·SCALE + OFFSET`,
/// OFFSET 0 when left out) and wins over `--scale/--offset` and the file's own.
pub fn parse_band(spec: &str) -> Result<BandSource> {
    let (spec_band, cal) = match spec.rsplit_once('@') {
        Some((b, c)) => match parse_cal(c) {
            Some(sc) => (b, Some(sc)),
            None if c.starts_with(|ch: char| ch.is_ascii_digit() || "+-.".contains(ch)) => {
                return Err(Error::Usage(format!(
                    "--band {spec:?}: calibration {c:?} is not SCALE[,OFFSET] (finite numbers, scale non-zero)"
                )))
            }
            None => (spec, None),
        },
        None => (spec, None),
    };
    let mut b = parse_band_file(spec_band)?;
    if let Some((s, o)) = cal {
        b.scale = Some(s);
        b.offset = Some(o);
    }
    Ok(b)
}

/// `SCALE[,OFFSET]` with a finite non-zero scale and a finite offset.
fn parse_cal(c: &str) -> Option<(f32, f32)> {
    let (s, o) = match c.split_once(',') {
        Some((s, o)) => (s, o),
        None => (c, "0"),
    };
    let s: f32 = s
        .trim()
        .parse()
        .ok()
        .filter(|v: &f32| v.is_finite() && *v != 0.0)?;
    let o: f32 = o.trim().parse().ok().filter(|v: &f32| v.is_finite())?;
    Some((s, o))
}

/// `ROLE=PATH[:N]`.
fn parse_band_file(spec: &str) -> Result<BandSource> {
    let (role, rest) = spec.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "--band {spec:?}: expected ROLE=PATH[:N], e.g. red=scene.tif:3"
        ))
    })?;
    let role = Role::parse(role.trim()).ok_or_else(|| {
        let known: Vec<String> = Role::ALL.iter().map(|r| role_label(*r)).collect();
        let hint = crate::kernels::suggest::role(role.trim())
            .map(|s| format!("; {s}"))
            .unwrap_or_default();
        Error::Usage(format!(
            "--band {spec:?}: unknown role {role:?}{hint}; known roles: {}",
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

/// Parse `NAME=VALUE` constant overrides.
pub fn parse_consts(specs: &[String]) -> Result<Vec<(String, f64)>> {
    specs
        .iter()
        .map(|spec| {
            let (n, v) = spec.split_once('=').ok_or_else(|| {
                Error::Usage(format!("--const {spec:?}: expected NAME=VALUE, e.g. L=0.5"))
            })?;
            let v: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    Error::Usage(format!("--const {spec:?}: {v:?} is not a finite number"))
                })?;
            Ok((n.trim().to_string(), v))
        })
        .collect()
}

/// The job of `index` and `expr`: `--band` specs with one calibration for every band, or the
/// bands of the `--stac` item already read (one item of an ItemCollection).
pub fn band_job_item(
    indices: Vec<IndexRef>,
    constants: Vec<Consts>,
    input: &BandArgs,
    output: &Path,
    out: &OutputArgs,
    metadata: Vec<(String, String)>,
    item: Option<&crate::io::products::stac::Item>,
) -> Result<IndexJob> {
    let mut bands = input
        .bands
        .iter()
        .map(|s| parse_band(s))
        .collect::<Result<Vec<_>>>()?;
    input.cal.check()?;
    let mut metadata = metadata;
    let mut quality = None;
    if let (Some(sensor), Some(scene)) = (input.sensor, &input.scene) {
        // The preset supplies every role no --band gives.
        let given: Vec<Role> = bands.iter().map(|b| b.role).collect();
        let need: Vec<Role> = crate::kernels::registry::roles_used(&indices)
            .into_iter()
            .filter(|r| !given.contains(r))
            .collect();
        let preset = crate::io::products::presets::resolve(sensor, scene, &need, input.boa_offset)
            .map_err(|e| explain_preset(e, sensor, scene, &need, &indices, input.boa_offset))?;
        bands.extend(preset.bands);
        metadata.extend(preset.metadata);
        quality = preset.quality;
    } else if let Some(stac) = &input.stac {
        let given: Vec<Role> = bands.iter().map(|b| b.role).collect();
        let need: Vec<Role> = crate::kernels::registry::roles_used(&indices)
            .into_iter()
            .filter(|r| !given.contains(r))
            .collect();
        let loaded;
        let item = match item {
            Some(i) => i,
            None => {
                loaded = crate::io::products::stac::load(stac)?;
                &loaded
            }
        };
        if let Some(Ok((kind, None))) = input
            .mask
            .as_deref()
            .map(crate::io::products::masks::parse_mask)
        {
            item.check_mask(kind)?;
        }
        let found = item.resolve(&need)?;
        bands.extend(found.bands);
        metadata.extend(found.metadata);
        quality = found.quality;
    }
    if input.boa_offset.is_some() && input.sensor.is_none() {
        return Err(Error::Usage(
            "--boa-offset needs --sensor sentinel2-l2a".into(),
        ));
    }
    if let Some(spec) = &input.mask {
        bands.push(mask_band(spec, &input.mask_select, quality.as_deref())?);
    } else if !input.mask_select.is_empty() {
        return Err(Error::Usage("--mask-select needs --mask".into()));
    }
    let mut job = make_job(indices, constants, bands, output, out, metadata)?;
    job.calibration = input.cal.engine();
    Ok(job)
}

/// A sensor preset could not supply a band: say which index needs it, and the band's name in
/// the product (`ndmi needs the swir1 band (Landsat B6), which the scene has no file or MTL key
/// for: … REFLECTANCE_MULT_BAND_6 is missing`). Problems of the scene as a whole stay as they are.
fn explain_preset(
    e: Error,
    sensor: Sensor,
    scene: &Path,
    need: &[Role],
    indices: &[IndexRef],
    boa_offset: Option<f64>,
) -> Error {
    use crate::io::products::presets::{band_name, resolve};
    if resolve(sensor, scene, &[], boa_offset).is_err() {
        return e;
    }
    let Some((role, e)) = need.iter().find_map(|r| {
        resolve(sensor, scene, &[*r], boa_offset)
            .err()
            .map(|e| (*r, e))
    }) else {
        return e;
    };
    let who: Vec<String> = indices
        .iter()
        .filter(|d| d.roles.contains(&role))
        .map(|d| d.name.to_string())
        .collect();
    let who = match who.as_slice() {
        [] => "the indices".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let verb = if who.contains(" and ") {
        "need"
    } else {
        "needs"
    };
    match (band_name(sensor, scene, role), e) {
        (Some(label), e) => {
            let lacks = if sensor == Sensor::LandsatL1Toa {
                "file or MTL key"
            } else {
                "file"
            };
            needs_band(&format!("{who} {verb}"), role, &label, lacks, e)
        }
        (None, Error::Usage(m)) => {
            Error::Usage(format!("{who} {verb} the {} band: {m}", role.name()))
        }
        (None, e) => e,
    }
}

/// The `mask` band of `--mask SPEC` (`--mask-select` picks bits or classes). `scene_file` is
/// the scene's QA_PIXEL or SCL file when a sensor preset found one.
pub fn mask_band(spec: &str, select: &[String], scene_file: Option<&Path>) -> Result<BandSource> {
    use crate::io::products::masks::{mask_bits, parse_mask};
    let (kind, file) = parse_mask(spec)?;
    let path = match (file, scene_file) {
        (Some(f), _) => PathBuf::from(f),
        (None, Some(p)) => p.to_path_buf(),
        (None, None) => {
            return Err(Error::Usage(format!(
                "--mask {spec}: give the file (--mask {spec}:FILE), or use --sensor with a --scene (or --stac with an item) that has one"
            )))
        }
    };
    let mut b = BandSource::new(Role::Mask, path, 1);
    b.mask = Some(mask_bits(kind, select)?);
    Ok(b)
}

/// An [`IndexJob`] with unit calibration (bands carry their own) from the options every
/// index-writing command shares.
pub fn make_job(
    indices: Vec<IndexRef>,
    constants: Vec<Consts>,
    bands: Vec<BandSource>,
    output: &Path,
    out: &OutputArgs,
    metadata: Vec<(String, String)>,
) -> Result<IndexJob> {
    let (out_nodata, window_pixels) = parse_common(out)?;
    let range = out
        .stats_range
        .as_deref()
        .map(|r| parse_range("--stats-range", r))
        .transpose()?;
    if range.is_some() && out.stats.is_none() {
        return Err(Error::Usage("--stats-range needs --stats FILE.json".into()));
    }
    Ok(IndexJob {
        indices,
        constants,
        bands,
        calibration: Default::default(),
        out_nodata,
        output: output.to_path_buf(),
        overwrite: out.overwrite,
        window_pixels,
        mem_limit: out.mem_limit << 20,
        metadata,
        compression: out.compress,
        tile: out.tile_size,
        pyramid: pyramid(out)?,
        stats: out.stats.clone().map(|p| (p, range)),
        quicklook: out.quicklook.clone(),
        scaled_int16: super::output_type::scaled_int16(out)?,
    })
}

/// Parse `MIN,MAX` (finite, MIN < MAX) for `flag`.
pub fn parse_range(flag: &str, r: &str) -> Result<(f32, f32)> {
    let bad = || Error::Usage(format!("{flag} {r:?}: expected MIN,MAX with MIN < MAX"));
    let (a, b) = r.split_once(',').ok_or_else(bad)?;
    let (a, b): (f32, f32) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if !(a.is_finite() && b.is_finite() && a < b) {
        return Err(bad());
    }
    Ok((a, b))
}

/// The overviews `--cog` / `--overviews` ask for, refusing combinations that cannot be
/// written.
pub fn pyramid(o: &OutputArgs) -> Result<crate::io::Pyramid> {
    use crate::io::{Pyramid, PyramidKind};
    let kind = match (o.cog, o.overviews) {
        (true, _) => PyramidKind::Cog,
        (false, true) => PyramidKind::Internal,
        (false, false) => PyramidKind::None,
    };
    let flag = if o.cog { "--cog" } else { "--overviews" };
    if kind != PyramidKind::None && o.tile_size == 0 {
        return Err(Error::Usage(format!(
            "{flag} needs a tiled output; drop --tile-size 0 (or give e.g. --tile-size 512)"
        )));
    }
    if kind == PyramidKind::None && o.overview_resampling.is_some() {
        return Err(Error::Usage(
            "--overview-resampling needs --cog or --overviews".into(),
        ));
    }
    Ok(Pyramid {
        kind,
        resampling: o.overview_resampling.unwrap_or_default(),
    })
}

/// Output nodata and window override, shared by the commands that write rasters.
pub fn parse_common(o: &OutputArgs) -> Result<(f64, Option<usize>)> {
    let out_nodata = parse_nodata(&o.out_nodata)
        .ok_or_else(|| Error::Usage(format!("--out-nodata {:?} is not a number", o.out_nodata)))?;
    if o.mem_limit == 0 {
        return Err(Error::Usage("--mem-limit must be at least 1 MiB".into()));
    }
    if !o.tile_size.is_multiple_of(16) {
        return Err(Error::Usage(format!(
            "--tile-size {} is not a multiple of 16 (TIFF requires it); 0 writes strips",
            o.tile_size
        )));
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

/// `--smooth` parsed (one-line errors naming the fix).
pub fn smoother(
    a: &crate::cli::args::StackArgs,
) -> Result<Option<crate::kernels::smooth::Smoother>> {
    a.smooth
        .as_deref()
        .map(|s| crate::kernels::smooth::Smoother::parse(s).map_err(Error::Usage))
        .transpose()
}

/// The dated inputs of a stack-taking command (`climatology`, `trend`): the manifest's lines,
/// then RASTER... with dates from their names when `needs_dates` (else undated). The one place
/// stack inputs are collected, so every stack command accepts the same inputs.
pub fn stack_inputs(
    a: &crate::cli::args::StackArgs,
    needs_dates: bool,
    band: u16,
    cal: &crate::cli::args::Calibration,
) -> Result<Vec<(std::path::PathBuf, Option<crate::io::stack::Date>)>> {
    if a.inputs.is_empty() && a.manifest.is_none() && a.stac.is_none() {
        return Err(Error::Usage(
            "no input rasters: give RASTER..., --manifest stack.csv or --stac COLLECTION".into(),
        ));
    }
    if let Some(p) = &a.date_pattern {
        crate::io::stack::dates::check_pattern(p)?;
    }
    let mut out = crate::cli::stack_inputs::collect(
        &a.inputs,
        a.manifest.as_deref(),
        a.date_pattern.as_deref(),
        needs_dates,
    )?;
    if let (Some(stac), Some(asset)) = (&a.stac, &a.asset) {
        let given = cal.scale.is_some() || cal.offset.is_some();
        out.extend(crate::cli::stack_inputs::from_stac(
            stac, asset, band, given,
        )?);
    }
    Ok(out)
}

/// `--rank-kind`: one of scipy's percentileofscore kinds.
pub fn parse_rank_kind(s: &str) -> Result<crate::kernels::rank::RankKind> {
    use crate::kernels::rank::RankKind;
    RankKind::parse(s).ok_or_else(|| {
        let names: Vec<&str> = RankKind::ALL.iter().map(|k| k.name()).collect();
        Error::Usage(format!(
            "--rank-kind {s:?} is not one of {}",
            names.join(", ")
        ))
    })
}

/// `--quantile-method`: one of numpy's method names.
pub fn parse_quantile_method(s: &str) -> Result<crate::kernels::percentile::QuantileMethod> {
    use crate::kernels::percentile::QuantileMethod;
    QuantileMethod::parse(s).ok_or_else(|| {
        let names: Vec<&str> = QuantileMethod::ALL.iter().map(|m| m.name()).collect();
        Error::Usage(format!(
            "--quantile-method {s:?} is not one of {}",
            names.join(", ")
        ))
    })
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
        let b = parse_band("red=B04.tif:1@0.0001,-0.1").unwrap();
        assert_eq!(
            (b.path.to_str().unwrap(), b.band, b.scale, b.offset),
            ("B04.tif", 1, Some(0.0001), Some(-0.1))
        );
        let b = parse_band("nir=B08.tif@0.0001").unwrap();
        assert_eq!((b.band, b.scale, b.offset), (1, Some(0.0001), Some(0.0)));
        let b = parse_band("nir=/data/user@host/B08.tif:2").unwrap();
        assert_eq!(
            (b.path.to_str().unwrap(), b.band, b.scale),
            ("/data/user@host/B08.tif", 2, None)
        );
        assert!(parse_band("nir=B08.tif@0")
            .unwrap_err()
            .to_string()
            .contains("SCALE[,OFFSET]"));
    }
}
