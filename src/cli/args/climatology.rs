//! Arguments of `climidx climatology`.

use std::path::PathBuf;

use clap::Args;

use super::common::{choice, Calibration, DeviceArgs, OutputArgs};
use super::stack::StackArgs;

pub(super) const CLIMATOLOGY_EXAMPLES: &str = "\
Examples:
  climidx climatology ndvi_2001.tif ndvi_2002.tif ndvi_2003.tif -o clim/
  climidx climatology --manifest stack.csv --period month --baseline 1991-2020 -o clim/
  climidx climatology ndvi_*.tif --period dekad --date-pattern 'ndvi_%Y%m%d.tif' -o clim/ --ddof 1
  climidx climatology chirps.nc:precip --period month --baseline 1991-2020 -o clim/
  climidx climatology ndvi.zarr:ndvi --period month -o clim/";

#[derive(Debug, Args)]
pub struct ClimatologyArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// One climatology per period, in sub-folders of OUT (01, 02, ...).
    #[arg(long, value_parser = choice::<crate::io::stack::Period>())]
    pub period: Option<crate::io::stack::Period>,
    /// Keep only inputs of these years, e.g. 1991-2020.
    #[arg(long, value_name = "YYYY-YYYY")]
    pub baseline: Option<String>,
    /// Statistics of pixels with fewer valid observations are nodata (the count is kept).
    #[arg(long, default_value_t = 2)]
    pub min_count: u32,
    /// Also write these percentiles (0-100) of each pixel's valid values, e.g. 10,50,90 →
    /// p10.tif p50.tif p90.tif (exact; see --quantile-method).
    #[arg(long, value_name = "P,...", value_delimiter = ',')]
    pub percentiles: Vec<f32>,
    /// How percentiles between two values are computed, as numpy's `method=`: linear (type 7,
    /// numpy's default), lower, higher, nearest, midpoint, interpolated_inverted_cdf, hazen,
    /// weibull, median_unbiased, normal_unbiased.
    #[arg(long, value_name = "METHOD", default_value = "linear")]
    pub quantile_method: String,
    /// Delta degrees of freedom of std: 0 population, 1 sample.
    #[arg(long, default_value_t = 0)]
    pub ddof: u32,
    /// Band of each input to use (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: u16,
    #[command(flatten)]
    pub cal: Calibration,
    /// Output folder (created if missing): count.tif mean.tif std.tif min.tif max.tif and
    /// climatology.json.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}
