//! clap definitions. Parsing only; validation against files happens in the commands.
//!
//! The parser and its commands are here; the option groups several commands share are in
//! `common`, and each command's arguments in the file named like its `cli::commands` file.
// Doc comments in this module and its files are the CLI help text: `PATH[:N]` is not an
// intra-doc link.
#![allow(rustdoc::broken_intra_doc_links)]

mod anomaly;
mod bench;
mod climatology;
mod common;
mod index;
mod list;
mod lst;
mod quicklook;
mod spi;
mod stack;
mod trend;

use clap::{Parser, Subcommand};

pub use anomaly::{AnomalyArgs, AnomalyKind, VhiArgs};
pub use bench::BenchArgs;
pub use climatology::ClimatologyArgs;
pub use common::{BandArgs, Calibration, DeviceArgs, OutputArgs};
pub use index::{ExprArgs, IndexArgs};
pub use list::{ListArgs, ShowArgs};
pub use lst::{LstArgs, LstMethod, LstOutput, TempUnit};
pub use quicklook::QuicklookArgs;
pub use spi::SpiArgs;
pub use stack::StackArgs;
pub use trend::TrendArgs;

use anomaly::ANOMALY_EXAMPLES;
use climatology::CLIMATOLOGY_EXAMPLES;
use index::{EXPR_EXAMPLES, INDEX_EXAMPLES};
use lst::LST_EXAMPLES;
use spi::SPI_EXAMPLES;
use trend::TREND_EXAMPLES;

#[derive(Debug, Parser)]
#[command(
    name = "climidx",
    version,
    about = "GPU-accelerated climate and spectral index engine"
)]
pub struct Cli {
    /// More log output (-v info: adapter, tile plan, timings; -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the GPU adapters wgpu sees and mark the one `--device auto` picks.
    Adapters(DeviceArgs),
    /// Compute one or more indices into a float32 GeoTIFF.
    #[command(after_long_help = INDEX_EXAMPLES)]
    Index(IndexArgs),
    /// Land-surface temperature (or brightness temperature) from Landsat thermal bands.
    #[command(after_long_help = LST_EXAMPLES)]
    Lst(LstArgs),
    /// Measure every device path (and peer tools) on a Sentinel-2-sized input.
    Bench(BenchArgs),
    /// Render a PNG quicklook of a GeoTIFF band: colormap, nodata transparent, legend.
    Quicklook(QuicklookArgs),
    /// List the indices, one per line, name first (built-in kernels and the catalogue, or a
    /// catalogue file).
    List(ListArgs),
    /// Show one index: formula, bands, constants, reference.
    Show(ShowArgs),
    /// Compute any band-math formula (compiled to a GPU kernel) into a float32 GeoTIFF.
    #[command(after_long_help = EXPR_EXAMPLES)]
    Expr(ExprArgs),
    /// Per-pixel count, mean, std, min and max over a stack of rasters (optionally per
    /// month, dekad, week or day of year over a baseline).
    #[command(after_long_help = CLIMATOLOGY_EXAMPLES)]
    Climatology(ClimatologyArgs),
    /// An observation against its climatology: diff, zscore, percent, vci or tci.
    #[command(after_long_help = ANOMALY_EXAMPLES)]
    Anomaly(AnomalyArgs),
    /// Vegetation Health Index from a VCI and a TCI raster: a·VCI + (1 − a)·TCI.
    Vhi(VhiArgs),
    /// Per-pixel Theil–Sen slope (per year) and Mann–Kendall trend test over a dated stack.
    #[command(after_long_help = TREND_EXAMPLES)]
    Trend(TrendArgs),
    /// Standardized Precipitation Index of a monthly precipitation stack (gamma, per month).
    #[command(after_long_help = SPI_EXAMPLES)]
    Spi(SpiArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    use crate::engine::gpu::DeviceChoice;
    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_index_example() {
        let c = Cli::try_parse_from([
            "climidx",
            "index",
            "ndvi",
            "evi",
            "--band",
            "red=a.tif:3",
            "-b",
            "nir=a.tif:4",
            "--band",
            "blue=b.tif",
            "--scale",
            "0.0001",
            "--offset",
            "-0.1",
            "-o",
            "x.tif",
            "--device",
            "cpu",
        ])
        .unwrap();
        let Command::Index(a) = c.command else {
            panic!()
        };
        assert_eq!(a.indices, ["ndvi", "evi"]);
        assert_eq!(a.input.bands.len(), 3);
        assert_eq!(a.input.cal.offset, Some(-0.1));
        assert_eq!(a.device.device, DeviceChoice::Cpu);
    }
}
