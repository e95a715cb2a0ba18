//! Criterion benchmarks of the kernels, per index and size:
//! `cpu_reference` (the shader-mirroring specification), `cpu_fast` (the `--device cpu` path),
//! `gpu_end_to_end` (upload + dispatch + readback, windowed) and `gpu_resident` (one dispatch
//! over data already on the device). `CLIMIDX_BENCH_QUICK=1` shrinks the sizes so CI can check
//! the benches still run. `climidx bench` is the end-to-end, file-to-file, peer-comparing
//! counterpart; see benches/README.md.

use std::time::Duration;

use climidx::cli::bench::synthetic_band;
use climidx::engine::gpu::{adapter, AdapterSummary, DeviceChoice, GpuContext};
use climidx::engine::{compute_into, Backend, Processor};
use climidx::kernels::abi::BandParams;
use climidx::kernels::samples::PackedBand;
use climidx::kernels::samples::{DataType, NodataMatch};
use climidx::kernels::{builtins, Consts, Family, Role, ROLE_SLOTS};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn device() -> Option<GpuContext> {
    let instance = adapter::instance();
    let adapters = adapter::enumerate(&instance);
    let s: Vec<AdapterSummary> = adapters.iter().map(AdapterSummary::of).collect();
    let i = adapter::pick(&s, DeviceChoice::Gpu, None)
        .ok()
        .flatten()
        .or_else(|| {
            adapter::pick(&s, DeviceChoice::Software, None)
                .ok()
                .flatten()
        })?;
    let ctx = GpuContext::new(adapters[i].clone()).ok()?;
    eprintln!("benches: adapter {}", ctx.summary.one_line());
    Some(ctx)
}

fn kernels(c: &mut Criterion) {
    let quick = std::env::var_os("CLIMIDX_BENCH_QUICK").is_some();
    let sizes: &[usize] = if quick { &[256] } else { &[1024, 4096] };
    let ctx = device();
    if ctx.is_none() {
        eprintln!("benches: no adapter, GPU benchmarks skipped");
    }
    let nan = f32::NAN.to_bits();
    for d in builtins().iter().filter(|d| d.family == Family::Vegetation) {
        let idx = [d.clone()];
        let k: [Consts; 1] = [d.default_constants()];
        let mut group = c.benchmark_group(d.name.as_ref());
        group
            .measurement_time(Duration::from_secs(if quick { 1 } else { 3 }))
            .sample_size(10);
        for &side in sizes {
            let n = side * side;
            group.throughput(Throughput::Elements(n as u64));
            let packed: Vec<PackedBand> = Role::ALL
                .iter()
                .map(|r| PackedBand::from_u16(&synthetic_band(n, 17 + r.slot() as u64)))
                .collect();
            let p = BandParams::new(DataType::U16, NodataMatch::RawBits(0), 0.0001, 0.0);
            let bands: [Option<(BandParams, &PackedBand)>; ROLE_SLOTS] = std::array::from_fn(|s| {
                (s < Role::ALL.len() && d.roles.iter().any(|r| r.slot() == s))
                    .then(|| (p, &packed[s]))
            });
            let mut out = vec![0f32; n];
            let size = format!("{side}x{side}");
            group.bench_function(BenchmarkId::new("cpu_reference", &size), |b| {
                let rb: [climidx::kernels::cpu::RoleBand<'_>; ROLE_SLOTS] =
                    std::array::from_fn(|s| bands[s].as_ref().map(|(p, b)| (p, &b.words[..])));
                b.iter(|| {
                    climidx::kernels::cpu::run_window_reference(
                        &idx,
                        &k,
                        &rb,
                        n,
                        nan,
                        &mut [&mut out[..]],
                    )
                })
            });
            group.bench_function(BenchmarkId::new("cpu_fast", &size), |b| {
                b.iter(|| {
                    compute_into(
                        Backend::Cpu,
                        &idx,
                        &k,
                        &bands,
                        nan,
                        None,
                        false,
                        &mut [&mut out[..]],
                    )
                    .unwrap()
                })
            });
            if let Some(ctx) = &ctx {
                group.bench_function(BenchmarkId::new("gpu_end_to_end", &size), |b| {
                    b.iter(|| {
                        compute_into(
                            Backend::Gpu(ctx),
                            &idx,
                            &k,
                            &bands,
                            nan,
                            None,
                            false,
                            &mut [&mut out[..]],
                        )
                        .unwrap()
                    })
                });
                let params: [Option<BandParams>; ROLE_SLOTS] =
                    std::array::from_fn(|s| bands[s].map(|(p, _)| p));
                if let Ok(Processor::Gpu(mut runner)) =
                    Processor::new(Backend::Gpu(ctx), &idx, &k, &params, nan, n)
                {
                    let data: [Option<&[u32]>; ROLE_SLOTS] =
                        std::array::from_fn(|s| bands[s].map(|(_, b)| &b.words[..]));
                    runner.run(&data, n, &mut [&mut out[..]]).unwrap();
                    group.bench_function(BenchmarkId::new("gpu_resident", &size), |b| {
                        b.iter_custom(|iters| {
                            (0..iters).map(|_| runner.time_resident(n).unwrap()).sum()
                        })
                    });
                }
            }
        }
        group.finish();
    }
}

criterion_group!(benches, kernels);
criterion_main!(benches);
