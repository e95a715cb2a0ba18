//! `--stac`: items shaped as Earth Search's sentinel-2-l2a and Planetary Computer's
//! landsat-c2-l2 (assets/stac/, hrefs relative to the item) give the same bits as the sensor
//! presets on the same files, locally and with the item and its assets served over HTTP; the
//! item id, hrefs and calibration source are in the provenance; STAC 1.1 `bands`; refusals.

use std::path::Path;

use climidx::io::geotiff::reader::GeoTiffReader;

use crate::common::http::{Mode, Server};
use crate::common::{fails, ok, read_f32, repo, tempdir};

const S2_ITEM: &str = "assets/stac/earth-search-sentinel-2-l2a.json";
const LS_ITEM: &str = "assets/stac/planetary-computer-landsat-c2-l2.json";
const SAFE: &str =
    "assets/sentinel2/S2B_MSIL2A_20230715T100559_N0509_R022_T33TUM_20230715T130022.SAFE";
const LS_SCENE: &str = "assets/landsat/LC08_L2SP_190028_20230715_20230725_02_T1";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn same_bits(a: &Path, b: &Path) {
    let (x, y) = (read_f32(a), read_f32(b));
    assert_eq!(x.len(), y.len());
    for (k, (p, q)) in x.iter().zip(&y).enumerate() {
        let diff = p
            .iter()
            .zip(q)
            .filter(|(u, v)| u.to_bits() != v.to_bits())
            .count();
        assert_eq!(
            diff, 0,
            "band {k}: {diff} pixels differ between {a:?} and {b:?}"
        );
    }
}

fn metadata(p: &Path) -> String {
    GeoTiffReader::open(p)
        .unwrap()
        .info()
        .gdal_metadata
        .clone()
        .unwrap_or_default()
}

fn run(args: &[&str], out: &Path) {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["-o", s(out), "--device", "cpu"]);
    ok(&a);
}

#[test]
fn an_earth_search_item_equals_the_sentinel2_preset() {
    let dir = tempdir("stac-s2");
    let (a, b) = (dir.join("stac.tif"), dir.join("preset.tif"));
    run(
        &[
            "index", "ndvi", "evi", "ndmi", "--stac", S2_ITEM, "--mask", "scl",
        ],
        &a,
    );
    run(
        &[
            "index",
            "ndvi",
            "evi",
            "ndmi",
            "--sensor",
            "sentinel2-l2a",
            "--scene",
            SAFE,
            "--mask",
            "scl",
        ],
        &b,
    );
    same_bits(&a, &b);
    let m = metadata(&a);
    assert!(m.contains("S2B_33TUM_20230715_0_L2A"), "{m}");
    assert!(m.contains("calibration: STAC raster:bands"), "{m}");
    assert!(m.contains("T33TUM_20230715T100559_B04_10m.tif"), "{m}");
    assert!(m.contains("quality=") && m.contains("SCL_20m.tif"), "{m}");
    // The item and its assets over HTTP: relative hrefs resolve against the item's URL.
    let srv = Server::start(repo().join("assets"), Mode::default());
    let c = dir.join("http.tif");
    let url = srv.url("stac/earth-search-sentinel-2-l2a.json");
    run(
        &[
            "index", "ndvi", "evi", "ndmi", "--stac", &url, "--mask", "scl",
        ],
        &c,
    );
    same_bits(&a, &c);
    assert!(
        metadata(&c).contains(&srv.url("sentinel2/")),
        "hrefs are URLs"
    );
}

#[test]
fn a_planetary_computer_landsat_item_equals_the_landsat_preset() {
    let dir = tempdir("stac-ls");
    let (a, b) = (dir.join("stac.tif"), dir.join("preset.tif"));
    // OLI B5 is `nir08` in STAC: it plays ASI's N.
    run(
        &[
            "index", "ndvi", "ndmi", "--stac", LS_ITEM, "--mask", "qa-pixel",
        ],
        &a,
    );
    run(
        &[
            "index",
            "ndvi",
            "ndmi",
            "--sensor",
            "landsat-c2l2",
            "--scene",
            LS_SCENE,
            "--mask",
            "qa-pixel",
        ],
        &b,
    );
    same_bits(&a, &b);
    let m = metadata(&a);
    assert!(
        m.contains("LC08_L2SP_190028_20230715_02_T1") && m.contains("SR_B5.TIF"),
        "{m}"
    );
    // EVI needs blue, which the item has no asset for: name the band and the item.
    let err = fails(
        &[
            "index",
            "evi",
            "--stac",
            LS_ITEM,
            "-o",
            s(&dir.join("evi.tif")),
            "--device",
            "cpu",
        ],
        2,
        "'blue' band",
    );
    assert!(err.contains("LC08_L2SP_190028_20230715_02_T1"), "{err}");
    assert!(!dir.join("evi.tif").exists());
}

#[test]
fn stac_1_1_bands_carry_the_calibration() {
    let dir = tempdir("stac-11");
    let abs = |p: &str| repo().join(p).to_string_lossy().into_owned();
    let band = |cn: &str, file: &str| {
        format!(
            r#"{{"href": "{}", "type": "image/tiff; application=geotiff",
                "bands": [{{"name": "b", "eo:common_name": "{cn}", "nodata": 0, "scale": 0.0001, "offset": -0.05, "data_type": "uint16"}}]}}"#,
            abs(file)
        )
    };
    let item = format!(
        r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "stac_version": "1.1.0", "id": "one",
            "properties": {{}}, "assets": {{"r": {}, "n": {}}}}}]}}"#,
        band("red", "assets/sample/B04.tif"),
        band("nir", "assets/sample/B08.tif")
    );
    let path = dir.join("item.json");
    std::fs::write(&path, item).unwrap();
    let (a, b) = (dir.join("stac.tif"), dir.join("flags.tif"));
    run(&["index", "ndvi", "--stac", s(&path)], &a);
    run(
        &[
            "index",
            "ndvi",
            "--band",
            "red=assets/sample/B04.tif",
            "--band",
            "nir=assets/sample/B08.tif",
            "--scale",
            "0.0001",
            "--offset",
            "-0.05",
        ],
        &b,
    );
    same_bits(&a, &b);
    // Not an item.
    std::fs::write(&path, r#"{"type": "Collection", "id": "x"}"#).unwrap();
    fails(
        &[
            "index",
            "ndvi",
            "--stac",
            s(&path),
            "-o",
            s(&dir.join("x.tif")),
            "--device",
            "cpu",
        ],
        3,
        "not a STAC item",
    );
}

const COLLECTION: &str = "assets/stac/item-collection.json";
const S2_ID: &str = "S2B_33TUM_20230715_0_L2A";
const LS_ID: &str = "LC08_L2SP_190028_20230715_02_T1";

#[test]
fn an_item_collection_writes_one_output_per_item_equal_to_the_single_runs() {
    let dir = tempdir("stac-collection");
    let many = dir.join("many");
    let stats = format!("{}/{{id}}.json", many.display());
    ok(&[
        "index",
        "ndvi",
        "ndmi",
        "--stac",
        COLLECTION,
        "-o",
        &format!("{}/", many.display()),
        "--stats",
        &stats,
        "--device",
        "cpu",
    ]);
    for (id, item) in [(S2_ID, S2_ITEM), (LS_ID, LS_ITEM)] {
        let one = dir.join(format!("{id}-alone.tif"));
        run(&["index", "ndvi", "ndmi", "--stac", item], &one);
        let out = many.join(format!("{id}.tif"));
        same_bits(&out, &one);
        assert!(metadata(&out).contains(id), "{id}: provenance");
        let st = std::fs::read_to_string(many.join(format!("{id}.json"))).unwrap();
        assert!(st.contains("ndmi"), "{id}: statistics");
    }
    // The same collection over HTTP (hrefs relative to its URL), with `expr`.
    let srv = Server::start(repo().join("assets"), Mode::default());
    let http = dir.join("http");
    std::fs::create_dir(&http).unwrap();
    let formula = "(N - R) / (N + R)";
    ok(&[
        "expr",
        formula,
        "--stac",
        &srv.url("stac/item-collection.json"),
        "-o",
        s(&http),
        "--device",
        "cpu",
    ]);
    let alone = dir.join("expr-ls.tif");
    run(&["expr", formula, "--stac", LS_ITEM], &alone);
    same_bits(&http.join(format!("{LS_ID}.tif")), &alone);
    assert!(http.join(format!("{S2_ID}.tif")).exists());
}

#[test]
fn an_item_collection_is_checked_before_anything_is_written() {
    let dir = tempdir("stac-collection-errors");
    let out = dir.join("out");
    let o = format!("{}/", out.display());
    let base = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["index", "--stac", COLLECTION, "--device", "cpu"]
            .iter()
            .map(|x| x.to_string())
            .collect();
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let fails_with = |extra: &[&str], needle: &str| {
        let a = base(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, 2, needle)
    };
    // -o a file.
    let file = dir.join("vi.tif");
    fails_with(&["ndvi", "-o", s(&file)], "-o takes a folder");
    assert!(!file.exists());
    // The Landsat item has no blue band: named with the item, before the S2 item is run.
    let err = fails_with(&["evi", "-o", &o], "'blue' band");
    assert!(err.contains(LS_ID), "{err}");
    assert!(!out.exists(), "nothing written");
    // One --stats file for many items.
    fails_with(
        &["ndvi", "-o", &o, "--stats", s(&dir.join("s.json"))],
        "{id}",
    );
    // --mask scl on an item whose quality asset is QA_PIXEL.
    let err = fails_with(&["ndvi", "-o", &o, "--mask", "scl"], "use --mask qa-pixel");
    assert!(err.contains(LS_ID), "{err}");
    assert!(!out.exists(), "nothing written");
    // An id that cannot name a file, and one given twice.
    let text = std::fs::read_to_string(repo().join(COLLECTION)).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, text.replace(LS_ID, "../escape")).unwrap();
    let a = [
        "index",
        "ndvi",
        "--stac",
        s(&bad),
        "-o",
        &o,
        "--device",
        "cpu",
    ];
    fails(&a, 2, "cannot name an output file");
    std::fs::write(&bad, text.replace(LS_ID, S2_ID)).unwrap();
    fails(&a, 2, "twice");
    assert!(!out.exists(), "nothing written");
}

/// The Earth Search item with hrefs made absolute and `edit` applied to its assets.
fn edited_s2_item(
    dir: &Path,
    edit: impl Fn(&mut serde_json::Map<String, serde_json::Value>),
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo().join(S2_ITEM)).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let base = repo().join("assets/stac");
    let assets = v["assets"].as_object_mut().unwrap();
    for a in assets.values_mut() {
        let h = a["href"].as_str().unwrap().to_string();
        if !h.contains("://") {
            a["href"] = base.join(h).to_string_lossy().into_owned().into();
        }
    }
    edit(assets);
    let p = dir.join("item.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

#[test]
fn a_band_whose_only_asset_is_a_local_jpeg2000_is_read_from_it() {
    let dir = tempdir("stac-jp2");
    let jp2 = repo().join(format!(
        "assets/sentinel2-jp2/{}",
        SAFE.trim_start_matches("assets/sentinel2/")
    ));
    let jp2 = jp2.join("GRANULE/L2A_T33TUM_A033000_20230715T100600/IMG_DATA/R10m/T33TUM_20230715T100559_B04_10m.jp2");
    assert!(jp2.exists(), "{jp2:?}");
    let item = edited_s2_item(&dir, |a| {
        a.remove("red");
        a["red-jp2"]["href"] = jp2.to_string_lossy().into_owned().into();
    });
    let (a, b) = (dir.join("jp2.tif"), dir.join("tif.tif"));
    run(&["index", "ndvi", "--stac", s(&item)], &a);
    run(&["index", "ndvi", "--stac", S2_ITEM], &b);
    same_bits(&a, &b);
    assert!(
        metadata(&a).contains("B04_10m.jp2"),
        "provenance names the JP2"
    );
    // A remote JPEG 2000 is refused before anything is read.
    let item = edited_s2_item(&dir, |a| {
        a.remove("red");
        a["red-jp2"]["href"] = "http://127.0.0.1:9/B04_10m.jp2".into();
    });
    let err = fails(
        &[
            "index",
            "ndvi",
            "--stac",
            s(&item),
            "-o",
            s(&dir.join("r.tif")),
            "--device",
            "cpu",
        ],
        3,
        "local files only",
    );
    assert!(err.contains("red-jp2") && err.contains(S2_ID), "{err}");
}

#[test]
fn an_item_collection_as_a_stack_equals_the_files_it_names() {
    let dir = tempdir("stac-stack");
    let coll = "assets/stac/ndvi-stack-collection.json";
    let files: Vec<String> = (2001..=2008)
        .flat_map(|y| {
            [
                format!("assets/stack/ndvi_{y}0615.tif"),
                format!("assets/stack/ndvi_{y}0715.tif"),
            ]
        })
        .collect();
    let same_files = |a: &Path, b: &Path, names: &[&str]| {
        for n in names {
            same_bits(&a.join(n), &b.join(n));
        }
    };
    for (cmd, extra, names) in [
        (
            "climatology",
            vec!["--period", "month"],
            vec!["06/mean.tif", "07/std.tif", "07/count.tif"],
        ),
        ("trend", vec![], vec!["slope.tif", "p.tif", "count.tif"]),
    ] {
        let (a, b) = (
            dir.join(format!("{cmd}-stac")),
            dir.join(format!("{cmd}-files")),
        );
        let mut args = vec![cmd, "--stac", coll, "--asset", "ndvi", "--scale", "0.0001"];
        args.extend(&extra);
        args.extend(["-o", s(&a), "--device", "cpu"]);
        ok(&args);
        let mut args: Vec<&str> = vec![cmd];
        args.extend(files.iter().map(String::as_str));
        args.extend(&extra);
        args.extend(["--scale", "0.0001", "-o", s(&b), "--device", "cpu"]);
        ok(&args);
        same_files(&a, &b, &names);
    }
    // The items declare raster:bands scale 0.0001: not applied silently.
    let out = dir.join("refused");
    let err = fails(
        &[
            "climatology",
            "--stac",
            coll,
            "--asset",
            "ndvi",
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        2,
        "--scale 0.0001",
    );
    assert!(err.contains("raster:bands"), "{err}");
    assert!(!out.exists());
    fails(
        &[
            "trend",
            "--stac",
            coll,
            "--asset",
            "red",
            "--scale",
            "1",
            "-o",
            s(&out),
            "--device",
            "cpu",
        ],
        2,
        "no asset 'red'",
    );
}
