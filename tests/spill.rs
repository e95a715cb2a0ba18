//! The spill file (src/engine/jobs/spill.rs): a stack whose blocks are taller than the
//! windows of a series pass is re-chunked once, and every pass (trend, percentiles, percentile
//! rank, `--smooth`, spi) reads the same bits from it as from the inputs directly
//! (`--no-spill`); nothing is left behind; a spill folder that cannot be written is refused.
//! The shipped stacks are single-strip GeoTIFFs and a one-chunk-per-month NetCDF, so windows of
//! one or two rows make every block span several windows.

use crate::common;

use std::path::{Path, PathBuf};

use common::{climidx, fails, files_below, read_f32, tempdir};

/// Run `args` (a run writing into `out`), assert success, return stderr.
fn run(args: &[String]) -> String {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = climidx(&a);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "climidx {a:?}: {err}");
    err
}

/// The .tif files below `dir`, relative, sorted; and no spill file anywhere below it.
fn outputs(dir: &Path) -> Vec<PathBuf> {
    let all = files_below(dir);
    assert!(
        !all.iter()
            .any(|p| p.to_string_lossy().contains(".climidx-spill")),
        "a spill file was left in {}: {all:?}",
        dir.display()
    );
    let mut v: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .map(|p| p.strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

/// Every output of `a` and `b` holds the same f32 bits.
fn assert_same_bits(a: &Path, b: &Path) -> usize {
    let (fa, fb) = (outputs(a), outputs(b));
    assert!(!fa.is_empty(), "no outputs in {}", a.display());
    assert_eq!(fa, fb);
    let mut finite = 0;
    for f in &fa {
        let (x, y) = (read_f32(&a.join(f)), read_f32(&b.join(f)));
        for (bx, by) in x.iter().zip(&y) {
            assert_eq!(bx.len(), by.len());
            for (p, (u, v)) in bx.iter().zip(by).enumerate() {
                assert_eq!(
                    u.to_bits(),
                    v.to_bits(),
                    "{} pixel {p}: spilled {u}, direct {v}",
                    f.display()
                );
                finite += u.is_finite() as usize;
            }
        }
    }
    finite
}

/// `cmd` run three ways: spilled beside the outputs, spilled in --spill-dir, and --no-spill;
/// the same bits each time. `tail` ends the command line after `-o DIR`.
fn check(name: &str, head: &[String], tail: &[&str]) {
    let base = tempdir(&format!("spill-{name}"));
    let args = |out: &Path, extra: &[&str]| {
        let mut a = head.to_vec();
        a.extend(["-o".into(), out.display().to_string(), "-v".into()]);
        a.extend(tail.iter().chain(extra).map(|s| s.to_string()));
        a
    };
    let spilled = base.join("spilled");
    let err = run(&args(&spilled, &[]));
    assert!(
        err.contains("spilling it"),
        "{name}: expected the stack to be spilled: {err}"
    );
    let elsewhere = base.join("elsewhere");
    let dir = base.join("spill-dir");
    std::fs::create_dir_all(&dir).unwrap();
    let err = run(&args(&elsewhere, &["--spill-dir", dir.to_str().unwrap()]));
    assert!(err.contains(dir.to_str().unwrap()), "{name}: {err}");
    assert!(files_below(&dir).is_empty(), "{name}: spill dir not empty");
    let direct = base.join("direct");
    let err = run(&args(&direct, &["--no-spill"]));
    assert!(
        err.contains("--no-spill was given") && !err.contains("spilling it"),
        "{name}: {err}"
    );
    let finite = assert_same_bits(&spilled, &direct);
    assert_eq!(assert_same_bits(&elsewhere, &direct), finite);
    assert!(finite > 0, "{name}: no finite output");
    eprintln!("{name}: {finite} finite values, spilled = direct");
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn series_passes_read_the_same_bits_spilled_or_not() {
    let stack = common::series_stack();
    assert_eq!(stack.len(), 40);
    // 23 × 13 single strips, windows of 2 rows: each strip spans 7 windows.
    let small = ["--window-pixels", "46", "--device", "cpu"];
    let mut trend = strings(&["trend"]);
    trend.extend(stack.iter().cloned());
    check("trend", &trend, &small);
    let mut smooth = trend.clone();
    smooth.extend(strings(&["--smooth", "savgol:7:2"]));
    check("trend-smooth", &smooth, &small);
    let mut pct = strings(&["climatology", "--percentiles", "10,50,90"]);
    pct.extend(stack.iter().cloned());
    check("percentiles", &pct, &small);
    let mut clim_smooth = strings(&["climatology", "--period", "month", "--smooth", "4253h"]);
    clim_smooth.extend(stack.iter().cloned());
    check("climatology-smooth", &clim_smooth, &small);
}

#[test]
fn spi_and_percentile_rank_read_the_same_bits_spilled_or_not() {
    // 7 × 5 px, one chunk per month: windows of one row, the chunk spans 5.
    let spi = strings(&[
        "spi",
        "assets/spi/precip_monthly.nc:pr",
        "--scale-months",
        "1,3",
        "--calibration",
        "1991-2020",
        "--months",
        "2000-07,2010-01,2020-12",
    ]);
    check("spi", &spi, &["--window-pixels", "7", "--device", "cpu"]);

    // A percentile rank against a monthly baseline of 48 × 40 single-strip rasters.
    let clim = tempdir("spill-rank-clim");
    let c = clim.display().to_string();
    common::ok(&[
        "climatology",
        "--manifest",
        "assets/stack/ndvi_stack.csv",
        "--period",
        "month",
        "--scale",
        "0.0001",
        "-o",
        &c,
        "--overwrite",
        "-q",
    ]);
    let rank = strings(&[
        "anomaly",
        "assets/stack/ndvi_20240716.tif",
        "--climatology",
        &c,
        "--kind",
        "percentile-rank",
    ]);
    let out = tempdir("spill-rank");
    let tail = ["--window-pixels", "96", "--device", "cpu"];
    let file = |d: &str| out.join(d).join("rank.tif").display().to_string();
    for d in ["spilled", "direct"] {
        std::fs::create_dir_all(out.join(d)).unwrap();
    }
    let mut a = rank.clone();
    a.extend(["-o".into(), file("spilled"), "-v".into()]);
    a.extend(strings(&tail));
    let err = run(&a);
    assert!(err.contains("spilling it"), "{err}");
    let mut a = rank.clone();
    a.extend(["-o".into(), file("direct"), "--no-spill".into()]);
    a.extend(strings(&tail));
    run(&a);
    assert!(assert_same_bits(&out.join("spilled"), &out.join("direct")) > 0);
}

#[test]
fn a_spill_folder_that_cannot_be_written_is_refused_and_nothing_is_left() {
    let out = tempdir("spill-refused");
    let o = out.join("trend").display().to_string();
    let missing = out.join("no-such-folder").display().to_string();
    let mut args: Vec<String> = strings(&["trend"]);
    args.extend(common::series_stack());
    args.extend(strings(&[
        "-o",
        &o,
        "--window-pixels",
        "46",
        "--device",
        "cpu",
        "--spill-dir",
        &missing,
    ]));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    fails(&a, 5, "--spill-dir");
    assert!(outputs(&out).is_empty(), "outputs were left behind");
    // --no-spill and --spill-dir contradict each other; other anomaly kinds take neither.
    let mut both = a.clone();
    both.push("--no-spill");
    fails(&both, 2, "--no-spill");
    fails(
        &[
            "anomaly",
            "assets/stack/ndvi_20240716.tif",
            "--climatology",
            "x",
            "--kind",
            "zscore",
            "--no-spill",
            "-o",
            "x.tif",
        ],
        2,
        "apply to --kind percentile-rank only",
    );
}
