//! Option groups shared by several commands: device, bands and calibration, output; and the
//! value parser for library enumerations.

use std::path::PathBuf;

use clap::Args;

use crate::choice::Choice;
use crate::engine::gpu::DeviceChoice;

/// A value parser for a library enumeration named by words ([`Choice`]), with each word's help.
pub(super) fn choice<T: Choice>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        T::CHOICES
            .iter()
            .map(|(_, w, h)| PossibleValue::new(*w).help(*h)),
    )
    .map(|s| T::from_word(&s).expect("clap checked the word"))
}

#[derive(Debug, Clone, Args)]
pub struct DeviceArgs {
    /// Where kernels run: auto (hardware GPU if any, else native CPU), gpu, software (wgpu CPU
    /// adapter, e.g. lavapipe), cpu (native Rust).
    #[arg(long, value_parser = choice::<DeviceChoice>(), default_value = "auto")]
    pub device: DeviceChoice,
    /// Use the adapter whose name contains this text (case-insensitive). Also WGPU_ADAPTER_NAME.
    #[arg(long, value_name = "SUBSTRING")]
    pub adapter: Option<String>,
}

/// The bands of an index run and their calibration (shared by `index` and `expr`).
#[derive(Debug, Clone, Args)]
pub struct BandArgs {
    /// ROLE=PATH[:N]: band N (1-based, default 1) of PATH plays ROLE (blue, green, red, nir,
    /// swir1, swir2, re1, ... or an ASI symbol: B G R N S1 S2 RE1 ...).
    #[arg(
        long = "band",
        short = 'b',
        value_name = "ROLE=PATH[:N]",
        required_unless_present_any = ["sensor", "stac"]
    )]
    pub bands: Vec<String>,
    #[command(flatten)]
    pub cal: Calibration,
    /// Find the bands in --scene by the product's naming, with its calibration:
    /// landsat-l1-toa, landsat-c2l2, sentinel2-l2a. --band still overrides single roles.
    #[arg(long, value_parser = choice::<crate::io::products::presets::Sensor>(), requires = "scene")]
    pub sensor: Option<crate::io::products::presets::Sensor>,
    /// The product folder (Landsat scene with its MTL, Sentinel-2 .SAFE or band folder).
    #[arg(long, value_name = "DIR", requires = "sensor")]
    pub scene: Option<PathBuf>,
    /// A STAC item (JSON file or URL): each band by its common name (eo:bands), with the
    /// asset's raster:bands scale/offset/nodata; --mask scl|qa-pixel uses its quality asset.
    /// --band still overrides single roles. An ItemCollection runs item by item into -o DIR
    /// (DIR/<item id>.tif; --stats/--quicklook named with {id}).
    #[arg(long, value_name = "ITEM", conflicts_with = "sensor")]
    pub stac: Option<PathBuf>,
    /// Sentinel-2 BOA_ADD_OFFSET for every band, overriding the product metadata.
    #[arg(long, value_name = "DN", allow_negative_numbers = true)]
    pub boa_offset: Option<f64>,
    /// Mask pixels: qa-pixel[:FILE] (Landsat C2 QA_PIXEL bits), scl[:FILE] (Sentinel-2 L2A
    /// classes) or FILE:BITS (any bit-flag band; BITS decimal or 0x hex). Masked pixels are
    /// nodata in every output.
    #[arg(long, value_name = "SPEC")]
    pub mask: Option<String>,
    /// Which QA_PIXEL bits or SCL classes mask (names or numbers, comma-separated; default
    /// QA_PIXEL fill,dilated,cirrus,cloud,shadow; SCL no_data,saturated,shadow,cloud_medium,
    /// cloud_high,cirrus).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub mask_select: Vec<String>,
}

/// DN → value for every input band, and the nodata override.
#[derive(Debug, Clone, Args)]
pub struct Calibration {
    /// DN → value (reflectance, NDVI, kelvin): value = DN·scale + offset, for every input band
    /// without its own (`--band ROLE=FILE@SCALE,OFFSET`). Default: each file's declared
    /// Scale/Offset (GDAL metadata), else 1.
    #[arg(long, allow_negative_numbers = true)]
    pub scale: Option<f32>,
    /// See --scale (default 0 when --scale is given).
    #[arg(long, allow_negative_numbers = true)]
    pub offset: Option<f32>,
    /// Input nodata value for every input band (overrides the files' GDAL_NODATA).
    #[arg(long, allow_negative_numbers = true)]
    pub nodata: Option<f64>,
}

impl Calibration {
    /// Refuse a zero or non-finite scale and a non-finite offset.
    pub fn check(&self) -> crate::error::Result<()> {
        check_calibration("--scale", self.scale, self.offset)
    }

    /// The engine's calibration of every band without its own.
    pub fn engine(&self) -> crate::engine::Calibration {
        crate::engine::Calibration {
            scale: self.scale,
            offset: self.offset,
            nodata: self.nodata,
        }
    }
}

/// Refuse a zero or non-finite scale and a non-finite offset (`what` names the option).
pub fn check_calibration(
    what: &str,
    scale: Option<f32>,
    offset: Option<f32>,
) -> crate::error::Result<()> {
    let bad_scale = scale.is_some_and(|s| !s.is_finite() || s == 0.0);
    let bad_offset = offset.is_some_and(|o| !o.is_finite());
    if bad_scale || bad_offset {
        return Err(crate::error::Error::Usage(format!(
            "{what}: the scale must be finite and non-zero, the offset finite"
        )));
    }
    Ok(())
}

/// How outputs are written and windows sized (shared by the commands that write rasters).
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
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
    /// Output compression: none, deflate[:LEVEL 1-12], zstd[:LEVEL 1-22], lzw (with the
    /// floating-point predictor for float outputs). Plain deflate is libdeflate at a level picked
    /// from the data (1 where its files stay within 1 % of level 6, else 6), so files stay the
    /// size of GDAL's; plain zstd is level 3.
    #[arg(long, value_name = "CODEC[:LEVEL]", value_parser = crate::io::geotiff::encode::Compression::parse, default_value = "deflate")]
    pub compress: crate::io::geotiff::encode::Compression,
    /// Stored sample type of index outputs: float32, or int16 holding
    /// round((value − offset) / scale) with GDAL's band scale/offset, as operational products
    /// store indices (MODIS NDVI: int16, scale 0.0001); needs --output-scale. Nodata is −32768
    /// unless --out-nodata gives another integer; values that do not fit are written as nodata
    /// and counted in a warning.
    #[arg(long, value_name = "TYPE", default_value = "float32", value_parser = ["float32", "int16"])]
    pub output_type: String,
    /// Scale of --output-type int16 (value = stored × scale + offset).
    #[arg(long, value_name = "SCALE")]
    pub output_scale: Option<f64>,
    /// Offset of --output-type int16 (default 0).
    #[arg(long, value_name = "OFFSET", allow_negative_numbers = true)]
    pub output_offset: Option<f64>,
    /// Output tile size in pixels (a multiple of 16); 0 writes strips.
    #[arg(
        long,
        visible_alias = "blocksize",
        value_name = "PX",
        default_value_t = 512
    )]
    pub tile_size: u32,
    /// Write a Cloud-Optimized GeoTIFF: tiled, with overviews (halved until one tile holds the
    /// smallest) computed in the same pass, laid out as GDAL's COG driver writes it.
    #[arg(long)]
    pub cog: bool,
    /// Add internal overviews to the (plain) GeoTIFF, sized as gdaladdo sizes them.
    #[arg(long, conflicts_with = "cog")]
    pub overviews: bool,
    /// How overview pixels are computed (with --cog or --overviews): average (nodata-aware,
    /// area-weighted, as GDAL's -r average) or nearest. Default average.
    #[arg(long, value_name = "METHOD", value_parser = choice::<crate::io::Resampling>())]
    pub overview_resampling: Option<crate::io::Resampling>,
    /// Write per-output statistics (counts, min, max, mean, std, histogram) to this JSON file,
    /// computed during the pass.
    #[arg(long, value_name = "FILE.json")]
    pub stats: Option<PathBuf>,
    /// Histogram range for --stats (default: each index's typical range).
    #[arg(long, value_name = "MIN,MAX", allow_negative_numbers = true)]
    pub stats_range: Option<String>,
    /// Also render a PNG quicklook of the first output band (colormap by index family, legend).
    #[arg(long, value_name = "FILE.png")]
    pub quicklook: Option<PathBuf>,
    /// Print a report of the run (outputs, size, bands, inputs and their calibration, device,
    /// windows, timings) as one JSON object on standard output.
    #[arg(long)]
    pub json: bool,
}
