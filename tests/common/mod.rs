//! Shared test helpers: the shared GPU context (loud skip, strict in CI), deterministic random
//! data, comparison with per-index tolerance, fixture paths and optional GDAL tools.
#![allow(dead_code)]

pub mod data;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use climidx::gpu::{adapter, AdapterSummary, DeviceChoice, GpuContext};
use climidx::indices::{IndexDesc, Px};

/// One device for the whole test binary (created once, as in the product).
pub fn gpu_or_skip(test: &str) -> Option<&'static GpuContext> {
    static CTX: OnceLock<Option<GpuContext>> = OnceLock::new();
    let ctx = CTX.get_or_init(|| {
        let instance = adapter::instance();
        let mut adapters = adapter::enumerate(&instance);
        let summaries: Vec<AdapterSummary> = adapters.iter().map(AdapterSummary::of).collect();
        // Prefer the software adapter (what CI runs), else any hardware GPU.
        let pick = adapter::pick(&summaries, DeviceChoice::Software, None)
            .ok()
            .flatten()
            .or_else(|| {
                adapter::pick(&summaries, DeviceChoice::Gpu, None)
                    .ok()
                    .flatten()
            });
        let ctx = pick.map(|i| GpuContext::new(adapters.swap_remove(i)).expect("device creation"));
        if let Some(c) = &ctx {
            eprintln!("GPU tests run on: {}", c.summary.one_line());
        }
        ctx
    });
    match ctx {
        Some(c) => Some(c),
        None if std::env::var("CLIMIDX_REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!(
                "CLIMIDX_REQUIRE_GPU=1 but no wgpu adapter was found (install mesa-vulkan-drivers)"
            )
        }
        None => {
            eprintln!("SKIPPED (no adapter): {test}");
            None
        }
    }
}

/// True when the shared adapter is a software one (tests that run `--device software`);
/// otherwise a loud skip.
pub fn software_or_skip(test: &str) -> bool {
    match gpu_or_skip(test) {
        Some(c) if c.summary.is_software() => true,
        Some(c) => {
            eprintln!(
                "SKIPPED (adapter {} is not a software adapter): {test}",
                c.summary.name
            );
            false
        }
        None => false,
    }
}

/// xorshift64*: deterministic, dependency-free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
}

/// Compare one output of `d` pixel by pixel: nodata masks exactly, values within tolerance.
/// `nodata_bits` is the output nodata pattern.
pub fn assert_matches(
    d: &IndexDesc,
    gpu: &[f32],
    cpu: &[f32],
    nodata_bits: u32,
    context: &dyn Fn(usize) -> String,
) {
    assert_eq!(gpu.len(), cpu.len());
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let (gn, cn) = (g.to_bits() == nodata_bits, c.to_bits() == nodata_bits);
        assert_eq!(
            gn,
            cn,
            "{}: nodata mismatch at {i} ({}): gpu {g:?} cpu {c:?}",
            d.name,
            context(i)
        );
        if !cn {
            assert!(
                d.tolerance.accepts(g, c),
                "{}: value mismatch at {i} ({}): gpu {g} cpu {c} diff {} tol {:?}",
                d.name,
                context(i),
                (g - c).abs(),
                d.tolerance
            );
        }
    }
}

pub fn px_value(p: Px) -> Option<f32> {
    p.valid.then_some(p.value)
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn asset(rel: &str) -> PathBuf {
    repo().join("assets").join(rel)
}

/// A fresh temporary directory under target/ (kept on failure for inspection).
pub fn tempdir(name: &str) -> PathBuf {
    let d = repo()
        .join("target")
        .join("test-tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Path of a GDAL command-line tool, or a loud skip (a panic when CLIMIDX_REQUIRE_GDAL=1).
pub fn gdal_tool(tool: &str, test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(tool))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if std::env::var("CLIMIDX_REQUIRE_GDAL").as_deref() == Ok("1") => {
            panic!("CLIMIDX_REQUIRE_GDAL=1 but {tool} is not installed (apt-get install gdal-bin)")
        }
        None => {
            eprintln!("SKIPPED (no {tool}): {test}");
            None
        }
    }
}

pub fn run_ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{:?} failed: {}\n{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
