//! Arguments of `climidx anomaly` and `climidx vhi`.

use std::path::PathBuf;

use clap::Args;

use super::common::{Calibration, DeviceArgs, OutputArgs};

pub(super) const ANOMALY_EXAMPLES: &str = "\
Examples:
  climidx anomaly ndvi_2024.tif --climatology clim/ --kind zscore -o z.tif
  climidx anomaly ndvi_20240715.tif --climatology clim_monthly/ --kind vci -o vci.tif
  climidx anomaly bt_2024.tif --climatology bt_clim/ --kind tci --date 2024-07-15 -o tci.tif
  climidx anomaly chirps.nc:precip@2024-07-01 --climatology clim/ --kind percent -o pct.tif
  climidx anomaly ndvi_20240716.tif --climatology clim_m/ --kind percentile-rank -o rank.tif";

/// What `climidx anomaly` computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AnomalyKind {
    /// x − mean
    Diff,
    /// (x − mean) / std
    Zscore,
    /// 100 · x / mean
    Percent,
    /// 100 · (x − min) / (max − min)
    Vci,
    /// 100 · (max − x) / (max − min)
    Tci,
    /// where x falls among every baseline value of its period, 0–100 (as
    /// scipy.stats.percentileofscore; the baseline inputs are read again)
    PercentileRank,
}

#[derive(Debug, Args)]
pub struct AnomalyArgs {
    /// The observation raster, or one time step of a NetCDF/Zarr stack:
    /// FILE.nc:VARIABLE@YYYY-MM-DD (its date picks the period).
    #[arg(value_name = "RASTER")]
    pub input: PathBuf,
    /// Folder written by `climidx climatology`.
    #[arg(long, value_name = "DIR")]
    pub climatology: PathBuf,
    #[arg(long, value_enum)]
    pub kind: AnomalyKind,
    /// With --kind percentile-rank: scipy's kind= (rank, weak, strict, mean).
    #[arg(long, value_name = "KIND")]
    pub rank_kind: Option<String>,
    /// With --kind percentile-rank: where the baseline is re-chunked.
    #[command(flatten)]
    pub spill: super::stack::SpillArgs,
    /// With --kind percentile-rank: fewer valid baseline values give nodata (default: the
    /// climatology's).
    #[arg(long, value_name = "N")]
    pub min_count: Option<u32>,
    /// The observation's date, to pick the period (default: from the file name).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// How the date is read from the file name (default: the climatology's pattern, else the
    /// first YYYYMMDD or YYYY-MM-DD).
    #[arg(long, value_name = "PATTERN")]
    pub date_pattern: Option<String>,
    /// Band of the input (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: u16,
    #[command(flatten)]
    pub cal: Calibration,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}

#[derive(Debug, Args)]
pub struct VhiArgs {
    /// VCI raster (0–100).
    #[arg(long, value_name = "FILE")]
    pub vci: PathBuf,
    /// TCI raster (0–100).
    #[arg(long, value_name = "FILE")]
    pub tci: PathBuf,
    /// Weight a of VCI (TCI gets 1 − a).
    #[arg(long, default_value_t = 0.5)]
    pub weight: f32,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}
