//! `climidx trend`: per-pixel Theil–Sen slope and Mann–Kendall test over a dated stack
//! ([`crate::kernels::trend`]), one series pass ([`super::series`]).
//!
//! Time is years since the stack's first date (days / 365.25). Inputs are taken in date order;
//! two inputs of the same date are refused (their pair has no slope).
//!
//! Cost: the Mann–Kendall S and ties take n(n−1)/2 comparisons per pixel; the GPU's exact
//! median of the n(n−1)/2 pair slopes 33 passes over them. For a 20-year monthly stack
//! (T = 240) that is ~1 M pair evaluations per pixel on the GPU. Beyond about T = 2000 (2 M
//! pairs, 66 M evaluations per pixel) the run is refused unless `--max-inputs` is raised, since a
//! single window would then take minutes even on a large GPU and may hit the driver's watchdog.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::inputs::Calibration;
use super::manifest::StackCalibration;
use super::series::{run_pass, SeriesPass};
use super::series_inputs::SpillPolicy;
use super::stack::{check_inputs, Checked};
use crate::engine::backend::Backend;
use crate::engine::control::Control;
use crate::error::{Error, Result};
use crate::io::files::same_file;
use crate::io::geotiff::encode::Compression;
use crate::io::stack::{Date, PeriodGroup};
use crate::kernels::series::{series_time, Reducer};
use crate::kernels::smooth::Smoother;

/// Default largest stack `trend` accepts (see the module docs).
pub const MAX_TREND_INPUTS: usize = 2000;

/// Everything `climidx trend` needs.
#[derive(Clone, Debug)]
pub struct TrendJob {
    /// The stack as one group (dates required), in date order.
    pub stack: PeriodGroup,
    pub band: u16,
    pub calibration: Calibration,
    /// Significance level of the mask `significant.tif` (none: no mask).
    pub alpha: Option<f32>,
    /// Temporal smoothing of each pixel's series before the trend (`--smooth`).
    pub smooth: Option<Smoother>,
    pub max_inputs: usize,
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
    /// Overviews (internal or COG) of the outputs.
    pub pyramid: crate::io::Pyramid,
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct TrendReport {
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

impl TrendJob {
    fn reducer(&self) -> Reducer {
        Reducer::Trend { alpha: self.alpha }
    }

    /// The output files, in the reducer's output order.
    pub fn output_paths(&self) -> Vec<PathBuf> {
        self.reducer()
            .outputs()
            .iter()
            .map(|s| self.out_dir.join(format!("{s}.tif")))
            .collect()
    }

    /// Each input's date, in order.
    fn dates(&self) -> Result<Vec<Date>> {
        self.stack
            .inputs
            .iter()
            .map(|i| {
                i.date.as_deref().and_then(Date::parse).ok_or_else(|| {
                    Error::input(&i.path, "trend needs a date for every input (--manifest or a date in the file name)")
                })
            })
            .collect()
    }

    /// Checks that need no device: options, dates, outputs free.
    pub fn validate(&self) -> Result<()> {
        let n = self.stack.inputs.len();
        if n < 3 {
            return Err(Error::Usage(format!(
                "trend needs at least 3 dated inputs, got {n}"
            )));
        }
        if n > self.max_inputs {
            return Err(Error::Usage(format!(
                "{n} inputs: the per-pixel pair count grows as n²; trend accepts at most {} (raise --max-inputs if the run time is acceptable)",
                self.max_inputs
            )));
        }
        if let Some(s) = &self.smooth {
            s.check_len(n).map_err(Error::Usage)?;
        }
        if let Some(a) = self.alpha {
            if !(a > 0.0 && a < 1.0) {
                return Err(Error::Usage(format!("--alpha {a} must be between 0 and 1")));
            }
        }
        let dates = self.dates()?;
        for (w, i) in dates.windows(2).zip(self.stack.inputs.windows(2)) {
            if w[0] == w[1] {
                return Err(Error::Usage(format!(
                    "{} and {} have the same date {}; a trend needs one observation per date",
                    i[0].path.display(),
                    i[1].path.display(),
                    w[0]
                )));
            }
        }
        if self.out_dir.is_file() {
            return Err(Error::output(
                &self.out_dir,
                "is a file; -o takes a folder for a trend",
            ));
        }
        for out in self.output_paths() {
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

/// Run `job` on `backend`; `ctl` can stop it between windows and receives its progress.
pub fn run_trend(job: &TrendJob, backend: Backend<'_>, ctl: &Control) -> Result<TrendReport> {
    let t0 = Instant::now();
    job.validate()?;
    let dates = job.dates()?;
    let Checked {
        first,
        inputs: n,
        cal,
        params,
    } = check_inputs(std::slice::from_ref(&job.stack), job.band, job.calibration)?;
    log::info!("inputs read as {}", cal.describe());
    let d0 = dates[0].days_since_epoch();
    let times: Vec<f32> = dates
        .iter()
        .map(|d| series_time(d.days_since_epoch() - d0))
        .collect();
    let inputs: Vec<_> = job
        .stack
        .inputs
        .iter()
        .map(|i| i.path.clone())
        .zip(params.into_iter().flatten())
        .collect();
    std::fs::create_dir_all(&job.out_dir)
        .map_err(|e| Error::output(&job.out_dir, format!("cannot create folder: {e}")))?;
    let reducer = job.reducer();
    let outputs = job.output_paths();
    let metadata = vec![
        (
            "CLIMIDX_TREND".to_string(),
            format!(
                "Theil-Sen slope per year (t = days since {} / 365.25) and Mann-Kendall test over {} inputs; read as {}",
                dates[0],
                n,
                cal.describe()
            ),
        ),
        ("CLIMIDX_VERSION".to_string(), env!("CARGO_PKG_VERSION").to_string()),
    ];
    let mut metadata = metadata;
    if let Some(s) = &job.smooth {
        metadata.push((
            "CLIMIDX_SMOOTH".to_string(),
            super::provenance::smooth_note(s),
        ));
    }
    let pass = SeriesPass {
        inputs: &inputs,
        times: &times,
        band: job.band,
        last_band: None,
        reducer: &reducer,
        smooth: job.smooth,
        outputs: outputs.clone(),
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
    let backend = crate::engine::series::fit_backend(backend, &reducer, n);
    let r = run_pass(&pass, backend, ctl, "trend")?;
    Ok(TrendReport {
        width: first.width,
        height: first.height,
        inputs: n,
        windows: r.windows,
        rows_per_window: r.rows_per_window,
        device: backend.describe(),
        total: t0.elapsed(),
        calibration: cal,
        outputs,
    })
}
