//! Arguments of `climidx trend`.

use std::path::PathBuf;

use clap::Args;

use super::common::{Calibration, DeviceArgs, OutputArgs};
use super::stack::StackArgs;

pub(super) const TREND_EXAMPLES: &str = "\
Examples:
  climidx trend ndvi_*.tif -o trend/
  climidx trend --manifest stack.csv --alpha 0.05 -o trend/
  climidx trend ndvi_*.tif --date-pattern 'ndvi_%Y%j.tif' -o trend/ --device cpu";

#[derive(Debug, Args)]
pub struct TrendArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Keep only inputs of these years, e.g. 2001-2020.
    #[arg(long, value_name = "YYYY-YYYY")]
    pub baseline: Option<String>,
    /// Also write significant.tif: 1 where the two-sided Mann–Kendall p < ALPHA, else 0.
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f32>,
    /// Refuse stacks with more inputs (the work per pixel grows as n², see the README).
    #[arg(long, value_name = "N", default_value_t = crate::engine::jobs::trend::MAX_TREND_INPUTS)]
    pub max_inputs: usize,
    /// Band of each input to use (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: u16,
    #[command(flatten)]
    pub cal: Calibration,
    /// Output folder (created if missing): slope.tif intercept.tif s.tif var.tif z.tif p.tif
    /// tau.tif count.tif (and significant.tif with --alpha).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}
