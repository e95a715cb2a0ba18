//! `climidx climatology`: per-pixel count, mean, std, min and max over a stack of rasters,
//! streamed window by window and file by file.
//!
//! Memory is bounded by the window, not by the number of inputs: per window pixel the host
//! holds the state (20 B on the CPU path), two sets of the five outputs (40 B: one is written
//! while the next window accumulates) and two input buffers (≤ 8 B together); the device holds
//! the state/outputs (20 B), one input (4 B) and, on hardware GPUs, a readback copy (20 B).
//! Inputs are opened one at a time (a reader thread reads the next input while the current one
//! is accumulated), so thousands of inputs cost no more memory than two.
//!
//! Each statistic is streamed into its own GeoTIFF under a temporary name; a period's five files
//! are moved into place together when the period is done, and `climatology.json` — which
//! `climidx anomaly` requires — is written last. An interrupted run therefore leaves no
//! climatology that `anomaly` would accept.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::inputs::Calibration;
pub use super::manifest::{Manifest, StackCalibration, MANIFEST};
use super::series::{run_pass, SeriesPass};
use super::series_inputs::SpillPolicy;
use super::stack::{check_inputs, Checked, InputParams};
use crate::engine::accumulator::Accumulator;
use crate::engine::backend::Backend;
use crate::engine::control::Control;
use crate::engine::pipeline;
use crate::engine::plan::{stack_rows_for, with_retry};
use crate::error::{Error, Result};
use crate::io::files::same_file;
use crate::io::geotiff::encode::Compression;
use crate::io::raster::{row_windows, RasterInfo, Window};
use crate::io::sink::{SampleKind, SinkOptions};
use crate::io::stack::{Period, PeriodGroup};
use crate::kernels::climatology::{self as stats, STATS};
use crate::kernels::percentile::QuantileMethod;
use crate::kernels::samples::{DataType, PackedBand};
use crate::kernels::series::{Reducer, MAX_SERIES_OUTPUTS};

/// Everything `climidx climatology` needs.
#[derive(Clone, Debug)]
pub struct ClimatologyJob {
    pub groups: Vec<PeriodGroup>,
    pub period: Option<Period>,
    pub baseline: Option<(i32, i32)>,
    /// Pattern the dates were parsed with (recorded for `anomaly`).
    pub date_pattern: Option<String>,
    /// 1-based band of every input.
    pub band: u16,
    /// value = DN·scale + offset and the nodata override for every input (see
    /// [`Calibration`]). The statistics are in the calibrated unit.
    pub calibration: Calibration,
    pub min_count: u32,
    /// Percentiles (0–100) to write as `p{P}.tif` per period, and how ([`super::percentiles`]).
    pub percentiles: Vec<f32>,
    pub quantile_method: QuantileMethod,
    /// Temporal smoothing of each pixel's series (the whole stack, in date order) before the
    /// statistics (`--smooth`, [`super::climatology_smooth`]).
    pub smooth: Option<crate::kernels::smooth::Smoother>,
    pub ddof: u32,
    pub out_dir: PathBuf,
    pub out_nodata: f64,
    pub overwrite: bool,
    pub window_pixels: Option<usize>,
    pub mem_limit: usize,
    /// Where the stack may be re-chunked for the passes that read all its dates per window
    /// ([`super::series_inputs`]).
    pub spill: SpillPolicy,
    /// Output block compression and tile size (0: strips).
    pub compression: Compression,
    pub tile: u32,
    /// Overviews (internal or COG) of the outputs.
    pub pyramid: crate::io::Pyramid,
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct ClimatologyReport {
    pub width: u32,
    pub height: u32,
    pub inputs: usize,
    pub windows: usize,
    pub rows_per_window: u32,
    pub device: String,
    pub total: Duration,
    /// How the inputs were read (as recorded in `climatology.json`).
    pub calibration: StackCalibration,
}

impl ClimatologyReport {
    /// Pixels × inputs per second, in millions.
    pub fn mpix_years_per_s(&self) -> f64 {
        self.width as f64 * self.height as f64 * self.inputs as f64 / self.total.as_secs_f64() / 1e6
    }
}

/// Host bytes per window pixel (see the module docs).
const HOST_BYTES_PER_PX: usize = 20 + 2 * 20 + 8;
/// Device bytes in the largest binding per pixel: the five state regions.
const STATE_BYTES_PER_PX: u64 = 20;

impl ClimatologyJob {
    fn output_path(&self, key: &str, stat: &str) -> PathBuf {
        self.out_dir.join(key).join(format!("{stat}.tif"))
    }

    /// Checks that need no device: options, inputs present, outputs free.
    pub fn validate(&self) -> Result<()> {
        if self.groups.iter().all(|g| g.inputs.is_empty()) {
            return Err(Error::Usage(
                "no input rasters (after the --baseline filter)".into(),
            ));
        }
        if self.min_count < 1 {
            return Err(Error::Usage("--min-count must be at least 1".into()));
        }
        if self.ddof > 1 {
            return Err(Error::Usage(
                "--ddof must be 0 (population) or 1 (sample)".into(),
            ));
        }
        if self.out_dir.is_file() {
            return Err(Error::output(
                &self.out_dir,
                "is a file; -o takes a folder for a climatology",
            ));
        }
        validate_percentiles(self)?;
        if self.smooth.is_some() && !self.percentiles.is_empty() {
            return Err(Error::Usage(
                "--smooth with --percentiles is not supported yet; run the percentiles without --smooth".into(),
            ));
        }
        if let Some(s) = &self.smooth {
            let n = self.groups.iter().map(|g| g.inputs.len()).sum();
            s.check_len(n).map_err(Error::Usage)?;
        }
        for g in &self.groups {
            let pct = pct_paths(self, &g.key);
            for out in STATS.iter().map(|s| self.output_path(&g.key, s)).chain(pct) {
                if out.exists() && !self.overwrite {
                    return Err(Error::output(
                        &out,
                        "already exists; pass --overwrite to replace it",
                    ));
                }
                if g.inputs.iter().any(|i| same_file(&i.path, &out)) {
                    return Err(Error::output(
                        &out,
                        "is also an input; choose another output folder",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Run `job` on `backend`. `ctl` can stop it between steps and receives its progress in
/// inputs × windows.
pub fn run_climatology(
    job: &ClimatologyJob,
    backend: Backend<'_>,
    ctl: &Control,
) -> Result<ClimatologyReport> {
    let t0 = Instant::now();
    job.validate()?;
    let Checked {
        first,
        inputs: n_inputs,
        cal,
        params,
    } = check_inputs(&job.groups, job.band, job.calibration)?;
    log::info!("inputs read as {}", cal.describe());
    if let Some(s) = &job.smooth {
        let (windows, rows) =
            super::climatology_smooth::run_smoothed(job, s, &first, &cal, &params, backend, ctl)?;
        Manifest::of(job, &first, &cal).write(&job.out_dir)?;
        return Ok(ClimatologyReport {
            width: first.width,
            height: first.height,
            inputs: n_inputs,
            windows,
            rows_per_window: rows,
            device: crate::engine::smooth::fit_backend(backend, s, n_inputs).describe(),
            total: t0.elapsed(),
            calibration: cal,
        });
    }

    // Window plan: host budget, and the state regions in one device binding.
    let mut cap = job.mem_limit / HOST_BYTES_PER_PX;
    if let Backend::Gpu(ctx) = backend {
        let bind = ctx.max_binding_bytes().saturating_sub(256 * 6);
        cap = cap.min((bind / STATE_BYTES_PER_PX) as usize);
    }
    if let Some(w) = job.window_pixels {
        cap = cap.min(w.max(1));
    }
    let mut rows = stack_rows_for(cap, first.width, first.height, first.block.1);
    let k = [job.min_count as f32, job.ddof as f32];
    let out_nodata_bits = (job.out_nodata as f32).to_bits();
    let mut acc = with_retry(&mut rows, first.width, |capacity| {
        Accumulator::new(backend, capacity, out_nodata_bits, k)
    })?;
    let windows: Vec<Window> = row_windows(first.width, first.height, rows).collect();
    log::info!(
        "climatology plan: {} input(s) in {} period(s), {}x{} px, {} window(s) of {} rows, device: {}",
        n_inputs,
        job.groups.len(),
        first.width,
        first.height,
        windows.len(),
        rows,
        backend.describe()
    );
    if job.overwrite {
        let _ = std::fs::remove_file(job.out_dir.join(MANIFEST));
    }
    ctl.progress
        .start((n_inputs * windows.len()) as u64, "climatology");
    for (g, params) in job.groups.iter().zip(&params) {
        if !g.inputs.is_empty() {
            run_group(
                job,
                g,
                params,
                &first,
                &cal,
                &windows,
                &mut acc,
                k,
                out_nodata_bits,
                ctl,
            )?;
        }
    }
    ctl.progress.finish();
    for (g, params) in job.groups.iter().zip(&params) {
        if !g.inputs.is_empty() {
            run_group_percentiles(job, g, params, &first, &cal, backend, ctl)?;
        }
    }
    Manifest::of(job, &first, &cal).write(&job.out_dir)?;
    let report = ClimatologyReport {
        width: first.width,
        height: first.height,
        inputs: n_inputs,
        windows: windows.len(),
        rows_per_window: rows,
        device: backend.describe(),
        total: t0.elapsed(),
        calibration: cal,
    };
    log::info!(
        "climatology done in {:.3} s: {:.1} Mpix·inputs/s",
        report.total.as_secs_f64(),
        report.mpix_years_per_s()
    );
    Ok(report)
}

/// One period: every window of every input through the pipeline (step = window × input), the
/// window's statistics written after its last input.
#[allow(clippy::too_many_arguments)]
fn run_group(
    job: &ClimatologyJob,
    g: &PeriodGroup,
    params: &[InputParams],
    first: &RasterInfo,
    cal: &StackCalibration,
    windows: &[Window],
    acc: &mut Accumulator<'_>,
    k: [f32; 2],
    out_nodata_bits: u32,
    ctl: &Control,
) -> Result<()> {
    let mut sinks = group_sinks(job, g, first, cal)?;
    let max_px = windows.iter().map(Window::pixels).max().unwrap_or(0);
    let band = job.band - 1;
    let n = g.inputs.len();
    let new_in = || PackedBand::new(DataType::F32);
    let new_out = || vec![vec![0u32; max_px]; STATS.len()];
    pipeline::run(
        windows.len() * n,
        [new_in(), new_in()],
        [new_out(), new_out()],
        &ctl.cancel,
        |step, buf| {
            let (w, inp, (bp, nd)) = (windows[step / n], &g.inputs[step % n], params[step % n]);
            let mut r = crate::io::open(&inp.path)?;
            if r.info().dtype.shader_code() != bp.dtype {
                return Err(Error::input(
                    &inp.path,
                    "changed while the climatology was read",
                ));
            }
            r.read_window(w, &[band], &[nd], std::slice::from_mut(buf))
        },
        |step, buf, outs| {
            let w = windows[step / n];
            let pixels = w.pixels();
            if step % n == 0 {
                acc.reset(pixels);
            }
            acc.add(params[step % n].0, &buf.words, pixels)?;
            ctl.progress.advance(1);
            if step % n + 1 < n {
                return Ok(None);
            }
            acc.finish(pixels, k, out_nodata_bits, outs)?;
            Ok(Some(w))
        },
        |w, outs| {
            for (sink, o) in sinks.iter_mut().zip(outs.iter()) {
                sink.write_window(w, &[&o[..w.pixels()]])?;
            }
            Ok(())
        },
    )?;
    // All five statistics are complete: move them into place.
    for s in sinks {
        s.finish()?;
    }
    Ok(())
}

/// The five statistic files of period `g`, created under temporary names (in their folder).
pub(super) fn group_sinks(
    job: &ClimatologyJob,
    g: &PeriodGroup,
    first: &RasterInfo,
    cal: &StackCalibration,
) -> Result<Vec<Box<dyn crate::io::sink::RasterSink>>> {
    let dir = job.out_dir.join(&g.key);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::output(&dir, format!("cannot create folder: {e}")))?;
    let metadata = super::provenance::climatology_metadata(job, g, cal);
    let mut sinks = Vec::new();
    for s in STATS {
        sinks.push(crate::io::create(
            &job.output_path(&g.key, s),
            first.width,
            first.height,
            1,
            &first.geo,
            SinkOptions {
                nodata: job.out_nodata,
                descriptions: vec![s.to_string()],
                units: Vec::new(),
                metadata: metadata.clone(),
                overwrite: job.overwrite,
                sample: if s == STATS[stats::COUNT] {
                    SampleKind::U32
                } else {
                    SampleKind::F32
                },
                compression: job.compression,
                tile: job.tile,
                pyramid: job.pyramid,
                bigtiff: None,
                quantize: None,
            },
        )?);
    }
    Ok(sinks)
}

/// The percentile reducer of `job` (none when no percentile was asked for).
fn pct_reducer(job: &ClimatologyJob) -> Option<Reducer> {
    (!job.percentiles.is_empty()).then(|| Reducer::Percentiles {
        q: job.percentiles.clone(),
        method: job.quantile_method,
        min_count: job.min_count,
    })
}

/// The percentile files of period `key`.
fn pct_paths(job: &ClimatologyJob, key: &str) -> Vec<PathBuf> {
    pct_reducer(job).map_or_else(Vec::new, |r| {
        r.outputs()
            .iter()
            .map(|s| job.out_dir.join(key).join(format!("{s}.tif")))
            .collect()
    })
}

/// Checks of `--percentiles` that need no device.
fn validate_percentiles(job: &ClimatologyJob) -> Result<()> {
    if job.percentiles.len() > MAX_SERIES_OUTPUTS {
        return Err(Error::Usage(format!(
            "at most {MAX_SERIES_OUTPUTS} percentiles per run"
        )));
    }
    for (i, p) in job.percentiles.iter().enumerate() {
        if !(0.0..=100.0).contains(p) {
            return Err(Error::Usage(format!("--percentiles {p} is outside 0-100")));
        }
        if job.percentiles[..i].contains(p) {
            return Err(Error::Usage(format!("--percentiles lists {p} twice")));
        }
    }
    Ok(())
}

/// Write the percentiles of period `g` (`p{P}.tif` beside its statistics): one series pass
/// over the period's inputs, since exact percentiles need every value of a pixel (its inputs read with `params`).
fn run_group_percentiles(
    job: &ClimatologyJob,
    g: &PeriodGroup,
    params: &[InputParams],
    first: &RasterInfo,
    cal: &StackCalibration,
    backend: Backend<'_>,
    ctl: &Control,
) -> Result<()> {
    let Some(red) = pct_reducer(job) else {
        return Ok(());
    };
    let inputs: Vec<_> = g
        .inputs
        .iter()
        .map(|i| i.path.clone())
        .zip(params.iter().copied())
        .collect();
    let times = vec![0.0f32; inputs.len()];
    let mut metadata = super::provenance::climatology_metadata(job, g, cal);
    metadata.push((
        "CLIMIDX_QUANTILE_METHOD".to_string(),
        format!("numpy {}", job.quantile_method.name()),
    ));
    let pass = SeriesPass {
        inputs: &inputs,
        times: &times,
        band: job.band,
        last_band: None,
        reducer: &red,
        smooth: None,
        outputs: pct_paths(job, &g.key),
        first,
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
    run_pass(&pass, backend, ctl, "percentiles")?;
    Ok(())
}
