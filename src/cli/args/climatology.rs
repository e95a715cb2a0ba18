//! Arguments of `climidx climatology`.

use std::path::PathBuf;

use clap::Args;

use super::common::{choice, Calibration, DeviceArgs, OutputArgs};

pub(super) const CLIMATOLOGY_EXAMPLES: &str = "\
Examples:
  climidx climatology ndvi_2001.tif ndvi_2002.tif ndvi_2003.tif -o clim/
  climidx climatology --manifest stack.csv --period month --baseline 1991-2020 -o clim/
  climidx climatology ndvi_*.tif --period dekad --date-pattern 'ndvi_%Y%m%d.tif' -o clim/ --ddof 1
  climidx climatology chirps.nc:precip --period month --baseline 1991-2020 -o clim/
  climidx climatology ndvi.zarr:ndvi --period month -o clim/";

#[derive(Debug, Args)]
pub struct ClimatologyArgs {
    /// Input rasters (one band each is used, see --band), or NetCDF/Zarr stacks, each time
    /// step an input dated by the CF time axis: FILE.nc:VARIABLE, STORE.zarr[:VARIABLE].
    #[arg(value_name = "RASTER")]
    pub inputs: Vec<PathBuf>,
    /// CSV of `path,date` lines (dates YYYY-MM-DD or YYYYMMDD) instead of or besides RASTER.
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
    /// One climatology per period, in sub-folders of OUT (01, 02, ...).
    #[arg(long, value_parser = choice::<crate::io::stack::Period>())]
    pub period: Option<crate::io::stack::Period>,
    /// Keep only inputs of these years, e.g. 1991-2020.
    #[arg(long, value_name = "YYYY-YYYY")]
    pub baseline: Option<String>,
    /// How dates are read from file names: %Y %m %d %j and * (default: the first YYYYMMDD or
    /// YYYY-MM-DD in the name).
    #[arg(long, value_name = "PATTERN")]
    pub date_pattern: Option<String>,
    /// Statistics of pixels with fewer valid observations are nodata (the count is kept).
    #[arg(long, default_value_t = 2)]
    pub min_count: u32,
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
