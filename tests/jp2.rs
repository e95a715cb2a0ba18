//! JPEG 2000 input against GDAL's JP2OpenJPEG driver: a matrix of JP2 files written by
//! `gdal_translate -of JP2OpenJPEG` (sample types and precisions, bands, several tiles with
//! partial edge tiles, GeoJP2 and/or GMLJP2 georeferencing, nodata from the PAM sidecar, one
//! lossy file), each read by climidx in full and in windows that cut across tiles, against
//! GDAL's reading of the same file (`gdal_translate -ot Float32 -of ENVI` of the values and of
//! GDAL's mask band) and GDAL's geotransform (`gdalinfo -json`). Then the Sentinel-2 SAFE tree
//! as ESA ships it (`assets/sentinel2-jp2`, GMLJP2 only, 15-bit, no sidecars) against the
//! GeoTIFF SAFE it was converted from, bit for bit on the cpu and software devices; and a
//! truncated JP2.

use std::path::{Path, PathBuf};
use std::process::Command;

use climidx::io::raster::Window;
use climidx::io::{open, RasterSource};
use climidx::kernels::abi::{decode, raw_sample, BandParams};
use climidx::kernels::samples::{NodataMatch, PackedBand};

use crate::common::{fails, gdal_tool, ok, read_f32, repo, run_ok, software_or_skip, tempdir, Rng};

const W: usize = 75;
const H: usize = 53;

struct Case {
    name: &'static str,
    gdal_type: &'static str,
    /// Sample bytes in the raw source.
    bytes: usize,
    /// Largest value generated (exclusive) and whether values are signed around 0.
    range: u64,
    signed: bool,
    bands: usize,
    args: &'static str,
}

const fn c(
    name: &'static str,
    gdal_type: &'static str,
    bytes: usize,
    range: u64,
    signed: bool,
    bands: usize,
    args: &'static str,
) -> Case {
    Case {
        name,
        gdal_type,
        bytes,
        range,
        signed,
        bands,
        args,
    }
}

const LOSSLESS: &str = "-co REVERSIBLE=YES -co QUALITY=100 -co BLOCKXSIZE=32 -co BLOCKYSIZE=32";

fn cases() -> Vec<Case> {
    vec![
        c("u8", "Byte", 1, 256, false, 1, ""),
        c("u8_3band", "Byte", 1, 256, false, 3, "-co GeoJP2=NO"),
        c(
            "u16_15bit_gml",
            "UInt16",
            2,
            1 << 15,
            false,
            1,
            "-co NBITS=15 -co GeoJP2=NO",
        ),
        c(
            "u16_geojp2_only",
            "UInt16",
            2,
            1 << 16,
            false,
            1,
            "-co GMLJP2=NO",
        ),
        c("u16_nodata0", "UInt16", 2, 4000, false, 1, "-a_nodata 0"),
        c(
            "u12_2band_nodata",
            "UInt16",
            2,
            1 << 12,
            false,
            2,
            "-co NBITS=12 -a_nodata 7",
        ),
        c("i16", "Int16", 2, 1 << 15, true, 1, "-a_nodata -5"),
        c("u32_20bit", "UInt32", 4, 1 << 20, false, 1, "-co NBITS=20"),
        c("i32_24bit", "Int32", 4, 1 << 23, true, 1, "-co NBITS=24"),
        c(
            "u16_one_tile",
            "UInt16",
            2,
            1 << 16,
            false,
            1,
            "-co BLOCKXSIZE=128 -co BLOCKYSIZE=128",
        ),
    ]
}

/// A small sample of generated values: smooth field plus noise, in `case`'s range, with
/// some exact small values (0, 7, −5) so that every nodata value occurs.
fn raw_source(case: &Case, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(W * H * case.bands * case.bytes);
    for b in 0..case.bands {
        for y in 0..H {
            for x in 0..W {
                let mut v =
                    ((x * 37 + y * 91 + b * 1013) as u64 * 977 + rng.below(4096)) % case.range;
                if rng.chance(0.05) {
                    v = [0, 7, 5][rng.below(3) as usize];
                }
                let v = if case.signed {
                    v as i64 - case.range as i64 / 2
                } else {
                    v as i64
                };
                let v = if case.signed && v == 5 - case.range as i64 / 2 {
                    -5
                } else {
                    v
                };
                out.extend_from_slice(&v.to_le_bytes()[..case.bytes]);
            }
        }
    }
    out
}

fn make(dir: &Path, translate: &Path, case: &Case, lossy: bool) -> PathBuf {
    let raw = dir.join(format!("{}.raw", case.name));
    std::fs::write(&raw, raw_source(case, case.name.len() as u64)).unwrap();
    let vrt = dir.join(format!("{}.vrt", case.name));
    let mut x = format!("<VRTDataset rasterXSize=\"{W}\" rasterYSize=\"{H}\">\n");
    for b in 0..case.bands {
        x += &format!(
            "<VRTRasterBand dataType=\"{}\" band=\"{}\" subClass=\"VRTRawRasterBand\">\
             <SourceFilename relativetoVRT=\"0\">{}</SourceFilename>\
             <ImageOffset>{}</ImageOffset><PixelOffset>{}</PixelOffset><LineOffset>{}</LineOffset>\
             <ByteOrder>LSB</ByteOrder></VRTRasterBand>\n",
            case.gdal_type,
            b + 1,
            raw.display(),
            b * W * H * case.bytes,
            case.bytes,
            W * case.bytes
        );
    }
    x += "</VRTDataset>\n";
    std::fs::write(&vrt, x).unwrap();
    let jp2 = dir.join(format!(
        "{}{}.jp2",
        case.name,
        if lossy { "_lossy" } else { "" }
    ));
    let coding = if lossy {
        "-co REVERSIBLE=NO -co QUALITY=20 -co BLOCKXSIZE=32 -co BLOCKYSIZE=32"
    } else {
        LOSSLESS
    };
    run_ok(
        Command::new(translate)
            .args(["-q", "-of", "JP2OpenJPEG", "-a_srs", "EPSG:32633"])
            .args(["-a_ullr", "600000", "5000000", "600750", "4999470"])
            .args(coding.split_whitespace())
            .args(case.args.split_whitespace())
            .arg(&vrt)
            .arg(&jp2),
    );
    jp2
}

/// GDAL's values (as Float32) and mask of every band of `jp2`.
fn gdal_reads(
    dir: &Path,
    translate: &Path,
    jp2: &Path,
    bands: usize,
) -> Vec<(Vec<f32>, Vec<bool>)> {
    let mut x = format!("<VRTDataset rasterXSize=\"{W}\" rasterYSize=\"{H}\">\n");
    let mut n = 0;
    for b in 1..=bands {
        for source in [format!("{b}"), format!("mask,{b}")] {
            n += 1;
            x += &format!(
                "<VRTRasterBand dataType=\"Float32\" band=\"{n}\"><SimpleSource>\
                 <SourceFilename relativeToVRT=\"0\">{}</SourceFilename>\
                 <SourceBand>{source}</SourceBand></SimpleSource></VRTRasterBand>\n",
                jp2.display()
            );
        }
    }
    x += "</VRTDataset>\n";
    let stack = dir.join("stack.vrt");
    std::fs::write(&stack, x).unwrap();
    let img = dir.join("stack.img");
    run_ok(
        Command::new(translate)
            .args(["-q", "-ot", "Float32", "-of", "ENVI"])
            .arg(&stack)
            .arg(&img),
    );
    let bytes = std::fs::read(&img).unwrap();
    assert_eq!(bytes.len(), n * W * H * 4);
    let planes: Vec<Vec<f32>> = bytes
        .chunks_exact(W * H * 4)
        .map(|p| {
            p.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect()
        })
        .collect();
    planes
        .chunks_exact(2)
        .map(|p| (p[0].clone(), p[1].iter().map(|&m| m != 0.0).collect()))
        .collect()
}

fn read(r: &mut dyn RasterSource, w: Window) -> Vec<PackedBand> {
    let info = r.info().clone();
    let bands: Vec<u16> = (0..info.bands).collect();
    let mut out: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
    r.read_window(w, &bands, &vec![info.nodata; bands.len()], &mut out)
        .unwrap();
    out
}

/// GDAL's geotransform of `path` (`gdalinfo -json`).
fn gdal_geotransform(path: &Path) -> Vec<f64> {
    let Some(info) = gdal_tool("gdalinfo", "jp2 geotransform") else {
        return Vec::new();
    };
    let j = run_ok(Command::new(info).arg("-json").arg(path));
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    v["geoTransform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn jp2_reads_as_gdal_reads_it() {
    let Some(translate) = gdal_tool("gdal_translate", "jp2 conformance") else {
        return;
    };
    let dir = tempdir("jp2-conformance");
    let mut checked = 0;
    for case in cases() {
        for lossy in [false, true] {
            if lossy && case.name != "u16_nodata0" {
                continue;
            }
            let jp2 = make(&dir, &translate, &case, lossy);
            let name = jp2.file_name().unwrap().to_string_lossy().into_owned();
            let want = gdal_reads(&dir, &translate, &jp2, case.bands);
            let mut r = open(&jp2).unwrap_or_else(|e| panic!("{name}: {e}"));
            let info = r.info().clone();
            assert_eq!(
                (
                    info.width as usize,
                    info.height as usize,
                    info.bands as usize
                ),
                (W, H, case.bands),
                "{name}"
            );
            assert_eq!(
                info.geo.geotransform().unwrap().to_gdal().to_vec(),
                gdal_geotransform(&jp2),
                "{name}: geotransform"
            );
            assert_eq!(info.geo.geo_key_short(3072), Some(32633), "{name}: CRS");
            let full = read(r.as_mut(), info.full());
            let bp = BandParams::new(
                info.dtype,
                NodataMatch::for_band(info.dtype, info.nodata),
                1.0,
                0.0,
            );
            for (b, (p, (values, valid))) in full.iter().zip(&want).enumerate() {
                for i in 0..W * H {
                    let (raw, value, finite) = raw_sample(info.dtype, &p.words, i);
                    let ours = decode(&bp, raw, value, finite);
                    assert_eq!(ours.valid, valid[i], "{name} band {b} pixel {i}: mask");
                    if valid[i] {
                        assert_eq!(value, values[i], "{name} band {b} pixel {i}: value");
                    }
                }
                checked += 1;
            }
            // Windows that cut tiles (32 × 32) in both directions, the last ones partial,
            // read the same samples as the full read, in any order.
            let windows = [
                (30, 0, 45, 7),
                (0, 31, 75, 3),
                (61, 40, 14, 13),
                (5, 5, 1, 48),
                (33, 33, 9, 9),
            ];
            for &(col_off, row_off, width, height) in windows.iter().rev().chain(&windows) {
                let w = Window {
                    col_off,
                    row_off,
                    width,
                    height,
                };
                let part = read(r.as_mut(), w);
                for (p, whole) in part.iter().zip(&full) {
                    for k in 0..w.pixels() {
                        let at = (row_off as usize + k / width as usize) * W
                            + col_off as usize
                            + k % width as usize;
                        assert_eq!(
                            raw_sample(info.dtype, &p.words, k),
                            raw_sample(info.dtype, &whole.words, at),
                            "{name}: window {w:?} pixel {k}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(checked, 14);
}

const S2: &str = "S2B_MSIL2A_20230715T100559_N0509_R022_T33TUM_20230715T130022.SAFE";

#[test]
fn jp2_safe_equals_the_geotiff_safe_bit_for_bit() {
    let dir = tempdir("jp2-safe");
    let tif_safe = repo().join("assets/sentinel2").join(S2);
    let jp2_safe = repo().join("assets/sentinel2-jp2").join(S2);
    let mut devices = vec!["cpu"];
    if software_or_skip("jp2 SAFE on the software device") {
        devices.push("software");
    }
    for device in devices {
        let mut outs = Vec::new();
        for (tag, safe) in [("tif", &tif_safe), ("jp2", &jp2_safe)] {
            let o = dir.join(format!("{tag}-{device}.tif"));
            ok(&[
                "index",
                "ndvi",
                "ndmi",
                "--sensor",
                "sentinel2-l2a",
                "--scene",
                safe.to_str().unwrap(),
                "--mask",
                "scl",
                "-o",
                o.to_str().unwrap(),
                "--device",
                device,
            ]);
            outs.push(o);
        }
        let (a, b) = (read_f32(&outs[0]), read_f32(&outs[1]));
        assert_eq!(a.len(), 2);
        for (x, y) in a.iter().zip(&b) {
            let bits = |v: &Vec<f32>| v.iter().map(|f| f.to_bits()).collect::<Vec<u32>>();
            assert_eq!(
                bits(x),
                bits(y),
                "{device}: JP2 SAFE differs from the GeoTIFF SAFE"
            );
            assert!(x.iter().any(|v| v.is_nan()) && x.iter().any(|v| !v.is_nan()));
        }
        let (ga, gb) = (gdal_geotransform(&outs[0]), gdal_geotransform(&outs[1]));
        assert_eq!(ga, gb, "{device}: geotransform");
    }
}

#[test]
fn truncated_and_fake_jp2_are_refused() {
    let dir = tempdir("jp2-bad");
    let src = repo()
        .join("assets/sentinel2-jp2")
        .join(S2)
        .join("GRANULE/L2A_T33TUM_A033000_20230715T100600/IMG_DATA/R10m/T33TUM_20230715T100559_B04_10m.jp2");
    let bytes = std::fs::read(&src).unwrap();
    let nir = src.with_file_name("T33TUM_20230715T100559_B08_10m.jp2");
    let out = dir.join("o.tif");
    for cut in [bytes.len() - 200, bytes.len() / 2, 60] {
        let t = dir.join("cut.jp2");
        std::fs::write(&t, &bytes[..cut]).unwrap();
        let e = fails(
            &[
                "index",
                "ndvi",
                "-b",
                &format!("red={}", t.display()),
                "-b",
                &format!("nir={}", nir.display()),
                "--scale",
                "0.0001",
                "-o",
                out.to_str().unwrap(),
            ],
            3,
            "truncated",
        );
        assert!(e.contains("cut.jp2"), "{e}");
        assert!(!out.exists(), "no half-written output");
    }
    // A codestream box "to the end of the file" (length 0) whose codestream is cut: the box
    // tree is whole, OpenJPEG's strict mode finds the missing tile data.
    let at = bytes.windows(4).position(|w| w == b"jp2c").unwrap();
    let mut open_ended = bytes[..bytes.len() - 300].to_vec();
    open_ended[at - 4..at].copy_from_slice(&0u32.to_be_bytes());
    let t = dir.join("open_ended.jp2");
    std::fs::write(&t, &open_ended).unwrap();
    let e = fails(
        &[
            "index",
            "ndvi",
            "-b",
            &format!("red={}", t.display()),
            "-b",
            &format!("nir={}", nir.display()),
            "--scale",
            "0.0001",
            "-o",
            out.to_str().unwrap(),
        ],
        3,
        "truncated",
    );
    assert!(e.contains("open_ended.jp2"), "{e}");
    assert!(!out.exists(), "no half-written output");
    let fake = dir.join("fake.jp2");
    std::fs::write(&fake, b"not a jpeg 2000 file").unwrap();
    fails(
        &[
            "index",
            "ndvi",
            "-b",
            &format!("red={}", fake.display()),
            "-b",
            &format!("nir={}", nir.display()),
            "-o",
            out.to_str().unwrap(),
        ],
        3,
        "gdal_translate",
    );
}
