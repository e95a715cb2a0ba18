//! Arguments of `climidx lst`.

use std::path::PathBuf;

use clap::Args;

use super::common::{DeviceArgs, OutputArgs};

pub(super) const LST_EXAMPLES: &str = "\
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
