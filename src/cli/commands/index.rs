//! `climidx index`: arguments → [`IndexJob`] → [`run_index_job`].

use std::path::{Path, PathBuf};

use crate::cli::args::{BandArgs, ExprArgs, IndexArgs, OutputArgs};
use crate::engine::{run_index_job, Backend, IndexJob};
use crate::error::{Error, Result};
use crate::io::geo::parse_nodata;
use crate::io::BandSource;
use crate::kernels::catalogue::Catalog;
use crate::kernels::expr::{BandScope, Program};
use crate::kernels::{self, Role};

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

/// A formula rather than a name: it has an operator, a parenthesis or a space.
fn looks_like_formula(s: &str) -> bool {
    s.chars().any(|c| "()+-*/^<>=, ".contains(c))
}

/// Resolve `names` to indices and their constants: a built-in kernel (the fast path), else a
/// catalogue entry (`catalog` first when given, then the built-in catalogue), else a formula.
/// `consts` override constants by name; each must be used by at least one index.
pub fn resolve(
    names: &[String],
    catalog: Option<&Catalog>,
    consts: &[(String, f64)],
) -> Result<(Vec<kernels::IndexRef>, Vec<kernels::Consts>)> {
    let builtin_catalog = Catalog::builtin();
    let mut descs: Vec<kernels::IndexRef> = Vec::new();
    let mut ks = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for name in names {
        let from_file = catalog.and_then(|c| c.find(name));
        let d: kernels::IndexRef = if let Some(e) = from_file {
            e.compile(consts)?
        } else if let Some(d) = kernels::find(name) {
            if d.family == kernels::Family::Thermal {
                return Err(Error::Usage(format!(
                    "'{}' needs scene calibration constants: use `climidx lst` (see `climidx lst --help`)",
                    d.name
                )));
            }
            d
        } else if let Some(e) = builtin_catalog.find(name) {
            e.compile(consts)?
        } else if looks_like_formula(name) {
            let scope = BandScope::with_asi_defaults(consts);
            let p = Program::compile(name, &scope).map_err(|e| Error::Usage(e.to_string()))?;
            kernels::IndexDesc::from_program(name, "formula", kernels::Family::Expression, p, "")
        } else {
            return Err(Error::Usage(format!(
                "unknown index {name:?}: not a built-in index (`climidx list`), not in the catalogue{}, and not a formula",
                if catalog.is_some() { " file" } else { "" }
            )));
        };
        if let kernels::Eval::Program { program, .. } = &d.cpu {
            used.extend(
                consts
                    .iter()
                    .filter(|(c, _)| program.constants.iter().any(|(n, _)| n == c))
                    .map(|(c, _)| c.as_str()),
            );
        }
        if descs.iter().any(|x| x.name == d.name) {
            return Err(Error::Usage(format!("index {name:?} is given twice")));
        }
        // Built-in kernels take their constants as parameters.
        let mut k = d.default_constants();
        for (c, v) in consts {
            let slot = d.const_slot(c).or_else(|| {
                d.constants
                    .iter()
                    .position(|x| x.name.eq_ignore_ascii_case(c))
            });
            if let Some(slot) = slot {
                k[slot] = *v as f32;
                used.push(c.as_str());
            }
        }
        descs.push(d);
        ks.push(k);
    }
    for (c, _) in consts {
        if !used.contains(&c.as_str()) {
            return Err(Error::Usage(format!(
                "--const {c}: no index given uses a constant named '{c}' (see `climidx show NAME`)"
            )));
        }
    }
    if descs.len() > kernels::MAX_OUTPUTS {
        return Err(Error::Usage(format!(
            "at most {} indices per run",
            kernels::MAX_OUTPUTS
        )));
    }
    Ok((descs, ks))
}

pub fn run(a: &IndexArgs) -> Result<()> {
    let catalog = a.catalog.as_deref().map(Catalog::load).transpose()?;
    let consts = parse_consts(&a.consts)?;
    let (descs, constants) = resolve(&a.indices, catalog.as_ref(), &consts)?;
    let job = band_job(descs, constants, &a.input, &a.output, &a.out, Vec::new())?;
    run_job(&job, &a.device)
}

/// `climidx expr FORMULA`: one compiled formula, constants from the ASI defaults and `--const`.
pub fn run_expr(a: &ExprArgs) -> Result<()> {
    let consts = parse_consts(&a.consts)?;
    let scope = BandScope::with_asi_defaults(&consts);
    let p = Program::compile(&a.formula, &scope).map_err(|e| Error::Usage(e.to_string()))?;
    for (c, _) in &consts {
        if !p.constants.iter().any(|(n, _)| n == c) {
            return Err(Error::Usage(format!(
                "--const {c}: the formula does not use '{c}'"
            )));
        }
    }
    let d =
        kernels::IndexDesc::from_program(&a.name, "formula", kernels::Family::Expression, p, "");
    let meta = vec![("CLIMIDX_EXPRESSION".into(), a.formula.clone())];
    let job = band_job(
        vec![d.clone()],
        vec![d.default_constants()],
        &a.input,
        &a.output,
        &a.out,
        meta,
    )?;
    run_job(&job, &a.device)
}

/// The job of `index` and `expr`: `--band` specs with one calibration for every band.
fn band_job(
    indices: Vec<kernels::IndexRef>,
    constants: Vec<kernels::Consts>,
    input: &BandArgs,
    output: &Path,
    out: &OutputArgs,
    metadata: Vec<(String, String)>,
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
        let preset = crate::io::products::presets::resolve(sensor, scene, &need, input.boa_offset)?;
        bands.extend(preset.bands);
        metadata.extend(preset.metadata);
        quality = preset.quality;
    } else if input.boa_offset.is_some() {
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
    job.scale = input.cal.scale;
    job.offset = input.cal.offset;
    job.nodata = input.cal.nodata;
    Ok(job)
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
                "--mask {spec}: give the file (--mask {spec}:FILE), or use --sensor with a --scene that has one"
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
    indices: Vec<kernels::IndexRef>,
    constants: Vec<kernels::Consts>,
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
        scale: 1.0,
        offset: 0.0,
        nodata: None,
        out_nodata,
        output: output.to_path_buf(),
        overwrite: out.overwrite,
        window_pixels,
        mem_limit: out.mem_limit << 20,
        metadata,
        compression: out.compress,
        tile: out.tile_size,
        stats: out.stats.clone().map(|p| (p, range)),
        quicklook: out.quicklook.clone(),
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

/// Output nodata and window override, shared by the commands that write rasters.
pub fn parse_common(o: &OutputArgs) -> Result<(f64, Option<usize>)> {
    let out_nodata = parse_nodata(&o.out_nodata)
        .ok_or_else(|| Error::Usage(format!("--out-nodata {:?} is not a number", o.out_nodata)))?;
    if o.mem_limit == 0 {
        return Err(Error::Usage("--mem-limit must be at least 1 MiB".into()));
    }
    if o.tile_size % 16 != 0 {
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

/// Validate, open the device, run, log.
pub fn run_job(job: &IndexJob, device: &crate::cli::args::DeviceArgs) -> Result<()> {
    job.validate()?;
    let ctx = super::open_device(device)?;
    let backend = match &ctx {
        Some(c) => Backend::Gpu(c),
        None => Backend::Cpu,
    };
    let report = run_index_job(job, backend, &super::control())?;
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
