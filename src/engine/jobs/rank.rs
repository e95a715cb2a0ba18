//! `climidx anomaly --kind percentile-rank`: where an observation falls among every baseline
//! value of its period, 0–100 ([`crate::kernels::rank`], as `scipy.stats.percentileofscore`).
//!
//! A rank needs every baseline value of the pixel, not a summary: the baseline inputs of the
//! period are read again from the paths `climatology.json` records, the same way the
//! climatology read them (its `--scale/--offset/--nodata`, recorded as [`Reading`]; relative
//! paths relative to the folder it ran in), and one series pass ([`super::series`]) reduces the
//! baseline plus the observation (the last member) per pixel. An input that is missing, or
//! whose size or modification time differs from the record, is refused: the rank would no
//! longer be against the baseline the climatology summarised.
//!
//! Memory: that of a series pass of T = baseline inputs + 1 with one output (host
//! `8T + 16` bytes per window pixel, device `4T + 4`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::inputs::{band_params, Calibration, Inputs};
use super::manifest::{Manifest, Reading, StackCalibration, MANIFEST};
use super::plausibility::Plausibility;
use super::series::{run_pass, SeriesPass};
use super::series_inputs::SpillPolicy;
use super::stack::{check_inputs, Checked, InputParams};
use crate::engine::backend::Backend;
use crate::engine::control::Control;
use crate::error::{Error, Result};
use crate::io::files::{backing_path, fingerprint, is_remote, same_file};
use crate::io::geotiff::encode::Compression;
use crate::io::raster::row_windows;
use crate::io::stack::{PeriodGroup, StackInput};
use crate::io::BandSource;
use crate::kernels::rank::RankKind;
use crate::kernels::series::Reducer;
use crate::kernels::vocab::Role;

/// Everything a percentile-rank anomaly needs.
#[derive(Clone, Debug)]
pub struct RankJob {
    /// The period's baseline inputs, paths resolved ([`baseline_of`]).
    pub baseline: PeriodGroup,
    /// How the climatology read them: band, and its recorded calibration (compared).
    pub band: u16,
    pub calibration: Calibration,
    pub recorded: Option<StackCalibration>,
    /// The observation, with how it is read (its own calibration or the recorded one).
    pub observation: BandSource,
    /// The period's folder: its `min.tif`/`max.tif` tell an observation in other units.
    pub folder: PathBuf,
    pub kind: RankKind,
    pub min_count: u32,
    pub output: PathBuf,
    pub out_nodata: f64,
    pub metadata: Vec<(String, String)>,
    pub overwrite: bool,
    pub window_pixels: Option<usize>,
    pub mem_limit: usize,
    /// Where the stack may be re-chunked for the passes that read all its dates per window
    /// ([`super::series_inputs`]).
    pub spill: SpillPolicy,
    pub compression: Compression,
    pub tile: u32,
    pub pyramid: crate::io::Pyramid,
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct RankReport {
    pub width: u32,
    pub height: u32,
    pub baseline: usize,
    pub windows: usize,
    pub rows_per_window: u32,
    pub device: String,
    pub total: Duration,
    pub calibration: StackCalibration,
    /// `value = DN*s + o (source)` of the observation.
    pub observation: String,
}

/// The baseline inputs of period `group` of the climatology in `dir`, paths resolved against
/// the folder the climatology ran in and checked against the record; with how to read them.
pub fn baseline_of(
    manifest: &Manifest,
    dir: &Path,
    group: &PeriodGroup,
) -> Result<(PeriodGroup, Calibration)> {
    let record = dir.join(MANIFEST);
    let Some(Reading {
        scale,
        offset,
        nodata,
        working_dir,
    }) = &manifest.reading
    else {
        return Err(Error::input(
            &record,
            "does not record how its inputs were read (written by an older climidx); run `climidx climatology` again for --kind percentile-rank",
        ));
    };
    let mut inputs = Vec::with_capacity(group.inputs.len());
    for i in &group.inputs {
        let path = if i.path.is_relative() && !is_remote(&i.path) {
            working_dir.join(&i.path)
        } else {
            i.path.clone()
        };
        if !is_remote(&path) && backing_path(&path).is_none() {
            return Err(Error::input(
                &path,
                format!(
                    "baseline input recorded in {} is missing; restore it or rebuild the climatology",
                    record.display()
                ),
            ));
        }
        if let Some(was) = i.fingerprint {
            if fingerprint(&path) != Some(was) {
                return Err(Error::input(
                    &path,
                    format!(
                        "changed since {} recorded it (size or modification time); rebuild the climatology",
                        record.display()
                    ),
                ));
            }
        }
        inputs.push(StackInput { path, ..i.clone() });
    }
    let nodata = match nodata {
        Some(t) => Some(t.parse::<f64>().map_err(|_| {
            Error::input(
                &record,
                format!("reading.nodata {t:?} is not a number; rebuild the climatology"),
            )
        })?),
        None => None,
    };
    let cal = Calibration {
        scale: *scale,
        offset: *offset,
        nodata,
    };
    Ok((
        PeriodGroup {
            key: group.key.clone(),
            inputs,
        },
        cal,
    ))
}

/// Run `job` on `backend`; `ctl` can stop it between windows and receives its progress.
pub fn run_rank(job: &RankJob, backend: Backend<'_>, ctl: &Control) -> Result<RankReport> {
    let t0 = Instant::now();
    if job.min_count < 1 {
        return Err(Error::Usage("--min-count must be at least 1".into()));
    }
    let obs = &job.observation;
    crate::io::files::check_output_path(&job.output, job.overwrite)?;
    if same_file(&obs.path, &job.output)
        || job
            .baseline
            .inputs
            .iter()
            .any(|i| same_file(&i.path, &job.output))
    {
        return Err(Error::output(
            &job.output,
            "is also an input; choose another output",
        ));
    }
    let Checked {
        first, cal, params, ..
    } = check_inputs(
        std::slice::from_ref(&job.baseline),
        job.band,
        job.calibration,
    )?;
    // (When the inputs declared different calibrations the record holds the first input's of
    // the whole stack, not of this period: then each input's own, fingerprinted, is trusted.)
    if let Some(r) = job.recorded.as_ref().filter(|r| r.uniform) {
        if (r.scale, r.offset, &r.unit) != (cal.scale, cal.offset, &cal.unit) {
            return Err(Error::Mismatch(format!(
                "the baseline inputs now read as {} but the climatology recorded {}; rebuild the climatology",
                cal.describe(),
                r.describe()
            )));
        }
    }
    let info = crate::io::open(&obs.path)?.info().clone();
    info.check_band(&obs.path, obs.band)?;
    if (info.width, info.height) != (first.width, first.height) {
        return Err(Error::Mismatch(format!(
            "{} is {}x{} but its baseline is {}x{}; the observation must be on the climatology's grid",
            obs.path.display(),
            info.width,
            info.height,
            first.width,
            first.height
        )));
    }
    if let Some(m) = first.geo.mismatch(&info.geo) {
        return Err(Error::Mismatch(format!(
            "{} is not on its baseline's grid: {m}",
            obs.path.display()
        )));
    }
    warn_if_implausible(obs, &job.folder)?;
    let (bp, nd, from) = band_params(obs, &info, Calibration::default())?;
    let obs_cal = format!(
        "value = DN*{} + {} ({})",
        bp.scale,
        bp.offset,
        from.describe()
    );
    let mut inputs: Vec<(PathBuf, InputParams)> = job
        .baseline
        .inputs
        .iter()
        .map(|i| i.path.clone())
        .zip(params.into_iter().flatten())
        .collect();
    let n = inputs.len();
    inputs.push((obs.path.clone(), (bp, nd)));
    let times = vec![0.0f32; inputs.len()];
    let reducer = Reducer::PercentileRank {
        kind: job.kind,
        min_count: job.min_count,
    };
    let mut metadata = job.metadata.clone();
    metadata.extend([
        (
            "CLIMIDX_PERCENTILE_RANK".to_string(),
            format!(
                "scipy.stats.percentileofscore kind={} over the {n} baseline inputs of {} (min count {}); baseline read as {}, observation as {obs_cal}",
                job.kind.name(),
                period_label(&job.baseline.key),
                job.min_count,
                cal.describe()
            ),
        ),
        (
            "CLIMIDX_VERSION".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
    ]);
    let pass = SeriesPass {
        inputs: &inputs,
        times: &times,
        band: job.band,
        last_band: Some(obs.band),
        smooth: None,
        reducer: &reducer,
        outputs: vec![job.output.clone()],
        first: &first,
        out_nodata: job.out_nodata,
        metadata,
        overwrite: job.overwrite,
        window_pixels: job.window_pixels,
        mem_limit: job.mem_limit,
        compression: job.compression,
        tile: job.tile,
        pyramid: job.pyramid,
        spill: &job.spill,
    };
    let backend = crate::engine::series::fit_backend(backend, &reducer, inputs.len());
    let r = run_pass(&pass, backend, ctl, "percentile rank")?;
    Ok(RankReport {
        width: first.width,
        height: first.height,
        baseline: n,
        windows: r.windows,
        rows_per_window: r.rows_per_window,
        device: backend.describe(),
        total: t0.elapsed(),
        calibration: cal,
        observation: obs_cal,
    })
}

/// `period 07`, or `the whole climatology` when it has no periods.
pub fn period_label(key: &str) -> String {
    if key.is_empty() {
        "the whole climatology".into()
    } else {
        format!("period {key}")
    }
}

/// The plausibility check of the other anomaly kinds ([`super::plausibility`]) on the first
/// rows: an observation far outside its period's min … max at many pixels is most likely in
/// other units, which a rank (then 0 or 100) would not show. Warns; changes nothing.
fn warn_if_implausible(obs: &BandSource, folder: &Path) -> Result<()> {
    let (lo, hi) = (folder.join("min.tif"), folder.join("max.tif"));
    if !lo.is_file() || !hi.is_file() {
        log::warn!(
            "{} lacks min.tif or max.tif: the observation's units are not checked",
            folder.display()
        );
        return Ok(());
    }
    let bands = vec![
        obs.clone(),
        BandSource::new(Role::Min, lo, 1),
        BandSource::new(Role::Max, hi, 1),
    ];
    let needed = [Role::Value, Role::Min, Role::Max];
    let Inputs {
        mut readers,
        grid,
        params,
        layout,
        ..
    } = Inputs::open(&bands, &needed, Calibration::default())?;
    let rows = (16_384 / grid.width.max(1)).clamp(1, grid.height.max(1));
    let Some(w) = row_windows(grid.width, grid.height, rows).next() else {
        return Ok(());
    };
    let mut set = readers.new_set();
    readers.read(w, &mut set)?;
    Plausibility::new(&[]).window(&bands, &params, &Inputs::data(&layout, &set), w.pixels());
    Ok(())
}
