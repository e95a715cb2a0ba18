//! Sensor presets and quality masks end to end on product-shaped fixtures (assets/landsat,
//! assets/sentinel2): every pixel against the product's calibration computed here from the raw
//! DNs and the metadata text, masks bit by bit, 20 m bands resampled onto the 10 m grid.

use crate::common;

use std::path::{Path, PathBuf};

use climidx::io::geotiff::reader::GeoTiffReader;
use common::{asset, fails, ok, read_f32, tempdir};

const L8: &str = "landsat/LC08_L1TP_190028_20230715_20230725_02_T1";
const L5: &str = "landsat/LT05_L1TP_190028_20090801_20161022_01_T1";
const L2: &str = "landsat/LC08_L2SP_190028_20230715_20230725_02_T1";
const S2: &str = "sentinel2/S2B_MSIL2A_20230715T100559_N0509_R022_T33TUM_20230715T130022.SAFE";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Raw DNs of band 1 (u8/u16/i16 as f64) and the raster width.
fn dn(path: &Path) -> (Vec<f64>, u32) {
    let width = GeoTiffReader::open(path).unwrap().info().width;
    (common::read_band_f64(path, 1.0, false), width)
}

/// Pixel `i` of output band `j`: nodata where `masked` or the expected value is NaN, else close
/// to `want`.
fn expect(got: &[Vec<f32>], j: usize, i: usize, want: f64, masked: bool) {
    if masked || want.is_nan() {
        assert!(
            got[j][i].is_nan(),
            "band {j} pixel {i}: {} must be nodata",
            got[j][i]
        );
    } else {
        close(got[j][i], want, &format!("band {j} pixel {i}"));
    }
}

/// A number from an MTL file.
fn mtl(dir: &Path, key: &str) -> f64 {
    let f = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_str().unwrap().ends_with("_MTL.txt"))
        .unwrap();
    let text = std::fs::read_to_string(f).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{key} =")))
        .unwrap_or_else(|| panic!("{key}"));
    line.split('=')
        .nth(1)
        .unwrap()
        .trim()
        .trim_matches('"')
        .parse()
        .unwrap()
}

fn file_ending(dir: &Path, suffix: &str) -> PathBuf {
    common::files_below(dir)
        .into_iter()
        .find(|p| p.to_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix}"))
}

fn close(got: f32, want: f64, what: &str) {
    assert!(
        (got as f64 - want).abs() <= 2e-6 * (1.0 + want.abs()),
        "{what}: {got} vs {want}"
    );
}

#[test]
fn landsat_l1_toa_with_qa_pixel_mask() {
    let dir = tempdir("preset-l1");
    for (scene, red, nir, mask) in [(L8, "4", "5", true), (L5, "3", "4", false)] {
        let sd = asset(scene);
        let out = dir.join(format!("{}.tif", &scene[8..12]));
        let mut args = vec![
            "index",
            "ndvi",
            "--sensor",
            "landsat-l1-toa",
            "--scene",
            s(&sd),
            "-o",
            s(&out),
            "--device",
            "cpu",
        ];
        if mask {
            args.extend(["--mask", "qa-pixel"]);
        }
        ok(&args);
        let got = &read_f32(&out)[0];
        let sine = mtl(&sd, "SUN_ELEVATION").to_radians().sin();
        let refl = |b: &str| {
            let (m, a) = (
                mtl(&sd, &format!("REFLECTANCE_MULT_BAND_{b}")),
                mtl(&sd, &format!("REFLECTANCE_ADD_BAND_{b}")),
            );
            let (d, _) = dn(&file_ending(&sd, &format!("_B{b}.TIF")));
            d.into_iter().map(move |v| {
                if v == 0.0 {
                    f64::NAN
                } else {
                    (m * v + a) / sine
                }
            })
        };
        let (r, n): (Vec<f64>, Vec<f64>) = (refl(red).collect(), refl(nir).collect());
        let qa = if mask {
            Some(dn(&file_ending(&sd, "_QA_PIXEL.TIF")).0)
        } else {
            None
        };
        let mut masked = 0;
        for i in 0..got.len() {
            let hit = qa.as_ref().is_some_and(|q| (q[i] as u32) & 0b1_1111 != 0);
            masked += hit as usize;
            let want = (n[i] - r[i]) / (n[i] + r[i]);
            if hit || want.is_nan() {
                assert!(
                    got[i].is_nan(),
                    "{scene} pixel {i}: {} must be nodata",
                    got[i]
                );
            } else {
                close(got[i], want, &format!("{scene} pixel {i}"));
            }
        }
        if mask {
            // column 0 fill (20) + cloud 4x4 (16) + shadow 3x2 (6) + cirrus row 15 (23)
            assert_eq!(masked, 20 + 16 + 6 + 23, "{scene}");
        }
    }
}

#[test]
fn landsat_c2l2_surface_reflectance_with_selected_bits() {
    let dir = tempdir("preset-l2");
    let sd = asset(L2);
    let out = dir.join("l2.tif");
    ok(&[
        "index",
        "ndvi",
        "ndmi",
        "--sensor",
        "landsat-c2l2",
        "--scene",
        s(&sd),
        "--mask",
        "qa-pixel",
        "--mask-select",
        "cloud",
        "-o",
        s(&out),
    ]);
    let got = read_f32(&out);
    let sr = |b: &str| -> Vec<f64> {
        dn(&file_ending(&sd, &format!("_SR_B{b}.TIF")))
            .0
            .into_iter()
            .map(|v| {
                if v == 0.0 {
                    f64::NAN
                } else {
                    v * 0.0000275 - 0.2
                }
            })
            .collect()
    };
    let (r, n, s1) = (sr("4"), sr("5"), sr("6"));
    let qa = dn(&file_ending(&sd, "_QA_PIXEL.TIF")).0;
    for i in 0..r.len() {
        let cloud = (qa[i] as u32) & (1 << 3) != 0; // only the cloud bit was selected
        for (j, want) in [
            (n[i] - r[i]) / (n[i] + r[i]),
            (n[i] - s1[i]) / (n[i] + s1[i]),
        ]
        .into_iter()
        .enumerate()
        {
            expect(&got, j, i, want, cloud);
        }
    }
    // the shadow pixels (bit 4 only) are data with --mask-select cloud
    assert!(!got[0][9 * 24 + 15].is_nan());
}

#[test]
fn sentinel2_l2a_offsets_resampling_and_scl() {
    let dir = tempdir("preset-s2");
    let sd = asset(S2);
    let out = dir.join("s2.tif");
    ok(&[
        "index",
        "ndvi",
        "ndmi",
        "--sensor",
        "sentinel2-l2a",
        "--scene",
        s(&sd),
        "--mask",
        "scl",
        "-o",
        s(&out),
        "--device",
        "cpu",
    ]);
    let got = read_f32(&out);
    // reflectance = (DN - 1000) / 10000; DN 0 is no data
    let refl = |name: &str| -> (Vec<f64>, u32) {
        let (d, w) = dn(&file_ending(&sd, name));
        (
            d.into_iter()
                .map(|v| {
                    if v == 0.0 {
                        f64::NAN
                    } else {
                        (v - 1000.0) / 10000.0
                    }
                })
                .collect(),
            w,
        )
    };
    let (r, w) = refl("_B04_10m.tif");
    let (n, _) = refl("_B08_10m.tif");
    let (s1, w20) = refl("_B11_20m.tif");
    let (scl, _) = dn(&file_ending(&sd, "_SCL_20m.tif"));
    assert_eq!((w, w20), (48, 24));
    let mut masked = 0;
    for i in 0..r.len() {
        let (x, y) = (i % 48, i / 48);
        let c = (y / 2) * 24 + x / 2; // the 20 m pixel this 10 m pixel lies in
        let hit = [0u32, 1, 3, 8, 9, 10].contains(&(scl[c] as u32));
        masked += hit as usize;
        for (j, want) in [
            (n[i] - r[i]) / (n[i] + r[i]),
            (n[i] - s1[c]) / (n[i] + s1[c]),
        ]
        .into_iter()
        .enumerate()
        {
            expect(&got, j, i, want, hit);
        }
    }
    assert_eq!(
        masked,
        (4 * 3 + 3 * 2) * 4,
        "cloud and shadow blocks, 4 fine pixels each"
    );
    // --boa-offset 0 (as for products before baseline 04.00) shifts every reflectance by +0.1
    let out0 = dir.join("s2_0.tif");
    ok(&[
        "index",
        "ndvi",
        "--sensor",
        "sentinel2-l2a",
        "--scene",
        s(&sd),
        "--boa-offset",
        "0",
        "-o",
        s(&out0),
    ]);
    let g0 = &read_f32(&out0)[0];
    let i = 5 * 48 + 5;
    let (rr, nn) = (r[i] + 0.1, n[i] + 0.1);
    close(g0[i], (nn - rr) / (nn + rr), "offset 0");
    // --band overrides one role of the preset
    let out_b = dir.join("s2_b.tif");
    let red = file_ending(&sd, "_B04_10m.tif");
    ok(&[
        "index",
        "ndvi",
        "--sensor",
        "sentinel2-l2a",
        "--scene",
        s(&sd),
        "--band",
        &format!("red={}", s(&red)),
        "--scale",
        "0.0001",
        "--offset",
        "-0.1",
        "-o",
        s(&out_b),
    ]);
    close(
        read_f32(&out_b)[0][i],
        (n[i] - r[i]) / (n[i] + r[i]),
        "override",
    );
}

#[test]
fn preset_errors_name_what_to_do() {
    let dir = tempdir("preset-errors");
    let o = dir.join("x.tif");
    fails(
        &[
            "index",
            "ndvi",
            "--sensor",
            "landsat-l1-toa",
            "--scene",
            s(&dir),
            "-o",
            s(&o),
        ],
        3,
        "MTL",
    );
    fails(
        &[
            "index",
            "NDREI",
            "--sensor",
            "landsat-l1-toa",
            "--scene",
            s(&asset(L8)),
            "-o",
            s(&o),
        ],
        2,
        "no 're1' band",
    );
    fails(
        &[
            "index",
            "ndvi",
            "--sensor",
            "landsat-l1-toa",
            "--scene",
            s(&asset(L5)),
            "--mask",
            "qa-pixel",
            "-o",
            s(&o),
        ],
        2,
        "--mask qa-pixel:FILE",
    );
    fails(
        &[
            "index",
            "ndmi",
            "--sensor",
            "landsat-l1-toa",
            "--scene",
            s(&asset(L8)),
            "-o",
            s(&o),
        ],
        3,
        "REFLECTANCE_MULT_BAND_6 is missing",
    );
    fails(
        &[
            "index",
            "ndvi",
            "--mask",
            "qa.tif:0",
            "-b",
            "red=a.tif",
            "-b",
            "nir=b.tif",
            "-o",
            s(&o),
        ],
        2,
        "FILE:BITS",
    );
    fails(
        &[
            "index",
            "ndvi",
            "--mask",
            "qa-pixel:x.tif",
            "--mask-select",
            "clouds",
            "-b",
            "red=a.tif",
            "-b",
            "nir=b.tif",
            "-o",
            s(&o),
        ],
        2,
        "known: fill (0)",
    );
    // a band named .jp2 that is not JPEG 2000 is refused, with the conversion to run
    let safe = dir.join("S2A_MSIL2A_20230101T000000_N0509_R001_T33TUM_20230101T000000.SAFE");
    std::fs::create_dir_all(&safe).unwrap();
    for band in ["B04", "B08"] {
        std::fs::write(
            safe.join(format!("T33TUM_20230101T000000_{band}_10m.jp2")),
            b"jp2",
        )
        .unwrap();
    }
    fails(
        &[
            "index",
            "ndvi",
            "--sensor",
            "sentinel2-l2a",
            "--scene",
            s(&safe),
            "-o",
            s(&o),
        ],
        3,
        "gdal_translate",
    );
    assert!(!o.exists());
}
