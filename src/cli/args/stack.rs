//! The stack inputs every stack-taking command (`climatology`, `trend`) takes the same way:
//! rasters or NetCDF/Zarr stacks, a manifest, and how dates are read from file names. Checked by
//! [`crate::cli::config::stack_inputs`] and collected into dated inputs by
//! [`crate::cli::stack_inputs::collect`].

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct StackArgs {
    /// Input rasters (one band each is used, see --band), or NetCDF/Zarr stacks, each time
    /// step an input dated by the CF time axis: FILE.nc:VARIABLE, STORE.zarr[:VARIABLE].
    #[arg(value_name = "RASTER")]
    pub inputs: Vec<PathBuf>,
    /// CSV of `path,date` lines (dates YYYY-MM-DD or YYYYMMDD) instead of or besides RASTER.
    #[arg(long, value_name = "CSV")]
    pub manifest: Option<PathBuf>,
    /// How dates are read from file names: %Y %m %d %j and * (default: the first YYYYMMDD or
    /// YYYY-MM-DD in the name).
    #[arg(long, value_name = "PATTERN")]
    pub date_pattern: Option<String>,
    /// A STAC ItemCollection (JSON file or URL) as the stack: every item an input, dated by
    /// its properties.datetime, the band from the asset named by --asset.
    #[arg(long, value_name = "COLLECTION", requires = "asset")]
    pub stac: Option<PathBuf>,
    /// With --stac: the asset of each item, by asset key (e.g. ndvi) or common name (red, nir).
    #[arg(long, value_name = "NAME", requires = "stac")]
    pub asset: Option<String>,
    /// Smooth each pixel's series along time before reducing it: savgol:WINDOW:ORDER
    /// (Savitzky–Golay, gap-aware) or 4253h (NOAA VHP's compound median filter). Needs dates.
    #[arg(long, value_name = "savgol:W:O|4253h")]
    pub smooth: Option<String>,
    #[command(flatten)]
    pub spill: SpillArgs,
}

/// Where a stack is re-chunked when its blocks are taller than the windows of a pass that reads
/// every date of a pixel (trend, percentiles, percentile ranks, --smooth, spi).
#[derive(Debug, Clone, Args)]
pub struct SpillArgs {
    /// Folder for the stack's spill file (4 bytes × dates × pixels, removed when the run ends;
    /// default: the output folder).
    #[arg(long, value_name = "DIR", conflicts_with = "no_spill")]
    pub spill_dir: Option<PathBuf>,
    /// Never re-chunk: read the inputs again for every window (each block decoded once per
    /// window it spans).
    #[arg(long)]
    pub no_spill: bool,
}

impl SpillArgs {
    pub fn policy(&self) -> crate::engine::jobs::series_inputs::SpillPolicy {
        use crate::engine::jobs::series_inputs::SpillPolicy;
        match (&self.spill_dir, self.no_spill) {
            (_, true) => SpillPolicy::Off,
            (Some(d), false) => SpillPolicy::In(d.clone()),
            (None, false) => SpillPolicy::BesideOutputs,
        }
    }
}
