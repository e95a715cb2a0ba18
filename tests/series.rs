//! Per-pixel series reducers (trend, percentiles) against the tools users trust:
//! pymannkendall's `original_test` (Sen slope, intercept, S, var(S), z, p, tau) and numpy's
//! `percentile` (linear, hazen, nearest), computed by tests/fixtures/make_series_refs.py on
//! the stack in tests/fixtures/series (gaps, ties, < 3 valid values, a constant pixel), through
//! the CLI on the CPU and the software GPU with many windows; and GPU = CPU in memory on odd
//! shapes and window splits.

use crate::common;

use std::path::Path;

use climidx::engine::series::reduce_in_memory;
use climidx::engine::Backend;
use climidx::kernels::percentile::QuantileMethod;
use climidx::kernels::series::{loop_iterations, RankKind, Reducer};
use common::{fails, gpu_or_skip, read_f32, repo, tempdir, Rng};

const W: usize = 23;
const H: usize = 13;

/// refs.csv: column name → one value per pixel (NaN = nodata).
fn refs() -> Vec<(String, Vec<f64>)> {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/series/refs.csv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let cols: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut out: Vec<(String, Vec<f64>)> = cols.into_iter().map(|c| (c, Vec::new())).collect();
    for l in lines {
        for (v, c) in l.split(',').zip(out.iter_mut()) {
            c.1.push(v.parse().unwrap());
        }
    }
    assert_eq!(out[0].1.len(), W * H);
    out
}

fn col<'a>(refs: &'a [(String, Vec<f64>)], name: &str) -> &'a [f64] {
    &refs.iter().find(|c| c.0 == name).unwrap().1
}

/// Every pixel of `file` within `tol` of `want` (NaN where `want` is NaN).
fn assert_band(file: &Path, want: &[f64], tol: f64) {
    let got = &read_f32(file)[0];
    assert_eq!(got.len(), want.len());
    let mut checked = 0;
    for (p, (g, w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() {
            assert!(
                g.is_nan(),
                "{}: pixel {p} = {g}, expected nodata",
                file.display()
            );
        } else {
            assert!(
                (*g as f64 - w).abs() <= tol,
                "{}: pixel {p} = {g}, expected {w} (tolerance {tol})",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > W * H / 2,
        "{}: only {checked} valid pixels",
        file.display()
    );
}

fn devices() -> Vec<&'static str> {
    let mut d = vec!["cpu"];
    if common::software_or_skip("series on the software adapter") {
        d.push("software");
    }
    d
}

fn run(cmd: &str, extra: &[&str], out: &Path, device: &str) {
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
fn trend_matches_pymannkendall_on_cpu_and_gpu() {
    // 40 inputs: within lavapipe's loop limit (see series_kernels_fall_back_beyond_the_loop_limit).
    let r = refs();
    for device in devices() {
        let out = tempdir(&format!("trend-{device}"));
        run("trend", &["--alpha", "0.05"], &out, device);
        assert_band(&out.join("slope.tif"), col(&r, "slope"), 1e-6);
        assert_band(&out.join("intercept.tif"), col(&r, "intercept"), 1e-5);
        for (f, c, tol) in [
            ("s", "s", 0.0),
            ("var", "var", 1e-3),
            ("z", "z", 1e-5),
            ("p", "p", 1e-5),
            ("tau", "tau", 1e-5),
        ] {
            assert_band(&out.join(format!("{f}.tif")), col(&r, c), tol);
        }
        // The significance mask is p < alpha, and count is every pixel's valid inputs.
        let p = col(&r, "p");
        let sig = &read_f32(&out.join("significant.tif"))[0];
        for (s, p) in sig.iter().zip(p) {
            if p.is_nan() {
                assert!(s.is_nan());
            } else {
                assert_eq!(*s, if *p < 0.05 { 1.0 } else { 0.0 });
            }
        }
        assert!(sig.iter().any(|s| *s == 1.0) && sig.iter().any(|s| *s == 0.0));
        let count = &read_f32(&out.join("count.tif"))[0];
        for (c, n) in count.iter().zip(col(&r, "n")) {
            assert_eq!(c.to_bits() as f64, *n);
        }
    }
}

#[test]
fn climatology_percentiles_match_numpy_on_cpu_and_gpu() {
    let r = refs();
    for device in devices() {
        let out = tempdir(&format!("pct-{device}"));
        run(
            "climatology",
            &["--percentiles", "10,50,90,2.5", "--min-count", "1"],
            &out,
            device,
        );
        for p in ["p10", "p50", "p90", "p2.5"] {
            assert_band(&out.join(format!("{p}.tif")), col(&r, p), 1e-6);
        }
        for method in ["hazen", "nearest"] {
            let out = tempdir(&format!("pct-{method}-{device}"));
            run(
                "climatology",
                &[
                    "--percentiles",
                    "10,90",
                    "--min-count",
                    "1",
                    "--quantile-method",
                    method,
                ],
                &out,
                device,
            );
            for p in ["10", "90"] {
                let want = col(&r, &format!("{method}{p}"));
                assert_band(&out.join(format!("p{p}.tif")), want, 1e-6);
            }
        }
        // --min-count applies: pixels with fewer valid values are nodata.
        let out = tempdir(&format!("pct-min-{device}"));
        run(
            "climatology",
            &["--percentiles", "50", "--min-count", "3"],
            &out,
            device,
        );
        let want: Vec<f64> = col(&r, "p50")
            .iter()
            .zip(col(&r, "n"))
            .map(|(v, n)| if *n < 3.0 { f64::NAN } else { *v })
            .collect();
        assert_band(&out.join("p50.tif"), &want, 1e-6);
    }
}

#[test]
fn trend_refuses_bad_stacks() {
    let s = common::series_stack();
    let out = tempdir("trend-bad").display().to_string();
    // Two inputs of the same date.
    fails(&["trend", &s[0], &s[0], &s[1], "-o", &out], 2, "same date");
    fails(&["trend", &s[0], &s[1], "-o", &out], 2, "at least 3");
    let mut args = vec!["trend"];
    args.extend(s.iter().map(String::as_str));
    args.extend(["-o", &out, "--max-inputs", "10"]);
    fails(&args, 2, "at most 10");
    fails(
        &[
            "climatology",
            &s[0],
            &s[1],
            "--percentiles",
            "101",
            "-o",
            &out,
        ],
        2,
        "outside 0-100",
    );
}

/// A random stack with gaps and ties: values[k][p].
fn random_series(seed: u64, t_len: usize, pixels: usize) -> (Vec<f32>, Vec<Vec<Option<f32>>>) {
    let mut rng = Rng::new(seed);
    let mut day = 0.0f32;
    let times: Vec<f32> = (0..t_len)
        .map(|_| {
            day += 1.0 + rng.below(40) as f32;
            day
        })
        .collect();
    let values = (0..t_len)
        .map(|k| {
            (0..pixels)
                .map(|p| {
                    (!rng.chance(0.2))
                        .then(|| (rng.below(60) as f32) / 50.0 + 0.001 * (k * (p % 7)) as f32)
                })
                .collect()
        })
        .collect();
    (times, values)
}

#[test]
fn series_gpu_equals_cpu_on_odd_shapes_and_windows() {
    let Some(ctx) = gpu_or_skip("series_gpu_equals_cpu_on_odd_shapes_and_windows") else {
        return;
    };
    let nd = f32::NAN.to_bits();
    let reducers = [
        Reducer::Trend { alpha: Some(0.1) },
        Reducer::Percentiles {
            q: vec![0.0, 12.5, 50.0, 97.0, 100.0],
            method: QuantileMethod::Linear,
            min_count: 2,
        },
        Reducer::Percentiles {
            q: vec![33.3, 75.0],
            method: QuantileMethod::MedianUnbiased,
            min_count: 1,
        },
        // the last member is the observation; ties on the 0.02 grid (pixels p % 7 == 0)
        Reducer::PercentileRank {
            kind: RankKind::Rank,
            min_count: 2,
        },
        Reducer::PercentileRank {
            kind: RankKind::Mean,
            min_count: 1,
        },
        Reducer::PercentileRank {
            kind: RankKind::Strict,
            min_count: 3,
        },
        Reducer::PercentileRank {
            kind: RankKind::Weak,
            min_count: 1,
        },
    ];
    for red in &reducers {
        // The longest stack the adapter's loop limit lets the kernel run (lavapipe: 65 535
        // loop iterations per invocation in all), where a low bound would show as lost outputs.
        let at_limit = match ctx.summary.loop_limit() {
            Some(limit) => (3..4000)
                .take_while(|t| loop_iterations(red, *t) <= limit)
                .last()
                .unwrap(),
            None => 64,
        };
        let cases = [
            (3, 1, None),
            (7, 1001, Some(97)),
            (33, 517, Some(130)),
            (at_limit, 301, Some(128)),
        ];
        for (t_len, pixels, window) in cases {
            let (times, values) = random_series(t_len as u64, t_len, pixels);
            let cpu = reduce_in_memory(Backend::Cpu, red, &times, &values, window, nd).unwrap();
            let gpu =
                reduce_in_memory(Backend::Gpu(ctx), red, &times, &values, window, nd).unwrap();
            for (j, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
                for (p, (a, b)) in c.iter().zip(g).enumerate() {
                    let (fa, fb) = (f32::from_bits(*a), f32::from_bits(*b));
                    let close = a == b || (fa - fb).abs() <= 2e-6 * fa.abs().max(1.0);
                    let all = |o: &[Vec<u32>]| -> Vec<f32> {
                        o.iter().map(|v| f32::from_bits(v[p])).collect()
                    };
                    assert!(close, "{red:?} T={t_len} output {j} pixel {p}: cpu {fa} ({a:#x}) gpu {fb} ({b:#x}); cpu {:?} gpu {:?}", all(&cpu), all(&gpu));
                }
            }
        }
    }
}

/// Beyond the adapter's loop limit a series reducer never runs cut short on it: in memory the
/// GPU runner refuses, and the CLI computes on the native CPU, says so, and writes the CPU's bits.
#[test]
fn series_kernels_fall_back_beyond_the_loop_limit() {
    let Some(ctx) = gpu_or_skip("series_kernels_fall_back_beyond_the_loop_limit") else {
        return;
    };
    let Some(limit) = ctx.summary.loop_limit() else {
        eprintln!("SKIPPED (adapter {} has no loop limit)", ctx.summary.name);
        return;
    };
    let red = Reducer::Trend { alpha: None };
    let t_len = (3..200)
        .find(|t| loop_iterations(&red, *t) > limit)
        .unwrap();
    let (times, values) = random_series(5, t_len, 20);
    let err = reduce_in_memory(Backend::Gpu(ctx), &red, &times, &values, None, 0)
        .err()
        .expect("the GPU runner refuses beyond the loop limit")
        .to_string();
    assert!(err.contains("use --device cpu"), "{err}");

    // The CLI: the fixture stack's 40 files, some twice, on t_len distinct dates.
    let dir = tempdir("trend-limit");
    let manifest = dir.join("stack.csv");
    let mut csv = String::from("path,date\n");
    for (k, f) in common::series_stack()
        .iter()
        .cycle()
        .take(t_len)
        .enumerate()
    {
        csv += &format!("{f},{}-06-15\n", 1900 + k);
    }
    std::fs::write(&manifest, csv).unwrap();
    let m = manifest.display().to_string();
    let mut outs = Vec::new();
    for device in ["cpu", "software"] {
        let out = dir.join(device);
        let o = common::climidx(&[
            "trend",
            "--manifest",
            &m,
            "-o",
            &out.display().to_string(),
            "--device",
            device,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert_eq!(
            device == "software",
            err.contains("runs on the native CPU"),
            "{device}: {err}"
        );
        outs.push(out);
    }
    for f in ["slope", "intercept", "s", "var", "z", "p", "tau", "count"] {
        let name = format!("{f}.tif");
        assert_eq!(
            read_f32(&outs[0].join(&name))[0]
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
            read_f32(&outs[1].join(&name))[0]
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[test]
fn series_kernels_validate_with_naga() {
    use climidx::kernels::wgsl::series_kernel;
    for red in [
        Reducer::Trend { alpha: None },
        Reducer::Percentiles {
            q: vec![50.0],
            method: QuantileMethod::Linear,
            min_count: 1,
        },
        Reducer::PercentileRank {
            kind: RankKind::Rank,
            min_count: 1,
        },
    ] {
        let (key, src) = series_kernel(&red);
        assert!(key.starts_with("series-"));
        common::naga_validate(&src);
    }
}
