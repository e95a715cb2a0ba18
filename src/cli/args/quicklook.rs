//! Arguments of `climidx quicklook`.

use std::path::PathBuf;

use clap::Args;

use super::common::choice;

#[derive(Debug, Args)]
pub struct QuicklookArgs {
    /// The GeoTIFF (e.g. a climidx output).
    pub input: PathBuf,
    /// Output PNG.
    #[arg(short, long, value_name = "OUT.png")]
    pub output: PathBuf,
    /// Band to draw (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: u16,
    /// Colormap of a one-band quicklook (`auto`: from the band's index or unit).
    #[arg(long, value_parser = choice::<crate::io::quicklook::Colormap>(), default_value = "auto")]
    pub colormap: crate::io::quicklook::Colormap,
    /// An RGB composite of three bands of the input (e.g. `3,2,1` true colour, `4,3,2` false
    /// colour of a blue-green-red-NIR file), each stretched between its 2nd and 98th
    /// percentiles (nodata excluded).
    #[arg(long, value_name = "R,G,B", conflicts_with_all = ["band", "colormap", "range", "legend"])]
    pub rgb: Option<String>,
    /// Values mapped to the ends of the colormap (default: the index's typical range, else the
    /// 2nd and 98th percentiles; anomalies centred on 0).
    #[arg(long, value_name = "MIN,MAX", allow_negative_numbers = true)]
    pub range: Option<String>,
    /// Add a colorbar with the range and the band's name and unit.
    #[arg(long)]
    pub legend: bool,
    /// Longest side of the PNG in pixels (the raster is box-averaged down to it).
    #[arg(long, default_value_t = 1024)]
    pub max_size: u32,
    /// Smaller rasters are enlarged by a whole factor (nearest neighbour) to at least this long
    /// side, up to --max-size (1: draw them 1:1).
    #[arg(long, default_value_t = 512)]
    pub min_size: u32,
    /// Replace OUT.png if it exists.
    #[arg(long)]
    pub overwrite: bool,
    /// Print a report (output, size, band, colormap, range) as one JSON object on standard
    /// output.
    #[arg(long)]
    pub json: bool,
}
