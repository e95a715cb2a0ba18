//! `--cog` and `--overviews`: the files pass GDAL's COG validation
//! (`validate_cloud_optimized_geotiff.py`, python3-gdal) and `gdalinfo` reports `LAYOUT=COG` with
//! GDAL's overview sizes; the full resolution is bit for bit the plain output; overview pixels
//! equal GDAL's own (`gdal_translate -of COG` for a COG, `gdaladdo` for internal overviews) of
//! the same full-resolution data within 1 ulp (average) or exactly (nearest), nodata included;
//! written in several windows, multi-band, deflate and zstd; bad combinations refused.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use climidx::io::geo::GeoInfo;
use climidx::io::geotiff::encode::Compression;
use climidx::io::geotiff::writer::WriterOptions;
use climidx::io::geotiff::GeoTiffWriter;
use climidx::io::{Pyramid, PyramidKind, Resampling};
use common::{asset, fails, gdal_tool, ok, read_f32, run_ok, tempdir};

const VALIDATOR: &str =
    "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A python3 that imports osgeo (python3-gdal) and GDAL's validator, or a loud skip (a panic
/// under CLIMIDX_REQUIRE_GDAL=1).
fn validator(test: &str) -> Option<PathBuf> {
    let found = ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        Path::new(VALIDATOR).is_file()
            && Command::new(py)
                .args(["-c", "import osgeo.gdal"])
                .output()
                .is_ok_and(|o| o.status.success())
    });
    match found {
        Some(py) => Some(PathBuf::from(py)),
        None if std::env::var("CLIMIDX_REQUIRE_GDAL").as_deref() == Ok("1") => panic!(
            "CLIMIDX_REQUIRE_GDAL=1 but python3-gdal ({VALIDATOR}) is missing \
             (apt-get install python3-gdal)"
        ),
        None => {
            eprintln!("SKIPPED (no python3-gdal): {test}");
            None
        }
    }
}

fn assert_valid_cog(py: &Path, f: &Path) {
    let out = run_ok(Command::new(py).args([VALIDATOR, s(f)]));
    assert!(out.contains("is a valid cloud optimized GeoTIFF"), "{out}");
    assert!(!out.contains("warning"), "{out}");
}

/// Index-like values with a nodata (NaN) corner and scattered NaN pixels.
fn field(w: usize, h: usize, band: usize) -> Vec<f32> {
    let mut rng = common::Rng::new(7 + band as u64);
    (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f32, (i / w) as f32);
            if x + y < 90.0 || rng.chance(0.2) {
                return f32::NAN;
            }
            0.3 * (x / 37.0).sin() * (y / 23.0).cos() + (rng.below(1000) as f32) * 1e-4
        })
        .collect()
}

/// Write a `w` × `h` raster of `bands` fields in windows of 100 rows.
fn write(path: &Path, w: u32, h: u32, bands: usize, c: Compression, pyramid: Pyramid) {
    let geo: GeoInfo = climidx::io::geotiff::reader::GeoTiffReader::open(&asset("sample/B04.tif"))
        .unwrap()
        .info()
        .geo
        .clone();
    let opts = WriterOptions {
        compression: c,
        tile: 256,
        pyramid,
        overwrite: true,
        ..Default::default()
    };
    let mut wr = GeoTiffWriter::create(path, w, h, bands, &geo, opts).unwrap();
    let data: Vec<Vec<f32>> = (0..bands)
        .map(|b| field(w as usize, h as usize, b))
        .collect();
    let rows = 100usize;
    for r0 in (0..h as usize).step_by(rows) {
        let n = rows.min(h as usize - r0);
        let win: Vec<&[f32]> = data
            .iter()
            .map(|d| &d[r0 * w as usize..(r0 + n) * w as usize])
            .collect();
        wr.write_rows(&win, n as u32).unwrap();
    }
    wr.finish().unwrap();
}

/// Overview `level` (0-based) of `f`, every band, extracted by GDAL.
fn overview(f: &Path, level: usize, dir: &Path, tag: &str) -> Vec<Vec<f32>> {
    let out = dir.join(format!("{tag}_ovr{level}.tif"));
    let ovr = level.to_string();
    run_ok(Command::new("gdal_translate").args(["-q", "-ovr", &ovr, s(f), s(&out)]));
    read_f32(&out)
}

/// Same nodata (NaN) pixels, and values within `max_ulp` units in the last place.
fn assert_close(got: &[Vec<f32>], want: &[Vec<f32>], max_ulp: u32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: bands");
    let (mut differ, mut nodata) = (0usize, 0usize);
    for (b, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: band {b} size");
        for (i, (x, y)) in g.iter().zip(w).enumerate() {
            assert_eq!(
                x.is_nan(),
                y.is_nan(),
                "{what}: band {b} pixel {i}: {x} vs {y}"
            );
            if x.is_nan() {
                nodata += 1;
                continue;
            }
            let ulp = (x.to_bits() as i64 - y.to_bits() as i64).unsigned_abs();
            assert!(
                ulp <= max_ulp as u64,
                "{what}: band {b} pixel {i}: {x} vs GDAL {y}"
            );
            differ += (ulp > 0) as usize;
        }
    }
    assert!(nodata > 0, "{what}: the test needs nodata pixels");
    eprintln!("{what}: {differ} pixels differ from GDAL by 1 ulp, {nodata} nodata equal");
}

/// Every band's raw sample bits (NaN compares equal to itself).
fn bits(f: &Path) -> Vec<Vec<u32>> {
    read_f32(f)
        .iter()
        .map(|b| b.iter().map(|v| v.to_bits()).collect())
        .collect()
}

fn gdalinfo(f: &Path) -> String {
    run_ok(Command::new("gdalinfo").arg(f))
}

#[test]
fn cog_is_valid_and_its_overviews_are_gdal_s() {
    let Some(py) = validator("cog_is_valid_and_its_overviews_are_gdal_s") else {
        return;
    };
    gdal_tool("gdal_translate", "cog_is_valid").unwrap();
    let dir = tempdir("cog-valid");
    let (w, h) = (1000, 777);
    for c in [Compression::Deflate(6), Compression::Zstd(3)] {
        let (plain, cog) = (dir.join("plain.tif"), dir.join(format!("{}.tif", c.name())));
        write(&plain, w, h, 2, c, Pyramid::default());
        let pyramid = Pyramid {
            kind: PyramidKind::Cog,
            resampling: Resampling::Average,
        };
        write(&cog, w, h, 2, c, pyramid);
        assert_valid_cog(&py, &cog);
        let info = gdalinfo(&cog);
        assert!(info.contains("LAYOUT=COG"), "{info}");
        // GDAL's COG driver halves with truncation: 777 → 388 → 194.
        assert!(info.contains("Overviews: 500x388, 250x194"), "{info}");
        assert_eq!(
            bits(&cog),
            bits(&plain),
            "full resolution differs from the plain file"
        );
        let gdal = dir.join("gdal_cog.tif");
        run_ok(Command::new("gdal_translate").args([
            "-q",
            "-of",
            "COG",
            "-co",
            "BLOCKSIZE=256",
            "-co",
            "RESAMPLING=AVERAGE",
            s(&plain),
            s(&gdal),
        ]));
        for level in 0..2 {
            let what = format!("COG {} overview {level}", c.name());
            let ours = overview(&cog, level, &dir, "ours");
            assert_close(&ours, &overview(&gdal, level, &dir, "gdal"), 1, &what);
        }
    }
}

#[test]
fn internal_overviews_equal_gdaladdo_average() {
    if gdal_tool("gdaladdo", "internal_overviews_equal_gdaladdo_average").is_none() {
        return;
    }
    let dir = tempdir("cog-internal");
    let (w, h) = (1000, 777);
    let (plain, ours) = (dir.join("plain.tif"), dir.join("ours.tif"));
    let c = Compression::Deflate(6);
    write(&plain, w, h, 1, c, Pyramid::default());
    let pyramid = Pyramid {
        kind: PyramidKind::Internal,
        resampling: Resampling::Average,
    };
    write(&ours, w, h, 1, c, pyramid);
    let info = gdalinfo(&ours);
    // gdaladdo rounds up: ceil(777 / 2), ceil(777 / 4).
    assert!(info.contains("Overviews: 500x389, 250x195"), "{info}");
    assert!(!info.contains("LAYOUT=COG"), "{info}");
    assert_eq!(
        bits(&ours),
        bits(&plain),
        "full resolution differs from the plain file"
    );
    let addo = dir.join("addo.tif");
    std::fs::copy(&plain, &addo).unwrap();
    run_ok(Command::new("gdaladdo").args(["-q", "-r", "average", s(&addo), "2", "4"]));
    for level in 0..2 {
        let what = format!("internal overview {level}");
        let got = overview(&ours, level, &dir, "ours");
        assert_close(&got, &overview(&addo, level, &dir, "addo"), 1, &what);
    }
}

/// A 1000×777 4-band uint16 scene resized from the shipped sample, with a nodata (0) block.
fn scene(dir: &Path) -> PathBuf {
    let big = dir.join("scene_big.tif");
    run_ok(Command::new("gdal_translate").args([
        "-q",
        "-outsize",
        "1000",
        "777",
        "-r",
        "bilinear",
        s(&asset("sample/scene_u16_4band_96x80.tif")),
        s(&big),
    ]));
    let holed = dir.join("scene.tif");
    run_ok(Command::new("gdal_calc.py").args([
        "--quiet",
        "-A",
        s(&big),
        "--allBands=A",
        "--NoDataValue=0",
        "--type=UInt16",
        "--calc=A*(A>500)",
        "--outfile",
        s(&holed),
    ]));
    holed
}

#[test]
fn index_cog_nearest_zstd_equals_gdal_nearest() {
    let Some(py) = validator("index_cog_nearest_zstd_equals_gdal_nearest") else {
        return;
    };
    if gdal_tool("gdal_calc.py", "index_cog_nearest_zstd").is_none() {
        return;
    }
    let dir = tempdir("cog-cli");
    let input = scene(&dir);
    let i = s(&input);
    let (red, nir, blue) = (
        format!("red={i}:3"),
        format!("nir={i}:4"),
        format!("blue={i}:1"),
    );
    let (plain, cog) = (dir.join("plain.tif"), dir.join("cog.tif"));
    let base = [
        "index",
        "ndvi",
        "evi",
        "--band",
        &red,
        "--band",
        &nir,
        "--band",
        &blue,
        "--scale",
        "0.0001",
        "--compress",
        "zstd",
        "--tile-size",
        "256",
        "--window-pixels",
        "50000",
        "-q",
    ];
    let mut a = base.to_vec();
    a.extend(["-o", s(&plain)]);
    ok(&a);
    let mut a = base.to_vec();
    a.extend(["--cog", "--overview-resampling", "nearest", "-o", s(&cog)]);
    ok(&a);
    assert_valid_cog(&py, &cog);
    assert!(gdalinfo(&cog).contains("Overviews: 500x388, 250x194"));
    assert_eq!(
        bits(&cog),
        bits(&plain),
        "full resolution differs from the plain file"
    );
    let gdal = dir.join("gdal_cog.tif");
    run_ok(Command::new("gdal_translate").args([
        "-q",
        "-of",
        "COG",
        "-co",
        "BLOCKSIZE=256",
        "-co",
        "RESAMPLING=NEAREST",
        s(&plain),
        s(&gdal),
    ]));
    for level in 0..2 {
        let what = format!("nearest overview {level}");
        let got = overview(&cog, level, &dir, "ours");
        assert_close(&got, &overview(&gdal, level, &dir, "gdal"), 0, &what);
    }
}

#[test]
fn bad_overview_combinations_are_refused_in_one_line() {
    let dir = tempdir("cog-refused");
    let out = dir.join("o.tif");
    let b = [
        "index",
        "ndvi",
        "--band",
        "red=assets/sample/B04.tif",
        "--band",
        "nir=assets/sample/B08.tif",
        "-o",
        s(&out),
    ];
    let with = |extra: &[&'static str]| {
        let mut a = b.to_vec();
        a.extend_from_slice(extra);
        a
    };
    fails(
        &with(&["--cog", "--tile-size", "0"]),
        2,
        "--cog needs a tiled output",
    );
    fails(
        &with(&["--overviews", "--tile-size", "0"]),
        2,
        "--overviews needs a tiled output",
    );
    fails(
        &with(&["--overview-resampling", "nearest"]),
        2,
        "needs --cog or --overviews",
    );
    fails(&with(&["--cog", "--overviews"]), 2, "cannot be used with");
    assert!(!out.exists());
    // No temporary or spill file is left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn an_unfinished_cog_leaves_no_file_and_no_spill() {
    let dir = tempdir("cog-unfinished");
    let path = dir.join("o.tif");
    let geo = climidx::io::geotiff::reader::GeoTiffReader::open(&asset("sample/B04.tif"))
        .unwrap()
        .info()
        .geo
        .clone();
    let opts = WriterOptions {
        tile: 64,
        pyramid: Pyramid {
            kind: PyramidKind::Cog,
            resampling: Resampling::Average,
        },
        ..Default::default()
    };
    let mut wr = GeoTiffWriter::create(&path, 300, 200, 1, &geo, opts).unwrap();
    let rows = field(300, 150, 0);
    wr.write_rows(&[&rows], 150).unwrap();
    // Spill files of the full resolution and of each overview exist while it runs …
    assert!(std::fs::read_dir(&dir).unwrap().count() >= 3);
    drop(wr);
    // … and an error path (drop before finish) removes them all.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn bigtiff_cog_is_valid() {
    let Some(py) = validator("bigtiff_cog_is_valid") else {
        return;
    };
    let dir = tempdir("cog-bigtiff");
    let path = dir.join("big.tif");
    let geo = climidx::io::geotiff::reader::GeoTiffReader::open(&asset("sample/B04.tif"))
        .unwrap()
        .info()
        .geo
        .clone();
    let opts = WriterOptions {
        tile: 64,
        bigtiff: Some(true),
        pyramid: Pyramid {
            kind: PyramidKind::Cog,
            resampling: Resampling::Average,
        },
        ..Default::default()
    };
    let mut wr = GeoTiffWriter::create(&path, 300, 200, 1, &geo, opts).unwrap();
    wr.write_rows(&[&field(300, 200, 0)], 200).unwrap();
    wr.finish().unwrap();
    assert_valid_cog(&py, &path);
    assert!(gdalinfo(&path).contains("Overviews: 150x100, 75x50"));
}
