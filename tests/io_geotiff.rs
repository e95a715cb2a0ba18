//! GeoTIFF reading and writing: the sample scene's known metadata, every layout GDAL can
//! produce (tiles, planar, compressions, predictors, sample types) read window by window,
//! the writer's tags round-tripped through our reader and through gdalinfo.

use crate::common;

use std::process::Command;

use climidx::io::geo::GeoInfo;
use climidx::io::geotiff::reader::GeoTiffReader;
use climidx::io::geotiff::writer::{GeoTiffWriter, WriterOptions};
use climidx::io::raster::row_windows;
use climidx::kernels::abi::{fetch, BandParams};
use climidx::kernels::samples::PackedBand;
use climidx::kernels::samples::{DataType, NodataMatch};
use common::{asset, gdal_tool, run_ok, tempdir};

const SCENE: &str = "sample/scene_u16_4band_96x80.tif";

/// Every band of `path` decoded to f32 (NaN for invalid), read in windows of `rows` rows.
fn read_all(path: &std::path::Path, rows: u32) -> (Vec<Vec<f32>>, climidx::io::raster::RasterInfo) {
    let mut r = GeoTiffReader::open(path).unwrap();
    let info = r.info().clone();
    let bands: Vec<u16> = (0..info.bands).collect();
    let mut out = vec![Vec::new(); info.bands as usize];
    let mut packed: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
    let nd = vec![info.nodata; bands.len()];
    let p = BandParams::new(
        info.dtype,
        NodataMatch::for_band(info.dtype, info.nodata),
        1.0,
        0.0,
    );
    for w in row_windows(info.width, info.height, rows) {
        r.read_window(w, &bands, &nd, &mut packed).unwrap();
        for (b, pk) in packed.iter().enumerate() {
            for i in 0..pk.pixels {
                let s = fetch(&p, &pk.words, i);
                out[b].push(if s.valid { s.value } else { f32::NAN });
            }
        }
    }
    (out, info)
}

fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

#[test]
fn sample_scene_metadata() {
    let r = GeoTiffReader::open(&asset(SCENE)).unwrap();
    let i = r.info();
    assert_eq!(
        (i.width, i.height, i.bands, i.dtype),
        (96, 80, 4, DataType::U16)
    );
    assert_eq!(i.nodata, Some(0.0));
    assert_eq!(i.block, (96, 16));
    assert_eq!(
        i.geo.geotransform().unwrap().to_gdal(),
        [600000.0, 10.0, 0.0, 5000000.0, 0.0, -10.0]
    );
    assert_eq!(i.geo.geo_key_short(3072), Some(32633));
    assert_eq!(i.geo.geo_ascii.as_deref(), Some("WGS 84 / UTM zone 33N|"));
}

#[test]
fn windows_of_any_height_read_the_same_pixels() {
    let (whole, _) = read_all(&asset(SCENE), 80);
    for rows in [1, 7, 16, 33] {
        let (w, _) = read_all(&asset(SCENE), rows);
        for b in 0..4 {
            assert!(same(&whole[b], &w[b]), "band {b} with {rows}-row windows");
        }
    }
    // Column 0 is nodata (0), column 3 is data.
    assert!(whole[2][0].is_nan() && !whole[2][3].is_nan());
}

#[test]
fn every_gdal_layout_reads_identically() {
    let Some(translate) = gdal_tool("gdal_translate", "every_gdal_layout_reads_identically") else {
        return;
    };
    let dir = tempdir("layouts");
    let (reference, _) = read_all(&asset(SCENE), 80);
    let variants: &[(&str, &[&str])] = &[
        (
            "tiled_lzw_pred2",
            &[
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=32",
                "-co",
                "BLOCKYSIZE=16",
                "-co",
                "COMPRESS=LZW",
                "-co",
                "PREDICTOR=2",
            ],
        ),
        (
            "planar_deflate",
            &["-co", "INTERLEAVE=BAND", "-co", "COMPRESS=DEFLATE"],
        ),
        (
            "planar_tiled_packbits",
            &[
                "-co",
                "INTERLEAVE=BAND",
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=16",
                "-co",
                "BLOCKYSIZE=32",
                "-co",
                "COMPRESS=PACKBITS",
            ],
        ),
        ("strips_none_1row", &["-co", "BLOCKYSIZE=1"]),
        ("zstd", &["-co", "COMPRESS=ZSTD", "-co", "PREDICTOR=2"]),
        ("bigtiff", &["-co", "BIGTIFF=YES", "-co", "TILED=YES"]),
        (
            "big_endian_tiled_deflate",
            &[
                "-co",
                "ENDIANNESS=BIG",
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=32",
                "-co",
                "BLOCKYSIZE=16",
                "-co",
                "COMPRESS=DEFLATE",
                "-co",
                "PREDICTOR=2",
            ],
        ),
    ];
    for (name, opts) in variants {
        let out = dir.join(format!("{name}.tif"));
        run_ok(
            Command::new(&translate)
                .args(*opts)
                .arg(asset(SCENE))
                .arg(&out)
                .arg("-q"),
        );
        // 13-row windows cut through tiles (cached block rows); 32- and 80-row windows cover
        // whole tile rows (tiles scattered straight into the output).
        for rows in [13, 32, 80] {
            let (got, info) = read_all(&out, rows);
            assert_eq!(info.bands, 4, "{name}");
            for b in 0..4 {
                assert!(
                    same(&reference[b], &got[b]),
                    "{name}: band {b} differs with {rows}-row windows"
                );
            }
        }
    }
    // Sample types: values convert exactly (all DNs fit every type below after scaling by 1).
    for (ot, dtype, extra) in [
        ("Int16", DataType::I16, &[][..]),
        ("UInt32", DataType::U32, &[][..]),
        ("Int32", DataType::I32, &[][..]),
        (
            "Float32",
            DataType::F32,
            &["-co", "PREDICTOR=3", "-co", "COMPRESS=DEFLATE"][..],
        ),
        ("Float64", DataType::F64, &["-co", "TILED=YES"][..]),
        ("Float32", DataType::F32, &["-co", "ENDIANNESS=BIG"][..]),
    ] {
        let out = dir.join(format!("{ot}.tif"));
        run_ok(
            Command::new(&translate)
                .args(["-ot", ot])
                .args(extra)
                .arg(asset(SCENE))
                .arg(&out)
                .arg("-q"),
        );
        let (got, info) = read_all(&out, 11);
        assert_eq!(info.dtype, dtype);
        for b in 0..4 {
            assert!(same(&reference[b], &got[b]), "{ot}: band {b} differs");
        }
    }
    // Bytes: scale 0..10000 to 0..255 and compare with GDAL's own rounding via a second read.
    let out = dir.join("byte.tif");
    run_ok(
        Command::new(&translate)
            .args([
                "-ot",
                "Byte",
                "-scale",
                "0",
                "10000",
                "0",
                "255",
                "-a_nodata",
                "none",
            ])
            .arg(asset(SCENE))
            .arg(&out)
            .arg("-q"),
    );
    let (got, info) = read_all(&out, 80);
    assert_eq!(info.dtype, DataType::U8);
    assert!(got[3].iter().all(|v| (0.0..=255.0).contains(v)));
}

fn utm_geo() -> GeoInfo {
    GeoTiffReader::open(&asset(SCENE))
        .unwrap()
        .info()
        .geo
        .clone()
}

#[test]
fn writer_round_trips_values_and_tags() {
    let dir = tempdir("writer");
    let path = dir.join("out.tif");
    let (w, h) = (37u32, 23u32);
    let a: Vec<f32> = (0..w * h).map(|i| i as f32 * 0.5 - 100.0).collect();
    let mut b: Vec<f32> = (0..w * h).map(|i| (i as f32).sin()).collect();
    b[5] = -9999.0;
    let geo = utm_geo();
    let mut wr = GeoTiffWriter::create(
        &path,
        w,
        h,
        2,
        &geo,
        WriterOptions {
            nodata: -9999.0,
            descriptions: vec!["a".into(), "b".into()],
            metadata: vec![],
            overwrite: false,
            ..Default::default()
        },
    )
    .unwrap();
    // rows arrive in uneven windows
    let mut row = 0u32;
    for rows in [1u32, 5, 10, 7] {
        let s = (row * w) as usize..((row + rows) * w) as usize;
        wr.write_rows(&[&a[s.clone()], &b[s]], rows).unwrap();
        row += rows;
    }
    wr.finish().unwrap();
    let (got, info) = read_all(&path, 4);
    assert_eq!(
        (info.width, info.height, info.bands, info.dtype),
        (w, h, 2, DataType::F32)
    );
    assert_eq!(info.nodata, Some(-9999.0));
    assert_eq!(info.geo, geo, "geo tags must round-trip verbatim");
    assert!(same(&got[0], &a));
    assert!(got[1][5].is_nan(), "the nodata value reads back as nodata");
    assert!(same(&got[1][6..], &b[6..]));
    // no temporary file left beside the output
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn model_transformation_round_trips() {
    // A rotated grid, georeferenced by ModelTransformationTag alone.
    let dir = tempdir("transform");
    let path = dir.join("rot.tif");
    let geo = GeoInfo {
        transformation: Some(vec![
            30.0, 0.5, 0.0, 100.0, 0.25, -30.0, 0.0, 200.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ]),
        geo_keys: Some(vec![1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32633]),
        ..Default::default()
    };
    let opts = WriterOptions {
        nodata: 0.0,
        descriptions: vec![],
        metadata: vec![],
        overwrite: false,
        ..Default::default()
    };
    let mut wr = GeoTiffWriter::create(&path, 3, 2, 1, &geo, opts).unwrap();
    wr.write_rows(&[&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], 2)
        .unwrap();
    wr.finish().unwrap();
    let info = GeoTiffReader::open(&path).unwrap().info().clone();
    assert_eq!(info.geo, geo);
    assert_eq!(
        info.geo.geotransform().unwrap().to_gdal(),
        [100.0, 30.0, 0.5, 200.0, 0.25, -30.0]
    );
}

#[test]
fn unfinished_writer_leaves_nothing_behind() {
    let dir = tempdir("unfinished");
    let path = dir.join("out.tif");
    {
        let mut wr = GeoTiffWriter::create(
            &path,
            10,
            10,
            1,
            &GeoInfo::default(),
            WriterOptions {
                nodata: f64::NAN,
                descriptions: vec![],
                metadata: vec![],
                overwrite: false,
                ..Default::default()
            },
        )
        .unwrap();
        wr.write_rows(&[&[0.0; 30]], 3).unwrap();
        // dropped without finish, as on an error path
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    // and refusing to overwrite
    std::fs::write(&path, b"keep me").unwrap();
    let err = GeoTiffWriter::create(
        &path,
        1,
        1,
        1,
        &GeoInfo::default(),
        WriterOptions {
            nodata: 0.0,
            descriptions: vec![],
            metadata: vec![],
            overwrite: false,
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("--overwrite"));
    assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
}

#[test]
fn gdal_reads_our_output_with_the_input_georeferencing() {
    let Some(gdalinfo) = gdal_tool(
        "gdalinfo",
        "gdal_reads_our_output_with_the_input_georeferencing",
    ) else {
        return;
    };
    let dir = tempdir("gdalinfo");
    let path = dir.join("out.tif");
    let geo = utm_geo();
    let mut wr = GeoTiffWriter::create(
        &path,
        96,
        80,
        2,
        &geo,
        WriterOptions {
            nodata: f64::NAN,
            descriptions: vec!["ndvi".into(), "evi".into()],
            metadata: vec![("CLIMIDX_INDICES".into(), "ndvi,evi".into())],
            overwrite: false,
            ..Default::default()
        },
    )
    .unwrap();
    let v = vec![0.25f32; 96 * 80];
    wr.write_rows(&[&v, &v], 80).unwrap();
    wr.finish().unwrap();
    let ours = run_ok(Command::new(&gdalinfo).arg("-json").arg(&path));
    let input = run_ok(Command::new(&gdalinfo).arg("-json").arg(asset(SCENE)));
    let field = |json: &str, key: &str| -> String {
        let i = json
            .find(&format!("\"{key}\""))
            .unwrap_or_else(|| panic!("{key} missing"));
        let rest = &json[i..];
        let end = rest.find(']').unwrap();
        rest[..end].split_whitespace().collect()
    };
    assert_eq!(field(&ours, "geoTransform"), field(&input, "geoTransform"));
    assert!(
        ours.contains("\"ID[\\\"EPSG\\\",32633]]\"") || ours.contains("32633"),
        "CRS lost: {ours}"
    );
    assert!(
        ours.contains("\"description\":\"ndvi\"") || ours.contains("\"description\": \"ndvi\"")
    );
    assert!(
        ours.contains("\"noDataValue\":\"NaN\"") || ours.contains("\"noDataValue\": \"NaN\""),
        "{ours}"
    );
    assert!(ours.contains("CLIMIDX_INDICES"));
    // and GDAL's WKT for both files is the same
    let wkt = |j: &str| {
        j[j.find("\"wkt\"").unwrap()..]
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(wkt(&ours), wkt(&input));
}

#[test]
fn bad_files_give_clear_errors() {
    let e = GeoTiffReader::open(&asset("fixtures/not_a_tiff.tif"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("not_a_tiff.tif") && e.contains("not a TIFF"),
        "{e}"
    );
    let e = GeoTiffReader::open(&asset("fixtures/does_not_exist.tif"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("cannot open"), "{e}");
    // A truncated file fails when its missing blocks are read, naming the file.
    let r = GeoTiffReader::open(&asset("fixtures/truncated.tif"));
    let e = match r {
        Err(e) => e.to_string(),
        Ok(mut r) => {
            let mut p = vec![PackedBand::new(DataType::U16)];
            let w = r.info().full();
            match r.read_window(w, &[0], &[None], &mut p) {
                Err(e) => e.to_string(),
                Ok(()) => panic!("truncated data must not read"),
            }
        }
    };
    assert!(e.contains("truncated.tif"), "{e}");
}

#[test]
fn every_compression_and_layout_round_trips_through_our_reader_and_gdal() {
    use climidx::io::geotiff::encode::Compression;
    use climidx::io::geotiff::writer::SampleKind;
    let dir = tempdir("writer-layouts");
    let translate = gdal_tool("gdal_translate", "every_compression_and_layout_round_trips");
    let (w, h) = (53u32, 37u32); // partial tiles on both edges with 16-px tiles
    let a: Vec<f32> = (0..w * h)
        .map(|i| ((i as f32) * 0.37).sin() * 50.0)
        .collect();
    let mut b: Vec<f32> = (0..w * h).map(|i| i as f32 * -0.25).collect();
    b[7] = f32::NAN;
    let counts: Vec<u32> = (0..w * h)
        .map(|i| i.wrapping_mul(2654435761) % 1000)
        .collect();
    let combos = [
        Compression::None,
        Compression::Deflate(6),
        Compression::Deflate(1),
        Compression::Zstd(3),
        Compression::Lzw,
    ]
    .into_iter()
    .flat_map(|c| [0u32, 16, 512].into_iter().map(move |t| (c, t, false)))
    // BigTIFF (64-bit block offsets) for both layouts
    .chain([
        (Compression::Deflate(6), 16, true),
        (Compression::None, 0, true),
    ]);
    for (c, tile, big) in combos {
        {
            for sample in [SampleKind::F32, SampleKind::U32] {
                let what = format!("{c:?} tile {tile} {sample:?} bigtiff {big}");
                let path = dir.join(format!(
                    "{}_{tile}_{sample:?}_{big}.tif",
                    c.spec().replace(':', "")
                ));
                let bands = if sample == SampleKind::F32 { 2 } else { 1 };
                let mut wr = GeoTiffWriter::create(
                    &path,
                    w,
                    h,
                    bands,
                    &utm_geo(),
                    WriterOptions {
                        compression: c,
                        tile,
                        sample,
                        bigtiff: Some(big),
                        ..Default::default()
                    },
                )
                .unwrap();
                let mut row = 0u32;
                for rows in [3u32, 20, 14] {
                    let s = (row * w) as usize..((row + rows) * w) as usize;
                    if sample == SampleKind::F32 {
                        wr.write_rows(&[&a[s.clone()], &b[s]], rows).unwrap();
                    } else {
                        wr.write_rows_u32(&[&counts[s]], rows).unwrap();
                    }
                    row += rows;
                }
                wr.finish().unwrap();
                let magic = std::fs::read(&path).unwrap()[2];
                assert_eq!(magic, if big { 43 } else { 42 }, "{what}: TIFF version");
                // our reader: exact bits
                let got = common::read_f32(&path);
                let want: Vec<Vec<u32>> = if sample == SampleKind::F32 {
                    vec![
                        a.iter().map(|v| v.to_bits()).collect(),
                        b.iter().map(|v| v.to_bits()).collect(),
                    ]
                } else {
                    vec![counts.clone()]
                };
                for (g, e) in got.iter().zip(&want) {
                    let g: Vec<u32> = g.iter().map(|v| v.to_bits()).collect();
                    if let Some(i) = (0..e.len()).find(|&i| g[i] != e[i]) {
                        panic!(
                            "{what}: our reader reads sample {i} as {:#x}, wrote {:#x}",
                            g[i], e[i]
                        );
                    }
                }
                // GDAL: the same bits, band-sequential, through ENVI raw output
                if let Some(t) = &translate {
                    let raw = dir.join("raw.img");
                    run_ok(
                        std::process::Command::new(t)
                            .args(["-q", "-of", "ENVI", "-co", "INTERLEAVE=BSQ"])
                            .arg(&path)
                            .arg(&raw),
                    );
                    let bytes = std::fs::read(&raw).unwrap();
                    let words: Vec<u32> = bytes
                        .chunks(4)
                        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect();
                    let flat: Vec<u32> = want.concat();
                    assert_eq!(words.len(), flat.len(), "{what}: GDAL sample count");
                    if let Some(i) = (0..flat.len()).find(|&i| words[i] != flat[i]) {
                        panic!(
                            "{what}: GDAL reads sample {i} as {:#x}, wrote {:#x}",
                            words[i], flat[i]
                        );
                    }
                }
            }
        }
    }
}
