//! The binary end to end on the fixtures in assets/: outputs against the CPU reference,
//! device paths against each other, and every user error with its message and exit code.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use climidx::io::geotiff::reader::GeoTiffReader;
use climidx::io::raster::row_windows;
use climidx::kernels::abi::{fetch, BandParams};
use climidx::kernels::samples::NodataMatch;
use climidx::kernels::samples::PackedBand;
use climidx::kernels::{self, Px};
use common::{asset, climidx, read_f32, tempdir};

const SCENE: &str = "sample/scene_u16_4band_96x80.tif";
const LANDSAT_L1: &str = "landsat/LC08_L1TP_190028_20230715_20230725_02_T1";
const LANDSAT_L2: &str = "landsat/LC08_L2SP_190028_20230715_20230725_02_T1";

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Band `b` (1-based) of the sample scene as reflectance (None = nodata).
fn scene_band(b: u16) -> Vec<Option<f32>> {
    let mut r = GeoTiffReader::open(&asset(SCENE)).unwrap();
    let info = r.info().clone();
    let mut p = vec![PackedBand::new(info.dtype)];
    let bp = BandParams::new(
        info.dtype,
        NodataMatch::for_band(info.dtype, info.nodata),
        0.0001,
        0.0,
    );
    let mut out = Vec::new();
    for w in row_windows(info.width, info.height, 80) {
        r.read_window(w, &[b - 1], &[info.nodata], &mut p).unwrap();
        out.extend((0..p[0].pixels).map(|i| {
            let s = fetch(&bp, &p[0].words, i);
            s.valid.then_some(s.value)
        }));
    }
    out
}

fn ndvi_args(out: &Path, device: &str) -> Vec<String> {
    vec![
        "index".into(),
        "ndvi".into(),
        "--band".into(),
        format!("red={}:3", s(&asset(SCENE))),
        "--band".into(),
        format!("nir={}:4", s(&asset(SCENE))),
        "--scale".into(),
        "0.0001".into(),
        "-o".into(),
        s(out),
        "--device".into(),
        device.into(),
    ]
}

fn run(args: &[String]) -> Output {
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    climidx(&a)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn ndvi_file_to_file_matches_the_reference_formula() {
    let dir = tempdir("cli-ndvi");
    let out = dir.join("ndvi.tif");
    let o = run(&ndvi_args(&out, "cpu"));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = &read_f32(&out)[0];
    let (red, nir) = (scene_band(3), scene_band(4));
    let mut valid = 0;
    for i in 0..got.len() {
        match (red[i], nir[i]) {
            (Some(r), Some(n)) => {
                let want = ((n - r) / (n + r)) as f64;
                assert!(
                    (got[i] as f64 - want).abs() < 1e-6,
                    "pixel {i}: {} vs {want}",
                    got[i]
                );
                valid += 1;
            }
            _ => assert!(got[i].is_nan(), "pixel {i} must be nodata"),
        }
    }
    assert_eq!(valid, 93 * 80, "3 nodata columns on the west edge");
    // known land covers: the lake is negative, the forest strongly positive
    let at = |x: usize, y: usize| got[y * 96 + x];
    assert!(at(67, 24) < 0.0, "lake NDVI {}", at(67, 24)); // (0.02-0.04)/(0.06) = -0.333
    assert!((at(67, 24) - (-1.0 / 3.0)).abs() < 1e-6);
    assert!(at(10, 5) > 0.8, "forest NDVI {}", at(10, 5));
}

#[test]
fn software_adapter_output_matches_cpu_output() {
    if !common::software_or_skip("software_adapter_output_matches_cpu_output") {
        return;
    }
    let dir = tempdir("cli-devices");
    let vegetation = || {
        kernels::INDICES
            .iter()
            .filter(|d| d.family == kernels::Family::Vegetation)
    };
    let all: Vec<String> = vegetation().map(|d| d.name.to_string()).collect();
    let mut outs = Vec::new();
    for device in ["cpu", "software"] {
        let out = dir.join(format!("{device}.tif"));
        let mut a: Vec<String> = vec!["index".into()];
        a.extend(all.iter().cloned());
        let sc = asset(SCENE);
        for (role, spec) in [
            ("blue", format!("{}:1", s(&sc))),
            ("green", format!("{}:2", s(&sc))),
            ("red", format!("{}:3", s(&sc))),
            ("nir", format!("{}:4", s(&sc))),
            ("swir1", s(&asset("sample/B11.tif"))),
            ("swir2", s(&asset("sample/B12.tif"))),
        ] {
            a.push("--band".into());
            a.push(format!("{role}={spec}"));
        }
        a.extend(
            [
                "--scale",
                "0.0001",
                "-o",
                &s(&out),
                "--device",
                device,
                "--window-pixels",
                "500",
                "--out-nodata",
                "-9999",
            ]
            .map(String::from),
        );
        let o = run(&a);
        assert!(o.status.success(), "{device}: {}", stderr(&o));
        outs.push(read_f32(&out));
    }
    assert_eq!(outs[0].len(), all.len());
    for (j, d) in vegetation().enumerate() {
        common::assert_matches(d, &outs[1][j], &outs[0][j], (-9999.0f32).to_bits(), &|i| {
            format!("pixel {i}")
        });
    }
}

#[test]
fn several_indices_give_one_band_each_in_order() {
    let dir = tempdir("cli-multi");
    let out = dir.join("vi.tif");
    let sc = s(&asset(SCENE));
    let o = climidx(&[
        "index",
        "savi",
        "ndvi",
        "evi",
        "--band",
        &format!("blue={sc}:1"),
        "--band",
        &format!("red={sc}:3"),
        "--band",
        &format!("nir={sc}:4"),
        "--scale",
        "0.0001",
        "-o",
        &s(&out),
        "--device",
        "cpu",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let b = read_f32(&out);
    assert_eq!(b.len(), 3);
    let (red, nir, blue) = (scene_band(3), scene_band(4), scene_band(1));
    let i = 40 * 96 + 50;
    let (r, n, bl) = (red[i].unwrap(), nir[i].unwrap(), blue[i].unwrap());
    let want = |p: Px| p.value;
    assert_eq!(b[0][i], want(kernels::vegetation::savi_px(r, n, 0.5)));
    assert_eq!(b[1][i], want(kernels::vegetation::ndvi_px(r, n)));
    assert_eq!(
        b[2][i],
        want(kernels::vegetation::evi_px(bl, r, n, 2.5, 6.0, 7.5, 1.0))
    );
}

fn expect_error(args: &[&str], code: i32, needle: &str) {
    let o = climidx(args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {e}");
    assert!(e.contains(needle), "{args:?}: expected {needle:?} in {e:?}");
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "one-line message: {e}");
}

#[test]
fn user_errors_are_one_line_with_documented_exit_codes() {
    let dir = tempdir("cli-errors");
    // One row per mistake: the command line (words; `{…}` filled in below), the exit code and
    // a piece of the one-line message.
    let cases: &[(&str, i32, &str)] = &[
        (
            "index ndvx --band {red} --band {nir} -o {out}",
            2,
            "unknown index",
        ),
        (
            "index evi --band {red} --band {nir} -o {out}",
            2,
            "needs the 'blue' band",
        ),
        (
            "index ndvi --band red={scene}:9 --band {nir} -o {out}",
            3,
            "band 9 does not exist",
        ),
        (
            "index ndvi --band {red} --band nir={fixtures}/u16_1band_17x13_nodata0.tif -o {out}",
            3,
            "17x13",
        ),
        (
            "index ndvi --band {red} --band nir={fixtures}/u16_1band_96x80_shifted10m.tif -o {out}",
            3,
            "geotransforms differ",
        ),
        (
            "index ndvi --band {red} --band nir={fixtures}/not_a_tiff.tif -o {out}",
            3,
            "not a TIFF",
        ),
        (
            "index ndvi --band {red} --band nir=/nonexistent/B08.tif -o {out}",
            3,
            "cannot open",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {dir}/missing/x.tif",
            5,
            "output folder does not exist",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {scene} --overwrite",
            2,
            "also an input",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {out} --adapter no-such-gpu-xyz --device gpu",
            4,
            "no-such-gpu-xyz",
        ),
        (
            "index ndvi --band purple=a.tif --band {nir} -o {out}",
            2,
            "unknown role \"purple\"; known roles: blue (B), green (G), red (R), nir (N)",
        ),
        // "did you mean": index names (case-insensitive, swaps count one edit), roles by name
        // or ASI symbol, constants, `show`
        (
            "index ndvx --band {red} --band {nir} -o {out}",
            2,
            "not a formula; did you mean ndvi?",
        ),
        (
            "index NVDI --band {red} --band {nir} -o {out}",
            2,
            "did you mean ndvi",
        ),
        (
            "index ndvi --band swir=a.tif --band {nir} -o {out}",
            2,
            "unknown role \"swir\"; did you mean swir1 (S1) or swir2 (S2)?",
        ),
        (
            "index ndvi --band {red} --band S3=a.tif -o {out}",
            2,
            "did you mean swir1 (S1) or swir2 (S2)?",
        ),
        (
            "index savi --const LL=0.3 --band {red} --band {nir} -o {out}",
            2,
            "no index given uses a constant named 'LL' (see `climidx show NAME`); did you mean 'L'?",
        ),
        ("show arvii", 2, "did you mean ARVI?"),
        // the output's name must match the format written there
        (
            "index ndvi --band {red} --band {nir} -o ndvi.png",
            2,
            "-o ndvi.png: climidx writes GeoTIFF (.tif/.tiff); for a PNG use --quicklook ndvi.png or `climidx quicklook`",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {dir}/ndvi",
            2,
            "climidx writes GeoTIFF (.tif/.tiff); name it",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {out} --stats {dir}/s.txt",
            2,
            "statistics are written as JSON (.json)",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {out} --quicklook {dir}/q.jpg",
            2,
            "a quicklook is a PNG (.png)",
        ),
        (
            "quicklook {scene} -o {dir}/q.tif",
            2,
            "-o {dir}/q.tif: a quicklook is a PNG (.png); name it {dir}/q.png",
        ),
        (
            "climatology {scene} {scene} -o {dir}/clim.tif",
            2,
            "climatology writes a folder",
        ),
        // the index that needs a band the scene lacks, with the product's name of the band
        (
            "index ndvi ndmi --sensor landsat-l1-toa --scene {l8} -o {out}",
            3,
            "_MTL.txt: ndmi needs the swir1 band (Landsat B6), which the scene has no file or MTL key for: REFLECTANCE_MULT_BAND_6 is missing",
        ),
        (
            "index ndvi nbr --sensor landsat-c2l2 --scene {l2} -o {out}",
            3,
            "nbr needs the swir2 band (Landsat B7), which the scene has no file for: no *_SR_B7.TIF",
        ),
        (
            "index ndvi NDREI --sensor landsat-l1-toa --scene {l8} -o {out}",
            2,
            "NDREI needs the re1 band: landsat-l1-toa has no 're1' band; pass --band re1=FILE",
        ),
        // clap's usage errors in the same one-line form, with where to read more
        (
            "index ndvi --bnd {red} -o {out}",
            2,
            "climidx: error: unexpected argument '--bnd' found; did you mean '--band'?; see climidx index --help",
        ),
        (
            "index ndvi --band {red} --band {nir}",
            2,
            "climidx: error: the following required arguments were not provided: --output <OUT>; see climidx index --help",
        ),
        (
            "index ndvi --band {red} --band {nir} -o",
            2,
            "a value is required for '--output <OUT>' but none was supplied; see climidx index --help",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {out} --device fast",
            2,
            "invalid value 'fast' for '--device <DEVICE>' [possible values: auto, gpu, software, cpu]; see climidx index --help",
        ),
        (
            "index ndvi --band {red} --band {nir} -o {out} --scale x",
            2,
            "invalid value 'x' for '--scale <SCALE>'",
        ),
        ("indx ndvi", 2, "unrecognized subcommand 'indx'; did you mean 'index'?; see climidx --help"),
        ("", 2, "climidx: error: no command given (adapters, index, lst,"),
        ("-q -v list", 2, "cannot be used with"),
    ];
    let scene = s(&asset(SCENE));
    let fill = |w: &str| {
        w.replace("{red}", &format!("red={scene}:3"))
            .replace("{nir}", &format!("nir={scene}:4"))
            .replace("{scene}", &scene)
            .replace("{fixtures}", &s(&asset("fixtures")))
            .replace("{out}", &s(&dir.join("x.tif")))
            .replace("{dir}", &s(&dir))
            .replace("{l8}", &s(&asset(LANDSAT_L1)))
            .replace("{l2}", &s(&asset(LANDSAT_L2)))
    };
    for (line, code, needle) in cases {
        let args: Vec<String> = line.split_whitespace().map(fill).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        expect_error(&args, *code, &fill(needle));
    }
    // nothing was written by any failed run
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn existing_output_is_kept_without_overwrite() {
    let dir = tempdir("cli-overwrite");
    let out: PathBuf = dir.join("ndvi.tif");
    std::fs::write(&out, b"precious").unwrap();
    let o = run(&ndvi_args(&out, "cpu"));
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("--overwrite"));
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    let mut a = ndvi_args(&out, "cpu");
    a.push("--overwrite".into());
    assert!(run(&a).status.success());
    assert_eq!(read_f32(&out)[0].len(), 96 * 80);
}

#[test]
fn list_and_adapters_run() {
    let o = climidx(&["list"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // the built-in kernels first, in registry order, then the catalogue entries
    assert_eq!(names[..kernels::INDICES.len()], kernels::names()[..]);
    assert_eq!(
        names.len(),
        kernels::INDICES.len()
            + climidx::kernels::catalogue::Catalog::builtin()
                .entries
                .len()
            - climidx::kernels::catalogue::Catalog::builtin()
                .entries
                .iter()
                .filter(|e| kernels::find(&e.name).is_some())
                .count()
    );
    let o = climidx(&["adapters"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--device Auto picks"));
}

#[test]
fn bench_runs_and_reports_every_path_with_its_difference() {
    let dir = tempdir("cli-bench");
    let json = dir.join("bench.json");
    let o = climidx(&[
        "bench",
        "--size",
        "96",
        "--rounds",
        "1",
        "--json",
        json.to_str().unwrap(),
        "--workdir",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("machine:") && table.contains("cpu (1 thread)"),
        "{table}"
    );
    let j = std::fs::read_to_string(&json).unwrap();
    for mode in ["\"memory\"", "\"new buffer\"", "\"file\""] {
        assert!(j.contains(mode), "{j}");
    }
    // every path agrees with the CPU reference exactly on this adapter-free or lavapipe run
    let diffs: Vec<&str> = j
        .match_indices("\"max_abs_diff\": ")
        .map(|(i, m)| &j[i + m.len()..i + m.len() + 3])
        .collect();
    assert!(!diffs.is_empty());
    assert!(diffs.iter().all(|d| d.starts_with('0')), "{j}");
}

#[test]
fn bench_cpu_only_measures_the_native_paths_alone() {
    let dir = tempdir("cli-bench-cpu");
    let json = dir.join("bench.json");
    let o = climidx(&[
        "bench",
        "--size",
        "64",
        "--rounds",
        "1",
        "--no-file",
        "--cpu-only",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j = std::fs::read_to_string(&json).unwrap();
    let paths: Vec<&str> = j
        .match_indices("\"path\": \"")
        .map(|(i, m)| j[i + m.len()..].split('"').next().unwrap())
        .collect();
    // 2 CPU paths (all threads, 1 thread) × 2 modes (reused, new buffers), nothing else
    assert_eq!(paths.len(), 4, "{j}");
    assert!(paths.iter().all(|p| p.starts_with("cpu (")), "{j}");
}

#[test]
fn formula_names_get_suggestions() {
    // Names in formulas are case-sensitive: NIR is not nir, and the ASI symbol is offered too.
    let dir = tempdir("cli-formula-names");
    let sc = s(&asset(SCENE));
    let (red, nir) = (format!("red={sc}:3"), format!("nir={sc}:4"));
    let out = s(&dir.join("x.tif"));
    for (formula, needle) in [
        (
            "(NIR - R) / (NIR + R)",
            "unknown name 'NIR' (did you mean 'nir' or 'N'?)",
        ),
        ("sqr(N)", "unknown function 'sqr' (did you mean 'sqrt'?)"),
    ] {
        let o = climidx(&["expr", formula, "-b", &red, "-b", &nir, "-o", &out]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(
            e.starts_with("climidx: error: ") && e.contains(needle),
            "{e}"
        );
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn help_and_version_are_printed_as_before() {
    for args in [
        &["--help"][..],
        &["index", "--help"],
        &["help", "index"],
        &["-h"],
    ] {
        let o = climidx(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("Usage: climidx"), "{args:?}: {out}");
        assert!(out.lines().count() > 5, "{args:?}: {out}");
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
    let o = climidx(&["index", "--help"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Examples:") && out.contains("--json"), "{out}");
    let o = climidx(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("climidx {}", env!("CARGO_PKG_VERSION"))
    );
}

/// The one line of standard output, parsed as one JSON object.
fn json_report(o: &Output) -> serde_json::Value {
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1, "one line of JSON: {out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(v.is_object(), "{v}");
    v
}

/// The summary line: the last line of standard error.
fn summary(o: &Output) -> String {
    stderr(o).lines().last().unwrap_or_default().to_string()
}

#[test]
fn index_says_what_it_wrote_and_reports_json() {
    let dir = tempdir("cli-says");
    let sc = s(&asset(SCENE));
    let (out, stats, ql) = (dir.join("vi.tif"), dir.join("s.json"), dir.join("q.png"));
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "index",
            "ndvi",
            "evi",
            "--band",
            &format!("blue={sc}:1"),
            "--band",
            &format!("red={sc}:3@0.0001"),
            "--band",
            &format!("nir={sc}:4"),
            "--scale",
            "0.0001",
            "-o",
            &s(&out),
            "--device",
            "cpu",
            "--overwrite",
        ]
        .map(String::from)
        .to_vec();
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    // without --json: nothing on stdout, one summary line on stderr
    let o = run(&args(&[]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let line = summary(&o);
    let want = format!(
        "wrote {}: 96×80, 2 bands (ndvi, evi), native CPU (",
        s(&out)
    );
    assert!(line.starts_with(&want), "{line}");
    assert!(line.ends_with(" s"), "{line}");
    // -q: silent
    let mut quiet = vec!["-q".to_string()];
    quiet.extend(args(&[]));
    let o = run(&quiet);
    assert!(o.status.success() && o.stdout.is_empty() && o.stderr.is_empty());
    // --json: one object on stdout; the summary still on stderr (and not with -q)
    let o = run(&args(&[
        "--json",
        "--stats",
        &s(&stats),
        "--quicklook",
        &s(&ql),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(summary(&o).ends_with(&format!(
        " s; statistics {}; quicklook {}",
        s(&stats),
        s(&ql)
    )));
    let j = json_report(&o);
    assert_eq!(j["command"], "index");
    assert_eq!(j["output"], s(&out));
    assert_eq!(
        (j["width"].as_u64(), j["height"].as_u64()),
        (Some(96), Some(80))
    );
    let names: Vec<&str> = j["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ndvi", "evi"]);
    assert_eq!(j["bands"][1]["band"], 2);
    let inputs = j["inputs"].as_array().unwrap();
    let input = |role: &str| inputs.iter().find(|i| i["role"] == role).unwrap();
    assert_eq!(inputs.len(), 3);
    assert_eq!(input("nir")["band"], 4);
    assert_eq!(input("nir")["path"], sc);
    assert_eq!(input("nir")["scale"].as_f64(), Some(0.0001));
    assert_eq!(input("nir")["calibration"], "--scale/--offset");
    assert_eq!(input("red")["calibration"], "band option");
    assert_eq!(j["nodata"], "nan");
    assert!(j["device"].as_str().unwrap().starts_with("native CPU"));
    assert!(j["windows"].as_u64().unwrap() >= 1);
    assert_eq!(j["rows_per_window"].as_u64(), Some(80));
    for t in ["read", "compute", "write", "total"] {
        assert!(j["seconds"][t].as_f64().unwrap() >= 0.0, "{t}: {j}");
    }
    assert_eq!(j["stats"], s(&stats));
    assert_eq!(j["quicklook"], s(&ql));
    assert!(stats.is_file() && ql.is_file());
    let mut quiet = vec!["-q".to_string()];
    quiet.extend(args(&["--json"]));
    let o = run(&quiet);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    assert_eq!(json_report(&o)["output"], s(&out));

    // lst: its method and unit in the metadata
    let lst = dir.join("lst.tif");
    let l8 = s(&asset(LANDSAT_L1));
    let o = climidx(&[
        "lst",
        "--scene",
        &l8,
        "-o",
        &s(&lst),
        "--device",
        "cpu",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(summary(&o).starts_with(&format!("wrote {}: 24×20, 1 band (lst), ", s(&lst))));
    let j = json_report(&o);
    assert_eq!(j["command"], "lst");
    assert_eq!(j["metadata"]["CLIMIDX_UNIT"], "K");
    let roles: Vec<&str> = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    // in reading order, each with the calibration the MTL gave it
    assert_eq!(roles, ["red", "nir", "thermal"]);
    assert!(j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["calibration"] == "band option"));
}

#[test]
fn climatology_and_quicklook_say_what_they_wrote() {
    let dir = tempdir("cli-says-clim");
    let clim = dir.join("clim");
    let manifest = s(&asset("stack/ndvi_stack.csv"));
    let o = climidx(&[
        "climatology",
        "--manifest",
        &manifest,
        "--period",
        "month",
        "--baseline",
        "2001-2008",
        "--scale",
        "0.0001",
        "-o",
        &s(&clim),
        "--device",
        "cpu",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = summary(&o);
    assert!(
        line.starts_with(&format!(
            "wrote {}: 2 periods × 5 statistics, 48×40, 16 inputs, native CPU (",
            s(&clim)
        )),
        "{line}"
    );
    let j = json_report(&o);
    assert_eq!(j["command"], "climatology");
    assert_eq!(j["output"], s(&clim));
    assert_eq!(j["manifest"], s(&clim.join("climatology.json")));
    assert_eq!(j["inputs"], 16);
    assert_eq!(j["period"], "month");
    assert_eq!(j["baseline"], serde_json::json!([2001, 2008]));
    let periods = j["periods"].as_array().unwrap();
    let keys: Vec<&str> = periods.iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["06", "07"]);
    assert_eq!(periods[1]["inputs"], 8);
    assert_eq!(periods[1]["folder"], s(&clim.join("07")));
    assert_eq!(
        j["statistics"],
        serde_json::json!(["count", "mean", "std", "min", "max"])
    );
    assert_eq!(j["calibration"]["scale"].as_f64(), Some(0.0001));
    assert_eq!(j["calibration"]["source"], "--scale/--offset");
    assert!(clim.join("07").join("mean.tif").is_file());

    // a quicklook of the mean
    let png = dir.join("mean.png");
    let o = climidx(&[
        "quicklook",
        &s(&clim.join("07").join("mean.tif")),
        "-o",
        &s(&png),
        "--range",
        "0,1",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = summary(&o);
    assert!(
        line.starts_with(&format!(
            "wrote {}: 528×440 PNG of band 1 (mean) of {}, colormap viridis, range [0, 1], ",
            s(&png),
            s(&clim.join("07").join("mean.tif"))
        )),
        "{line}"
    );
    let j = json_report(&o);
    assert_eq!(j["command"], "quicklook");
    assert_eq!(
        (j["width"].as_u64(), j["height"].as_u64()),
        (Some(528), Some(440)),
        "48×40 enlarged 11× (long side >= 512)"
    );
    assert_eq!(j["scale"], 11);
    assert_eq!(j["band"], 1);
    assert_eq!(j["band_name"], "mean");
    // a statistic of no known index: viridis, not the vegetation ramp
    assert_eq!(j["colormap"], "viridis");
    assert_eq!(j["range"], serde_json::json!([0.0, 1.0]));
    assert!(png.is_file());
}
