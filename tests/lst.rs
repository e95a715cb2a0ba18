//! `climidx lst` end to end on the Landsat fixtures in assets/landsat (their MTL files follow
//! the USGS Collection 1 and 2 layouts), against chains computed here in f64 with the arithmetic
//! written out, and across devices.

use crate::common;

use std::path::{Path, PathBuf};

use climidx::io::geotiff::reader::GeoTiffReader;
use climidx::kernels::samples::PackedBand;
use climidx::kernels::thermal;
use common::{climidx, ok, repo, tempdir};

const L8: &str = "assets/landsat/LC08_L1TP_190028_20230715_20230725_02_T1";
const L5: &str = "assets/landsat/LT05_L1TP_190028_20090801_20161022_01_T1";
const L8_L2: &str = "assets/landsat/LC08_L2SP_190028_20230715_20230725_02_T1";
const W: usize = 24;

/// Every band of a file as f64 raw values (DN for integer files, values for float files).
fn read(path: &Path) -> Vec<Vec<f64>> {
    let mut r = GeoTiffReader::open(path).unwrap();
    let info = r.info().clone();
    let bands: Vec<u16> = (0..info.bands).collect();
    let mut p: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
    r.read_window(info.full(), &bands, &vec![None; bands.len()], &mut p)
        .unwrap();
    p.iter()
        .map(|b| {
            let bp = climidx::kernels::abi::BandParams::new(
                b.dtype,
                climidx::kernels::samples::NodataMatch::None,
                1.0,
                0.0,
            );
            (0..b.pixels)
                .map(|i| {
                    let s = climidx::kernels::abi::fetch(&bp, &b.words, i);
                    if s.valid {
                        s.value as f64
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect()
}

fn band(dir: &str, suffix: &str) -> Vec<f64> {
    let name = Path::new(dir)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    read(&repo().join(dir).join(format!("{name}_{suffix}.TIF"))).remove(0)
}

fn out(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn single_channel_lst_matches_the_hand_computed_chain() {
    let dir = tempdir("lst-sc");
    let o = out(&dir, "lst.tif");
    ok(&[
        "lst",
        "--scene",
        L8,
        "-o",
        o.to_str().unwrap(),
        "--device",
        "cpu",
        "--with-emissivity",
    ]);
    let res = read(&o);
    let (b4, b5, b10) = (band(L8, "B4"), band(L8, "B5"), band(L8, "B10"));
    // MTL: REFLECTANCE_MULT 2.0E-05, ADD -0.1, SUN_ELEVATION 60 → sin = 0.8660254;
    // RADIANCE_MULT_BAND_10 3.3420E-04, ADD 0.1; K1 774.8853, K2 1321.0789; λ 10.895 µm.
    let sin = 60f64.to_radians().sin();
    let mut checked = 0;
    for i in 0..b4.len() {
        if i % W == 0 {
            // column 0 is Landsat fill (DN 0): nodata
            assert!(res[0][i].is_nan() && res[1][i].is_nan(), "fill pixel {i}");
            continue;
        }
        let red = (2.0e-5 * b4[i] - 0.1) / sin;
        let nir = (2.0e-5 * b5[i] - 0.1) / sin;
        let l = 3.3420e-4 * b10[i] + 0.1;
        let bt = 1321.0789 / (774.8853 / l + 1.0).ln();
        let ndvi = (nir - red) / (nir + red);
        let eps = if ndvi < 0.2 {
            0.973 - 0.047 * red
        } else if ndvi > 0.5 {
            0.9863
        } else {
            let pv = ((ndvi - 0.2) / 0.3).powi(2);
            0.9863 * pv + 0.9668 * (1.0 - pv) + (1.0 - 0.9668) * 0.9863 * 0.55 * (1.0 - pv)
        };
        let lst = bt / (1.0 + (10.895 * bt / 14387.769) * eps.ln());
        assert!(
            (res[0][i] - lst).abs() < 5e-3,
            "pixel {i}: lst {} vs {lst}",
            res[0][i]
        );
        assert!(
            (res[1][i] - eps).abs() < 1e-5,
            "pixel {i}: emissivity {} vs {eps}",
            res[1][i]
        );
        checked += 1;
    }
    assert_eq!(checked, 23 * 20);
}

#[test]
fn brightness_temperature_and_celsius() {
    let dir = tempdir("lst-bt");
    let (k, c) = (out(&dir, "bt_k.tif"), out(&dir, "bt_c.tif"));
    ok(&[
        "lst",
        "--scene",
        L8,
        "--output-kind",
        "bt",
        "-o",
        k.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    ok(&[
        "lst",
        "--scene",
        L8,
        "--output-kind",
        "bt",
        "--unit",
        "celsius",
        "-o",
        c.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let (bk, bc) = (read(&k).remove(0), read(&c).remove(0));
    let b10 = band(L8, "B10");
    for i in (1..b10.len()).filter(|i| i % W != 0) {
        let l = 3.3420e-4 * b10[i] + 0.1;
        let bt = 1321.0789 / (774.8853 / l + 1.0).ln();
        assert!((bk[i] - bt).abs() < 2e-3, "{} vs {bt}", bk[i]);
        assert!((bc[i] - (bt - 273.15)).abs() < 2e-3);
    }
    // The fixture's thermal DNs were made for BT = surface temperature − 2 K: lake 291 K.
    let lake = 6 * W + 17; // (17, 6) → sample (68, 24) of the landscape: the lake
    assert!((bk[lake] - 291.0).abs() < 0.01, "lake BT {}", bk[lake]);
}

#[test]
fn split_window_matches_the_reference_function() {
    let dir = tempdir("lst-sw");
    let o = out(&dir, "sw.tif");
    ok(&[
        "lst",
        "--scene",
        L8,
        "--method",
        "split-window",
        "--water-vapour",
        "1.5",
        "-o",
        o.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let res = read(&o).remove(0);
    let (b4, b5, b10, b11) = (
        band(L8, "B4"),
        band(L8, "B5"),
        band(L8, "B10"),
        band(L8, "B11"),
    );
    let sin = 60f64.to_radians().sin();
    let (a, b) = (thermal::TIRS_B10, thermal::TIRS_B11);
    let c = thermal::JM2014;
    for i in (0..b4.len()).filter(|i| i % W != 0) {
        let red = ((2.0e-5 * b4[i] - 0.1) / sin) as f32;
        let nir = ((2.0e-5 * b5[i] - 0.1) / sin) as f32;
        let want = thermal::lst_sw_px(
            red,
            nir,
            (3.3420e-4 * b10[i] + 0.1) as f32,
            (3.3420e-4 * b11[i] + 0.1) as f32,
            a.k1,
            a.k2,
            b.k1,
            b.k2,
            1.5,
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            0.0,
            0.2,
            0.5,
            a.eps_s,
            a.eps_v,
            0.55,
            a.soil_a,
            a.soil_b,
            0.0,
            0.0,
            b.eps_s,
            b.eps_v,
            b.soil_a,
            b.soil_b,
            0.0,
        );
        assert!(want.valid);
        assert!(
            (res[i] - want.value as f64).abs() < 2e-3,
            "pixel {i}: {} vs {}",
            res[i],
            want.value
        );
    }
}

#[test]
fn landsat5_collection1_8bit_scene() {
    let dir = tempdir("lst-l5");
    let o = out(&dir, "bt.tif");
    ok(&[
        "lst",
        "--scene",
        L5,
        "--output-kind",
        "bt",
        "-o",
        o.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let bt = read(&o).remove(0);
    let b6 = band(L5, "B6");
    // MTL (C1 layout): RADIANCE_MULT_BAND_6 5.5375E-02, ADD 1.18243, K1 607.76, K2 1260.56
    for i in (0..b6.len()).filter(|i| i % W != 0) {
        let l = 5.5375e-2 * b6[i] + 1.18243;
        let want = 1260.56 / (607.76 / l + 1.0).ln();
        assert!((bt[i] - want).abs() < 2e-3, "{} vs {want}", bt[i]);
    }
    // 8-bit quantisation: the lake (generated as 291 K) within half a DN (~0.3 K)
    assert!((bt[6 * W + 17] - 291.0).abs() < 0.35, "{}", bt[6 * W + 17]);
    let lst = out(&dir, "lst.tif");
    ok(&[
        "lst",
        "--scene",
        L5,
        "-o",
        lst.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let v = read(&lst).remove(0);
    assert!(
        v[6 * W + 17] > bt[6 * W + 17],
        "LST exceeds BT where emissivity < 1"
    );
}

#[test]
fn collection2_level2_surface_temperature_pass_through() {
    let dir = tempdir("lst-st");
    let o = out(&dir, "st.tif");
    ok(&[
        "lst",
        "--scene",
        L8_L2,
        "--method",
        "c2l2-st",
        "-o",
        o.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let st = read(&o).remove(0);
    let dn = band(L8_L2, "ST_B10");
    for i in 0..dn.len() {
        if i % W == 0 {
            assert!(st[i].is_nan());
        } else {
            assert!((st[i] - (dn[i] * 0.00341802 + 149.0)).abs() < 1e-4);
        }
    }
    assert!(
        (st[6 * W + 17] - 293.0).abs() < 0.002,
        "lake ST {}",
        st[6 * W + 17]
    );
}

#[test]
fn software_adapter_matches_cpu_for_every_method() {
    if !common::software_or_skip("software_adapter_matches_cpu_for_every_method") {
        return;
    }
    let dir = tempdir("lst-devices");
    for (i, extra) in [
        &["--with-emissivity"][..],
        &["--output-kind", "bt"][..],
        &["--method", "split-window", "--water-vapour", "2.5"][..],
        &["--emissivity", "avdan", "--unit", "celsius"][..],
        &["--emissivity", "constant", "0.97", "--cavity", "0"][..],
        &[
            "--emissivity-soil",
            "0.95",
            "--emissivity-veg",
            "0.99",
            "--wavelength",
            "10.9",
        ][..],
    ]
    .into_iter()
    .enumerate()
    {
        let mut outs = Vec::new();
        for device in ["cpu", "software"] {
            let o = out(&dir, &format!("{i}-{device}.tif"));
            let mut a = vec![
                "lst",
                "--scene",
                L8,
                "-o",
                o.to_str().unwrap(),
                "--device",
                device,
                "--window-pixels",
                "100",
            ];
            a.extend_from_slice(extra);
            ok(&a);
            outs.push(read(&o));
        }
        for (b, (c, g)) in outs[0].iter().zip(&outs[1]).enumerate() {
            for (p, (x, y)) in c.iter().zip(g).enumerate() {
                assert!(
                    x.is_nan() == y.is_nan() && (x.is_nan() || (x - y).abs() < 2e-3),
                    "{extra:?} band {b} pixel {p}: cpu {x} gpu {y}"
                );
            }
        }
    }
}

#[test]
fn lst_errors_say_what_to_do() {
    let dir = tempdir("lst-errors");
    let o = out(&dir, "x.tif");
    let o = o.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "lst",
                "--scene",
                L5,
                "--method",
                "split-window",
                "--water-vapour",
                "1",
                "-o",
                o,
            ],
            "has one",
        ),
        (
            &["lst", "--scene", L8, "--method", "split-window", "-o", o],
            "--water-vapour",
        ),
        (
            &["lst", "--scene", "assets/sample", "-o", o],
            "no *_MTL.txt",
        ),
        (
            &["lst", "--band", "thermal=x.tif", "-o", o],
            "--scene DIR or --mtl FILE",
        ),
        (
            &[
                "lst",
                "--scene",
                L8_L2,
                "--method",
                "c2l2-st",
                "--output-kind",
                "bt",
                "-o",
                o,
            ],
            "surface temperature only",
        ),
        (
            &["lst", "--scene", L8, "--ndvi-soil", "0.6", "-o", o],
            "must be above",
        ),
        (
            &[
                "lst",
                "--scene",
                L8,
                "--emissivity",
                "constant",
                "1.5",
                "-o",
                o,
            ],
            "(0, 1]",
        ),
        (
            &["lst", "--scene", L8, "--emissivity", "magic", "-o", o],
            "expected ndvi-threshold",
        ),
        (
            &["lst", "--scene", L8, "--band", "swir1=a.tif", "-o", o],
            "does not use the swir1 band",
        ),
        (&["lst", "--scene", L8_L2, "-o", o], "use --method c2l2-st"),
        (
            &["lst", "--scene", L8, "--method", "c2l2-st", "-o", o],
            "needs a Collection 2 Level-2",
        ),
    ];
    for (args, needle) in cases {
        let r = climidx(args);
        let e = String::from_utf8_lossy(&r.stderr);
        assert!(
            !r.status.success() && e.contains(needle),
            "{args:?}: expected {needle:?} in {e}"
        );
        assert!(!e.contains("panicked"));
    }
    // A scene whose MTL lacks a calibration key names the key.
    let broken = dir.join("scene");
    std::fs::create_dir_all(&broken).unwrap();
    let name = "LC08_L1TP_190028_20230715_20230725_02_T1";
    for f in std::fs::read_dir(repo().join(L8)).unwrap() {
        let f = f.unwrap().path();
        let to = broken.join(f.file_name().unwrap());
        if f.to_str().unwrap().ends_with("_MTL.txt") {
            let t = std::fs::read_to_string(&f)
                .unwrap()
                .replace("    RADIANCE_ADD_BAND_10 = 0.10000\n", "");
            std::fs::write(&to, t).unwrap();
        } else {
            std::fs::copy(&f, &to).unwrap();
        }
    }
    let r = climidx(&[
        "lst",
        "--scene",
        broken.to_str().unwrap(),
        "-o",
        dir.join("y.tif").to_str().unwrap(),
    ]);
    let e = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(3), "{e}");
    assert!(
        e.contains("RADIANCE_ADD_BAND_10 is missing") && e.contains(&format!("{name}_MTL.txt")),
        "{e}"
    );
}

#[test]
fn landsat7_low_and_high_gain_thermal_bands() {
    // ETM+ B6 comes twice: VCID_1 (low gain) and VCID_2 (high gain), each with its own
    // RADIANCE_MULT/ADD. Both must give the same brightness temperature within quantisation.
    const L7: &str = "assets/landsat/LE07_L1TP_190028_20020710_20200916_02_T1";
    let dir = tempdir("lst-l7");
    let (lo, hi) = (out(&dir, "low.tif"), out(&dir, "high.tif"));
    ok(&[
        "lst",
        "--scene",
        L7,
        "--output-kind",
        "bt",
        "-o",
        lo.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    ok(&[
        "lst",
        "--scene",
        L7,
        "--output-kind",
        "bt",
        "--high-gain",
        "-o",
        hi.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let (bl, bh) = (read(&lo).remove(0), read(&hi).remove(0));
    let (d1, d2) = (band(L7, "B6_VCID_1"), band(L7, "B6_VCID_2"));
    for i in (0..d1.len()).filter(|i| i % W != 0) {
        // MTL: VCID_1 6.7087E-02·DN − 0.06709, VCID_2 3.7205E-02·DN + 3.16280; K1 666.09, K2 1282.71
        let l1 = 6.7087e-2 * d1[i] - 0.06709;
        let l2 = 3.7205e-2 * d2[i] + 3.16280;
        assert!((bl[i] - 1282.71 / (666.09 / l1 + 1.0).ln()).abs() < 2e-3);
        assert!((bh[i] - 1282.71 / (666.09 / l2 + 1.0).ln()).abs() < 2e-3);
        // half a DN of low gain is ~0.25 K
        assert!(
            (bl[i] - bh[i]).abs() < 0.5,
            "pixel {i}: {} vs {}",
            bl[i],
            bh[i]
        );
    }
    // LST on ETM+ (TM6 emissivity relation, λ 11.269 µm) runs and exceeds BT where ε < 1
    let l = out(&dir, "lst.tif");
    ok(&[
        "lst",
        "--scene",
        L7,
        "-o",
        l.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    let info = GeoTiffReader::open(&l).unwrap();
    assert_eq!(info.info().bands, 1);
    let v = read(&l).remove(0);
    assert!(v[6 * W + 17] > bl[6 * W + 17], "LST above BT over the lake");
}
