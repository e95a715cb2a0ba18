//! Coordinate reference systems compared by meaning, end to end: GDAL rewrites of a band's
//! GeoKey directory (its own citations and unit keys, GeoTIFF 1.1, the ESRI_PE flavour) are
//! the same CRS and change no output bit; another EPSG code is refused, naming both.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use climidx::io::geo::GeoInfo;
use climidx::io::geotiff::reader::GeoTiffReader;
use common::{asset, fails, gdal_tool, ok, read_f32, run_ok, tempdir};

/// The gdal_translate options of each rewrite.
const REWRITES: [(&str, &[&str]); 3] = [
    ("default", &[]),
    ("geotiff-1.1", &["-co", "GEOTIFF_VERSION=1.1"]),
    ("esri-pe", &["-co", "GEOTIFF_KEYS_FLAVOR=ESRI_PE"]),
];

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn geo(path: &Path) -> GeoInfo {
    GeoTiffReader::open(path).unwrap().info().geo.clone()
}

fn ndvi_args(red: &Path, nir: &Path, out: &Path) -> Vec<String> {
    [
        "index",
        "ndvi",
        "-b",
        &format!("red={}", s(red)),
        "-b",
        &format!("nir={}", s(nir)),
        "-o",
        s(out),
        "--device",
        "cpu",
    ]
    .map(String::from)
    .to_vec()
}

/// `climidx index ndvi` on `red` and `nir` into `dir/name`, which must succeed.
fn ndvi(dir: &Path, red: &Path, nir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let args = ndvi_args(red, nir, &out);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    out
}

/// `gdal_translate -q opts src dst`.
fn translate(tool: &Path, opts: &[&str], src: &Path, dst: &Path) {
    run_ok(Command::new(tool).arg("-q").args(opts).arg(src).arg(dst));
}

fn bits(path: &Path) -> Vec<Vec<u32>> {
    read_f32(path)
        .iter()
        .map(|b| b.iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn gdal_rewrites_of_the_geokeys_are_the_same_crs() {
    let test = "crs::gdal_rewrites_of_the_geokeys_are_the_same_crs";
    let Some(tool) = gdal_tool("gdal_translate", test) else {
        return;
    };
    let dir = tempdir("crs-rewrites");
    let (b04, b08) = (asset("sample/B04.tif"), asset("sample/B08.tif"));
    // Outputs record their input paths: every run reads red.tif and nir.tif, which hold the
    // originals except for the one band being rewritten.
    let (red, nir) = (dir.join("red.tif"), dir.join("nir.tif"));
    let restore = || {
        std::fs::copy(&b04, &red).unwrap();
        std::fs::copy(&b08, &nir).unwrap();
    };
    let rewrite = |opts: &[&str], src: &Path, dst: &Path| {
        std::fs::remove_file(dst).unwrap();
        translate(&tool, opts, src, dst);
    };
    restore();
    let reference = ndvi(&dir, &red, &nir, "reference.tif");
    let want = std::fs::read(&reference).unwrap();
    let want_info = GeoTiffReader::open(&reference).unwrap().info().clone();
    let original = geo(&b04);
    for (name, opts) in REWRITES {
        rewrite(opts, &b04, &red);
        let g = geo(&red);
        assert_ne!(
            g.geo_keys, original.geo_keys,
            "{name}: GDAL wrote the same GeoKey directory, the test tests nothing"
        );
        assert_eq!(g.crs(), original.crs(), "{name}");
        assert_eq!(original.mismatch(&g), None, "{name}");

        // the rewrite as the grid band (the first): the same pixels and metadata, the
        // rewrite's own tags copied verbatim
        let out = ndvi(&dir, &red, &nir, &format!("ndvi-red-{name}.tif"));
        assert_eq!(bits(&out), bits(&reference), "{name}: pixels differ");
        let info = GeoTiffReader::open(&out).unwrap().info().clone();
        assert_eq!(info.geo, g, "{name}: output tags are not the grid band's");
        assert_eq!(info.gdal_metadata, want_info.gdal_metadata, "{name}");
        assert_eq!(
            info.nodata.map(f64::to_bits),
            want_info.nodata.map(f64::to_bits)
        );

        // the rewrite beside the original grid band: the output equals the reference bit for
        // bit
        restore();
        rewrite(opts, &b08, &nir);
        let out = ndvi(&dir, &red, &nir, &format!("ndvi-nir-{name}.tif"));
        assert!(
            std::fs::read(&out).unwrap() == want,
            "{name}: {} differs from {}",
            out.display(),
            reference.display()
        );
        restore();
    }
}

#[test]
fn another_epsg_code_is_refused_naming_both() {
    let test = "crs::another_epsg_code_is_refused_naming_both";
    let Some(tool) = gdal_tool("gdal_translate", test) else {
        return;
    };
    let dir = tempdir("crs-other-zone");
    let (b04, b08) = (asset("sample/B04.tif"), asset("sample/B08.tif"));
    // the same grid labelled with the neighbouring UTM zone
    let red = dir.join("B04-32634.tif");
    translate(&tool, &["-a_srs", "EPSG:32634"], &b04, &red);
    let out = dir.join("ndvi.tif");
    let args = ndvi_args(&red, &b08, &out);
    let err = fails(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        3,
        "coordinate reference systems differ: EPSG:32634 vs EPSG:32633",
    );
    assert!(err.contains("B04-32634.tif"), "{err}");
    assert!(!out.exists(), "a refused job wrote {}", out.display());
}
