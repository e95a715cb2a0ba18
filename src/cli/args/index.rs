//! Arguments of `climidx index` and `climidx expr`.

use std::path::PathBuf;

use clap::Args;

use super::common::{BandArgs, DeviceArgs, OutputArgs};

pub(super) const INDEX_EXAMPLES: &str = "\
Examples:
  # NDVI from bands 3 and 4 of one file
  climidx index ndvi --band red=scene.tif:3 --band nir=scene.tif:4 -o ndvi.tif
  # three indices from Sentinel-2 L2A (baseline < 04.00) DNs, one 3-band output
  climidx index ndvi evi savi --band blue=B02.tif --band red=B04.tif --band nir=B08.tif \\
      --scale 0.0001 -o vi.tif
  # Landsat Collection 2 Level-2 surface reflectance
  climidx index nbr --band nir=SR_B5.TIF --band swir2=SR_B7.TIF --scale 0.0000275 --offset -0.2 -o nbr.tif";

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Index names (see `climidx list`) or formulas; several give one band each, in this
    /// order, computed in one pass.
    #[arg(required = true, value_name = "INDEX")]
    pub indices: Vec<String>,
    /// Take index definitions from an Awesome Spectral Indices JSON file first.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// NAME=VALUE: override a constant of the indices (e.g. L=0.25 for SAVI).
    #[arg(
        long = "const",
        value_name = "NAME=VALUE",
        allow_negative_numbers = true
    )]
    pub consts: Vec<String>,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub input: BandArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}

pub(super) const EXPR_EXAMPLES: &str = "\
Examples:
  climidx expr \"2.5 * (N - R) / (N + 6 * R - 7.5 * B + 1)\" -b B=B02.tif -b R=B04.tif -b N=B08.tif --scale 0.0001 -o evi.tif
  climidx expr \"(1 + L) * (nir - red) / (nir + red + L)\" --const L=0.25 -b red=B04.tif -b nir=B08.tif -o savi.tif
  climidx expr \"where(S1 > 0, N / S1, 0)\" -b N=B08.tif -b S1=B11.tif -o ratio.tif";

#[derive(Debug, Args)]
pub struct ExprArgs {
    /// The formula: + - * / ** (or ^), unary minus, parentheses, comparisons, min max abs sqrt
    /// exp log log10 tanh where(cond, a, b); bands by ASI symbol (B G R N S1 ...) or role name.
    pub formula: String,
    /// NAME=VALUE for a constant of the formula (ASI defaults apply otherwise: L 1, g 2.5, ...).
    #[arg(
        long = "const",
        value_name = "NAME=VALUE",
        allow_negative_numbers = true
    )]
    pub consts: Vec<String>,
    /// Band description of the output.
    #[arg(long, default_value = "expr")]
    pub name: String,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub input: BandArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}
