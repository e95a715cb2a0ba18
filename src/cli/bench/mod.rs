//! `climidx bench`: throughput of every device path this machine has, and of peer tools, on a
//! Sentinel-2-sized input, in one run.
//!
//! Modes, per device path:
//! - `memory`: packed bands in RAM → windows through the kernel (uploads and readbacks
//!   included for GPUs) → f32 outputs in RAM;
//! - `resident` (GPU): one dispatch over data already on the device, submit to completion;
//! - `kernel` (GPU with TIMESTAMP_QUERY): the compute pass alone, from timestamps;
//! - `file`: GeoTIFF in (4-band uint16, 512×512 tiles, uncompressed when GDAL can re-tile the
//!   generated file) → float32 GeoTIFF out, the CLI's code path.
//!
//! Every figure carries the max |difference| to the CPU reference output, so a fast wrong answer
//! is visible. The first round of each mode is a warm-up; the median and the spread of the
//! others are reported. Speed claims need the device named: the report starts with it.

pub mod climatology;
pub mod outputs;
pub mod peers;
pub mod scene;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::engine::gpu::GpuContext;
use crate::engine::{
    compute_into, compute_with, run_index_job, window_capacity, Backend, Calibration, Control,
    IndexJob, Processor,
};
use crate::error::{Error, Result};
use crate::io::geotiff::reader::GeoTiffReader;
use crate::io::BandSource;
use crate::kernels::abi::BandParams;
use crate::kernels::samples::PackedBand;
use crate::kernels::samples::{DataType, NodataMatch};
use crate::kernels::{Consts, IndexRef, Role, ROLE_SLOTS};

/// Band order of the benchmark file.
pub const FILE_ROLES: [Role; 4] = [Role::Blue, Role::Green, Role::Red, Role::Nir];

pub struct BenchConfig {
    pub size: u32,
    pub rounds: usize,
    pub indices: Vec<IndexRef>,
    pub peers: bool,
    pub workdir: PathBuf,
    /// An existing 4-band uint16 file (blue, green, red, nir) instead of a generated one.
    pub input: Option<PathBuf>,
    pub file_modes: bool,
}

/// One measured figure.
#[derive(Clone, Debug)]
pub struct Row {
    pub path: String,
    pub mode: &'static str,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub mpix_s: f64,
    pub gb_s: f64,
    pub bandwidth_fraction: f64,
    pub max_abs_diff: Option<f64>,
}

pub struct Report {
    pub machine: String,
    pub devices: Vec<String>,
    pub pixels: u64,
    pub bandwidth_gb_s: f64,
    pub rows: Vec<Row>,
    /// Default and zstd outputs against gdal_calc writing the same kind of file (`--peers`).
    pub outputs: Vec<outputs::OutputRow>,
    pub notes: Vec<String>,
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Reflectance-like uint16 DNs (1…10000 with 1 % nodata 0), deterministic per band.
pub fn synthetic_band(n: usize, seed: u64) -> Vec<u16> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            let v = xorshift(&mut s);
            if v.is_multiple_of(100) {
                0
            } else {
                (1 + v % 10000) as u16
            }
        })
        .collect()
}

/// The benchmark's uint16 bands in [`FILE_ROLES`] order, then `extra` roles: [`synthetic_band`]
/// with a seed per role.
pub fn noise_bands(n: usize, extra: &[Role]) -> Vec<Vec<u16>> {
    FILE_ROLES
        .iter()
        .chain(extra.iter().filter(|r| !FILE_ROLES.contains(r)))
        .map(|r| synthetic_band(n, 0x5EED + r.slot() as u64 * 7919))
        .collect()
}

/// The file job the benchmark times: `indices` from a 4-band [`FILE_ROLES`] uint16 `input`
/// (reflectance ×10⁴, DN 0 no data) into float32 `out`, uncompressed strips (as the peers'
/// GDAL defaults write; callers set `compression` and `tile` to compare codecs).
pub fn file_job(
    indices: &[IndexRef],
    constants: &[Consts],
    input: &Path,
    out: PathBuf,
) -> IndexJob {
    let roles = crate::kernels::registry::roles_used(indices);
    IndexJob {
        indices: indices.to_vec(),
        constants: constants.to_vec(),
        bands: roles
            .iter()
            .map(|r| {
                BandSource::new(
                    *r,
                    input,
                    1 + FILE_ROLES.iter().position(|x| x == r).unwrap_or(0) as u16,
                )
            })
            .collect(),
        calibration: Calibration {
            scale: Some(0.0001),
            offset: Some(0.0),
            nodata: None,
        },
        out_nodata: f64::NAN,
        output: out,
        overwrite: true,
        window_pixels: None,
        mem_limit: 256 << 20,
        metadata: vec![],
        compression: crate::io::geotiff::encode::Compression::None,
        tile: 0,
        pyramid: Default::default(),
        stats: None,
        quicklook: None,
        scaled_int16: None,
    }
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Memory bandwidth of one large copy (read + write counted), GB/s, median of 5.
pub fn measure_bandwidth() -> f64 {
    let n = 64 << 20; // 256 MiB of u32
    let src = vec![1u32; n];
    let mut dst = vec![0u32; n];
    let mut t = Vec::new();
    for _ in 0..5 {
        let s = Instant::now();
        dst.copy_from_slice(&src);
        t.push(s.elapsed().as_secs_f64());
        std::hint::black_box(&dst);
    }
    2.0 * (n * 4) as f64 / median(&mut t) / 1e9
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn stats(times: &[Duration]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = times.iter().map(|d| d.as_secs_f64()).collect();
    let min = v.iter().cloned().fold(f64::MAX, f64::min);
    let max = v.iter().cloned().fold(0.0, f64::max);
    (median(&mut v), min, max)
}

/// Max |a − b| over pixels valid in both; a nodata mismatch counts as infinite.
pub fn max_diff(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0, |m, (x, y)| match (x.is_nan(), y.is_nan()) {
            (true, true) => m,
            (false, false) => m.max((x - y).abs() as f64),
            _ => f64::INFINITY,
        })
}

/// Read an output file back as f32 bands, its nodata value as NaN.
fn read_output(path: &Path, bands: usize) -> Result<Vec<Vec<f32>>> {
    let mut r = GeoTiffReader::open(path)?;
    let info = r.info().clone();
    let idx: Vec<u16> = (0..bands as u16).collect();
    let mut p: Vec<PackedBand> = idx.iter().map(|_| PackedBand::new(info.dtype)).collect();
    let nodata = info.nodata.map(|v| v as f32);
    let mut out = vec![Vec::with_capacity(info.width as usize * info.height as usize); bands];
    for w in crate::io::raster::row_windows(info.width, info.height, 512) {
        r.read_window(w, &idx, &vec![None; bands], &mut p)?;
        for (o, b) in out.iter_mut().zip(&p) {
            // the file's own nodata value reads as NaN, whatever value it is
            o.extend(b.words[..b.pixels].iter().map(|&x| {
                let v = f32::from_bits(x);
                if Some(v) == nodata {
                    f32::NAN
                } else {
                    v
                }
            }));
        }
    }
    Ok(out)
}

/// Run the benchmark. `gpus` are the adapters to measure (label, context).
pub fn run(cfg: &BenchConfig, gpus: &[(String, &GpuContext)]) -> Result<Report> {
    let n = cfg.size as usize * cfg.size as usize;
    let mpix = n as f64 / 1e6;
    let bandwidth = measure_bandwidth();
    let mut notes = Vec::new();
    let machine = format!(
        "{} ({} threads, {} CPU kernels), memory copy bandwidth {:.1} GB/s",
        cpu_model(),
        rayon::current_num_threads(),
        crate::kernels::simd::level(),
        bandwidth
    );
    let k: Vec<Consts> = cfg.indices.iter().map(|d| d.default_constants()).collect();
    let roles = crate::kernels::registry::roles_used(&cfg.indices);
    let nan = f32::NAN.to_bits();
    let bytes_per_px = 2.0 * roles.len() as f64 + 4.0 * cfg.indices.len() as f64;

    // In-memory data: every role the indices use (the file holds blue, green, red and NIR).
    let mut mem_roles: Vec<Role> = FILE_ROLES.to_vec();
    mem_roles.extend(roles.iter().filter(|r| !FILE_ROLES.contains(r)));
    let band_data = noise_bands(n, &roles);
    let packed: Vec<PackedBand> = band_data.iter().map(|b| PackedBand::from_u16(b)).collect();
    let p = BandParams::new(DataType::U16, NodataMatch::RawBits(0), 0.0001, 0.0);
    let mut bands: [Option<(BandParams, &PackedBand)>; ROLE_SLOTS] = [None; ROLE_SLOTS];
    for (r, b) in mem_roles.iter().zip(&packed) {
        if roles.contains(r) {
            bands[r.slot()] = Some((p, b));
        }
    }
    let mut reference = vec![vec![0f32; n]; cfg.indices.len()];
    {
        let mut o: Vec<&mut [f32]> = reference.iter_mut().map(|v| &mut v[..]).collect();
        compute_into(
            Backend::Cpu,
            &cfg.indices,
            &k,
            &bands,
            nan,
            None,
            false,
            &mut o,
        )?;
    }
    let diff = |out: &[Vec<f32>]| {
        out.iter()
            .zip(&reference)
            .map(|(a, b)| max_diff(a, b))
            .fold(0.0, f64::max)
    };
    let row = |path: &str, mode: &'static str, times: &[Duration], d: Option<f64>| {
        let (median, min, max) = stats(times);
        let gb_s = bytes_per_px * n as f64 / median / 1e9;
        Row {
            path: path.to_string(),
            mode,
            median,
            min,
            max,
            mpix_s: mpix / median,
            gb_s,
            bandwidth_fraction: gb_s / bandwidth,
            max_abs_diff: d,
        }
    };
    let mut rows = Vec::new();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let mut out = vec![vec![0f32; n]; cfg.indices.len()];
    let mut paths: Vec<(String, Backend, Option<&rayon::ThreadPool>)> = vec![
        (
            format!("cpu ({} threads)", rayon::current_num_threads()),
            Backend::Cpu,
            None,
        ),
        ("cpu (1 thread)".to_string(), Backend::Cpu, Some(&one)),
    ];
    for (label, ctx) in gpus {
        paths.push((label.clone(), Backend::Gpu(ctx), None));
    }
    let params: [Option<BandParams>; ROLE_SLOTS] =
        std::array::from_fn(|s| bands[s].map(|(p, _)| p));
    let dtypes = vec![DataType::U16; roles.len()];
    for (label, backend, pool) in &paths {
        // Steady state: the processor (device buffers, pipeline) is made once, outside the
        // timing, as the CLI makes it once per run.
        let cap = window_capacity(*backend, &dtypes, cfg.indices.len(), 256 << 20)
            .min(n.next_multiple_of(4));
        let mut proc = Processor::new(*backend, &cfg.indices, &k, &params, nan, cap)?;
        // Into reused buffers, then into new ones each round, as a caller that allocates its
        // result pays (the Python binding's default): the first touch of fresh pages counts.
        let mut fresh: Vec<Vec<f32>> = Vec::new();
        for (mode, new) in [("memory", false), ("new buffer", true)] {
            let mut times = Vec::new();
            for r in 0..=cfg.rounds {
                let t = Instant::now();
                if new {
                    // The last round's buffers go first, as a caller drops its last result.
                    fresh.clear();
                    fresh = (0..cfg.indices.len())
                        .map(|_| crate::hugepages::zeroed_f32(n))
                        .collect();
                }
                let bufs = if new { &mut fresh } else { &mut out };
                let mut o: Vec<&mut [f32]> = bufs.iter_mut().map(|v| &mut v[..]).collect();
                let mut go = || compute_with(&mut proc, &bands, &mut o);
                match pool {
                    Some(p) => p.install(go)?,
                    None => go()?,
                }
                if r > 0 {
                    times.push(t.elapsed());
                }
            }
            rows.push(row(
                label,
                mode,
                &times,
                Some(diff(if new { &fresh } else { &out })),
            ));
        }
        drop(fresh);
        if matches!(backend, Backend::Gpu(_)) {
            // One window of the largest size the device takes, resident.
            let cap = window_capacity(*backend, &dtypes, cfg.indices.len(), usize::MAX / 2).min(n);
            let Processor::Gpu(mut runner) =
                Processor::new(*backend, &cfg.indices, &k, &params, nan, cap)?
            else {
                unreachable!("a GPU backend gives a GPU runner")
            };
            let data: [Option<&[u32]>; ROLE_SLOTS] =
                std::array::from_fn(|s| bands[s].map(|(_, b)| &b.words[..]));
            let mut win: Vec<Vec<f32>> = vec![vec![0f32; cap]; cfg.indices.len()];
            let mut w: Vec<&mut [f32]> = win.iter_mut().map(|v| &mut v[..]).collect();
            runner.run(&data, cap, &mut w)?;
            let wdiff = win
                .iter()
                .zip(&reference)
                .map(|(a, b)| max_diff(a, &b[..cap]))
                .fold(0.0, f64::max);
            let scale = n as f64 / cap as f64; // report per whole raster
            let mut t = Vec::new();
            for r in 0..=cfg.rounds {
                let d = runner.time_resident(cap)?;
                if r > 0 {
                    t.push(Duration::from_secs_f64(d.as_secs_f64() * scale));
                }
            }
            rows.push(row(label, "resident", &t, Some(wdiff)));
            let mut t = Vec::new();
            for r in 0..=cfg.rounds {
                match runner.time_kernel(cap)? {
                    Some(d) if r > 0 => t.push(Duration::from_secs_f64(d.as_secs_f64() * scale)),
                    Some(_) => {}
                    None => break,
                }
            }
            if !t.is_empty() {
                rows.push(row(label, "kernel", &t, Some(wdiff)));
            }
            if cap < n {
                notes.push(format!("{label}: resident/kernel measured on one {cap}-pixel window, scaled to the raster"));
            }
        }
    }
    drop(out);

    let mut output_rows = Vec::new();
    let file_ok = roles.iter().all(|r| FILE_ROLES.contains(r));
    if cfg.file_modes && !file_ok {
        notes.push(
            "file modes skipped: an index needs a band the 4-band (blue, green, red, NIR) file does not hold".into(),
        );
    }
    if cfg.file_modes && file_ok {
        let (input, desc) = match &cfg.input {
            Some(p) => (p.clone(), format!("{} (given)", p.display())),
            None => scene::write_noise(&cfg.workdir, cfg.size, &band_data)?,
        };
        drop(packed);
        notes.push(format!("file mode input: {desc}"));
        let job = |input: &Path, out: PathBuf| file_job(&cfg.indices, &k, input, out);
        for (label, backend, pool) in paths.iter().filter(|p| p.2.is_none()) {
            let out = cfg.workdir.join("bench_out.tif");
            let mut times = Vec::new();
            for r in 0..=cfg.rounds {
                let j = job(&input, out.clone());
                let t = Instant::now();
                match pool {
                    Some(p) => p.install(|| run_index_job(&j, *backend, &Control::default()))?,
                    None => run_index_job(&j, *backend, &Control::default())?,
                };
                if r > 0 {
                    times.push(t.elapsed());
                }
            }
            let d = diff(&read_output(&out, cfg.indices.len())?);
            rows.push(row(label, "file", &times, Some(d)));
        }
        if cfg.peers {
            for (name, times, out) in crate::cli::bench::peers::run_peers(
                &input,
                &cfg.workdir,
                &cfg.indices,
                cfg.rounds,
                &mut notes,
            ) {
                let d = read_output(&out, 1)
                    .ok()
                    .map(|o| max_diff(&o[0], &reference[0]));
                rows.push(row(&name, "file", &times, d));
            }
            // Compressed outputs, alternated with gdal_calc, on noise and on a realistic scene.
            // The path `--device auto` takes: a hardware GPU, else the native CPU (never the
            // software adapter, which auto does not pick).
            let (backend, label) = match gpus.iter().find(|(_, c)| !c.summary.is_software()) {
                Some((l, c)) => (Backend::Gpu(c), l.clone()),
                None => (Backend::Cpu, paths[0].0.clone()),
            };
            let (real, _) = scene::write_realistic(&cfg.workdir, cfg.size)?;
            let climidx = |inp: &Path, out: &Path, c: crate::io::geotiff::encode::Compression| {
                let mut j = job(inp, out.to_path_buf());
                j.compression = c;
                j.tile = 512;
                run_index_job(&j, backend, &Control::default()).map(|_| ())
            };
            let inputs = [
                ("noise".to_string(), input.as_path()),
                ("realistic".to_string(), real.as_path()),
            ];
            output_rows =
                outputs::compare(&inputs, &cfg.workdir, cfg.rounds, &climidx, &mut notes)?;
            notes.push(format!(
                "outputs: climidx on {label}, 512-px tiles, against gdal_calc.py --co TILED=YES \
                 BLOCKXSIZE=512 BLOCKYSIZE=512 NUM_THREADS=ALL_CPUS (+ COMPRESS, PREDICTOR=3), \
                 alternated; realistic input: fractal landscape + sensor noise (bench/scene.rs)"
            ));
            let _ = std::fs::remove_file(&real);
        }
    }
    let devices = gpus
        .iter()
        .map(|(l, c)| {
            format!(
                "{} — {}",
                l.split(':').next().unwrap_or(l),
                c.summary.one_line()
            )
        })
        .collect();
    Ok(Report {
        machine,
        devices,
        pixels: n as u64,
        bandwidth_gb_s: bandwidth,
        rows,
        outputs: output_rows,
        notes,
    })
}
