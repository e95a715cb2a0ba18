//! Climatology over time stacks: the streamed f32 kernels (CPU specification and GPU twin)
//! against a straightforward two-pass f64 computation on stacks with every kind of gap (cloud
//! holes, stripes, never-observed pixels, constant pixels where std is exactly 0, single
//! observations), GPU against CPU on odd shapes, sample types and many windows, and the CLI
//! (`climatology`, `anomaly`, `vhi`) end to end on the stack in assets/stack.

use crate::common;

use std::path::{Path, PathBuf};

use climidx::engine::accumulator::compute_in_memory;
use climidx::engine::Backend;
use climidx::kernels::abi::BandParams;
use climidx::kernels::climatology::STATS;
use climidx::kernels::samples::PackedBand;
use climidx::kernels::samples::{DataType, NodataMatch};
use common::data::pack;
use common::{asset, fails, gpu_or_skip, tempdir, Rng};

fn ok(args: &[&str]) {
    common::ok(args);
}

const NAN_BITS: u32 = 0x7fc0_0000;

/// A stack of `years` rasters of `w × h` pixels as f64 values (NaN = missing), with gaps of
/// every kind: column 0 never observed, column 1 constant, column 2 observed once, random holes
/// (20 %) and one stripe row per year elsewhere.
fn gappy_stack(
    seed: u64,
    w: usize,
    h: usize,
    years: usize,
    base: f64,
    spread: f64,
) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed);
    (0..years)
        .map(|yr| {
            (0..w * h)
                .map(|i| {
                    let (x, y) = (i % w, i / w);
                    let u = rng.below(1_000_000) as f64 / 1_000_000.0;
                    let v = base + spread * (u - 0.5);
                    match x {
                        0 => f64::NAN,
                        1 => base + 0.123,
                        2 if w > 3 => {
                            if yr == 3 {
                                v
                            } else {
                                f64::NAN
                            }
                        }
                        _ if y == yr % h.max(1) && h > 1 => f64::NAN,
                        _ if rng.chance(0.2) => f64::NAN,
                        _ => v,
                    }
                })
                .collect()
        })
        .collect()
}

/// Pack a stack as `dtype` DNs with `scale`/`offset` (value = DN·scale + offset) and `nodata`
/// for missing values; returns the packed bands, their decode parameters and the values the
/// decoder will see (f32-rounded, NaN where missing).
fn packed(
    stack: &[Vec<f64>],
    dtype: DataType,
    scale: f64,
    offset: f64,
    nodata: f64,
) -> (Vec<PackedBand>, BandParams, Vec<Vec<f64>>) {
    let mut bands = Vec::new();
    let mut seen = Vec::new();
    let bp = BandParams::new(
        dtype,
        NodataMatch::for_band(dtype, Some(nodata)),
        scale as f32,
        offset as f32,
    );
    for layer in stack {
        let integer = !matches!(dtype, DataType::F32 | DataType::F64);
        let dn: Vec<f64> = layer
            .iter()
            .map(|v| {
                if v.is_nan() {
                    nodata
                } else if integer {
                    ((v - offset) / scale).round()
                } else {
                    (v - offset) / scale
                }
            })
            .collect();
        seen.push(
            dn.iter()
                .map(|&d| {
                    if d == nodata {
                        f64::NAN
                    } else {
                        ((d as f32) * scale as f32 + offset as f32) as f64
                    }
                })
                .collect(),
        );
        bands.push(if dtype == DataType::F64 {
            // f64 nodata is resolved while packing to f32 (as the reader does)
            let mut p = PackedBand::new(dtype);
            p.resize(dn.len());
            climidx::kernels::samples::pack_f64(&dn, Some(nodata), &mut p.words);
            p
        } else {
            pack(dtype, &dn)
        });
    }
    (bands, bp, seen)
}

/// Two-pass float64 statistics of each pixel: (count, mean, std, min, max).
fn two_pass(seen: &[Vec<f64>], ddof: u32) -> Vec<(u32, f64, f64, f64, f64)> {
    let pixels = seen[0].len();
    (0..pixels)
        .map(|i| {
            let v: Vec<f64> = seen.iter().map(|l| l[i]).filter(|x| !x.is_nan()).collect();
            let n = v.len();
            if n == 0 {
                return (0, f64::NAN, f64::NAN, f64::NAN, f64::NAN);
            }
            let mean = v.iter().sum::<f64>() / n as f64;
            let ss: f64 = v.iter().map(|x| (x - mean).powi(2)).sum();
            let std = if n as u32 > ddof {
                (ss / (n as f64 - ddof as f64)).sqrt()
            } else {
                f64::NAN
            };
            let min = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            (n as u32, mean, std, min, max)
        })
        .collect()
}

/// Check climatology outputs (raw words in STATS order) against the f64 statistics. `tol` is
/// the allowed error of mean and std relative to the data's magnitude `scale`.
fn check_against_f64(
    out: &[Vec<u32>],
    expect: &[(u32, f64, f64, f64, f64)],
    min_count: u32,
    ddof: u32,
    nodata_bits: u32,
    scale: f64,
    what: &str,
) {
    for (i, &(n, mean, std, min, max)) in expect.iter().enumerate() {
        assert_eq!(out[0][i], n, "{what}: count at {i}");
        let f = |j: usize| f32::from_bits(out[j][i]) as f64;
        let nodata = n < min_count || n <= ddof;
        for j in 1..5 {
            assert_eq!(
                out[j][i] == nodata_bits,
                nodata,
                "{what}: {} nodata at {i} (count {n})",
                STATS[j]
            );
        }
        if nodata {
            continue;
        }
        // f32 Welford: error grows about linearly with n (measured: within half of this on lavapipe)
        let tol = 2e-7 * scale * n as f64;
        assert!(
            (f(1) - mean).abs() <= tol,
            "{what}: mean at {i}: {} vs {mean}",
            f(1)
        );
        assert!(
            (f(2) - std).abs() <= tol,
            "{what}: std at {i}: {} vs {std}",
            f(2)
        );
        if std == 0.0 {
            assert_eq!(
                f(2),
                0.0,
                "{what}: std of a constant pixel must be exactly 0"
            );
        }
        // min and max are observed values: exact
        assert_eq!((f(3), f(4)), (min, max), "{what}: min/max at {i}");
    }
}

#[test]
fn cpu_specification_matches_two_pass_f64_on_gappy_stacks() {
    // NDVI-like int16 (MODIS coding), brightness temperature u16 centikelvin, and float32 with a
    // large offset (300 K ± 20): Welford in f32 must hold where the naive sum of squares fails.
    for (dtype, base, spread, scale, offset, nodata) in [
        (DataType::I16, 0.4, 1.2, 1e-4, 0.0, -3000.0),
        (DataType::U16, 300.0, 40.0, 0.01, 0.0, 0.0),
        (DataType::F32, 300.0, 40.0, 1.0, 0.0, -9999.0),
        (DataType::U8, 0.5, 1.0, 1.0 / 250.0, 0.0, 255.0),
    ] {
        let stack = gappy_stack(dtype as u64 + 3, 23, 11, 25, base, spread);
        let (bands, bp, seen) = packed(&stack, dtype, scale, offset, nodata);
        let inputs: Vec<(BandParams, &PackedBand)> = bands.iter().map(|b| (bp, b)).collect();
        for (min_count, ddof) in [(2, 0), (1, 1), (5, 0)] {
            let out = compute_in_memory(
                Backend::Cpu,
                &inputs,
                23 * 11,
                Some(40),
                min_count,
                ddof,
                NAN_BITS,
            )
            .unwrap();
            let expect = two_pass(&seen, ddof);
            check_against_f64(
                &out,
                &expect,
                min_count,
                ddof,
                NAN_BITS,
                base.abs() + spread,
                &format!("{dtype:?} min_count {min_count} ddof {ddof}"),
            );
        }
    }
}

#[test]
fn gpu_climatology_matches_cpu_on_odd_shapes_types_and_windows() {
    let Some(ctx) = gpu_or_skip("gpu_climatology_matches_cpu") else {
        return;
    };
    let nodata_bits = (-9999.0f32).to_bits();
    for (w, h, window, dtype) in [
        (1, 1, None, DataType::F32),
        (17, 13, None, DataType::U16),
        (97, 61, Some(200), DataType::I16),
        (33, 9, Some(64), DataType::U8),
        (33, 9, Some(64), DataType::F64),
        (5, 3, Some(4), DataType::I32),
    ] {
        let stack = gappy_stack(w as u64 * 7 + h as u64, w, h, 21, 0.3, 1.0);
        // (scale, offset, nodata): every value representable, nodata never a value
        let (scale, offset, nodata) = match dtype {
            DataType::F32 | DataType::F64 => (1.0, 0.0, -9999.0),
            DataType::U8 => (1.0 / 200.0, -0.3, 255.0),
            DataType::U16 => (1e-4, -1.0, 0.0),
            _ => (1e-4, 0.0, -30000.0),
        };
        let (bands, bp, seen) = packed(&stack, dtype, scale, offset, nodata);
        let inputs: Vec<(BandParams, &PackedBand)> = bands.iter().map(|b| (bp, b)).collect();
        let what = format!("{w}x{h} {dtype:?} window {window:?}");
        let gpu = compute_in_memory(Backend::Gpu(ctx), &inputs, w * h, window, 2, 1, nodata_bits)
            .unwrap();
        let cpu =
            compute_in_memory(Backend::Cpu, &inputs, w * h, window, 2, 1, nodata_bits).unwrap();
        // counts, nodata masks, min and max exact; mean and std within a few f32 ulps (WGSL
        // division is not correctly rounded)
        for i in 0..w * h {
            assert_eq!(gpu[0][i], cpu[0][i], "{what}: count at {i}");
            for j in 1..5 {
                let (g, c) = (gpu[j][i], cpu[j][i]);
                assert_ne!(
                    g,
                    climidx::engine::gpu::runner::POISON_BITS,
                    "{what}: unwritten {}",
                    STATS[j]
                );
                assert_eq!(
                    g == nodata_bits,
                    c == nodata_bits,
                    "{what}: {} nodata at {i}",
                    STATS[j]
                );
                if j >= 3 {
                    assert_eq!(g, c, "{what}: {} at {i}", STATS[j]);
                } else if c != nodata_bits {
                    let (g, c) = (f32::from_bits(g), f32::from_bits(c));
                    assert!(
                        (g - c).abs() <= 2e-6 * (1.0 + c.abs()),
                        "{what}: {} at {i}: {g} vs {c}",
                        STATS[j]
                    );
                }
            }
        }
        check_against_f64(&gpu, &two_pass(&seen, 1), 2, 1, nodata_bits, 1.3, &what);
    }
}

// ---- CLI end to end on assets/stack -------------------------------------------------------

/// Whole first band of `path` as f64 (NaN for the file's nodata), as the decoder sees it.
fn read(path: &Path, scale: f64) -> Vec<f64> {
    common::read_band_f64(path, scale, true)
}

fn stack_files(prefix: &str, month: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(asset("stack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n.starts_with(prefix)
                && n.ends_with(".tif")
                && &n[prefix.len() + 4..prefix.len() + 6] == month
                && !n.contains("2024")
        })
        .collect();
    v.sort();
    v
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cli_monthly_climatology_anomalies_and_vhi() {
    let dir = tempdir("cli-climatology");
    let manifest = asset("stack/ndvi_stack.csv");
    let clim = dir.join("ndvi");
    ok(&[
        "climatology",
        "--manifest",
        s(&manifest),
        "--period",
        "month",
        "--baseline",
        "2001-2008",
        "--scale",
        "0.0001",
        "--ddof",
        "1",
        "-o",
        s(&clim),
        "--device",
        "cpu",
    ]);
    // The same on the software adapter, in many small windows.
    if common::software_or_skip("cli climatology on the software adapter") {
        let sw = dir.join("ndvi_sw");
        ok(&[
            "climatology",
            "--manifest",
            s(&manifest),
            "--period",
            "month",
            "--scale",
            "0.0001",
            "--ddof",
            "1",
            "-o",
            s(&sw),
            "--device",
            "software",
            "--window-pixels",
            "300",
        ]);
        for m in ["06", "07"] {
            for st in STATS {
                let (a, b) = (
                    read(&clim.join(m).join(format!("{st}.tif")), 1.0),
                    read(&sw.join(m).join(format!("{st}.tif")), 1.0),
                );
                for (x, y) in a.iter().zip(&b) {
                    assert!(
                        x.is_nan() == y.is_nan()
                            && (x.is_nan() || (x - y).abs() <= 2e-6 * (1.0 + x.abs())),
                        "{m}/{st}: {x} vs {y}"
                    );
                }
            }
        }
    }
    // Against f64 two-pass from the inputs themselves.
    for m in ["06", "07"] {
        let seen: Vec<Vec<f64>> = stack_files("ndvi_", m)
            .iter()
            .map(|p| read(p, 1e-4))
            .collect();
        assert_eq!(seen.len(), 8);
        let expect = two_pass(&seen, 1);
        let out: Vec<Vec<u32>> = STATS
            .iter()
            .map(|st| {
                read(&clim.join(m).join(format!("{st}.tif")), 1.0)
                    .iter()
                    .map(|v| {
                        if v.is_nan() {
                            NAN_BITS
                        } else if *st == "count" {
                            *v as u32
                        } else {
                            (*v as f32).to_bits()
                        }
                    })
                    .collect()
            })
            .collect();
        check_against_f64(&out, &expect, 2, 1, NAN_BITS, 1.0, &format!("month {m}"));
        // the fixture has never-observed pixels (columns 0-1) and constant ones (the town)
        assert!(expect.iter().any(|e| e.0 == 0));
        assert!(expect.iter().any(|e| e.2 == 0.0));
    }
    let manifest_json = std::fs::read_to_string(clim.join("climatology.json")).unwrap();
    assert!(
        manifest_json.contains("\"period\": \"month\""),
        "{manifest_json}"
    );

    // Anomalies of the 2024-07-16 observation: the July climatology is picked from the name.
    let obs = asset("stack/ndvi_20240716.tif");
    let x = read(&obs, 1e-4);
    let stat = |st: &str| read(&clim.join("07").join(format!("{st}.tif")), 1.0);
    let (mean, std, min, max) = (stat("mean"), stat("std"), stat("min"), stat("max"));
    for kind in ["diff", "zscore", "percent", "vci"] {
        let out = dir.join(format!("{kind}.tif"));
        ok(&[
            "anomaly",
            s(&obs),
            "--climatology",
            s(&clim),
            "--kind",
            kind,
            "--scale",
            "0.0001",
            "-o",
            s(&out),
        ]);
        let got = read(&out, 1.0);
        let mut valid = 0;
        for i in 0..x.len() {
            let e = match kind {
                "diff" => x[i] - mean[i],
                "zscore" => (x[i] - mean[i]) / std[i],
                "percent" => 100.0 * x[i] / mean[i],
                _ => 100.0 * (x[i] - min[i]) / (max[i] - min[i]),
            };
            let e = if e.is_finite() { e } else { f64::NAN };
            assert_eq!(
                got[i].is_nan(),
                e.is_nan(),
                "{kind} nodata at {i}: {} vs {e}",
                got[i]
            );
            if !e.is_nan() {
                valid += 1;
                assert!(
                    (got[i] - e).abs() <= 1e-4 * (1.0 + e.abs()),
                    "{kind} at {i}: {} vs {e}",
                    got[i]
                );
            }
        }
        assert!(valid > 500, "{kind}: only {valid} valid pixels");
        if kind == "zscore" {
            // a drought: most standardized anomalies are strongly negative
            let neg = got.iter().filter(|v| **v < -1.0).count();
            assert!(neg * 2 > valid, "zscore: {neg} of {valid} below -1");
        }
    }
    // TCI on brightness temperature and VHI, from the file names alone.
    let bt = dir.join("bt");
    let bt_files: Vec<PathBuf> = [stack_files("bt_", "06"), stack_files("bt_", "07")].concat();
    let mut args = vec!["climatology".to_string()];
    args.extend(bt_files.iter().map(|p| s(p).to_string()));
    args.extend(
        [
            "--period",
            "month",
            "--date-pattern",
            "bt_%Y%m%d.tif",
            "--scale",
            "0.01",
            "-o",
            s(&bt),
        ]
        .map(String::from),
    );
    ok(&args.iter().map(|a| a.as_str()).collect::<Vec<_>>());
    let tci = dir.join("tci.tif");
    let bt_obs = asset("stack/bt_20240716.tif");
    ok(&[
        "anomaly",
        s(&bt_obs),
        "--climatology",
        s(&bt),
        "--kind",
        "tci",
        "--scale",
        "0.01",
        "-o",
        s(&tci),
    ]);
    let vhi = dir.join("vhi.tif");
    ok(&[
        "vhi",
        "--vci",
        s(&dir.join("vci.tif")),
        "--tci",
        s(&tci),
        "--weight",
        "0.3",
        "-o",
        s(&vhi),
    ]);
    let (v, t, h) = (
        read(&dir.join("vci.tif"), 1.0),
        read(&tci, 1.0),
        read(&vhi, 1.0),
    );
    let tx = read(&bt_obs, 0.01);
    let bstat = |st: &str| read(&bt.join("07").join(format!("{st}.tif")), 1.0);
    let (bmin, bmax) = (bstat("min"), bstat("max"));
    for i in 0..h.len() {
        let te = 100.0 * (bmax[i] - tx[i]) / (bmax[i] - bmin[i]);
        let te = if te.is_finite() { te } else { f64::NAN };
        assert_eq!(t[i].is_nan(), te.is_nan(), "tci nodata at {i}");
        if !te.is_nan() {
            assert!(
                (t[i] - te).abs() <= 1e-3 * (1.0 + te.abs()),
                "tci at {i}: {} vs {te}",
                t[i]
            );
        }
        let e = 0.3 * v[i] + 0.7 * t[i];
        assert_eq!(h[i].is_nan(), e.is_nan(), "vhi nodata at {i}");
        if !e.is_nan() {
            assert!((h[i] - e).abs() <= 1e-4 * (1.0 + e.abs()), "vhi at {i}");
        }
    }
}

#[test]
fn cli_climatology_errors_are_one_line_and_leave_nothing() {
    let dir = tempdir("cli-climatology-errors");
    let a = asset("stack/ndvi_20010615.tif");
    let b = asset("stack/ndvi_20020615.tif");
    let other = asset("fixtures/u16_1band_17x13_nodata0.tif");
    let out = dir.join("c");
    // a raster on another grid
    fails(
        &[
            "climatology",
            s(&a),
            s(&b),
            s(&other),
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        3,
        "share one grid",
    );
    assert!(!out.join("mean.tif").exists() && !out.join("climatology.json").exists());
    // periods need dates
    fails(
        &["climatology", s(&other), "--period", "month", "-o", s(&out)],
        3,
        "no date",
    );
    fails(
        &[
            "climatology",
            s(&a),
            "--date-pattern",
            "ndvi_%Y.tif",
            "--period",
            "month",
            "-o",
            s(&out),
        ],
        2,
        "%m and %d",
    );
    fails(&["climatology", "-o", s(&out)], 2, "no input rasters");
    fails(
        &[
            "climatology",
            s(&a),
            s(&b),
            "--min-count",
            "0",
            "-o",
            s(&out),
        ],
        2,
        "--min-count",
    );
    // a finished climatology is not overwritten without --overwrite
    ok(&[
        "climatology",
        s(&a),
        s(&b),
        "-o",
        s(&out),
        "--device",
        "cpu",
    ]);
    let before = std::fs::read(out.join("mean.tif")).unwrap();
    fails(
        &[
            "climatology",
            s(&a),
            s(&b),
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        5,
        "--overwrite",
    );
    assert_eq!(std::fs::read(out.join("mean.tif")).unwrap(), before);
    // anomaly: no manifest, or a date outside the climatology's periods
    fails(
        &[
            "anomaly",
            s(&a),
            "--climatology",
            s(&dir),
            "--kind",
            "zscore",
            "-o",
            s(&dir.join("z.tif")),
        ],
        3,
        "climatology.json",
    );
    let monthly = dir.join("m");
    ok(&[
        "climatology",
        s(&a),
        s(&b),
        "--period",
        "month",
        "-o",
        s(&monthly),
        "--device",
        "cpu",
    ]);
    fails(
        &[
            "anomaly",
            s(&asset("stack/ndvi_20240716.tif")),
            "--climatology",
            s(&monthly),
            "--kind",
            "zscore",
            "-o",
            s(&dir.join("z.tif")),
        ],
        2,
        "month 07",
    );
    assert!(!dir.join("z.tif").exists());
    // no stray temporary files anywhere
    for e in common::files_below(&dir) {
        let n = e.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!n.ends_with(".tmp"), "left behind: {}", e.display());
    }
}
