//! `climidx spi`: SPI against climate_indices (references by tests/fixtures/make_spi_refs.py),
//! GPU = CPU on odd shapes and window splits, and the bad-input errors.

use std::io::Read;
use std::path::Path;

use climidx::engine::spi::spi_in_memory;
use climidx::engine::Backend;
use climidx::kernels::spi::SpiParams;

use crate::common::{
    asset, fails, gpu_or_skip, ok, read_f32, repo, software_or_skip, tempdir, Rng,
};

const STACK: &str = "assets/spi/precip_monthly.nc:pr";
const SCALES: [u32; 3] = [1, 3, 12];
const MONTHS: usize = 384;
const PX: usize = 35;

/// climate_indices' SPI: [scale][month][pixel] (NaN = missing).
fn reference() -> Vec<f32> {
    let gz = std::fs::read(repo().join("tests/fixtures/spi/reference.f32.gz")).unwrap();
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes.len(), SCALES.len() * MONTHS * PX * 4);
    bytes
        .chunks(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Compare every spi{K}_{YYYYMM}.tif in `dir` with the reference: the same pixels missing,
/// the rest within 1e-3. Returns (valid values compared, largest difference).
fn assert_matches_reference(dir: &Path) -> (usize, f32) {
    let r = reference();
    let (mut n, mut worst) = (0, 0.0f32);
    for (s, k) in SCALES.iter().enumerate() {
        for t in 0..MONTHS {
            let (y, m) = (1989 + t / 12, t % 12 + 1);
            let got = &read_f32(&dir.join(format!("spi{k}_{y:04}{m:02}.tif")))[0];
            assert_eq!(got.len(), PX);
            for (p, g) in got.iter().enumerate() {
                let e = r[(s * MONTHS + t) * PX + p];
                assert_eq!(
                    g.is_finite(),
                    e.is_finite(),
                    "spi{k} {y}-{m:02} pixel {p}: climidx {g}, climate_indices {e}"
                );
                if e.is_finite() {
                    let d = (g - e).abs();
                    assert!(
                        d <= 1e-3,
                        "spi{k} {y}-{m:02} pixel {p}: climidx {g}, climate_indices {e}"
                    );
                    worst = worst.max(d);
                    n += 1;
                }
            }
        }
    }
    (n, worst)
}

fn run_stack(dir: &Path, device: &[&str]) {
    let out = dir.to_str().unwrap();
    let mut args = vec![
        "spi",
        STACK,
        "--scale-months",
        "1,3,12",
        "--calibration",
        "1991-2020",
        "-o",
        out,
    ];
    args.extend_from_slice(device);
    ok(&args);
}

#[test]
fn spi_matches_climate_indices_on_cpu() {
    let dir = tempdir("spi_cpu");
    run_stack(&dir, &["--device", "cpu"]);
    let (n, worst) = assert_matches_reference(&dir);
    // the reference has 36 534 finite values (reference.json)
    assert_eq!(n, 36_534);
    eprintln!("spi cpu: {n} values, largest |climidx - climate_indices| = {worst:e}");
    // dry months are in the stack: a zero-heavy pixel's zero months score Φ⁻¹(q) < 0
    let jul = &read_f32(&dir.join("spi1_200007.tif"))[0];
    assert!(jul.iter().any(|v| v.is_finite()));
}

#[test]
fn spi_matches_climate_indices_on_software_device_in_several_windows() {
    if !software_or_skip("spi_matches_climate_indices_on_software_device_in_several_windows") {
        return;
    }
    let dir = tempdir("spi_software");
    // 7 px per row: windows of 2 rows, 3 windows
    run_stack(&dir, &["--device", "software", "--window-pixels", "14"]);
    let (n, worst) = assert_matches_reference(&dir);
    assert_eq!(n, 36_534);
    eprintln!("spi software: {n} values, largest |climidx - climate_indices| = {worst:e}");
}

#[test]
fn spi_months_limits_outputs_and_keeps_values() {
    let dir = tempdir("spi_months");
    let out = dir.to_str().unwrap();
    ok(&[
        "spi",
        STACK,
        "--scale-months",
        "3",
        "--calibration",
        "1991-2020",
        "--months",
        "2020-07,1989-03",
        "-o",
        out,
        "--device",
        "cpu",
    ]);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["spi3_198903.tif", "spi3_202007.tif"]);
    let r = reference();
    let t = (2020 - 1989) * 12 + 6;
    let got = &read_f32(&dir.join("spi3_202007.tif"))[0];
    for (p, g) in got.iter().enumerate() {
        let e = r[(MONTHS + t) * PX + p];
        assert!(
            (g.is_nan() && e.is_nan()) || (g - e).abs() <= 1e-3,
            "{p}: {g} vs {e}"
        );
    }
    // the first k-1 months have no 3-month sum
    let first = &read_f32(&dir.join("spi3_198903.tif"))[0];
    assert!(first.iter().any(|v| v.is_finite()));
}

/// A random monthly stack: gamma-like totals, dry and all-zero calendar months, missing values
/// and never-observed pixels.
fn synthetic(t_len: usize, pixels: usize, first_month: usize, seed: u64) -> Vec<Vec<Option<f32>>> {
    let mut rng = Rng::new(seed);
    let mut u = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let mut v = vec![vec![None; pixels]; t_len];
    for p in 0..pixels {
        let scale = 20.0 + 80.0 * u();
        for (t, row) in v.iter_mut().enumerate() {
            let m = (first_month + t) % 12;
            let x = if p % 17 == 3 {
                None
            } else if u() < 0.02 {
                None
            } else if p % 5 == 1 && m == 6 {
                Some(0.0)
            } else if p % 3 == 0 && (m == 0 || m == 1) && u() < 0.5 {
                Some(0.0)
            } else {
                // sum of exponentials: gamma with shape 1-3
                let k = 1 + (p + m) % 3;
                let s: f64 = (0..k).map(|_| -(1.0 - u()).ln()).sum();
                Some((s * scale / k as f64 * (1.0 + 0.5 * (m as f64).sin())) as f32)
            };
            row[p] = x;
        }
    }
    v
}

#[test]
fn spi_gpu_matches_cpu_on_odd_shapes_and_windows() {
    let Some(ctx) = gpu_or_skip("spi_gpu_matches_cpu_on_odd_shapes_and_windows") else {
        return;
    };
    for (t_len, pixels, first_month, window) in
        // the first: 1000 months at k = 12 is far beyond lavapipe's 65 535 loop iterations per
        // invocation, which the runner's dispatch plan must respect (src/engine/gpu/spi.rs)
        [
            (1000usize, 41usize, 2u32, None),
            (150, 333, 4, Some(100usize)),
            (61, 37, 11, None),
            (25, 5, 0, Some(2)),
        ]
    {
        let values = synthetic(t_len, pixels, first_month as usize, t_len as u64);
        let scales: Vec<SpiParams> = [1u32, 3, 12]
            .iter()
            .map(|&k| SpiParams {
                scale: k,
                first_month,
                cal_start: 2,
                cal_end: t_len as u32 - 3,
                min_years: 2,
            })
            .collect();
        let nodata = (-9999.0f32).to_bits();
        let cpu = spi_in_memory(Backend::Cpu, &scales, &values, None, window, nodata).unwrap();
        let gpu = spi_in_memory(Backend::Gpu(ctx), &scales, &values, None, window, nodata).unwrap();
        let (mut valid, mut nod, mut clipped, mut worst) = (0, 0, 0, 0.0f32);
        for (s, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
            for t in 0..t_len {
                for p in 0..pixels {
                    let (a, b) = (c[t][p], g[t][p]);
                    let what = format!("T={t_len} scale {} t {t} pixel {p}", scales[s].scale);
                    assert_eq!(a == nodata, b == nodata, "{what}: cpu {a:#x}, gpu {b:#x}");
                    if a == nodata {
                        nod += 1;
                        continue;
                    }
                    let (a, b) = (f32::from_bits(a), f32::from_bits(b));
                    // f32 on both sides; the device's log/exp differ from Rust's by a few ulp
                    assert!(
                        a.abs() <= 3.09 && (a - b).abs() <= 1e-3,
                        "{what}: cpu {a}, gpu {b}"
                    );
                    worst = worst.max((a - b).abs());
                    valid += 1;
                    clipped += (a.abs() == 3.09) as usize;
                }
            }
        }
        assert!(
            valid > 0 && nod > 0,
            "T={t_len}: {valid} valid, {nod} nodata"
        );
        eprintln!("spi gpu=cpu T={t_len} px={pixels}: {valid} valid ({clipped} clipped), {nod} nodata, largest |gpu - cpu| {worst:e}");
    }
}

/// Months computed alone (what a job writing a few months runs) are the months computed with
/// all the others, bit for bit, on the CPU and the GPU; the months not kept are nodata.
#[test]
fn spi_of_kept_months_is_spi_of_all_months() {
    let (t_len, pixels, first_month) = (130usize, 203usize, 5u32);
    let values = synthetic(t_len, pixels, first_month as usize, 7);
    let scales: Vec<SpiParams> = [1u32, 6]
        .iter()
        .map(|&k| SpiParams {
            scale: k,
            first_month,
            cal_start: 0,
            cal_end: 120,
            min_years: 3,
        })
        .collect();
    let nodata = (-9999.0f32).to_bits();
    // one month, a run crossing the end of the calibration, the last month
    let keep: Vec<bool> = (0..t_len)
        .map(|t| t == 40 || (115..125).contains(&t) || t == t_len - 1)
        .collect();
    let ctx = gpu_or_skip("spi_of_kept_months_is_spi_of_all_months");
    let mut backends = vec![Backend::Cpu];
    backends.extend(ctx.map(Backend::Gpu));
    for b in backends {
        let all = spi_in_memory(b, &scales, &values, None, Some(64), nodata).unwrap();
        let some = spi_in_memory(b, &scales, &values, Some(&keep), Some(64), nodata).unwrap();
        let mut valid = 0;
        for (s, (a, k)) in all.iter().zip(&some).enumerate() {
            for t in 0..t_len {
                if keep[t] {
                    assert_eq!(
                        a[t],
                        k[t],
                        "{} scale {} month {t}",
                        b.describe(),
                        scales[s].scale
                    );
                    valid += a[t].iter().filter(|&&v| v != nodata).count();
                } else {
                    assert!(k[t].iter().all(|&v| v == nodata), "month {t} not kept");
                }
            }
        }
        assert!(
            valid > 12 * pixels,
            "{}: {valid} valid kept values",
            b.describe()
        );
    }
}

#[test]
fn spi_refuses_bad_inputs() {
    let dir = tempdir("spi_bad");
    let out = dir.join("o");
    let o = out.to_str().unwrap();
    let ndvi = format!("{}:ndvi", asset("cf/ndvi_stack.nc").display());
    let base = |extra: &[&str]| {
        let mut a = vec![
            "spi",
            STACK,
            "--scale-months",
            "3",
            "-o",
            o,
            "--device",
            "cpu",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            base(&["--calibration", "1991-2020", "--offset", "-50"]),
            3,
            "negative precipitation",
        ),
        (
            base(&["--calibration", "1980-2010"]),
            2,
            "is not inside the stack's years 1989-2020",
        ),
        (
            // 384 files of 512-row tiles from 5-pixel windows: over a 1 MiB budget.
            base(&[
                "--calibration",
                "1991-2020",
                "--mem-limit",
                "1",
                "--window-pixels",
                "5",
            ]),
            2,
            "write fewer with --months",
        ),
        (
            base(&["--calibration", "1991-2020", "--min-years", "31"]),
            2,
            "fewer than --min-years 31",
        ),
        (
            base(&["--calibration", "1991-2020", "--months", "2021-01"]),
            2,
            "--months 2021-01 is not in the stack",
        ),
        (
            base(&["--calibration", "1991-20x"]),
            2,
            "expected YYYY-YYYY",
        ),
        (
            base(&["--calibration", "1991-2020", "--scale-months", "0"]),
            2,
            "a scale must be between 1",
        ),
        (
            vec![
                "spi".into(),
                ndvi,
                "--calibration".into(),
                "2020-2020".into(),
                "-o".into(),
                o.into(),
            ],
            2,
            "spi needs monthly totals",
        ),
    ];
    for (args, code, needle) in &cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&a, *code, needle);
        let written = out.exists() && std::fs::read_dir(&out).unwrap().next().is_some();
        assert!(!written, "{args:?}: output written");
    }
}

#[test]
fn spi_kernel_validates() {
    let (_, src) = climidx::kernels::spi::spi_kernel();
    crate::common::naga_validate(&src);
}
