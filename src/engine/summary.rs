//! The `--stats FILE.json` report: per-output statistics merged from the kernels' partials
//! ([`crate::kernels::stats::Partial`]), as written after a run.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::kernels::stats::Partial;

/// The statistics of one run, as written to `--stats FILE.json`.
#[derive(Clone, Debug, Serialize)]
pub struct RunStats {
    pub climidx_version: String,
    pub output: String,
    pub width: u32,
    pub height: u32,
    pub pixels: u64,
    /// Pixels removed by `--mask` (absent without a mask).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_pixels: Option<u64>,
    pub device: String,
    pub bands: Vec<BandStats>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BandStats {
    pub band: usize,
    pub name: String,
    pub valid_count: u64,
    pub nodata_count: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    /// Population standard deviation.
    pub std: Option<f64>,
    pub histogram: Histogram,
}

#[derive(Clone, Debug, Serialize)]
pub struct Histogram {
    pub min: f32,
    pub max: f32,
    pub bins: Vec<u64>,
    pub below: u64,
    pub above: u64,
}

impl BandStats {
    pub fn from_partial(band: usize, name: &str, p: &Partial, range: (f32, f32)) -> BandStats {
        let some = |v: f64| (p.n > 0).then_some(v);
        BandStats {
            band,
            name: name.to_string(),
            valid_count: p.n,
            nodata_count: p.nodata,
            min: some(p.min),
            max: some(p.max),
            mean: some(p.mean),
            std: some((p.m2.max(0.0) / p.n.max(1) as f64).sqrt()),
            histogram: Histogram {
                min: range.0,
                max: range.1,
                bins: p.bins.clone(),
                below: p.below,
                above: p.above,
            },
        }
    }
}

impl RunStats {
    /// Write as JSON, under a temporary name then renamed.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text =
            serde_json::to_string_pretty(self).map_err(|e| Error::Internal(e.to_string()))?;
        let _ = writeln!(text);
        crate::io::files::write_atomically(path, |tmp| {
            std::fs::write(tmp, text)
                .map_err(|e| Error::output(path, format!("cannot write statistics: {e}")))
        })
    }
}
