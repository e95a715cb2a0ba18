//! `climatology.json`: what a climatology computed and from what — periods, baseline, the
//! inputs of each period and how they were calibrated. Written last by `climidx climatology`,
//! read by `climidx anomaly`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::climatology::ClimatologyJob;
use crate::error::{Error, Result};
use crate::io::raster::RasterInfo;
use crate::io::stack::{Date, Period, PeriodGroup};
use crate::kernels::climatology::STATS;

/// `climatology.json`: what was computed, from what. `climidx anomaly` reads it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub climidx_version: String,
    pub period: Option<String>,
    pub baseline: Option<(i32, i32)>,
    pub date_pattern: Option<String>,
    pub ddof: u32,
    pub min_count: u32,
    pub width: u32,
    pub height: u32,
    pub statistics: Vec<String>,
    /// How the inputs were read: the statistics are in these units, and `climidx anomaly`
    /// reads an observation the same way unless told otherwise. Absent in manifests written
    /// before climidx recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<StackCalibration>,
    /// The reading options the climatology ran with, so that its inputs can be read again the
    /// same way (`anomaly --kind percentile-rank`). Absent in manifests of older climidx.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<Reading>,
    /// `--smooth` the statistics were computed with (`savgol:7:2`, `4253h`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smooth: Option<String>,
    pub groups: Vec<PeriodGroup>,
}

/// `--scale/--offset/--nodata` of a climatology run as given (none: each input's declared
/// calibration and nodata), and the working folder its relative input paths are relative to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub scale: Option<f32>,
    pub offset: Option<f32>,
    /// `--nodata` as text (Rust's round-trip `f64` form; JSON has no NaN).
    pub nodata: Option<String>,
    pub working_dir: PathBuf,
}

/// The calibration a climatology's inputs were read with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackCalibration {
    /// 1-based band read from every input.
    pub band: u16,
    /// `value = DN·scale + offset` (of the first input, when they differ).
    pub scale: f32,
    pub offset: f32,
    /// Where it came from: `--scale/--offset`, `file metadata` or `none`.
    pub source: String,
    /// The first input's nodata, if any.
    pub nodata: Option<f64>,
    /// The inputs' unit (GDAL UNITTYPE), when they declare one.
    pub unit: Option<String>,
    /// False when the inputs declared different calibrations (each input was read with its
    /// own; the first is recorded).
    pub uniform: bool,
}

impl StackCalibration {
    /// `value = DN*s + o (source)`, as written into the outputs' metadata.
    pub fn describe(&self) -> String {
        format!(
            "value = DN*{} + {} ({}{})",
            self.scale,
            self.offset,
            self.source,
            if self.uniform {
                ""
            } else {
                "; varies per input, first shown"
            }
        )
    }
}

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = "climatology.json";

impl Manifest {
    /// Read `dir/climatology.json`.
    pub fn load(dir: &Path) -> Result<Manifest> {
        let p = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&p).map_err(|e| {
            Error::input(
                &p,
                format!("cannot read ({e}); is this a folder written by `climidx climatology` (a run that did not finish leaves none)?"),
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| Error::input(&p, format!("not a climidx climatology manifest: {e}")))
    }

    /// The period folder for `date` (the folder itself when there are no periods).
    pub fn folder_for(&self, dir: &Path, date: Option<Date>) -> Result<PathBuf> {
        if self.period.is_none() {
            return Ok(dir.to_path_buf());
        }
        Ok(dir.join(&self.group_for(dir, date)?.key))
    }

    /// The period (its key and inputs) `date` falls in; the only group when there are no
    /// periods.
    pub fn group_for(&self, dir: &Path, date: Option<Date>) -> Result<&PeriodGroup> {
        let Some(period) = self.period.as_deref() else {
            return self.groups.first().ok_or_else(|| {
                Error::input(
                    dir.join(MANIFEST),
                    "records no inputs; rebuild the climatology",
                )
            });
        };
        let period = Period::parse(period).ok_or_else(|| {
            Error::input(dir.join(MANIFEST), format!("unknown period {period:?}"))
        })?;
        let date = date.ok_or_else(|| {
            Error::Usage(format!(
                "the climatology in {} is per {}: give the observation's date with --date YYYY-MM-DD or a file name holding it",
                dir.display(),
                period.name()
            ))
        })?;
        let key = period.key(date);
        self.groups.iter().find(|g| g.key == key).ok_or_else(|| {
            Error::Usage(format!(
                "{date} falls in {} {key}, which the climatology in {} does not have (no input in that period)",
                period.name(),
                dir.display()
            ))
        })
    }
}

impl Manifest {
    /// The manifest of `job`, whose outputs are on `first`'s grid, its inputs read as `cal`.
    pub fn of(job: &ClimatologyJob, first: &RasterInfo, cal: &StackCalibration) -> Manifest {
        Manifest {
            climidx_version: env!("CARGO_PKG_VERSION").to_string(),
            period: job.period.map(|p| p.name().to_string()),
            baseline: job.baseline,
            date_pattern: job.date_pattern.clone(),
            ddof: job.ddof,
            min_count: job.min_count,
            width: first.width,
            height: first.height,
            statistics: STATS.iter().map(|s| s.to_string()).collect(),
            calibration: Some(cal.clone()),
            reading: std::env::current_dir().ok().map(|wd| Reading {
                scale: job.calibration.scale,
                offset: job.calibration.offset,
                nodata: job.calibration.nodata.map(|v| v.to_string()),
                working_dir: wd,
            }),
            smooth: job.smooth.map(|s| s.name()),
            groups: job
                .groups
                .iter()
                .filter(|g| !g.inputs.is_empty())
                .map(|g| {
                    let mut g = g.clone();
                    for i in &mut g.inputs {
                        i.fingerprint = crate::io::files::fingerprint(&i.path);
                    }
                    g
                })
                .collect(),
        }
    }

    /// Write `dir/climatology.json` (under a temporary name, then renamed).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(MANIFEST);
        let text =
            serde_json::to_string_pretty(self).map_err(|e| Error::Internal(e.to_string()))?;
        crate::io::files::write_atomically(&path, |tmp| {
            std::fs::write(tmp, text + "\n")
                .map_err(|e| Error::output(&path, format!("cannot write: {e}")))
        })
    }
}
