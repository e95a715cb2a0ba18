//! Arguments of `climidx bench`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Raster width and height in pixels (default 10980, a Sentinel-2 10 m tile; 2048 with
    /// CLIMIDX_BENCH_QUICK=1).
    #[arg(long)]
    pub size: Option<u32>,
    /// Measured rounds per mode, after one warm-up.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Indices to compute in one pass: names (built-in kernels or catalogue entries) or formulas
    /// without commas, comma-separated, or `all` (the built-in vegetation kernels).
    #[arg(long, default_value = "ndvi", value_delimiter = ',')]
    pub index: Vec<String>,
    /// Also time gdal_calc.py, NumPy + rasterio and otbcli_RadiometricIndices (NDVI only).
    #[arg(long)]
    pub peers: bool,
    /// A 4-band uint16 GeoTIFF (blue, green, red, nir) for the file modes instead of a
    /// generated one.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Skip the file-to-file modes.
    #[arg(long)]
    pub no_file: bool,
    /// Measure the native CPU paths only (no adapter is opened).
    #[arg(long)]
    pub cpu_only: bool,
    /// Write the results as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Folder for the generated input and outputs (default: a temporary folder, removed).
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<PathBuf>,
    /// Instead of indices, time `climidx climatology` on a generated stack of this many
    /// uint16 rasters of --size² pixels (Mpix·years/s and peak RSS per device path).
    #[arg(long, value_name = "YEARS")]
    pub climatology: Option<u32>,
}
