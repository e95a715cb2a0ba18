//! `climidx index` and everything built on it (`expr`, `lst`, `anomaly`, `vhi`): open the
//! input bands ([`super::inputs`]), plan the windows, and stream them through the pipeline
//! into one multi-band output, with statistics and a quicklook when asked.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use super::inputs::Calibration;
use super::inputs::Inputs;
use super::{plausibility, provenance};
use crate::engine::backend::{Backend, Processor};
use crate::engine::control::Control;
use crate::engine::plan::{rows_for, window_capacity, with_retry};
use crate::engine::{pipeline, summary};
use crate::error::{Error, Result};
use crate::io::files::same_file;
use crate::io::geotiff::encode::Compression;
use crate::io::geotiff::quantize::Quantize;
use crate::io::raster::row_windows;
use crate::io::{BandSource, SinkOptions};
use crate::kernels::abi::{fetch, masked};
use crate::kernels::stats::Partial;
use crate::kernels::{Consts, IndexRef, Role};

/// Everything `climidx index` needs.
#[derive(Clone, Debug)]
pub struct IndexJob {
    pub indices: Vec<IndexRef>,
    pub constants: Vec<Consts>,
    pub bands: Vec<BandSource>,
    /// `value = DN·scale + offset` and the nodata override for every band that does not carry
    /// its own (see [`Calibration`]).
    pub calibration: Calibration,
    pub out_nodata: f64,
    pub output: PathBuf,
    pub overwrite: bool,
    /// Force windows of at most this many pixels (tests, tuning).
    pub window_pixels: Option<usize>,
    /// Host memory budget for window buffers, bytes.
    pub mem_limit: usize,
    /// More GDAL_METADATA items (units, method, scene) for the output.
    pub metadata: Vec<(String, String)>,
    /// Output block compression and tile size (0: strips).
    pub compression: Compression,
    pub tile: u32,
    /// Overviews (internal or COG) of the outputs.
    pub pyramid: crate::io::Pyramid,
    /// Write per-output statistics here (JSON), with this histogram range for every output
    /// (default: each index's typical range).
    pub stats: Option<(PathBuf, Option<(f32, f32)>)>,
    /// Render a PNG quicklook of the first output here when the run is done.
    pub quicklook: Option<PathBuf>,
    /// Store the outputs as int16 `round((v − offset) / scale)`: (scale, offset), with GDAL's
    /// band scale/offset ([`crate::io::geotiff::quantize`]); `None` stores float32.
    pub scaled_int16: Option<(f64, f64)>,
}

impl IndexJob {
    /// Checks that need no file or device: every role once, every needed role given, the
    /// output neither an input nor an existing file (without `overwrite`).
    pub fn validate(&self) -> Result<()> {
        if self.indices.is_empty() {
            return Err(Error::Usage("no index given".into()));
        }
        // Roles: each once, and every role an index needs must be given.
        let mut by_role: HashMap<Role, &BandSource> = HashMap::new();
        for b in &self.bands {
            if by_role.insert(b.role, b).is_some() {
                return Err(Error::Usage(format!(
                    "band role '{}' is given twice",
                    b.role.name()
                )));
            }
        }
        for d in &self.indices {
            for r in d.roles.iter() {
                if !by_role.contains_key(r) {
                    return Err(Error::Usage(format!(
                        "index '{}' needs the '{}' band; pass --band {}=FILE[:N]",
                        d.name,
                        r.name(),
                        r.name()
                    )));
                }
            }
        }
        for b in &self.bands {
            if same_file(&b.path, &self.output) {
                return Err(Error::Usage(format!(
                    "output {} is also an input; choose another output path",
                    self.output.display()
                )));
            }
        }
        crate::io::files::check_output_path(&self.output, self.overwrite)?;
        if let Some(q) = &self.quicklook {
            crate::io::files::check_output_path(q, self.overwrite)?;
        }
        if let Some((p, _)) = &self.stats {
            crate::io::files::check_output_path(p, self.overwrite)?;
            if same_file(p, &self.output) || p == &self.output {
                return Err(Error::Usage(
                    "--stats must name another file than the output".into(),
                ));
            }
        }
        if let Some((scale, offset)) = self.scaled_int16 {
            if !(scale.is_finite() && scale > 0.0 && offset.is_finite()) {
                return Err(Error::Usage(format!(
                    "--output-scale {scale} / --output-offset {offset}: the scale must be a positive number and the offset finite"
                )));
            }
            int16_nodata(self.out_nodata)?;
        }
        Ok(())
    }

    /// How the writer stores the outputs (int16, or float32 when `None`).
    fn quantize(&self) -> Result<Option<std::sync::Arc<Quantize>>> {
        self.scaled_int16
            .map(|(scale, offset)| {
                let nodata = int16_nodata(self.out_nodata)?;
                Ok(std::sync::Arc::new(Quantize::new(
                    scale,
                    offset,
                    nodata,
                    self.out_nodata,
                )))
            })
            .transpose()
    }
}

/// The int16 nodata for `--out-nodata`: −32768 for NaN (the default), else the value itself,
/// which must be an integer of the int16 range.
fn int16_nodata(v: f64) -> Result<i16> {
    if v.is_nan() {
        return Ok(i16::MIN);
    }
    if v.fract() != 0.0 || v < i16::MIN as f64 || v > i16::MAX as f64 {
        return Err(Error::Usage(format!(
            "--out-nodata {v} cannot be stored as int16: give an integer in -32768..32767 (default -32768)"
        )));
    }
    Ok(v as i16)
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct JobReport {
    pub output: PathBuf,
    pub width: u32,
    pub height: u32,
    pub windows: usize,
    pub rows_per_window: u32,
    pub device: String,
    pub read: Duration,
    pub compute: Duration,
    pub write: Duration,
    pub total: Duration,
    /// The bands read, in reading order, with the calibration each got.
    pub inputs: Vec<InputReport>,
}

/// One band a run read: the file that played a role, and how its values were calibrated.
#[derive(Clone, Debug)]
pub struct InputReport {
    pub role: Role,
    pub path: PathBuf,
    /// 1-based band of `path`.
    pub band: u16,
    /// `value = DN·scale + offset` as applied.
    pub scale: f32,
    pub offset: f32,
    /// Where the calibration came from (`band option`, `--scale/--offset`, `file metadata`,
    /// `climatology record`, `none`, `mask`).
    pub calibration: &'static str,
}

/// Run `job` on `backend`, file to file. `ctl` can stop it between windows and receives its
/// progress in rows.
pub fn run_index_job(job: &IndexJob, backend: Backend<'_>, ctl: &Control) -> Result<JobReport> {
    let t0 = Instant::now();
    job.validate()?;
    let by_role: HashMap<Role, &BandSource> = job.bands.iter().map(|b| (b.role, b)).collect();
    let mut needed = crate::kernels::registry::roles_used(&job.indices);
    if by_role.contains_key(&Role::Mask) {
        needed.push(Role::Mask);
    }
    let Inputs {
        mut readers,
        grid,
        params,
        cal_from,
        dtypes,
        layout,
    } = Inputs::open(&job.bands, &needed, job.calibration)?;

    // Window plan. Two input and two output sets circulate in the pipeline: each gets half the
    // budget.
    let mut cap = window_capacity(backend, &dtypes, job.indices.len(), job.mem_limit / 2);
    if let Some(w) = job.window_pixels {
        cap = cap.min(w.max(1));
    }
    let mut rows = rows_for(cap, grid.width, grid.height, grid.block.1);
    let out_nodata_bits = (job.out_nodata as f32).to_bits();
    let mut proc = with_retry(&mut rows, grid.width, |capacity| {
        Processor::new(
            backend,
            &job.indices,
            &job.constants,
            &params,
            out_nodata_bits,
            capacity,
        )
    })?;
    let stat_ranges: Vec<(f32, f32)> = job
        .indices
        .iter()
        .map(|d| job.stats.as_ref().and_then(|(_, r)| *r).unwrap_or(d.range))
        .collect();
    let mut partials: Vec<Partial> = Vec::new();
    if job.stats.is_some() {
        proc.enable_stats(&stat_ranges)?;
        partials = vec![Partial::default(); job.indices.len()];
    }
    let mask_params = params[Role::Mask.slot()];
    let windows: Vec<_> = row_windows(grid.width, grid.height, rows).collect();
    log::info!(
        "plan: {}x{} px, {} window(s) of {} rows ({} px), {} output(s), device: {}",
        grid.width,
        grid.height,
        windows.len(),
        rows,
        rows as usize * grid.width as usize,
        job.indices.len(),
        backend.describe()
    );
    let metadata =
        provenance::index_metadata(job, &needed, &params, &cal_from, &backend.describe());
    let mut sink = crate::io::create(
        &job.output,
        grid.width,
        grid.height,
        job.indices.len(),
        &grid.geo,
        SinkOptions {
            nodata: job.out_nodata,
            descriptions: job.indices.iter().map(|d| d.name.to_string()).collect(),
            units: band_units(job),
            metadata,
            overwrite: job.overwrite,
            compression: job.compression,
            tile: job.tile,
            pyramid: job.pyramid,
            quantize: job.quantize()?,
            ..Default::default()
        },
    )?;
    let n_out = job.indices.len();
    let cap = proc.capacity();
    let mut masked_pixels = 0u64;
    let mut plausible = plausibility::Plausibility::new(&job.indices);
    ctl.progress.start(grid.height as u64, "index");
    let timings = pipeline::run(
        windows.len(),
        [readers.new_set(), readers.new_set()],
        [(); 2].map(|_| {
            (0..n_out)
                .map(|_| crate::hugepages::zeroed_f32(cap))
                .collect::<Vec<Vec<f32>>>()
        }),
        &ctl.cancel,
        |k, set| readers.read(windows[k], set),
        |k, set, outs| {
            let w = windows[k];
            let data = Inputs::data(&layout, set);
            let pixels = w.pixels();
            plausible.window(&job.bands, &params, &data, pixels);
            let mut o: Vec<&mut [f32]> = outs.iter_mut().map(|o| &mut o[..]).collect();
            proc.run_with_stats(&data, pixels, &mut o, &mut partials)?;
            if let (Some(bp), Some(words), true) =
                (&mask_params, data[Role::Mask.slot()], job.stats.is_some())
            {
                masked_pixels += (0..pixels)
                    .filter(|&i| masked(bp, fetch(bp, words, i)))
                    .count() as u64;
            }
            ctl.progress.advance(w.height as u64);
            Ok(Some(w))
        },
        |w, outs| {
            let pixels = w.pixels();
            let words: Vec<&[u32]> = outs
                .iter()
                .map(|o| bytemuck::cast_slice(&o[..pixels]))
                .collect();
            sink.write_window(w, &words)
        },
    )?;
    ctl.progress.finish();
    let t = Instant::now();
    let output = sink.finish()?;
    let t_write = timings.write + t.elapsed();
    if let Some((path, _)) = &job.stats {
        let run = summary::RunStats {
            climidx_version: env!("CARGO_PKG_VERSION").to_string(),
            output: output.display().to_string(),
            width: grid.width,
            height: grid.height,
            pixels: grid.width as u64 * grid.height as u64,
            masked_pixels: mask_params.is_some().then_some(masked_pixels),
            device: backend.describe(),
            bands: job
                .indices
                .iter()
                .zip(&partials)
                .zip(&stat_ranges)
                .enumerate()
                .map(|(b, ((d, p), r))| summary::BandStats::from_partial(b + 1, &d.name, p, *r))
                .collect(),
        };
        run.write(path)?;
    }
    if let Some(q) = &job.quicklook {
        let opts = crate::io::quicklook::QuicklookOptions {
            legend: true,
            ..Default::default()
        };
        crate::io::quicklook::render(&output, q, &opts, job.overwrite)?;
    }
    let report = JobReport {
        output,
        width: grid.width,
        height: grid.height,
        windows: windows.len(),
        rows_per_window: rows,
        device: backend.describe(),
        read: timings.read,
        compute: timings.compute,
        write: t_write,
        total: t0.elapsed(),
        inputs: needed
            .iter()
            .filter_map(|r| {
                let (b, p) = (by_role.get(r)?, params[r.slot()]?);
                Some(InputReport {
                    role: *r,
                    path: b.path.clone(),
                    band: b.band,
                    scale: p.scale,
                    offset: p.offset,
                    calibration: cal_from[r.slot()].describe(),
                })
            })
            .collect(),
    };
    log::info!(
        "done: {} in {:.3} s (read {:.3} s, compute {:.3} s, write {:.3} s), {:.1} Mpix/s",
        report.output.display(),
        report.total.as_secs_f64(),
        report.read.as_secs_f64(),
        report.compute.as_secs_f64(),
        report.write.as_secs_f64(),
        (grid.width as f64 * grid.height as f64) / report.total.as_secs_f64() / 1e6
    );
    Ok(report)
}

/// Each output band's unit type: the index's, temperatures in the unit the job states
/// (`CLIMIDX_UNIT` metadata: `K` or `degC`).
fn band_units(job: &IndexJob) -> Vec<String> {
    let temp = job
        .metadata
        .iter()
        .find(|(k, _)| k == "CLIMIDX_UNIT")
        .map_or("K", |(_, v)| v.as_str());
    job.indices
        .iter()
        .map(|d| match d.unit() {
            Some("K") => temp.to_string(),
            u => u.unwrap_or("").to_string(),
        })
        .collect()
}
