//! `climidx spi`: the Standardized Precipitation Index ([`crate::kernels::spi`]) of a monthly
//! precipitation stack, one GeoTIFF per scale and month, `spi{K}_{YYYYMM}.tif`.
//!
//! The stack must be monthly: one input per calendar month, consecutive, no gaps or repeats
//! (a missing month is an input whose pixels are nodata). Negative precipitation is refused
//! with the file and date (climate_indices clips it to zero with a warning; a negative total is
//! a data error we would rather show). The calibration years must lie inside the stack's years
//! (climate_indices silently falls back to the whole record) and hold at least `--min-years`
//! years.
//!
//! Memory per window pixel: every month of the pixel is needed, so a window is read as a
//! T × window series buffer as for percentiles. The host holds two series buffers (`2 × 4T`
//! bytes), two sets of SPI (`2 × 4T·S` for S scales) and one input's packed window (≤ 8 B):
//! `8T(1 + S) + 8` bytes; the device one series buffer and one scale's SPI (`8T`). Windows are
//! sized so that the host part fits `--mem-limit` and the SPI of a scale fits one binding. Each
//! output file also buffers one band of tiles (`--tile-size` rows × width × 4 B) until its
//! rows are complete; `--months` limits how many files are open. The windows come from
//! [`super::series_inputs`] (re-chunked through a spill file when the stack's blocks are
//! taller than a window).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::inputs::Calibration;
use super::manifest::StackCalibration;
use super::series_inputs::{SeriesInputs, SpillPlan, SpillPolicy};
use super::stack::InputParams;
use super::stack::{check_inputs, Checked};
use crate::engine::backend::Backend;
use crate::engine::control::Control;
use crate::engine::pipeline;
use crate::engine::plan::{rows_for, with_retry};
use crate::engine::spi::SpiReducer;
use crate::error::{Error, Result};
use crate::io::files::same_file;
use crate::io::geotiff::encode::Compression;
use crate::io::raster::{row_windows, Window};
use crate::io::sink::{SampleKind, SinkOptions};
use crate::io::stack::{Date, PeriodGroup};
use crate::kernels::samples::{DataType, PackedBand};
use crate::kernels::spi::SpiParams;

/// Longest calibration (module docs of [`crate::engine::gpu::spi`]).
pub const MAX_CALIBRATION_YEARS: u32 = 300;

/// Everything `climidx spi` needs.
#[derive(Clone, Debug)]
pub struct SpiJob {
    /// The stack as one group (dates required), in date order.
    pub stack: PeriodGroup,
    pub band: u16,
    pub calibration: Calibration,
    /// Months per sum, e.g. 1, 3, 6, 12.
    pub scales: Vec<u32>,
    /// First and last calibration year.
    pub years: (i32, i32),
    pub min_years: u32,
    /// Months written, as (year, month); none: every month.
    pub months: Option<Vec<(i32, u32)>>,
    pub out_dir: PathBuf,
    pub out_nodata: f64,
    pub overwrite: bool,
    pub window_pixels: Option<usize>,
    pub mem_limit: usize,
    /// Where the stack may be re-chunked for the passes that read all its dates per window
    /// ([`super::series_inputs`]).
    pub spill: SpillPolicy,
    pub compression: Compression,
    pub tile: u32,
    /// COG or internal overviews of every output.
    pub pyramid: crate::io::Pyramid,
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct SpiReport {
    pub width: u32,
    pub height: u32,
    pub inputs: usize,
    pub windows: usize,
    pub rows_per_window: u32,
    pub device: String,
    pub total: Duration,
    pub calibration: StackCalibration,
    pub outputs: Vec<PathBuf>,
}

/// Host bytes per window pixel for `t_len` months and `scales` scales (module docs).
pub fn host_bytes_per_px(t_len: usize, scales: usize) -> usize {
    8 * t_len * (1 + scales) + 8
}

impl SpiJob {
    /// Each input's date, in order.
    fn dates(&self) -> Result<Vec<Date>> {
        self.stack
            .inputs
            .iter()
            .map(|i| {
                i.date.as_deref().and_then(Date::parse).ok_or_else(|| {
                    Error::input(
                        &i.path,
                        "spi needs a date for every input (--manifest or a date in the file name)",
                    )
                })
            })
            .collect()
    }

    /// The months written (indices into the stack) and each scale's parameters.
    fn plan(&self) -> Result<(Vec<usize>, Vec<SpiParams>)> {
        let dates = self.dates()?;
        let t_len = dates.len();
        let written: Vec<usize> = match &self.months {
            None => (0..t_len).collect(),
            Some(ms) => ms
                .iter()
                .map(|&(y, m)| {
                    dates
                        .iter()
                        .position(|d| d.year == y && d.month == m)
                        .ok_or_else(|| {
                            Error::Usage(format!(
                                "--months {y}-{m:02} is not in the stack ({} to {})",
                                ym(dates[0]),
                                ym(dates[t_len - 1])
                            ))
                        })
                })
                .collect::<Result<_>>()?,
        };
        let (y0, y1) = self.years;
        let cal_start = dates.iter().position(|d| d.year >= y0).unwrap_or(t_len);
        let cal_end = dates
            .iter()
            .rposition(|d| d.year <= y1)
            .map_or(0, |i| i + 1);
        let scales = self
            .scales
            .iter()
            .map(|&k| SpiParams {
                scale: k,
                first_month: dates[0].month - 1,
                cal_start: cal_start as u32,
                cal_end: cal_end as u32,
                min_years: self.min_years,
            })
            .collect();
        Ok((written, scales))
    }

    /// The output files: per scale, per written month.
    pub fn output_paths(&self) -> Result<Vec<PathBuf>> {
        let dates = self.dates()?;
        let dates = &dates;
        let (written, _) = self.plan()?;
        let written = &written;
        Ok(self
            .scales
            .iter()
            .flat_map(|k| {
                written.iter().map(move |&t| {
                    let d = dates[t];
                    self.out_dir
                        .join(format!("spi{k}_{:04}{:02}.tif", d.year, d.month))
                })
            })
            .collect())
    }

    /// Checks that need no device: monthly dates, scales, calibration, outputs free.
    pub fn validate(&self) -> Result<()> {
        let dates = self.dates()?;
        let n = dates.len();
        if n == 0 {
            return Err(Error::Usage(
                "spi needs a monthly stack; got no inputs".into(),
            ));
        }
        for (w, i) in dates.windows(2).zip(self.stack.inputs.windows(2)) {
            let next = if w[0].month == 12 {
                (w[0].year + 1, 1)
            } else {
                (w[0].year, w[0].month + 1)
            };
            if (w[1].year, w[1].month) != next {
                return Err(Error::Usage(format!(
                    "{} ({}) follows {} ({}): spi needs monthly totals, one input per calendar month, consecutive (a missing month is an input of nodata)",
                    i[1].path.display(),
                    w[1],
                    i[0].path.display(),
                    w[0]
                )));
            }
        }
        if self.scales.is_empty() {
            return Err(Error::Usage(
                "--scale-months needs at least one scale".into(),
            ));
        }
        for &k in &self.scales {
            if k == 0 || k as usize > n {
                return Err(Error::Usage(format!(
                    "--scale-months {k}: a scale must be between 1 and the stack's {n} months"
                )));
            }
        }
        let (y0, y1) = self.years;
        let (first, last) = (dates[0].year, dates[n - 1].year);
        if y0 > y1 || y0 < first || y1 > last {
            return Err(Error::Usage(format!(
                "--calibration {y0}-{y1} is not inside the stack's years {first}-{last}; choose calibration years the stack covers"
            )));
        }
        let years = (y1 - y0 + 1) as u32;
        if years > MAX_CALIBRATION_YEARS {
            return Err(Error::Usage(format!(
                "--calibration {y0}-{y1}: at most {MAX_CALIBRATION_YEARS} calibration years (the GPU fit runs in one pass over them)"
            )));
        }
        if years < self.min_years {
            return Err(Error::Usage(format!(
                "--calibration {y0}-{y1} has {years} years, fewer than --min-years {}; give a longer calibration or lower --min-years",
                self.min_years
            )));
        }
        if self.out_dir.is_file() {
            return Err(Error::output(
                &self.out_dir,
                "is a file; -o takes a folder for spi",
            ));
        }
        for out in self.output_paths()? {
            if out.exists() && !self.overwrite {
                return Err(Error::output(
                    &out,
                    "already exists; pass --overwrite to replace it",
                ));
            }
            if self.stack.inputs.iter().any(|i| same_file(&i.path, &out)) {
                return Err(Error::output(
                    &out,
                    "is also an input; choose another output folder",
                ));
            }
        }
        Ok(())
    }
}

/// Refuse a window whose series `values` (input-major, `w.pixels()` each) hold a negative
/// total, naming the input, its date and the pixel.
fn refuse_negative(
    inputs: &[(PathBuf, InputParams)],
    dates: &[Date],
    w: Window,
    values: &[u32],
) -> Result<()> {
    let px = w.pixels();
    // Nodata is INVALID_BITS, a NaN: never below zero.
    let Some(i) = values[..inputs.len() * px]
        .iter()
        .position(|&b| f32::from_bits(b) < 0.0)
    else {
        return Ok(());
    };
    let (k, p) = (i / px, (i % px) as u32);
    Err(Error::input(
        &inputs[k].0,
        format!(
            "negative precipitation {} on {} at column {}, row {}; SPI needs totals >= 0 (mark such values as nodata with --nodata or fix the data)",
            f32::from_bits(values[i]),
            dates[k],
            w.col_off + p % w.width,
            w.row_off + p / w.width
        ),
    ))
}

fn ym(d: Date) -> String {
    format!("{:04}-{:02}", d.year, d.month)
}

/// Run `job` on `backend`; `ctl` can stop it between windows and receives its progress.
pub fn run_spi(job: &SpiJob, backend: Backend<'_>, ctl: &Control) -> Result<SpiReport> {
    let t0 = Instant::now();
    job.validate()?;
    let dates = job.dates()?;
    let (written, scales) = job.plan()?;
    let Checked {
        first,
        inputs: t_len,
        cal,
        params,
    } = check_inputs(std::slice::from_ref(&job.stack), job.band, job.calibration)?;
    log::info!("inputs read as {}", cal.describe());
    let inputs: Vec<_> = job
        .stack
        .inputs
        .iter()
        .map(|i| i.path.clone())
        .zip(params.into_iter().flatten())
        .collect();
    let outputs = job.output_paths()?;
    let (width, height) = (first.width, first.height);
    let mut cap = job.mem_limit / host_bytes_per_px(t_len, scales.len());
    if let Backend::Gpu(ctx) = backend {
        let bind = ctx.max_binding_bytes() as usize;
        let out_words = t_len + crate::engine::gpu::spi::STATE_WORDS;
        cap = cap.min(bind.saturating_sub(4 * t_len + 512) / (4 * out_words));
    }
    if let Some(w) = job.window_pixels {
        cap = cap.min(w);
    }
    let mut rows = rows_for(cap.max(1), width, height, first.block.1);
    let nodata_bits = (job.out_nodata as f32).to_bits();
    let mut red = with_retry(&mut rows, width, |capacity| {
        SpiReducer::new(backend, t_len, capacity, nodata_bits)
    })?;
    // Windows of fewer rows than a tile (or not whole tiles) leave every output buffering up to
    // one band of tiles: with many outputs that is the memory that counts.
    if job.tile > 0 && rows % job.tile != 0 {
        let buffered = outputs.len() as u64 * u64::from(job.tile) * u64::from(width) * 4;
        if buffered > job.mem_limit as u64 {
            return Err(Error::Usage(format!(
                "{} SPI files of {width} px written at once buffer ~{} MiB of {}-row tiles, over --mem-limit {} MiB: write fewer with --months or --scale-months, or raise --mem-limit",
                outputs.len(),
                buffered >> 20,
                job.tile,
                job.mem_limit >> 20
            )));
        }
    }
    let windows: Vec<Window> = row_windows(width, height, rows).collect();
    log::info!(
        "spi plan: {t_len} months, {} scale(s), {width}x{height} px, {} window(s) of {rows} rows ({} B/px on the host), device: {}",
        scales.len(),
        windows.len(),
        host_bytes_per_px(t_len, scales.len()),
        backend.describe()
    );
    std::fs::create_dir_all(&job.out_dir)
        .map_err(|e| Error::output(&job.out_dir, format!("cannot create folder: {e}")))?;
    let (y0, y1) = job.years;
    let mut sinks = Vec::new();
    for (j, path) in outputs.iter().enumerate() {
        let (k, t) = (job.scales[j / written.len()], written[j % written.len()]);
        sinks.push(crate::io::create(
            path,
            width,
            height,
            1,
            &first.geo,
            SinkOptions {
                nodata: job.out_nodata,
                descriptions: vec![format!("spi{k}")],
                metadata: vec![
                    (
                        "CLIMIDX_SPI".to_string(),
                        format!(
                            "SPI-{k} of {} (gamma, Thom 1958 fit per calendar month over {y0}-{y1}, min {} years; McKee et al. 1993); {t_len} monthly inputs read as {}",
                            ym(dates[t]),
                            job.min_years,
                            cal.describe()
                        ),
                    ),
                    ("CLIMIDX_VERSION".to_string(), env!("CARGO_PKG_VERSION").to_string()),
                ],
                overwrite: job.overwrite,
                sample: SampleKind::F32,
                compression: job.compression,
                tile: job.tile,
                pyramid: job.pyramid,
                bigtiff: None,
                quantize: None,
                units: Vec::new(),
            },
        )?);
    }
    let times: Vec<f32> = (0..t_len).map(|k| k as f32).collect();
    let source = SeriesInputs::open(
        &inputs,
        &times,
        (job.band - 1, None),
        &windows,
        SpillPlan {
            width,
            height,
            block_h: first.block.1,
            policy: &job.spill,
            outputs_dir: &job.out_dir,
            mem_limit: job.mem_limit,
        },
        ctl,
    )?;
    ctl.progress.start(windows.len() as u64, "spi");
    let max_px = windows.iter().map(Window::pixels).max().unwrap_or(0);
    let new_in = || {
        (
            vec![0u32; t_len + t_len * max_px],
            PackedBand::new(DataType::F32),
        )
    };
    let new_out = || vec![vec![0u32; t_len * max_px]; scales.len()];
    // Only the written months are computed (their fits over the calibration included).
    let mut keep = vec![false; t_len];
    for &t in &written {
        keep[t] = true;
    }
    pipeline::run(
        windows.len(),
        [new_in(), new_in()],
        [new_out(), new_out()],
        &ctl.cancel,
        |step, (series, buf)| {
            let w = windows[step];
            source.read(step, w, series, buf)?;
            refuse_negative(&inputs, &dates, w, &series[t_len..])
        },
        |step, (series, _), outs| {
            let w = windows[step];
            red.run(series, w.pixels(), &scales, &keep, nodata_bits, outs)?;
            ctl.progress.advance(1);
            Ok(Some(w))
        },
        |w, outs| {
            let px = w.pixels();
            for (j, sink) in sinks.iter_mut().enumerate() {
                let (s, t) = (j / written.len(), written[j % written.len()]);
                sink.write_window(w, &[&outs[s][t * px..(t + 1) * px]])?;
            }
            Ok(())
        },
    )?;
    for s in sinks {
        s.finish()?;
    }
    ctl.progress.finish();
    Ok(SpiReport {
        width,
        height,
        inputs: t_len,
        windows: windows.len(),
        rows_per_window: rows,
        device: backend.describe(),
        total: t0.elapsed(),
        calibration: cal,
        outputs,
    })
}
