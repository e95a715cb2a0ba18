//! NDVI throughput on a Sentinel-2-sized (10980×10980) uint16 input, for every device path
//! this machine has, in one run: in memory (windows through the kernel, output in RAM) and
//! file to file (GeoTIFF in, float32 GeoTIFF out). Prints Mpix/s, the ratio to the native CPU
//! path measured in the same run, and the max |difference| to the CPU output.
//!
//! `cargo run --release --example ndvi_throughput [SIZE] [ROUNDS]`
//! (CLIMIDX_BENCH_QUICK=1 uses 2048×2048.) A speed claim needs the device named: the adapter
//! line printed first is part of the result.

use std::path::Path;
use std::time::Instant;

use climidx::engine::{
    compute_in_memory, compute_into, run_index_job, Backend, BandSource, IndexJob,
};
use climidx::gpu::{adapter, AdapterSummary, DeviceChoice, GpuContext};
use climidx::indices::common::BandParams;
use climidx::indices::{self, Role, MAX_CONSTS, ROLE_SLOTS};
use climidx::io::raster::{DataType, NodataMatch};
use climidx::io::reader::PackedBand;
use tiff::encoder::{colortype::Gray16, TiffEncoder};
use tiff::tags::Tag;

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn band(n: usize, seed: u64) -> Vec<u16> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            let v = xorshift(&mut s);
            if v % 100 == 0 {
                0
            } else {
                (1 + v % 10000) as u16
            }
        })
        .collect()
}

fn write_u16(path: &Path, w: u32, h: u32, data: &[u16]) {
    let mut enc = TiffEncoder::new(std::fs::File::create(path).unwrap()).unwrap();
    let mut img = enc.new_image::<Gray16>(w, h).unwrap();
    img.encoder().write_tag(Tag::GdalNodata, "0").unwrap();
    img.rows_per_strip(64).unwrap();
    img.write_data(data).unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let quick = std::env::var("CLIMIDX_BENCH_QUICK").is_ok();
    let args: Vec<String> = std::env::args().collect();
    let size: u32 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 2048 } else { 10980 });
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let n = size as usize * size as usize;
    let mpix = n as f64 / 1e6;
    println!(
        "NDVI {size}x{size} uint16 ({mpix:.1} Mpix), median of {rounds} rounds, {} CPU threads",
        rayon::current_num_threads()
    );

    let instance = adapter::instance();
    let mut adapters = adapter::enumerate(&instance);
    let summaries: Vec<AdapterSummary> = adapters.iter().map(AdapterSummary::of).collect();
    let mut contexts: Vec<(String, GpuContext)> = Vec::new();
    for choice in [DeviceChoice::Gpu, DeviceChoice::Software] {
        if let Ok(Some(i)) = adapter::pick(&summaries, choice, None) {
            let label = format!("{:?}: {}", choice, summaries[i].one_line()).to_lowercase();
            let a = adapters.remove(i);
            adapters.insert(i, a.clone());
            contexts.push((label, GpuContext::new(a).expect("device")));
        }
    }
    for (label, _) in &contexts {
        println!("adapter {label}");
    }

    let red = PackedBand::from_u16(&band(n, 0x1234_5678));
    let nir = PackedBand::from_u16(&band(n, 0x9abc_def0));
    let p = BandParams::new(DataType::U16, NodataMatch::RawBits(0), 1.0, 0.0);
    let mut bands: [Option<(BandParams, &PackedBand)>; ROLE_SLOTS] = [None; ROLE_SLOTS];
    bands[Role::Red.slot()] = Some((p, &red));
    bands[Role::Nir.slot()] = Some((p, &nir));
    let ndvi = indices::find("ndvi").unwrap();
    let nan = f32::NAN.to_bits();

    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let reference = compute_in_memory(
        Backend::Cpu,
        &[ndvi],
        &[[0.0; MAX_CONSTS]],
        &bands,
        nan,
        None,
        false,
    )
    .unwrap();
    let diff = |o: &[f32]| -> f64 {
        o.iter()
            .zip(&reference[0])
            .map(|(a, b)| {
                if a.is_nan() && b.is_nan() {
                    0.0
                } else {
                    (a - b).abs() as f64
                }
            })
            .fold(0.0, f64::max)
    };

    println!(
        "\n{:<72} {:>9} {:>9} {:>10} {:>12}",
        "in memory (windows through the kernel, output buffer reused)",
        "seconds",
        "Mpix/s",
        "vs CPU",
        "max|diff|"
    );
    let mut results: Vec<(String, f64, f64)> = Vec::new();
    let mut out = [vec![0f32; n]];
    let mut time = |label: String, backend: Backend, pool: Option<&rayon::ThreadPool>| {
        let mut t = Vec::new();
        for r in 0..=rounds {
            let s = Instant::now();
            let mut o: Vec<&mut [f32]> = out.iter_mut().map(|o| &mut o[..]).collect();
            let mut run = || {
                compute_into(
                    backend,
                    &[ndvi],
                    &[[0.0; MAX_CONSTS]],
                    &bands,
                    nan,
                    None,
                    false,
                    &mut o,
                )
                .unwrap()
            };
            match pool {
                Some(p) => p.install(run),
                None => run(),
            }
            if r > 0 {
                // round 0 is the warm-up (pipeline creation, first touch of buffers)
                t.push(s.elapsed().as_secs_f64());
            }
        }
        results.push((label, median(t), diff(&out[0])));
    };
    time("cpu (all threads)".into(), Backend::Cpu, None);
    time("cpu (1 thread)".into(), Backend::Cpu, Some(&one));
    for (label, ctx) in &contexts {
        time(label.clone(), Backend::Gpu(ctx), None);
    }
    let cpu_t = results[0].1;
    for (l, t, d) in &results {
        println!(
            "{:<72} {:>9.3} {:>9.0} {:>9.2}x {:>12.2e}",
            l,
            t,
            mpix / t,
            cpu_t / t,
            d
        );
    }

    // File to file.
    // CLIMIDX_BENCH_DIR keeps the generated inputs there (to rerun the CLI on them).
    let keep = std::env::var_os("CLIMIDX_BENCH_DIR");
    let dir = match &keep {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("climidx-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let (rp, np) = (dir.join("red.tif"), dir.join("nir.tif"));
    write_u16(
        &rp,
        size,
        size,
        bytemuck::cast_slice::<u32, u16>(&red.words)[..n].as_ref(),
    );
    write_u16(
        &np,
        size,
        size,
        bytemuck::cast_slice::<u32, u16>(&nir.words)[..n].as_ref(),
    );
    drop((red, nir));
    let job = |out: &str| IndexJob {
        indices: vec![ndvi],
        constants: vec![[0.0; MAX_CONSTS]],
        bands: vec![
            BandSource::new(Role::Red, rp.clone(), 1),
            BandSource::new(Role::Nir, np.clone(), 1),
        ],
        scale: 1.0,
        offset: 0.0,
        nodata: None,
        out_nodata: f64::NAN,
        output: dir.join(out),
        overwrite: true,
        window_pixels: None,
        mem_limit: 256 << 20,
        metadata: Vec::new(),
    };
    println!(
        "\n{:<72} {:>9} {:>9} {:>10}   read/compute/write s",
        "file to file (uncompressed u16 strips -> float32 GeoTIFF)", "seconds", "Mpix/s", "vs CPU"
    );
    let mut backends: Vec<(String, Backend)> = vec![("cpu (all threads)".into(), Backend::Cpu)];
    for (label, ctx) in &contexts {
        backends.push((label.clone(), Backend::Gpu(ctx)));
    }
    let mut cpu_file = 0.0;
    for (label, b) in backends {
        let _ = run_index_job(&job("warm.tif"), b).unwrap();
        let mut t = Vec::new();
        let mut last = None;
        for _ in 0..rounds {
            let r = run_index_job(&job("out.tif"), b).unwrap();
            t.push(r.total.as_secs_f64());
            last = Some(r);
        }
        let m = median(t);
        if cpu_file == 0.0 {
            cpu_file = m;
        }
        let r = last.unwrap();
        println!(
            "{:<72} {:>9.3} {:>9.0} {:>9.2}x   {:.2}/{:.2}/{:.2}",
            label,
            m,
            mpix / m,
            cpu_file / m,
            r.read.as_secs_f64(),
            r.compute.as_secs_f64(),
            r.write.as_secs_f64()
        );
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
