//! `climidx anomaly` and `climidx vhi`: indices of the anomaly family, with their bands taken
//! from a climatology folder.

use crate::cli::args::{AnomalyArgs, AnomalyKind, VhiArgs};
use crate::cli::report::Done;
use crate::cli::usage::check_raster_outputs;
use crate::engine::jobs::climatology::Manifest;
use crate::error::{Error, Result};
use crate::io::stack::dates::{check_pattern, date_of, Date};
use crate::io::BandSource;
use crate::kernels::{self, Role};

/// The index of an anomaly kind (none for percentile-rank, a series pass of its own).
fn index_name(k: AnomalyKind) -> Option<&'static str> {
    match k {
        AnomalyKind::Diff => Some("diff"),
        AnomalyKind::Zscore => Some("zscore"),
        AnomalyKind::Percent => Some("percent"),
        AnomalyKind::Vci => Some("vci"),
        AnomalyKind::Tci => Some("tci"),
        AnomalyKind::PercentileRank => None,
    }
}

pub fn run(a: &AnomalyArgs) -> Result<Done> {
    check_raster_outputs(&a.output, &a.out)?;
    a.cal.check()?;
    if !matches!(a.kind, AnomalyKind::PercentileRank)
        && (a.rank_kind.is_some()
            || a.min_count.is_some()
            || a.spill.spill_dir.is_some()
            || a.spill.no_spill)
    {
        return Err(Error::Usage(
            "--rank-kind, --min-count, --spill-dir and --no-spill apply to --kind percentile-rank only (the other kinds take the climatology's statistics as they are)".into(),
        ));
    }
    let manifest = Manifest::load(&a.climatology)?;
    if let Some(s) = &manifest.smooth {
        log::warn!(
            "{} was computed from inputs smoothed with --smooth {s}; {} is used as given (smooth it the same way for a like-for-like anomaly, README: Temporal smoothing)",
            a.climatology.display(),
            a.input.display()
        );
    }
    let date = match &a.date {
        Some(s) => Some(
            Date::parse(s)
                .ok_or_else(|| Error::Usage(format!("--date {s:?}: expected YYYY-MM-DD")))?,
        ),
        None if manifest.period.is_some()
            && crate::cli::stack_inputs::member_date(&a.input).is_some() =>
        {
            crate::cli::stack_inputs::member_date(&a.input)
        }
        None if manifest.period.is_some() => {
            let pattern = a
                .date_pattern
                .as_deref()
                .or(manifest.date_pattern.as_deref());
            if let Some(p) = pattern {
                check_pattern(p)?;
            }
            Some(date_of(&a.input, pattern)?)
        }
        None => None,
    };
    let Some(name) = index_name(a.kind) else {
        return super::anomaly_rank::run(a, &manifest, date);
    };
    let folder = manifest.folder_for(&a.climatology, date)?;
    let d = kernels::find(name).expect("anomaly kinds are registered");
    let mut bands = Vec::new();
    for r in d.roles.iter() {
        let b = if *r == Role::Value {
            observation(a, &manifest, date)?
        } else {
            let p = folder.join(format!("{}.tif", r.name()));
            if !p.is_file() {
                return Err(Error::input(&p, "missing from the climatology folder"));
            }
            BandSource::new(*r, p, 1)
        };
        bands.push(b);
    }
    let mut metadata = vec![(
        "CLIMIDX_CLIMATOLOGY".to_string(),
        folder.display().to_string(),
    )];
    if let Some(d) = date {
        metadata.push(("CLIMIDX_DATE".to_string(), d.to_string()));
    }
    let job = crate::cli::config::make_job(
        vec![d.clone()],
        vec![d.default_constants()],
        bands,
        &a.output,
        &a.out,
        metadata,
    )?;
    super::run_and_report("anomaly", &job, &a.device, a.out.json)
}

/// The observation band, read as its climatology's inputs were unless told otherwise:
/// `--scale/--offset` when given, else the file's declared Scale/Offset, else the calibration
/// the climatology recorded. Units that differ, and an observation that is one of the
/// climatology's own inputs, are said.
pub(super) fn observation(
    a: &AnomalyArgs,
    manifest: &Manifest,
    date: Option<Date>,
) -> Result<BandSource> {
    let mut b = BandSource::new(Role::Value, a.input.clone(), a.band);
    b.force_nodata = a.cal.nodata;
    b.scale = a.cal.scale;
    b.offset = a.cal.offset;
    let info = crate::io::open(&a.input)?.info().clone();
    info.check_band(&a.input, a.band)?;
    let declared = info
        .band_calibration(a.band as usize - 1)
        .map_err(|m| Error::input(&a.input, m))?;
    let unit = info.band_unit(a.band as usize - 1);
    if let Some(c) = &manifest.calibration {
        if let (Some(u), Some(v)) = (&unit, &c.unit) {
            if u != v {
                return Err(Error::Mismatch(format!(
                    "{} is in {u} but the climatology in {} is in {v}; convert one of them first",
                    a.input.display(),
                    a.climatology.display()
                )));
            }
        }
        b.fallback = Some((c.scale, c.offset));
    } else if a.cal.scale.is_none() && a.cal.offset.is_none() && declared.is_none() {
        log::warn!(
            "the climatology in {} does not record how its inputs were calibrated (written by an older climidx); pass --scale/--offset as for the climatology",
            a.climatology.display()
        );
    }
    let inside = manifest.groups.iter().flat_map(|g| &g.inputs).find(|i| {
        crate::io::files::same_file(&i.path, &a.input)
            || date.is_some_and(|d| i.date.as_deref() == Some(&d.to_string()))
    });
    if let Some(i) = inside {
        log::warn!(
            "{} is inside its own baseline: the climatology in {} includes {}{}; the anomaly is biased toward normal (build the climatology with --baseline years that exclude it)",
            a.input.display(),
            a.climatology.display(),
            i.path.display(),
            i.date.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
        );
    }
    Ok(b)
}

pub fn run_vhi(a: &VhiArgs) -> Result<Done> {
    check_raster_outputs(&a.output, &a.out)?;
    if !(0.0..=1.0).contains(&a.weight) {
        return Err(Error::Usage("--weight must be between 0 and 1".into()));
    }
    let d = kernels::find("vhi").expect("vhi is registered");
    let mut k = d.default_constants();
    k[d.const_slot("A").expect("vhi has A")] = a.weight;
    let bands = vec![
        BandSource::new(Role::Vci, a.vci.clone(), 1),
        BandSource::new(Role::Tci, a.tci.clone(), 1),
    ];
    let job = crate::cli::config::make_job(vec![d], vec![k], bands, &a.output, &a.out, Vec::new())?;
    super::run_and_report("vhi", &job, &a.device, a.out.json)
}
