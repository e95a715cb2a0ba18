//! clap definitions. Parsing only; validation against files happens in the commands.
// Doc comments here are the CLI help text: `PATH[:N]` is not an intra-doc link.
#![allow(rustdoc::broken_intra_doc_links)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::choice::Choice;
use crate::engine::gpu::DeviceChoice;

/// A value parser for a library enumeration named by words ([`Choice`]), with each word's help.
fn choice<T: Choice>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        T::CHOICES
            .iter()
            .map(|(_, w, h)| PossibleValue::new(*w).help(*h)),
    )
    .map(|s| T::from_word(&s).expect("clap checked the word"))
}

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
}

const EXPR_EXAMPLES: &str = "\
Examples:
  climidx expr \"2.5 * (N - R) / (N + 6 * R - 7.5 * B + 1)\" -b B=B02.tif -b R=B04.tif -b N=B08.tif --scale 0.0001 -o evi.tif
  climidx expr \"(1 + L) * (nir - red) / (nir + red + L)\" --const L=0.25 -b red=B04.tif -b nir=B08.tif -o savi.tif
  climidx expr \"where(S1 > 0, N / S1, 0)\" -b N=B08.tif -b S1=B11.tif -o ratio.tif";

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
    #[arg(long, value_parser = choice::<crate::io::quicklook::Colormap>(), default_value = "auto")]
    pub colormap: crate::io::quicklook::Colormap,
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
    /// Replace OUT.png if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this application domain (vegetation, water, burn, snow, urban, soil, ...).
    #[arg(long)]
    pub domain: Option<String>,
    /// List an Awesome Spectral Indices JSON file (spectral-indices-dict.json) instead.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Index name.
    pub name: String,
    /// Look the name up in an Awesome Spectral Indices JSON file.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

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

const CLIMATOLOGY_EXAMPLES: &str = "\
Examples:
  climidx climatology ndvi_2001.tif ndvi_2002.tif ndvi_2003.tif -o clim/
  climidx climatology --manifest stack.csv --period month --baseline 1991-2020 -o clim/
  climidx climatology ndvi_*.tif --period dekad --date-pattern 'ndvi_%Y%m%d.tif' -o clim/ --ddof 1";

const ANOMALY_EXAMPLES: &str = "\
Examples:
  climidx anomaly ndvi_2024.tif --climatology clim/ --kind zscore -o z.tif
  climidx anomaly ndvi_20240715.tif --climatology clim_monthly/ --kind vci -o vci.tif
  climidx anomaly bt_2024.tif --climatology bt_clim/ --kind tci --date 2024-07-15 -o tci.tif";

#[derive(Debug, Args)]
pub struct ClimatologyArgs {
    /// Input rasters (one band each is used, see --band).
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

/// What `climidx anomaly` computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AnomalyKind {
    /// x − mean
    Diff,
    /// (x − mean) / std
    Zscore,
    /// 100 · x / mean
    Percent,
    /// 100 · (x − min) / (max − min)
    Vci,
    /// 100 · (max − x) / (max − min)
    Tci,
}

#[derive(Debug, Args)]
pub struct AnomalyArgs {
    /// The observation raster.
    #[arg(value_name = "RASTER")]
    pub input: PathBuf,
    /// Folder written by `climidx climatology`.
    #[arg(long, value_name = "DIR")]
    pub climatology: PathBuf,
    #[arg(long, value_enum)]
    pub kind: AnomalyKind,
    /// The observation's date, to pick the period (default: from the file name).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// How the date is read from the file name (default: the climatology's pattern, else the
    /// first YYYYMMDD or YYYY-MM-DD).
    #[arg(long, value_name = "PATTERN")]
    pub date_pattern: Option<String>,
    /// Band of the input (1-based).
    #[arg(long, default_value_t = 1)]
    pub band: u16,
    #[command(flatten)]
    pub cal: Calibration,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}

#[derive(Debug, Args)]
pub struct VhiArgs {
    /// VCI raster (0–100).
    #[arg(long, value_name = "FILE")]
    pub vci: PathBuf,
    /// TCI raster (0–100).
    #[arg(long, value_name = "FILE")]
    pub tci: PathBuf,
    /// Weight a of VCI (TCI gets 1 − a).
    #[arg(long, default_value_t = 0.5)]
    pub weight: f32,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
}

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

const LST_EXAMPLES: &str = "\
Examples:
  climidx lst --scene LC08_L1TP_190028_20230715_20230725_02_T1 -o lst.tif
  climidx lst --scene LANDSAT_DIR --output-kind bt -o bt.tif
  climidx lst --band thermal=B10.TIF --band red=B4.TIF --band nir=B5.TIF --mtl MTL.txt -o lst.tif
  climidx lst --scene LANDSAT_DIR --method split-window --water-vapour 1.8 -o lst.tif
  climidx lst --scene L2_DIR --method c2l2-st --unit celsius -o st.tif
  climidx lst --scene LANDSAT_DIR --emissivity constant 0.97 -o lst.tif

Chain (single channel): DN -> radiance (RADIANCE_MULT/ADD) -> brightness temperature
BT = K2 / ln(K1/L + 1) (K1, K2 from the MTL) -> NDVI from TOA reflectance
((REFLECTANCE_MULT*DN + REFLECTANCE_ADD) / sin(SUN_ELEVATION)) -> emissivity ->
LST = BT / (1 + (lambda*BT/rho) ln e), rho = 14387.77 um K.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LstMethod {
    /// Single channel with emissivity (B10 on Landsat 8/9, B6 on TM/ETM+).
    SingleChannel,
    /// Jimenez-Munoz et al. 2014 split window, Landsat 8/9 B10 + B11.
    SplitWindow,
    /// Collection 2 Level-2 ST band: DN*0.00341802 + 149.0 K.
    C2l2St,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LstOutput {
    /// Land-surface temperature.
    Lst,
    /// Brightness temperature only.
    Bt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TempUnit {
    Kelvin,
    Celsius,
}

#[derive(Debug, Args)]
pub struct LstArgs {
    /// Landsat scene folder: *_MTL.txt plus the band GeoTIFFs it names.
    #[arg(long, value_name = "DIR")]
    pub scene: Option<PathBuf>,
    /// The scene's MTL file (default: the *_MTL.txt in --scene).
    #[arg(long, value_name = "FILE")]
    pub mtl: Option<PathBuf>,
    /// ROLE=PATH[:N] overriding the scene's band file for ROLE (thermal, thermal2, red, nir).
    #[arg(long = "band", short = 'b', value_name = "ROLE=PATH[:N]")]
    pub bands: Vec<String>,
    /// Output GeoTIFF.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    #[arg(long, value_enum, default_value = "single-channel")]
    pub method: LstMethod,
    #[arg(long, value_enum, default_value = "lst")]
    pub output_kind: LstOutput,
    /// ndvi-threshold (Sobrino 2004), avdan (0.004*Pv + 0.986), or `constant VALUE`.
    #[arg(long, num_args = 1..=2, value_names = ["METHOD", "VALUE"], default_values = ["ndvi-threshold"])]
    pub emissivity: Vec<String>,
    /// NDVI below which a pixel is bare soil.
    #[arg(long, default_value_t = 0.2, allow_negative_numbers = true)]
    pub ndvi_soil: f32,
    /// NDVI above which a pixel is full vegetation.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub ndvi_veg: f32,
    /// Soil emissivity: replaces the red-reflectance relation below the soil threshold and is
    /// the soil end-member in the mixed zone (default: the band's, e.g. 0.9668 for B10).
    #[arg(long, value_name = "E")]
    pub emissivity_soil: Option<f32>,
    /// Vegetation emissivity (default: the band's, e.g. 0.9863 for B10).
    #[arg(long, value_name = "E")]
    pub emissivity_veg: Option<f32>,
    /// Cavity-effect factor F in C = (1 - es) ev F (1 - Pv); 0 disables the term.
    #[arg(long, default_value_t = 0.55, value_name = "F")]
    pub cavity: f32,
    /// Effective wavelength of the thermal band, um (default per band: B10 10.895, TM 11.457,
    /// ETM+ 11.269).
    #[arg(long, value_name = "UM")]
    pub wavelength: Option<f32>,
    /// Column water vapour in g/cm2 (split window).
    #[arg(long, value_name = "G_CM2")]
    pub water_vapour: Option<f32>,
    #[arg(long, value_enum, default_value = "kelvin")]
    pub unit: TempUnit,
    /// Also write the emissivity as a second band.
    #[arg(long)]
    pub with_emissivity: bool,
    /// Landsat 7: use the high-gain thermal band (6_VCID_2) instead of low gain (6_VCID_1).
    #[arg(long)]
    pub high_gain: bool,
    /// Input nodata for every band (default: the file's GDAL_NODATA, else Landsat's fill 0).
    #[arg(long, allow_negative_numbers = true)]
    pub nodata: Option<f64>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub device: DeviceArgs,
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
    #[arg(long, value_parser = choice::<DeviceChoice>(), default_value = "auto")]
    pub device: DeviceChoice,
    /// Use the adapter whose name contains this text (case-insensitive). Also WGPU_ADAPTER_NAME.
    #[arg(long, value_name = "SUBSTRING")]
    pub adapter: Option<String>,
}

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

/// The bands of an index run and their calibration (shared by `index` and `expr`).
#[derive(Debug, Clone, Args)]
pub struct BandArgs {
    /// ROLE=PATH[:N]: band N (1-based, default 1) of PATH plays ROLE (blue, green, red, nir,
    /// swir1, swir2, re1, ... or an ASI symbol: B G R N S1 S2 RE1 ...).
    #[arg(
        long = "band",
        short = 'b',
        value_name = "ROLE=PATH[:N]",
        required_unless_present = "sensor"
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
    /// DN → value (reflectance, NDVI, kelvin): value = DN·scale + offset, for every input band.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub scale: f32,
    /// See --scale.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub offset: f32,
    /// Input nodata value for every input band (overrides the files' GDAL_NODATA).
    #[arg(long, allow_negative_numbers = true)]
    pub nodata: Option<f64>,
}

impl Calibration {
    /// Refuse a zero or non-finite scale and a non-finite offset.
    pub fn check(&self) -> crate::error::Result<()> {
        if !self.scale.is_finite() || !self.offset.is_finite() || self.scale == 0.0 {
            return Err(crate::error::Error::Usage(
                "--scale must be finite and non-zero, --offset finite".into(),
            ));
        }
        Ok(())
    }
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
    /// Output compression (with the floating-point predictor for float outputs).
    #[arg(long, value_parser = choice::<crate::io::geotiff::encode::Compression>(), default_value = "deflate")]
    pub compress: crate::io::geotiff::encode::Compression,
    /// Output tile size in pixels (a multiple of 16); 0 writes strips.
    #[arg(long, value_name = "PX", default_value_t = 512)]
    pub tile_size: u32,
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
        assert_eq!(a.input.bands.len(), 3);
        assert_eq!(a.input.cal.offset, -0.1);
        assert_eq!(a.device.device, DeviceChoice::Cpu);
    }
}
