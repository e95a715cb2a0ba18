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
            "unknown role",
        ),
    ];
    let scene = s(&asset(SCENE));
    let fill = |w: &str| {
        w.replace("{red}", &format!("red={scene}:3"))
            .replace("{nir}", &format!("nir={scene}:4"))
            .replace("{scene}", &scene)
            .replace("{fixtures}", &s(&asset("fixtures")))
            .replace("{out}", &s(&dir.join("x.tif")))
            .replace("{dir}", &s(&dir))
    };
    for (line, code, needle) in cases {
        let args: Vec<String> = line.split_whitespace().map(fill).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        expect_error(&args, *code, needle);
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
    for mode in ["\"memory\"", "\"file\""] {
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
