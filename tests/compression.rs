//! Output compression: the default deflate (libdeflate, predictor 3) writes the same pixels as
//! GDAL reads them and a file within 2 % of GDAL's own DEFLATE/PREDICTOR=3 file of the same
//! data; the byte-plane coder's streams read in GDAL bit for bit in every layout;
//! `--compress CODEC:LEVEL` reaches the writer, bad levels are refused.

use crate::common;

use std::path::Path;
use std::process::Command;

use climidx::io::geo::GeoInfo;
use climidx::io::geotiff::encode::{Compression, DEFLATE_PLANES};
use climidx::io::geotiff::writer::WriterOptions;
use climidx::io::geotiff::GeoTiffWriter;
use common::{asset, fails, gdal_tool, ok, read_f32, run_ok, tempdir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An index-like float field: smooth structure, parcels, sensor noise, a nodata corner.
fn field(w: usize, h: usize) -> Vec<f32> {
    let mut rng = common::Rng::new(42);
    (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f32, (i / w) as f32);
            if x + y < 60.0 {
                return f32::NAN;
            }
            let smooth = 0.3 * (x / 97.0).sin() * (y / 61.0).cos() + 0.2 * ((x + y) / 233.0).sin();
            let parcel = ((x as usize / 37 * 7 + y as usize / 29 * 13) % 10) as f32 * 0.04;
            let noise = (rng.below(1000) as f32 - 500.0) * 2e-5;
            0.35 + smooth + parcel + noise
        })
        .collect()
}

fn write(path: &Path, w: u32, h: u32, data: &[f32], c: Compression) {
    write_bands(path, w, h, &[data], c, 512);
}

/// `bands` as a `w`×`h` GeoTIFF with compression `c` and tile size `tile` (0: strips).
fn write_bands(path: &Path, w: u32, h: u32, bands: &[&[f32]], c: Compression, tile: u32) {
    let geo: GeoInfo = climidx::io::geotiff::reader::GeoTiffReader::open(&asset("sample/B04.tif"))
        .unwrap()
        .info()
        .geo
        .clone();
    let mut wr = GeoTiffWriter::create(
        path,
        w,
        h,
        bands.len(),
        &geo,
        WriterOptions {
            compression: c,
            tile,
            ..Default::default()
        },
    )
    .unwrap();
    let n = w as usize * 100;
    for k in 0..(h as usize * w as usize).div_ceil(n) {
        let rows: Vec<&[f32]> = bands
            .iter()
            .map(|b| &b[k * n..((k + 1) * n).min(b.len())])
            .collect();
        wr.write_rows(&rows, (rows[0].len() / w as usize) as u32)
            .unwrap();
    }
    wr.finish().unwrap();
}

/// `gdalinfo -checksum` lines of every band.
fn checksums(info: &Path, p: &Path) -> Vec<String> {
    let out = run_ok(Command::new(info).arg("-checksum").arg(p));
    out.lines()
        .filter(|l| l.contains("Checksum="))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn byte_plane_deflate_reads_in_gdal_bit_for_bit() {
    let Some(info) = gdal_tool("gdalinfo", "byte_plane_deflate_reads_in_gdal") else {
        return;
    };
    let dir = tempdir("compression-planes");
    let (w, h) = (1100u32, 1037u32); // partial edge tiles
    let field = field(w as usize, h as usize);
    let mut rng = common::Rng::new(7);
    let noise: Vec<f32> = (0..field.len())
        .map(|_| rng.below(20_000) as f32 * 1e-4 - 1.0)
        .collect();
    let constant = vec![-9999.0f32; field.len()];
    let planes = Compression::Deflate(DEFLATE_PLANES);
    let cases: [(&str, Vec<&[f32]>, u32); 5] = [
        ("field-tiles", vec![&field], 512),
        ("noise-tiles", vec![&noise], 512),
        ("two-bands-tiles", vec![&field, &noise], 256),
        ("constant-tiles", vec![&constant], 512),
        ("field-strips", vec![&field, &noise], 0),
    ];
    for (name, bands, tile) in cases {
        let ours = dir.join(format!("{name}.tif"));
        let raw = dir.join(format!("{name}-raw.tif"));
        write_bands(&ours, w, h, &bands, planes, tile);
        write_bands(&raw, w, h, &bands, Compression::None, tile);
        assert_eq!(checksums(&info, &ours), checksums(&info, &raw), "{name}");
        let back = read_f32(&ours);
        for (b, want) in back.iter().zip(&bands) {
            assert!(
                b.iter()
                    .zip(want.iter())
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{name}"
            );
        }
        let size = |p: &Path| std::fs::metadata(p).unwrap().len();
        assert!(
            size(&ours) < size(&raw),
            "{name}: {} vs {}",
            size(&ours),
            size(&raw)
        );
    }
}

#[test]
fn default_deflate_matches_gdal_pixels_and_size() {
    let Some(translate) = gdal_tool("gdal_translate", "default_deflate_matches_gdal") else {
        return;
    };
    let dir = tempdir("compression-size");
    let (w, h) = (1100u32, 1037u32); // partial edge tiles
    let data = field(w as usize, h as usize);
    let ours = dir.join("ours.tif");
    let raw = dir.join("raw.tif");
    write(&ours, w, h, &data, Compression::default());
    write(&raw, w, h, &data, Compression::None);
    let gdal = dir.join("gdal.tif");
    run_ok(
        Command::new(&translate)
            .args(["-q", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3"])
            .args([
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=512",
                "-co",
                "BLOCKYSIZE=512",
            ])
            .arg(&raw)
            .arg(&gdal),
    );
    let size = |p: &Path| std::fs::metadata(p).unwrap().len() as f64;
    let (o, g) = (size(&ours), size(&gdal));
    assert!(
        o < 0.8 * size(&raw),
        "deflate should compress this field: {o} vs raw {}",
        size(&raw)
    );
    assert!((o - g).abs() / g < 0.02, "ours {o} B vs GDAL's {g} B");
    // GDAL decodes our file to the same pixels (checksums of band 1).
    let info = gdal_tool("gdalinfo", "default_deflate_matches_gdal").unwrap();
    assert_eq!(checksums(&info, &ours), checksums(&info, &raw));
    // and our reader gets the bits back
    let back = read_f32(&ours);
    assert!(back[0]
        .iter()
        .zip(&data)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
}

#[test]
fn compress_levels_reach_the_file_and_bad_levels_are_refused() {
    let dir = tempdir("compression-levels");
    let red = format!("red={}", s(&asset("sample/B04.tif")));
    let nir = format!("nir={}", s(&asset("sample/B08.tif")));
    let run = |spec: &str| {
        let out = dir.join(format!("{}.tif", spec.replace(':', "_")));
        ok(&[
            "index",
            "ndvi",
            "-b",
            &red,
            "-b",
            &nir,
            "-o",
            s(&out),
            "--compress",
            spec,
        ]);
        (read_f32(&out), std::fs::read(&out).unwrap())
    };
    let (fast, fast_bytes) = run("deflate:1");
    let (best, best_bytes) = run("deflate:12");
    let (z, z_bytes) = run("zstd:19");
    assert_eq!(fast[0].len(), 96 * 80);
    for other in [&best, &z] {
        assert!(fast[0]
            .iter()
            .zip(&other[0])
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    // different levels, different streams; deflate tag 8, zstd 50000 in the directory
    assert_ne!(fast_bytes, best_bytes);
    assert!(best_bytes.len() <= fast_bytes.len());
    assert_ne!(z_bytes, fast_bytes);
    for bad in ["deflate:0", "deflate:13", "zstd:23"] {
        let out = dir.join("bad.tif");
        fails(
            &[
                "index",
                "ndvi",
                "-b",
                &red,
                "-b",
                &nir,
                "-o",
                s(&out),
                "--compress",
                bad,
            ],
            2,
            "is not in 1–",
        );
        assert!(!out.exists());
    }
    fails(
        &[
            "index",
            "ndvi",
            "-b",
            &red,
            "-b",
            &nir,
            "-o",
            "x.tif",
            "--compress",
            "lzw:3",
        ],
        2,
        "lzw takes no level",
    );
}

#[test]
fn band_units_and_descriptions_are_the_ones_gdal_reads() {
    let Some(info) = gdal_tool("gdalinfo", "band_units_and_descriptions") else {
        return;
    };
    let dir = tempdir("band-units");
    let red = format!("red={}", s(&asset("sample/B04.tif")));
    let nir = format!("nir={}", s(&asset("sample/B08.tif")));
    let ndvi = dir.join("ndvi.tif");
    ok(&["index", "ndvi", "-b", &red, "-b", &nir, "-o", s(&ndvi)]);
    let scene = asset("landsat/LC08_L1TP_190028_20230715_20230725_02_T1");
    let (k, c) = (dir.join("lst_k.tif"), dir.join("lst_c.tif"));
    ok(&["lst", "--scene", s(&scene), "-o", s(&k)]);
    ok(&[
        "lst",
        "--scene",
        s(&scene),
        "--unit",
        "celsius",
        "-o",
        s(&c),
    ]);
    for (file, desc, unit) in [(&ndvi, "ndvi", "1"), (&k, "lst", "K"), (&c, "lst", "degC")] {
        let out = run_ok(Command::new(&info).arg(file));
        let band = &out[out.find("Band 1").expect("a band")..];
        assert!(band.contains(&format!("Description = {desc}")), "{band}");
        assert!(
            band.contains(&format!("Unit Type: {unit}")),
            "{file:?}: {band}"
        );
    }
}
