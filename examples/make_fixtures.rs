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
    println!("fixtures written under {}", root.display());
}
