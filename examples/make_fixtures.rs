//! Regenerates the sample scene and test fixtures in `assets/`:
//! `cargo run --example make_fixtures`. Written with the `tiff` crate's encoder (independent of
//! climidx's own writer), deflate-compressed strips.
//!
//! The scene is synthetic: a 96×80 grid at 10 m in WGS 84 / UTM zone 33N (EPSG:32633), origin
//! (600000, 5000000), with Sentinel-2 L2A-style DNs (reflectance × 10000, nodata 0) for a
//! landscape of cropland, forest, a lake, bare soil and a town, and a 3-column nodata strip on
//! the west edge as at a swath border.

use std::fs::File;
use std::path::Path;

use tiff::encoder::colortype::ColorType;
use tiff::encoder::{Compression, DeflateLevel, TiffEncoder};
use tiff::tags::{PhotometricInterpretation, SampleFormat, Tag};

const W: u32 = 96;
const H: u32 = 80;

/// Four u16 samples per pixel, MinIsBlack (GDAL reads four plain bands).
struct Gray16x4;
impl ColorType for Gray16x4 {
    type Inner = u16;
    const TIFF_VALUE: PhotometricInterpretation = PhotometricInterpretation::BlackIsZero;
    const BITS_PER_SAMPLE: &'static [u16] = &[16, 16, 16, 16];
    const SAMPLE_FORMAT: &'static [SampleFormat] = &[SampleFormat::Uint; 4];
    fn horizontal_predict(_: &[u16], _: &mut Vec<u16>) {
        unreachable!("no predictor used")
    }
}

/// Surface reflectance of (blue, green, red, nir, swir1, swir2) for each land cover.
fn cover(x: u32, y: u32) -> [f64; 6] {
    let (fx, fy) = (x as f64 / W as f64, y as f64 / H as f64);
    let lake = (fx - 0.7).powi(2) + (fy - 0.3).powi(2) < 0.02;
    let town = fx < 0.35 && fy > 0.7;
    let forest = fy < 0.35 && fx < 0.5;
    let soil = fx > 0.75 && fy > 0.65;
    // small deterministic texture
    let t = (((x * 7919 + y * 104729) % 97) as f64 / 97.0 - 0.5) * 0.02;
    if lake {
        [0.06, 0.07, 0.04, 0.02, 0.01, 0.005]
    } else if town {
        [0.10 + t, 0.11 + t, 0.13 + t, 0.20 + t, 0.26 + t, 0.22 + t]
    } else if forest {
        [0.02, 0.04 + t, 0.025, 0.38 + t, 0.17, 0.08]
    } else if soil {
        [0.09, 0.13, 0.19 + t, 0.27 + t, 0.34, 0.29]
    } else {
        // cropland with a green-up gradient west to east
        let g = 0.15 + 0.35 * fx;
        [0.04, 0.07 + t, 0.09 - 0.05 * fx, g + t, 0.22, 0.12]
    }
}

fn dn(r: f64) -> u16 {
    (r * 10000.0).round().clamp(1.0, 65535.0) as u16
}

fn nodata_at(x: u32, _y: u32) -> bool {
    x < 3
}

fn geo_tags<W: std::io::Write + std::io::Seek, C: ColorType, K: tiff::encoder::TiffKind>(
    img: &mut tiff::encoder::ImageEncoder<'_, W, C, K>,
    origin_x: f64,
    nodata: &str,
) {
    let e = img.encoder();
    e.write_tag(Tag::ModelPixelScaleTag, &[10.0f64, 10.0, 0.0][..])
        .unwrap();
    e.write_tag(
        Tag::ModelTiepointTag,
        &[0.0f64, 0.0, 0.0, origin_x, 5_000_000.0, 0.0][..],
    )
    .unwrap();
    // ModelType projected, PixelIsArea, semi-major axis (a double param), EPSG:32633, citation
    // (an ASCII param).
    let keys: [u16; 24] = [
        1, 1, 0, 5, //
        1024, 0, 1, 1, //
        1025, 0, 1, 1, //
        2057, 34736, 1, 0, //
        3072, 0, 1, 32633, //
        3073, 34737, 22, 0,
    ];
    e.write_tag(Tag::GeoKeyDirectoryTag, &keys[..]).unwrap();
    e.write_tag(Tag::GeoDoubleParamsTag, &[6378137.0f64][..])
        .unwrap();
    e.write_tag(Tag::GeoAsciiParamsTag, "WGS 84 / UTM zone 33N|")
        .unwrap();
    e.write_tag(Tag::GdalNodata, nodata).unwrap();
}

fn write_scene(path: &Path) {
    let mut data = Vec::with_capacity((W * H * 4) as usize);
    for y in 0..H {
        for x in 0..W {
            let c = cover(x, y);
            for r in &c[..4] {
                data.push(if nodata_at(x, y) { 0 } else { dn(*r) });
            }
        }
    }
    let mut enc = TiffEncoder::new(File::create(path).unwrap())
        .unwrap()
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    let mut img = enc.new_image::<Gray16x4>(W, H).unwrap();
    img.encoder()
        .write_tag(Tag::ExtraSamples, &[0u16, 0, 0][..])
        .unwrap();
    geo_tags(&mut img, 600_000.0, "0");
    img.rows_per_strip(16).unwrap();
    img.write_data(&data).unwrap();
}

fn write_band(path: &Path, band: usize, width: u32, height: u32, origin_x: f64) {
    let mut data = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            data.push(if nodata_at(x, y) {
                0
            } else {
                dn(cover(x, y)[band])
            });
        }
    }
    let mut enc = TiffEncoder::new(File::create(path).unwrap())
        .unwrap()
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    let mut img = enc
        .new_image::<tiff::encoder::colortype::Gray16>(width, height)
        .unwrap();
    geo_tags(&mut img, origin_x, "0");
    img.rows_per_strip(8).unwrap();
    img.write_data(&data).unwrap();
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let sample = root.join("sample");
    let fixtures = root.join("fixtures");
    std::fs::create_dir_all(&sample).unwrap();
    std::fs::create_dir_all(&fixtures).unwrap();
    write_scene(&sample.join("scene_u16_4band_96x80.tif"));
    for (band, name) in [
        (0, "B02"),
        (1, "B03"),
        (2, "B04"),
        (3, "B08"),
        (4, "B11"),
        (5, "B12"),
    ] {
        write_band(&sample.join(format!("{name}.tif")), band, W, H, 600_000.0);
    }
    // Mismatch fixtures: another size, and the same size shifted by one pixel.
    write_band(
        &fixtures.join("u16_1band_17x13_nodata0.tif"),
        3,
        17,
        13,
        600_000.0,
    );
    write_band(
        &fixtures.join("u16_1band_96x80_shifted10m.tif"),
        3,
        W,
        H,
        600_010.0,
    );
    // Not a TIFF, and a truncated TIFF.
    std::fs::write(
        fixtures.join("not_a_tiff.tif"),
        b"this is not a TIFF file\n",
    )
    .unwrap();
    let full = std::fs::read(sample.join("B08.tif")).unwrap();
    std::fs::write(fixtures.join("truncated.tif"), &full[..full.len() / 3]).unwrap();
    write_landsat(&root.join("landsat"));
    write_stack(&root.join("stack"));
    write_sentinel2(&root.join("sentinel2"));
    println!("fixtures written under {}", root.display());
}

/// Surface temperature (K) per land cover, for the thermal fixtures.
fn kelvin(x: u32, y: u32) -> f64 {
    let c = cover(x, y);
    if c[3] < 0.05 {
        293.0 // lake
    } else if c[3] > 0.3 && c[2] < 0.03 {
        298.0 // forest
    } else if c[4] > 0.3 {
        312.0 // bare soil
    } else if c[0] > 0.08 {
        308.0 // town
    } else {
        303.0
    }
}

const LW: u32 = 24;
const LH: u32 = 20;

/// Write a single-band Landsat-style GeoTIFF (u16 or u8) on a 30 m grid, without GDAL_NODATA
/// (as USGS delivers them; the fill value 0 is documented instead).
fn write_landsat_band(path: &Path, values: &[f64], u8_data: bool) {
    let mut enc = TiffEncoder::new(File::create(path).unwrap()).unwrap();
    fn tags<W: std::io::Write + std::io::Seek, C: ColorType, K: tiff::encoder::TiffKind>(
        img: &mut tiff::encoder::ImageEncoder<'_, W, C, K>,
    ) {
        let e = img.encoder();
        e.write_tag(Tag::ModelPixelScaleTag, &[30.0f64, 30.0, 0.0][..])
            .unwrap();
        e.write_tag(
            Tag::ModelTiepointTag,
            &[0.0f64, 0.0, 0.0, 600_000.0, 5_000_000.0, 0.0][..],
        )
        .unwrap();
        e.write_tag(
            Tag::GeoKeyDirectoryTag,
            &[
                1u16, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633,
            ][..],
        )
        .unwrap();
    }
    if u8_data {
        let data: Vec<u8> = values
            .iter()
            .map(|v| v.round().clamp(0.0, 255.0) as u8)
            .collect();
        let mut img = enc
            .new_image::<tiff::encoder::colortype::Gray8>(LW, LH)
            .unwrap();
        tags(&mut img);
        img.write_data(&data).unwrap();
    } else {
        let data: Vec<u16> = values
            .iter()
            .map(|v| v.round().clamp(0.0, 65535.0) as u16)
            .collect();
        let mut img = enc
            .new_image::<tiff::encoder::colortype::Gray16>(LW, LH)
            .unwrap();
        tags(&mut img);
        img.write_data(&data).unwrap();
    }
}

/// Per pixel of the 24×20 Landsat grid (the sample landscape seen 4× coarser); column 0 is fill.
fn landsat_grid(f: impl Fn(u32, u32) -> f64) -> Vec<f64> {
    let mut v = Vec::new();
    for y in 0..LH {
        for x in 0..LW {
            v.push(if x == 0 { 0.0 } else { f(x * 4, y * 4) });
        }
    }
    v
}

/// Radiance that gives brightness temperature `t` for (K1, K2): L = K1 / (exp(K2/T) − 1).
fn radiance_for(t: f64, k1: f64, k2: f64) -> f64 {
    k1 / ((k2 / t).exp() - 1.0)
}

/// A Landsat 8 Collection 2 Level-1 scene (C2 MTL layout per LSDS-1656) with bands 4, 5, 10, 11,
/// a Landsat 5 Collection 1 scene (C1 MTL layout) with bands 3, 4, 6 (8-bit), and a Landsat 8
/// Collection 2 Level-2 scene with ST_B10. Calibration values are typical of real MTL files.
fn write_landsat(root: &Path) {
    let sun: f64 = 60.0;
    let s = sun.to_radians().sin();
    // Landsat 8 C2 L1
    let id = "LC08_L1TP_190028_20230715_20230725_02_T1";
    let dir = root.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let refl = |b: usize| move |x, y| (cover(x, y)[b] * s + 0.1) / 2.0e-5;
    write_landsat_band(
        &dir.join(format!("{id}_B4.TIF")),
        &landsat_grid(refl(2)),
        false,
    );
    write_landsat_band(
        &dir.join(format!("{id}_B5.TIF")),
        &landsat_grid(refl(3)),
        false,
    );
    // at-sensor BT a little below the surface temperature (emissivity < 1)
    let b10 = landsat_grid(|x, y| {
        (radiance_for(kelvin(x, y) - 2.0, 774.8853, 1321.0789) - 0.1) / 3.3420e-4
    });
    let b11 = landsat_grid(|x, y| {
        (radiance_for(kelvin(x, y) - 3.5, 480.8883, 1201.1442) - 0.1) / 3.3420e-4
    });
    write_landsat_band(&dir.join(format!("{id}_B10.TIF")), &b10, false);
    write_landsat_band(&dir.join(format!("{id}_B11.TIF")), &b11, false);
    write_landsat_band(&dir.join(format!("{id}_QA_PIXEL.TIF")), &qa_pixel(), false);
    let mtl = format!(
        r#"GROUP = LANDSAT_METADATA_FILE
  GROUP = PRODUCT_CONTENTS
    ORIGIN = "Synthetic fixture in the layout of USGS Landsat Collection 2 Level-1 (LSDS-1656)"
    LANDSAT_PRODUCT_ID = "{id}"
    PROCESSING_LEVEL = "L1TP"
    COLLECTION_NUMBER = 02
    COLLECTION_CATEGORY = "T1"
    OUTPUT_FORMAT = "GEOTIFF"
    FILE_NAME_BAND_4 = "{id}_B4.TIF"
    FILE_NAME_BAND_5 = "{id}_B5.TIF"
    FILE_NAME_BAND_10 = "{id}_B10.TIF"
    FILE_NAME_BAND_11 = "{id}_B11.TIF"
    FILE_NAME_QUALITY_L1_PIXEL = "{id}_QA_PIXEL.TIF"
    FILE_NAME_METADATA_ODL = "{id}_MTL.txt"
  END_GROUP = PRODUCT_CONTENTS
  GROUP = IMAGE_ATTRIBUTES
    SPACECRAFT_ID = "LANDSAT_8"
    SENSOR_ID = "OLI_TIRS"
    WRS_PATH = 190
    WRS_ROW = 28
    DATE_ACQUIRED = 2023-07-15
    SCENE_CENTER_TIME = "09:41:23.1234560Z"
    CLOUD_COVER = 1.25
    SUN_AZIMUTH = 141.50000000
    SUN_ELEVATION = {sun:.8}
  END_GROUP = IMAGE_ATTRIBUTES
  GROUP = LEVEL1_RADIOMETRIC_RESCALING
    RADIANCE_MULT_BAND_4 = 9.8053E-03
    RADIANCE_MULT_BAND_5 = 6.0003E-03
    RADIANCE_MULT_BAND_10 = 3.3420E-04
    RADIANCE_MULT_BAND_11 = 3.3420E-04
    RADIANCE_ADD_BAND_4 = -49.02674
    RADIANCE_ADD_BAND_5 = -30.00149
    RADIANCE_ADD_BAND_10 = 0.10000
    RADIANCE_ADD_BAND_11 = 0.10000
    REFLECTANCE_MULT_BAND_4 = 2.0000E-05
    REFLECTANCE_MULT_BAND_5 = 2.0000E-05
    REFLECTANCE_ADD_BAND_4 = -0.100000
    REFLECTANCE_ADD_BAND_5 = -0.100000
  END_GROUP = LEVEL1_RADIOMETRIC_RESCALING
  GROUP = LEVEL1_THERMAL_CONSTANTS
    K1_CONSTANT_BAND_10 = 774.8853
    K2_CONSTANT_BAND_10 = 1321.0789
    K1_CONSTANT_BAND_11 = 480.8883
    K2_CONSTANT_BAND_11 = 1201.1442
  END_GROUP = LEVEL1_THERMAL_CONSTANTS
END_GROUP = LANDSAT_METADATA_FILE
END
"#
    );
    std::fs::write(dir.join(format!("{id}_MTL.txt")), mtl).unwrap();

    // Landsat 5 C1 L1 (8-bit bands)
    let id5 = "LT05_L1TP_190028_20090801_20161022_01_T1";
    let dir5 = root.join(id5);
    std::fs::create_dir_all(&dir5).unwrap();
    let sun5: f64 = 55.0;
    let s5 = sun5.to_radians().sin();
    let refl5 = |b: usize| move |x, y| (cover(x, y)[b] * s5 + 0.0035) / 1.0e-3;
    write_landsat_band(
        &dir5.join(format!("{id5}_B3.TIF")),
        &landsat_grid(refl5(2)),
        true,
    );
    write_landsat_band(
        &dir5.join(format!("{id5}_B4.TIF")),
        &landsat_grid(refl5(3)),
        true,
    );
    let b6 = landsat_grid(|x, y| {
        (radiance_for(kelvin(x, y) - 2.0, 607.76, 1260.56) - 1.18243) / 5.5375e-2
    });
    write_landsat_band(&dir5.join(format!("{id5}_B6.TIF")), &b6, true);
    let mtl5 = format!(
        r#"GROUP = L1_METADATA_FILE
  GROUP = METADATA_FILE_INFO
    ORIGIN = "Synthetic fixture in the layout of USGS Landsat Collection 1 Level-1"
    LANDSAT_PRODUCT_ID = "{id5}"
    COLLECTION_NUMBER = 01
  END_GROUP = METADATA_FILE_INFO
  GROUP = PRODUCT_METADATA
    DATA_TYPE = "L1TP"
    SPACECRAFT_ID = "LANDSAT_5"
    SENSOR_ID = "TM"
    FILE_NAME_BAND_3 = "{id5}_B3.TIF"
    FILE_NAME_BAND_4 = "{id5}_B4.TIF"
    FILE_NAME_BAND_6 = "{id5}_B6.TIF"
  END_GROUP = PRODUCT_METADATA
  GROUP = IMAGE_ATTRIBUTES
    SUN_AZIMUTH = 135.0
    SUN_ELEVATION = {sun5:.8}
  END_GROUP = IMAGE_ATTRIBUTES
  GROUP = RADIOMETRIC_RESCALING
    RADIANCE_MULT_BAND_3 = 1.043E+00
    RADIANCE_MULT_BAND_4 = 8.760E-01
    RADIANCE_MULT_BAND_6 = 5.5375E-02
    RADIANCE_ADD_BAND_3 = -2.21398
    RADIANCE_ADD_BAND_4 = -2.38602
    RADIANCE_ADD_BAND_6 = 1.18243
    REFLECTANCE_MULT_BAND_3 = 1.0000E-03
    REFLECTANCE_MULT_BAND_4 = 1.0000E-03
    REFLECTANCE_ADD_BAND_3 = -0.003500
    REFLECTANCE_ADD_BAND_4 = -0.003500
  END_GROUP = RADIOMETRIC_RESCALING
  GROUP = TIRS_THERMAL_CONSTANTS
    K1_CONSTANT_BAND_6 = 607.76
    K2_CONSTANT_BAND_6 = 1260.56
  END_GROUP = TIRS_THERMAL_CONSTANTS
END_GROUP = L1_METADATA_FILE
END
"#
    );
    std::fs::write(dir5.join(format!("{id5}_MTL.txt")), mtl5).unwrap();

    // Landsat 7 C2 L1 (8-bit bands; thermal in low gain 6_VCID_1 and high gain 6_VCID_2)
    let id7 = "LE07_L1TP_190028_20020710_20200916_02_T1";
    let dir7 = root.join(id7);
    std::fs::create_dir_all(&dir7).unwrap();
    let sun7: f64 = 58.0;
    let s7 = sun7.to_radians().sin();
    let refl7 = |b: usize| move |x, y| (cover(x, y)[b] * s7 + 0.005) / 1.5e-3;
    write_landsat_band(
        &dir7.join(format!("{id7}_B3.TIF")),
        &landsat_grid(refl7(2)),
        true,
    );
    write_landsat_band(
        &dir7.join(format!("{id7}_B4.TIF")),
        &landsat_grid(refl7(3)),
        true,
    );
    // low gain: 0.067087 W/(m2 sr um) per DN + (-0.06709); high gain: 0.037205 per DN + 3.16280
    let low = landsat_grid(|x, y| {
        (radiance_for(kelvin(x, y) - 2.0, 666.09, 1282.71) + 0.06709) / 0.067087
    });
    let high = landsat_grid(|x, y| {
        (radiance_for(kelvin(x, y) - 2.0, 666.09, 1282.71) - 3.16280) / 0.037205
    });
    write_landsat_band(&dir7.join(format!("{id7}_B6_VCID_1.TIF")), &low, true);
    write_landsat_band(&dir7.join(format!("{id7}_B6_VCID_2.TIF")), &high, true);
    let mtl7 = format!(
        r#"GROUP = LANDSAT_METADATA_FILE
  GROUP = PRODUCT_CONTENTS
    ORIGIN = "Synthetic fixture in the layout of USGS Landsat Collection 2 Level-1 (LSDS-1656)"
    LANDSAT_PRODUCT_ID = "{id7}"
    PROCESSING_LEVEL = "L1TP"
    COLLECTION_NUMBER = 02
    FILE_NAME_BAND_3 = "{id7}_B3.TIF"
    FILE_NAME_BAND_4 = "{id7}_B4.TIF"
    FILE_NAME_BAND_6_VCID_1 = "{id7}_B6_VCID_1.TIF"
    FILE_NAME_BAND_6_VCID_2 = "{id7}_B6_VCID_2.TIF"
  END_GROUP = PRODUCT_CONTENTS
  GROUP = IMAGE_ATTRIBUTES
    SPACECRAFT_ID = "LANDSAT_7"
    SENSOR_ID = "ETM"
    SUN_ELEVATION = {sun7:.8}
  END_GROUP = IMAGE_ATTRIBUTES
  GROUP = LEVEL1_RADIOMETRIC_RESCALING
    RADIANCE_MULT_BAND_6_VCID_1 = 6.7087E-02
    RADIANCE_MULT_BAND_6_VCID_2 = 3.7205E-02
    RADIANCE_ADD_BAND_6_VCID_1 = -0.06709
    RADIANCE_ADD_BAND_6_VCID_2 = 3.16280
    REFLECTANCE_MULT_BAND_3 = 1.5000E-03
    REFLECTANCE_MULT_BAND_4 = 1.5000E-03
    REFLECTANCE_ADD_BAND_3 = -0.005000
    REFLECTANCE_ADD_BAND_4 = -0.005000
  END_GROUP = LEVEL1_RADIOMETRIC_RESCALING
  GROUP = LEVEL1_THERMAL_CONSTANTS
    K1_CONSTANT_BAND_6_VCID_1 = 666.09
    K2_CONSTANT_BAND_6_VCID_1 = 1282.71
    K1_CONSTANT_BAND_6_VCID_2 = 666.09
    K2_CONSTANT_BAND_6_VCID_2 = 1282.71
  END_GROUP = LEVEL1_THERMAL_CONSTANTS
END_GROUP = LANDSAT_METADATA_FILE
END
"#
    );
    std::fs::write(dir7.join(format!("{id7}_MTL.txt")), mtl7).unwrap();

    // Landsat 8 C2 L2 surface temperature
    let idl2 = "LC08_L2SP_190028_20230715_20230725_02_T1";
    let dirl2 = root.join(idl2);
    std::fs::create_dir_all(&dirl2).unwrap();
    let st = landsat_grid(|x, y| (kelvin(x, y) - 149.0) / 0.00341802);
    write_landsat_band(&dirl2.join(format!("{idl2}_ST_B10.TIF")), &st, false);
    // surface reflectance: DN = (ρ + 0.2) / 0.0000275
    let sr = |b: usize| landsat_grid(move |x, y| (cover(x, y)[b] + 0.2) / 0.0000275);
    write_landsat_band(&dirl2.join(format!("{idl2}_SR_B4.TIF")), &sr(2), false);
    write_landsat_band(&dirl2.join(format!("{idl2}_SR_B5.TIF")), &sr(3), false);
    write_landsat_band(&dirl2.join(format!("{idl2}_SR_B6.TIF")), &sr(4), false);
    write_landsat_band(
        &dirl2.join(format!("{idl2}_QA_PIXEL.TIF")),
        &qa_pixel(),
        false,
    );
    let mtll2 = format!(
        r#"GROUP = LANDSAT_METADATA_FILE
  GROUP = PRODUCT_CONTENTS
    LANDSAT_PRODUCT_ID = "{idl2}"
    PROCESSING_LEVEL = "L2SP"
    FILE_NAME_BAND_4 = "{idl2}_SR_B4.TIF"
    FILE_NAME_BAND_5 = "{idl2}_SR_B5.TIF"
    FILE_NAME_BAND_6 = "{idl2}_SR_B6.TIF"
    FILE_NAME_BAND_ST_B10 = "{idl2}_ST_B10.TIF"
    FILE_NAME_QUALITY_L1_PIXEL = "{idl2}_QA_PIXEL.TIF"
  END_GROUP = PRODUCT_CONTENTS
  GROUP = IMAGE_ATTRIBUTES
    SPACECRAFT_ID = "LANDSAT_8"
    SUN_ELEVATION = 60.00000000
  END_GROUP = IMAGE_ATTRIBUTES
  GROUP = LEVEL2_SURFACE_TEMPERATURE_PARAMETERS
    TEMPERATURE_MULT_BAND_ST_B10 = 3.41802E-03
    TEMPERATURE_ADD_BAND_ST_B10 = 149.00000
  END_GROUP = LEVEL2_SURFACE_TEMPERATURE_PARAMETERS
END_GROUP = LANDSAT_METADATA_FILE
END
"#
    );
    std::fs::write(dirl2.join(format!("{idl2}_MTL.txt")), mtll2).unwrap();
}

/// Stack grid: the sample landscape at 20 m (every 2nd pixel).
const SW: u32 = 48;
const SH: u32 = 40;
/// Years and months of the stack.
const STACK_YEARS: std::ops::RangeInclusive<u32> = 2001..=2008;
const STACK_MONTHS: [u32; 2] = [6, 7];
/// MODIS-style NDVI coding: int16, NDVI × 10000, fill −3000.
const NDVI_FILL: i16 = -3000;
/// Brightness temperature coding: uint16, K × 100, fill 0.
const BT_FILL: u16 = 0;

/// Deterministic noise in [−0.5, 0.5) from integers.
fn hash_noise(a: u32, b: u32, c: u32) -> f64 {
    let mut h =
        a.wrapping_mul(0x9E37_79B1) ^ b.wrapping_mul(0x85EB_CA77) ^ c.wrapping_mul(0xC2B2_AE3D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    (h % 10_000) as f64 / 10_000.0 - 0.5
}

/// What a stack pixel holds at (x, y) in `year`/`month`: `None` is fill. Gaps of every kind:
/// columns 0–1 never observed (swath edge); random cloud holes (~15 %); from 2003 on, every
/// 9th row (shifting by year) missing as in Landsat 7 SLC-off stripes; the town block is the
/// same every date (std exactly 0); 2005 and 2024 are drought years (NDVI −0.15, BT +4 K).
fn stack_value(x: u32, y: u32, year: u32, month: u32) -> Option<(f64, f64)> {
    let (sx, sy) = (x * 2, y * 2);
    if x < 2 {
        return None;
    }
    let town = (sx as f64 / W as f64) < 0.35 && (sy as f64 / H as f64) > 0.7;
    if !town {
        if hash_noise(x * 131 + y, year, month) > 0.35 {
            return None;
        }
        if year >= 2003 && (y + year).is_multiple_of(9) {
            return None;
        }
    }
    let c = cover(sx, sy);
    let ndvi0 = (c[3] - c[2]) / (c[3] + c[2]);
    let t0 = kelvin(sx, sy);
    if town {
        return Some((ndvi0, t0));
    }
    let drought = if year == 2005 || year == 2024 {
        1.0
    } else {
        0.0
    };
    let n = hash_noise(x, y * 7 + year, month * 3);
    let ndvi = (ndvi0 + 0.08 * n - 0.15 * drought + 0.03 * (month as f64 - 6.5)).clamp(-1.0, 1.0);
    let t = t0 + 3.0 * n + 4.0 * drought + (month as f64 - 6.0);
    Some((ndvi, t))
}

fn write_stack_date(dir: &Path, year: u32, month: u32, day: u32) -> String {
    let mut ndvi = Vec::new();
    let mut bt = Vec::new();
    for y in 0..SH {
        for x in 0..SW {
            match stack_value(x, y, year, month) {
                Some((n, t)) => {
                    ndvi.push((n * 10000.0).round() as i16);
                    bt.push((t * 100.0).round() as u16);
                }
                None => {
                    ndvi.push(NDVI_FILL);
                    bt.push(BT_FILL);
                }
            }
        }
    }
    let date = format!("{year}{month:02}{day:02}");
    let mut enc = TiffEncoder::new(File::create(dir.join(format!("ndvi_{date}.tif"))).unwrap())
        .unwrap()
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    let mut img = enc
        .new_image::<tiff::encoder::colortype::GrayI16>(SW, SH)
        .unwrap();
    grid_tags(&mut img, 20.0);
    img.encoder()
        .write_tag(Tag::GdalNodata, &*NDVI_FILL.to_string())
        .unwrap();
    img.write_data(&ndvi).unwrap();
    let mut enc = TiffEncoder::new(File::create(dir.join(format!("bt_{date}.tif"))).unwrap())
        .unwrap()
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    let mut img = enc
        .new_image::<tiff::encoder::colortype::Gray16>(SW, SH)
        .unwrap();
    grid_tags(&mut img, 20.0);
    img.encoder()
        .write_tag(Tag::GdalNodata, &*BT_FILL.to_string())
        .unwrap();
    img.write_data(&bt).unwrap();
    date
}

/// A 16-date NDVI and brightness-temperature stack (June and July, 2001–2008) on a 48×40 grid
/// at 20 m, one observation date outside it (2024-07-16, drought-like), and a manifest CSV.
fn write_stack(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut csv = String::from("path,date\n");
    for year in STACK_YEARS {
        for month in STACK_MONTHS {
            let d = write_stack_date(dir, year, month, 15);
            csv += &format!("ndvi_{d}.tif,{}-{}-{}\n", &d[0..4], &d[4..6], &d[6..8]);
        }
    }
    // The observation compared with the climatology: a drought July, like 2005.
    write_stack_date(dir, 2024, 7, 16);
    std::fs::write(dir.join("ndvi_stack.csv"), csv).unwrap();
}

/// Landsat Collection 2 QA_PIXEL on the 24×20 grid (LSDS-1328 bit layout): column 0 fill
/// (bit 0), a cloud block (bits 1 dilated and 3 cloud) at columns 10–13, rows 4–7, its shadow
/// (bit 4) at columns 14–16, rows 8–9, cirrus (bit 2) on row 15, clear (bit 6) elsewhere.
fn qa_pixel() -> Vec<f64> {
    let mut v = Vec::new();
    for y in 0..LH {
        for x in 0..LW {
            let bits: u32 = if x == 0 {
                1
            } else if (10..14).contains(&x) && (4..8).contains(&y) {
                (1 << 1) | (1 << 3)
            } else if (14..17).contains(&x) && (8..10).contains(&y) {
                1 << 4
            } else if y == 15 {
                (1 << 2) | (1 << 6)
            } else {
                1 << 6
            };
            v.push(bits as f64);
        }
    }
    v
}

/// A Sentinel-2 L2A product in the SAFE layout (band files as GeoTIFF): the sample landscape
/// on a 48×40 grid at 10 m (B02, B03, B04, B08) and 24×20 at 20 m (B05, B06, B07, B8A, B11, B12,
/// SCL),
/// same origin, EPSG:32633. Processing baseline 05.09: DN = reflectance × 10000 + 1000
/// (BOA_ADD_OFFSET −1000 in MTD_MSIL2A.xml), DN 0 no data (column 0 of the 10 m grid).
fn write_sentinel2(root: &Path) {
    let safe = "S2B_MSIL2A_20230715T100559_N0509_R022_T33TUM_20230715T130022.SAFE";
    let granule = root
        .join(safe)
        .join("GRANULE/L2A_T33TUM_A033000_20230715T100600/IMG_DATA");
    let prefix = "T33TUM_20230715T100559";
    for (res, w, h, bands) in [
        (
            10u32,
            48u32,
            40u32,
            &[("B02", 0usize), ("B03", 1), ("B04", 2), ("B08", 3)][..],
        ),
        (
            20,
            24,
            20,
            &[
                ("B05", 2),
                ("B06", 3),
                ("B07", 3),
                ("B8A", 3),
                ("B11", 4),
                ("B12", 5),
            ][..],
        ),
    ] {
        let dir = granule.join(format!("R{res}m"));
        std::fs::create_dir_all(&dir).unwrap();
        let step = res / 10; // grid pixel -> sample-landscape pixel at 10 m: every `step`-th
        for (name, band) in bands {
            let mut data = Vec::new();
            for y in 0..h {
                for x in 0..w {
                    let (sx, sy) = (x * step, y * step);
                    let mut r = cover(sx, sy)[*band];
                    // the red edge climbs from red (B05) towards NIR (B07)
                    let (red, nir) = (cover(sx, sy)[2], cover(sx, sy)[3]);
                    match *name {
                        "B05" => r = 0.5 * (red + nir),
                        "B06" => r = 0.3 * red + 0.7 * nir,
                        "B07" => r = 0.1 * red + 0.9 * nir,
                        _ => {}
                    }
                    data.push(if res == 10 && x == 0 {
                        0u16
                    } else {
                        (r * 10000.0 + 1000.0).round() as u16
                    });
                }
            }
            write_s2_band(
                &dir.join(format!("{prefix}_{name}_{res}m.tif")),
                w,
                h,
                res,
                &data,
            );
        }
    }
    // SCL at 20 m: vegetation 4, bare 5, water 6, a cloud block (9) and its shadow (3)
    let mut scl = Vec::new();
    for y in 0..20u32 {
        for x in 0..24u32 {
            let c = cover(x * 2, y * 2);
            let class = if (14..18).contains(&x) && (12..15).contains(&y) {
                9
            } else if (18..21).contains(&x) && (15..17).contains(&y) {
                3
            } else if c[3] < 0.05 {
                6
            } else if c[3] > 0.3 {
                4
            } else {
                5
            };
            scl.push(class as u8);
        }
    }
    let mut enc =
        TiffEncoder::new(File::create(granule.join(format!("R20m/{prefix}_SCL_20m.tif"))).unwrap())
            .unwrap();
    let mut img = enc
        .new_image::<tiff::encoder::colortype::Gray8>(24, 20)
        .unwrap();
    grid_tags(&mut img, 20.0);
    img.write_data(&scl).unwrap();
    let offsets: String = (0..13)
        .map(|i| format!("        <BOA_ADD_OFFSET band_id=\"{i}\">-1000</BOA_ADD_OFFSET>\n"))
        .collect();
    let mtd = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- Synthetic fixture in the layout of the ESA Sentinel-2 L2A product metadata (excerpt) -->
<n1:Level-2A_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-2A.xsd">
  <n1:General_Info>
    <Product_Info>
      <PRODUCT_TYPE>S2MSI2A</PRODUCT_TYPE>
      <PROCESSING_BASELINE>05.09</PROCESSING_BASELINE>
    </Product_Info>
    <Product_Image_Characteristics>
      <QUANTIFICATION_VALUES_LIST>
        <BOA_QUANTIFICATION_VALUE unit="none">10000</BOA_QUANTIFICATION_VALUE>
      </QUANTIFICATION_VALUES_LIST>
      <BOA_ADD_OFFSET_VALUES_LIST>
{offsets}      </BOA_ADD_OFFSET_VALUES_LIST>
    </Product_Image_Characteristics>
  </n1:General_Info>
</n1:Level-2A_User_Product>
"#
    );
    std::fs::write(root.join(safe).join("MTD_MSIL2A.xml"), mtd).unwrap();
}

/// Georeferencing of the stack and Sentinel-2 fixtures: EPSG:32633, upper-left corner
/// (600000, 5000000), square pixels of `res` metres.
fn grid_tags<W: std::io::Write + std::io::Seek, C: ColorType, K: tiff::encoder::TiffKind>(
    img: &mut tiff::encoder::ImageEncoder<'_, W, C, K>,
    res: f64,
) {
    let e = img.encoder();
    e.write_tag(Tag::ModelPixelScaleTag, &[res, res, 0.0][..])
        .unwrap();
    e.write_tag(
        Tag::ModelTiepointTag,
        &[0.0f64, 0.0, 0.0, 600_000.0, 5_000_000.0, 0.0][..],
    )
    .unwrap();
    e.write_tag(
        Tag::GeoKeyDirectoryTag,
        &[
            1u16, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633,
        ][..],
    )
    .unwrap();
}

fn write_s2_band(path: &Path, w: u32, h: u32, res: u32, data: &[u16]) {
    let mut enc = TiffEncoder::new(File::create(path).unwrap())
        .unwrap()
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    let mut img = enc
        .new_image::<tiff::encoder::colortype::Gray16>(w, h)
        .unwrap();
    grid_tags(&mut img, res as f64);
    img.encoder().write_tag(Tag::GdalNodata, "0").unwrap();
    img.write_data(data).unwrap();
}
