//! clap definitions. Parsing only; validation against files happens in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::gpu::DeviceChoice;

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
    /// List the built-in indices, one per line.
    List,
}

const INDEX_EXAMPLES: &str = "\
Examples:
  # NDVI from bands 3 and 4 of one file
  climidx index ndvi --band red=scene.tif:3 --band nir=scene.tif:4 -o ndvi.tif
  # three indices from Sentinel-2 L2A (baseline < 04.00) DNs, one 3-band output
  climidx index ndvi evi savi --band blue=B02.tif --band red=B04.tif --band nir=B08.tif \\
      --scale 0.0001 -o vi.tif
  # Landsat Collection 2 Level-2 surface reflectance
  climidx index nbr --band nir=SR_B5.TIF --band swir2=SR_B7.TIF --scale 0.0000275 --offset -0.2 -o nbr.tif";

#[derive(Debug, Clone, Args)]
pub struct DeviceArgs {
    /// Where kernels run: auto (hardware GPU if any, else native CPU), gpu, software (wgpu CPU
    /// adapter, e.g. lavapipe), cpu (native Rust).
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceChoice,
    /// Use the adapter whose name contains this text (case-insensitive). Also WGPU_ADAPTER_NAME.
    #[arg(long, value_name = "SUBSTRING")]
    pub adapter: Option<String>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Index names (see `climidx list`); several give one band each, in this order.
    #[arg(required = true, value_name = "INDEX")]
    pub indices: Vec<String>,
    /// ROLE=PATH[:N]: band N (1-based, default 1) of PATH plays ROLE (blue, green, red, nir,
    /// swir1, swir2).
    #[arg(
        long = "band",
        short = 'b',
        value_name = "ROLE=PATH[:N]",
        required = true
    )]
    pub bands: Vec<String>,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// DN → reflectance: value = DN·scale + offset.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub scale: f32,
    /// See --scale.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub offset: f32,
    /// Input nodata value for every band (overrides the files' GDAL_NODATA).
    #[arg(long, allow_negative_numbers = true)]
    pub nodata: Option<f64>,
    /// Output nodata value, written as GDAL_NODATA ("nan" by default).
    #[arg(long, default_value = "nan", allow_negative_numbers = true)]
    pub out_nodata: String,
    /// Replace OUT if it exists.
    #[arg(long)]
    pub overwrite: bool,
    /// Process at most this many pixels per window (rounded to whole rows; also
    /// CLIMIDX_WINDOW_PIXELS).
    #[arg(long, value_name = "N")]
    pub window_pixels: Option<usize>,
    /// Host memory budget for window buffers, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub mem_limit: usize,
    #[command(flatten)]
    pub device: DeviceArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
        assert_eq!(a.bands.len(), 3);
        assert_eq!(a.offset, -0.1);
        assert_eq!(a.device.device, DeviceChoice::Cpu);
    }
}
