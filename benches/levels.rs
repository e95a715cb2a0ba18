//! Output compression levels: NDVI file to file (the CLI's path, `--device cpu`, 512-px tiles,
//! predictor 3) at each deflate and zstd level, on the benchmark's random-noise input (a
//! compressor's worst case) and on its realistic scene (`climidx::cli::bench::scene`), with the
//! size GDAL writes for the same pixels at its default levels (`gdal_translate` of climidx's
//! uncompressed output with `COMPRESS=DEFLATE|ZSTD PREDICTOR=3`, 512-px tiles). The row
//! `deflate` is the default output (the coder picked from the data,
//! `climidx::io::geotiff::autolevel`); the default of `--compress zstd` is chosen from this
//! table: the fastest level whose files stay within 2 % of GDAL's size on both inputs.
//!
//! ```sh
//! cargo bench --bench levels                                   # 2048², 2 rounds
//! cargo bench --bench levels -- --size 10980 --rounds 3 --report bench/results/levels-DATE.md
//! ```
//!
//! Rounds alternate the levels (every level once per round), medians reported.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use climidx::cli::bench::{cpu_model, file_job, noise_bands, scene};
use climidx::engine::{run_index_job, Backend, Control};
use climidx::io::geotiff::encode::Compression;
use climidx::kernels::{self, Consts, IndexRef};

struct Args {
    size: u32,
    rounds: usize,
    report: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        size: 2048,
        rounds: 2,
        report: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().ok_or(format!("{k} needs a value"));
        match k.as_str() {
            "--size" => a.size = val()?.parse().map_err(|e| format!("--size: {e}"))?,
            "--rounds" => a.rounds = val()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--report" => a.report = Some(PathBuf::from(val()?)),
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// Bytes of GDAL's file for the pixels of `plain` with creation option `compress`, if GDAL ran.
fn gdal_size(plain: &Path, compress: &str, dir: &Path) -> Option<u64> {
    let out = dir.join("levels_gdal.tif");
    let ok = Command::new("gdal_translate")
        .args(["-q", "-co", "TILED=YES", "-co", "BLOCKXSIZE=512", "-co"])
        .args([
            "BLOCKYSIZE=512",
            "-co",
            "PREDICTOR=3",
            "-co",
            "NUM_THREADS=ALL_CPUS",
        ])
        .args(["-co", &format!("COMPRESS={compress}")])
        .arg(plain)
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    let n = ok.then(|| size(&out));
    let _ = std::fs::remove_file(&out);
    n
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("levels: {e}");
            std::process::exit(2);
        }
    };
    let dir = std::env::temp_dir().join(format!("climidx-levels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("work folder");
    let ndvi: Vec<IndexRef> = vec![kernels::find("ndvi").expect("ndvi")];
    let k: Vec<Consts> = ndvi.iter().map(|d| d.default_constants()).collect();
    let n = a.size as usize * a.size as usize;
    let noise = scene::write_noise(&dir, a.size, &noise_bands(n, &[]))
        .expect("noise input")
        .0;
    let real = scene::write_realistic(&dir, a.size)
        .expect("realistic input")
        .0;
    // `deflate` (the default: the coder picked from the data) first, then every fixed level.
    let mut codecs = vec![Compression::None, Compression::default()];
    codecs.extend((1..=12).map(Compression::Deflate));
    codecs.extend([1, 2, 3, 5, 9].map(Compression::Zstd));
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Output compression levels, NDVI {0}×{0} float32\n\n{1} ({2} threads), `--device \
         cpu`, 512-px tiles, predictor 3; median of {3} rounds after a warm-up, levels \
         alternated.\n",
        a.size,
        cpu_model(),
        rayon::current_num_threads(),
        a.rounds
    );
    for (name, input) in [("noise", &noise), ("realistic", &real)] {
        let out = |c: Compression| dir.join(format!("levels_{}.tif", c.spec().replace(':', "_")));
        let mut times = vec![Vec::new(); codecs.len()];
        for r in 0..=a.rounds {
            for (c, t) in codecs.iter().zip(&mut times) {
                let mut j = file_job(&ndvi, &k, input, out(*c));
                j.compression = *c;
                j.tile = 512;
                let s = Instant::now();
                run_index_job(&j, Backend::Cpu, &Control::default()).expect("climidx run");
                if r > 0 {
                    t.push(s.elapsed().as_secs_f64());
                }
            }
        }
        let plain = out(Compression::None);
        let gdal = [
            ("deflate", gdal_size(&plain, "DEFLATE", &dir)),
            ("zstd", gdal_size(&plain, "ZSTD", &dir)),
        ];
        let _ = writeln!(
            md,
            "## {name} input\n\nGDAL 6 (default DEFLATE level): {} bytes; GDAL ZSTD (default \
             level 9): {} bytes.\n\n| codec | median s | bytes | vs GDAL default |\n|---|---|---|---|",
            gdal[0].1.map_or("—".into(), |b| b.to_string()),
            gdal[1].1.map_or("—".into(), |b| b.to_string()),
        );
        for (c, t) in codecs.iter().zip(&mut times) {
            t.sort_by(f64::total_cmp);
            let bytes = size(&out(*c));
            let reference = gdal.iter().find(|g| g.0 == c.name()).and_then(|g| g.1);
            let vs = reference.map_or("—".into(), |g| {
                format!("{:+.2} %", 100.0 * (bytes as f64 - g as f64) / g as f64)
            });
            let _ = writeln!(
                md,
                "| {} | {:.3} | {bytes} | {vs} |",
                c.spec(),
                t[t.len() / 2]
            );
        }
        md.push('\n');
        for c in &codecs {
            let _ = std::fs::remove_file(out(*c));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    print!("{md}");
    if let Some(p) = a.report {
        std::fs::write(&p, &md).expect("report");
        eprintln!("report written to {}", p.display());
    }
}
