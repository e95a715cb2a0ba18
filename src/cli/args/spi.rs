//! Arguments of `climidx spi`.

use std::path::PathBuf;

use clap::Args;

use super::common::{Calibration, DeviceArgs, OutputArgs};
use super::stack::StackArgs;

pub(super) const SPI_EXAMPLES: &str = "\
Examples:
  climidx spi precip.nc:pr --scale-months 1,3,12 --calibration 1991-2020 -o spi/
  climidx spi precip_*.tif --scale-months 3 --calibration 1981-2010 --months 2020-07 -o spi/
  climidx spi --manifest months.csv --scale-months 6 --calibration 1991-2020 -o spi/ --device cpu";

#[derive(Debug, Args)]
pub struct SpiArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Months summed before the fit, one output series per scale, e.g. 1,3,6,12.
    #[arg(
        long,
        value_name = "K,...",
        value_delimiter = ',',
        default_value = "1,3,6,12"
    )]
    pub scale_months: Vec<u32>,
    /// Calibration years of the per-month gamma fit, e.g. 1991-2020 (inside the stack's years).
    #[arg(long, value_name = "YYYY-YYYY")]
    pub calibration: String,
    /// Fewest valid calibration sums a calendar month needs; below it that month's SPI is nodata.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_years: u32,
    /// Write only these months (YYYY-MM,...); SPI is still computed from the whole stack.
    #[arg(long, value_name = "YYYY-MM,...", value_delimiter = ',')]
    pub months: Vec<String>,
    /// Band of each input to use (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: u16,
    #[command(flatten)]
    pub cal: Calibration,
    /// Output folder (created if missing): spi{K}_{YYYYMM}.tif per scale and month.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}
