//! Temporal smoothing (`--smooth`) against the tools users trust: scipy's `savgol_filter` on
//! gap-free series and an independent numpy 4253H (tests/fixtures/make_smooth_refs.py, outputs
//! in tests/fixtures/smooth/), the CPU twin in f64 and the WGSL kernel in f32; GPU = CPU on odd
//! shapes with gaps in several windows; end to end, `climatology --smooth` over the series
//! fixture stack (40 dates, gaps) against numpy's statistics of the smoothed series, and
//! `trend --smooth` against the in-memory composition smoother → reducer; refusals.

use crate::common;

use climidx::engine::series::reduce_in_memory;
use climidx::engine::smooth::{fit_backend, smooth_in_memory};
use climidx::engine::Backend;
use climidx::kernels::series::Reducer;
use climidx::kernels::smooth::{loop_iterations, median_4253h, savgol, Smoother};
use common::{fails, gpu_or_skip, read_band_f64, read_f32, repo, tempdir, Rng};
use serde_json::Value;

const W: usize = 23;
const H: usize = 13;

fn json(name: &str) -> Vec<Value> {
    let p = repo().join("tests/fixtures/smooth").join(name);
    serde_json::from_str::<Value>(&std::fs::read_to_string(p).unwrap())
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn opt_series(v: &Value) -> Vec<Option<f64>> {
    v.as_array().unwrap().iter().map(Value::as_f64).collect()
}

/// Every pixel of every case as one column of an in-memory stack (`values[k][p]`), the case
/// repeated over `reps` pixels.
fn columns(x: &[Option<f64>], reps: usize) -> Vec<Vec<Option<f32>>> {
    x.iter().map(|v| vec![v.map(|v| v as f32); reps]).collect()
}

fn assert_close(got: &[Option<f64>], want: &[Option<f64>], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "{what}: sample {k} = {g}, expected {w} (tolerance {tol})"
            ),
            (None, None) => {}
            _ => panic!("{what}: sample {k} = {g:?}, expected {w:?}"),
        }
    }
}

#[test]
fn savgol_matches_scipy_on_cpu_and_gpu() {
    let cases = json("savgol.json");
    assert_eq!(cases.len(), 8);
    let gpu = gpu_or_skip("savgol_matches_scipy_on_cpu_and_gpu (GPU half)");
    for c in &cases {
        let (w, o) = (
            c["w"].as_u64().unwrap() as u32,
            c["o"].as_u64().unwrap() as u32,
        );
        let x = opt_series(&c["x"]);
        let want = opt_series(&c["y"]);
        let what = format!("savgol:{w}:{o} over {}", x.len());
        assert_close(&savgol(&x, w as usize, o as usize), &want, 1e-10, &what);
        if let Some(ctx) = gpu {
            let s = Smoother::SavGol {
                window: w,
                order: o,
            };
            // 5 pixels in windows of 2: every pixel must give scipy's values.
            let got = smooth_in_memory(Backend::Gpu(ctx), &s, &columns(&x, 5), Some(2)).unwrap();
            for p in 0..5 {
                let g: Vec<Option<f64>> = got.iter().map(|r| r[p].map(f64::from)).collect();
                // f32 on the GPU: 2e-6 relative (orthogonal polynomials, no normal matrix)
                let tol = 2e-6;
                assert_close(&g, &want, tol, &format!("{what} on the GPU"));
            }
        }
    }
}

#[test]
fn median_4253h_matches_numpy_on_cpu_and_gpu() {
    let cases = json("m4253h.json");
    let gpu = gpu_or_skip("median_4253h_matches_numpy_on_cpu_and_gpu (GPU half)");
    let mut gaps = 0;
    for (i, c) in cases.iter().enumerate() {
        let x = opt_series(&c["x"]);
        let want = opt_series(&c["y"]);
        gaps += x.iter().filter(|v| v.is_none()).count();
        assert_close(&median_4253h(&x), &want, 1e-12, &format!("4253H case {i}"));
        if let Some(ctx) = gpu {
            let got = smooth_in_memory(
                Backend::Gpu(ctx),
                &Smoother::Median4253H,
                &columns(&x, 3),
                None,
            )
            .unwrap();
            let g: Vec<Option<f64>> = got.iter().map(|r| r[2].map(f64::from)).collect();
            assert_close(&g, &want, 1e-6, &format!("4253H case {i} on the GPU"));
        }
    }
    assert!(gaps > 3, "the cases must include gaps");
    // the hand-worked example of src/kernels/smooth.rs is the first case
    assert_eq!(
        opt_series(&cases[0]["y"]),
        [1.0, 2.8125, 3.875, 4.5, 4.75, 4.5625, 4.0]
            .map(Some)
            .to_vec()
    );
}

/// Random series with gaps (runs of gaps too, some pixels all gaps), `t_len` × `pixels`.
fn random_stack(seed: u64, t_len: usize, pixels: usize) -> Vec<Vec<Option<f32>>> {
    let mut rng = Rng::new(seed);
    let mut v = vec![vec![None; pixels]; t_len];
    for p in 0..pixels {
        let gap = [0.0, 0.1, 0.3, 0.8, 1.0][p % 5];
        let mut level = 0.5f32;
        for row in v.iter_mut() {
            level += (rng.below(2001) as f32 - 1000.0) * 1e-4;
            if !rng.chance(gap) {
                row[p] = Some(level);
            }
        }
    }
    v
}

#[test]
fn gpu_equals_cpu_on_odd_shapes_with_gaps() {
    let Some(ctx) = gpu_or_skip("gpu_equals_cpu_on_odd_shapes_with_gaps") else {
        return;
    };
    for (t_len, pixels, window, s) in [
        (
            37,
            1001,
            Some(333),
            Smoother::SavGol {
                window: 7,
                order: 2,
            },
        ),
        (
            19,
            257,
            Some(100),
            Smoother::SavGol {
                window: 5,
                order: 3,
            },
        ),
        (
            40,
            99,
            None,
            Smoother::SavGol {
                window: 11,
                order: 1,
            },
        ),
        (
            13,
            77,
            Some(10),
            Smoother::SavGol {
                window: 13,
                order: 0,
            },
        ),
        (37, 1001, Some(333), Smoother::Median4253H),
        (5, 63, Some(7), Smoother::Median4253H),
    ] {
        let v = random_stack(t_len as u64 * 31 + pixels as u64, t_len, pixels);
        let cpu = smooth_in_memory(Backend::Cpu, &s, &v, None).unwrap();
        let gpu = smooth_in_memory(Backend::Gpu(ctx), &s, &v, window).unwrap();
        let mut valid = 0;
        for k in 0..t_len {
            for p in 0..pixels {
                let what = format!("{} T={t_len} pixel {p} sample {k}", s.name());
                match (cpu[k][p], gpu[k][p]) {
                    (Some(c), Some(g)) => {
                        assert!(
                            (c - g).abs() <= 2e-6 * (1.0 + c.abs()),
                            "{what}: cpu {c} gpu {g}"
                        );
                        valid += 1;
                    }
                    (None, None) => {}
                    (c, g) => panic!("{what}: cpu {c:?} gpu {g:?}"),
                }
                // smoothing keeps the input's validity (4253H everywhere, Savitzky–Golay
                // where the window holds order + 1 valid samples)
                assert!(cpu[k][p].is_none() || v[k][p].is_some(), "{what}");
                if s == Smoother::Median4253H {
                    assert_eq!(cpu[k][p].is_some(), v[k][p].is_some(), "{what}");
                }
            }
        }
        assert!(valid > t_len * pixels / 3, "{}: {valid} valid", s.name());
    }
}

#[test]
fn smoothing_falls_back_to_the_cpu_beyond_the_loop_limit() {
    let Some(ctx) = gpu_or_skip("smoothing_falls_back_to_the_cpu_beyond_the_loop_limit") else {
        return;
    };
    let Some(limit) = ctx.summary.loop_limit() else {
        eprintln!("SKIPPED (adapter {} has no loop limit)", ctx.summary.name);
        return;
    };
    let s = Smoother::SavGol {
        window: 7,
        order: 2,
    };
    assert!(
        loop_iterations(&s, 40) < limit,
        "the fixture stack must run on the GPU"
    );
    let t_len = (7..5000).find(|t| loop_iterations(&s, *t) > limit).unwrap();
    assert!(matches!(
        fit_backend(Backend::Gpu(ctx), &s, t_len),
        Backend::Cpu
    ));
    assert!(matches!(
        fit_backend(Backend::Gpu(ctx), &s, t_len - 1),
        Backend::Gpu(_)
    ));
    // in memory the smoother takes the CPU's path there: the CPU's bits
    let v = random_stack(3, t_len, 9);
    let a = smooth_in_memory(Backend::Gpu(ctx), &s, &v, None).unwrap();
    let b = smooth_in_memory(Backend::Cpu, &s, &v, None).unwrap();
    assert_eq!(a, b);
}

/// stack.csv: one row per pixel, the columns of its header.
fn stack_refs() -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/smooth/stack.csv")).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), W * H);
    rows
}

fn devices() -> Vec<&'static str> {
    let mut d = vec!["cpu"];
    if common::software_or_skip("smoothing on the software adapter") {
        d.push("software");
    }
    d
}

fn run(cmd: &str, extra: &[&str], out: &std::path::Path, device: &str) {
    let out_s = out.display().to_string();
    let stack = common::series_stack();
    let mut args: Vec<&str> = vec![cmd];
    args.extend(stack.iter().map(String::as_str));
    args.extend(extra);
    // 2 rows per window: 7 windows.
    args.extend([
        "-o",
        &out_s,
        "--device",
        device,
        "--window-pixels",
        "50",
        "-q",
    ]);
    common::ok(&args);
}

#[test]
fn climatology_smooth_matches_numpy() {
    let refs = stack_refs();
    for device in devices() {
        for (smooth, col) in [("savgol:7:2", 0), ("4253h", 4)] {
            let out = tempdir(&format!("clim-smooth-{smooth}-{device}").replace(':', "_"));
            run(
                "climatology",
                &["--smooth", smooth, "--min-count", "1"],
                &out,
                device,
            );
            let what = format!("{smooth} on {device}");
            let count = &read_f32(&out.join("count.tif"))[0];
            for (p, r) in refs.iter().enumerate() {
                assert_eq!(count[p].to_bits() as f64, r[col], "{what}: count at {p}");
            }
            let mut checked = 0;
            for (j, stat) in ["mean", "min", "max"].iter().enumerate() {
                let got = &read_f32(&out.join(format!("{stat}.tif")))[0];
                for (p, r) in refs.iter().enumerate() {
                    let want = r[col + 1 + j];
                    if want.is_nan() {
                        assert!(got[p].is_nan(), "{what}: {stat} at {p} = {}", got[p]);
                    } else {
                        let tol = if device == "cpu" { 1e-6 } else { 1e-5 };
                        assert!(
                            (got[p] as f64 - want).abs() <= tol,
                            "{what}: {stat} at {p} = {}, expected {want}",
                            got[p]
                        );
                        checked += 1;
                    }
                }
            }
            assert!(checked > W * H * 2, "{what}: {checked} checked");
            // the smoothing is recorded in the outputs
            let r =
                climidx::io::geotiff::reader::GeoTiffReader::open(&out.join("mean.tif")).unwrap();
            let note = r.info().metadata_item("CLIMIDX_SMOOTH").unwrap_or_default();
            assert!(note.starts_with(&format!("{smooth}: ")), "{note}");
        }
    }
}

#[test]
fn trend_smooth_equals_smoother_then_reducer() {
    // the stack as the engine reads it, then the CPU twins in memory
    let files = common::series_stack();
    let values: Vec<Vec<Option<f32>>> = files
        .iter()
        .map(|f| {
            read_band_f64(std::path::Path::new(f), 1.0, true)
                .iter()
                .map(|v| (!v.is_nan()).then_some(*v as f32))
                .collect()
        })
        .collect();
    let s = Smoother::SavGol {
        window: 7,
        order: 2,
    };
    let times: Vec<f32> = (0..40).map(|k| (16 * k) as f32).collect();
    let red = Reducer::Trend { alpha: None };
    let nd = f32::NAN.to_bits();
    let plain = reduce_in_memory(Backend::Cpu, &red, &times, &values, None, nd).unwrap();
    for device in devices() {
        // the same kernels in memory: the GPU's smoothing differs from the CPU's by f32
        // rounding, which can move a Theil–Sen median to a neighbouring pair slope
        let backend = match device {
            "cpu" => Backend::Cpu,
            _ => Backend::Gpu(gpu_or_skip("trend --smooth on the software adapter").unwrap()),
        };
        let smoothed = smooth_in_memory(backend, &s, &values, None).unwrap();
        let want = reduce_in_memory(backend, &red, &times, &smoothed, None, nd).unwrap();
        let out = tempdir(&format!("trend-smooth-{device}"));
        run("trend", &["--smooth", "savgol:7:2"], &out, device);
        let got = &read_f32(&out.join("slope.tif"))[0];
        let mut differs = 0;
        for p in 0..W * H {
            let (w, g) = (f32::from_bits(want[0][p]), got[p]);
            if w.is_nan() {
                assert!(g.is_nan(), "{device}: slope at {p} = {g}, expected nodata");
            } else {
                assert!(
                    (w - g).abs() <= 1e-6,
                    "{device}: slope at {p} = {g}, expected {w}"
                );
                differs += usize::from(f32::from_bits(plain[0][p]) != w);
            }
        }
        // smoothing changed the slopes (the test would pass trivially otherwise)
        assert!(
            differs > W * H / 2,
            "{device}: only {differs} slopes changed"
        );
    }
}

#[test]
fn smooth_refusals_name_the_fix() {
    let s = common::series_stack();
    let out = tempdir("smooth-bad").display().to_string();
    let args = |smooth: &'static str, cmd: &'static str| {
        let mut a: Vec<String> = vec![cmd.into()];
        a.extend(s.iter().cloned());
        a.extend(["--smooth".into(), smooth.into(), "-o".into(), out.clone()]);
        a
    };
    for (smooth, cmd, needle) in [
        ("savgol:6:2", "trend", "WINDOW must be odd"),
        ("savgol:5:5", "climatology", "WINDOW must exceed ORDER"),
        ("savgol:41:2", "trend", "longer than the series (40 inputs)"),
        (
            "savgol:41:2",
            "climatology",
            "longer than the series (40 inputs)",
        ),
        ("median", "trend", "savgol:WINDOW:ORDER"),
        ("4253h", "spi", "--smooth applies to climatology and trend"),
    ] {
        let mut a = args(smooth, cmd);
        if cmd == "spi" {
            a.extend(["--calibration".into(), "2001-2002".into()]);
        }
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, 2, needle);
    }
    let mut a = args("4253h", "climatology");
    a.extend(["--percentiles".into(), "50".into()]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    fails(&a, 2, "--smooth with --percentiles is not supported yet");
}

#[test]
fn smooth_kernel_validates_with_naga() {
    let (key, src) = climidx::kernels::wgsl::smooth_kernel();
    assert_eq!(key, "series-smooth");
    common::naga_validate(&src);
}

#[test]
fn climatology_smooth_by_month_smooths_across_periods() {
    // the stack smoothed as one series (CPU twin, checked against numpy above), then grouped by
    // month here: each month's mean must be the mean of its smoothed members
    let files = common::series_stack();
    let values: Vec<Vec<Option<f32>>> = files
        .iter()
        .map(|f| {
            read_band_f64(std::path::Path::new(f), 1.0, true)
                .iter()
                .map(|v| (!v.is_nan()).then_some(*v as f32))
                .collect()
        })
        .collect();
    let s = Smoother::Median4253H;
    let smoothed = smooth_in_memory(Backend::Cpu, &s, &values, None).unwrap();
    let month = |f: &str| f[f.len() - 8..f.len() - 6].to_string();
    for device in devices() {
        let out = tempdir(&format!("clim-smooth-month-{device}"));
        run(
            "climatology",
            &["--smooth", "4253h", "--period", "month", "--min-count", "1"],
            &out,
            device,
        );
        let mut months = 0;
        for m in (1..=12).map(|m| format!("{m:02}")) {
            let members: Vec<usize> = (0..files.len())
                .filter(|k| month(&files[*k]) == m)
                .collect();
            if members.is_empty() {
                continue;
            }
            months += 1;
            let got = &read_f32(&out.join(&m).join("mean.tif"))[0];
            for p in 0..W * H {
                let v: Vec<f64> = members
                    .iter()
                    .filter_map(|k| smoothed[*k][p].map(f64::from))
                    .collect();
                if v.is_empty() {
                    assert!(got[p].is_nan(), "{device} month {m} pixel {p}");
                } else {
                    let want = v.iter().sum::<f64>() / v.len() as f64;
                    assert!(
                        (got[p] as f64 - want).abs() <= 1e-5,
                        "{device} month {m} pixel {p}: {} expected {want}",
                        got[p]
                    );
                }
            }
        }
        assert_eq!(months, 12);
    }
}

#[test]
fn smooth_is_reported_and_recorded() {
    let s = common::series_stack();
    let out = tempdir("smooth-json");
    let o = out.display().to_string();
    let mut a: Vec<&str> = vec!["climatology"];
    a.extend(s.iter().map(String::as_str));
    a.extend(["--smooth", "savgol:5:2", "--json", "-q", "-o", &o]);
    let j: Value = serde_json::from_str(&common::ok(&a)).unwrap();
    assert_eq!(j["smooth"], "savgol:5:2");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("climatology.json")).unwrap())
            .unwrap();
    assert_eq!(m["smooth"], "savgol:5:2");
    // anomaly against it warns that the observation is not smoothed
    let z = out.join("z.tif").display().to_string();
    let e = common::climidx(&[
        "anomaly",
        &s[5],
        "--climatology",
        &o,
        "--kind",
        "zscore",
        "-o",
        &z,
    ]);
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(e.status.success(), "{err}");
    assert!(err.contains("smoothed with --smooth savgol:5:2"), "{err}");
}
