//! Shared test helpers: the shared GPU context (loud skip, strict in CI), deterministic random
//! data, comparison with per-index tolerance, fixture paths and optional GDAL tools.

pub mod data;
pub mod http;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use climidx::engine::gpu::{adapter, AdapterSummary, DeviceChoice, GpuContext};
use climidx::kernels::{IndexDesc, IndexRef};

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

/// Run the climidx binary (from the repository root).
pub fn climidx(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_climidx"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("run climidx")
}

/// Run climidx, assert success, return stdout.
pub fn ok(args: &[&str]) -> String {
    let o = climidx(args);
    assert!(
        o.status.success(),
        "climidx {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run climidx, assert exit `code`, one `climidx: error` line containing `needle`; return
/// stderr.
pub fn fails(args: &[&str], code: i32, needle: &str) -> String {
    let o = climidx(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "climidx {args:?}: {err}");
    assert!(
        err.contains(needle),
        "climidx {args:?}: {err:?} lacks {needle:?}"
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("climidx: error"))
            .count(),
        1,
        "{err}"
    );
    err
}

/// Every band of a 32-bit file as f32 values (raw bits; NaN stays NaN).
pub fn read_f32(path: &Path) -> Vec<Vec<f32>> {
    use climidx::io::geotiff::reader::GeoTiffReader;
    use climidx::kernels::samples::PackedBand;
    let mut r = GeoTiffReader::open(path).unwrap();
    let info = r.info().clone();
    let bands: Vec<u16> = (0..info.bands).collect();
    let mut packed: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
    let w = info.full();
    r.read_window(w, &bands, &vec![None; bands.len()], &mut packed)
        .unwrap();
    packed
        .iter()
        .map(|p| p.words.iter().map(|&b| f32::from_bits(b)).collect())
        .collect()
}

/// Parse and validate WGSL with naga (the same naga wgpu uses); panics with the diagnostic.
pub fn naga_validate(src: &str) -> wgpu::naga::Module {
    use wgpu::naga;
    let module =
        naga::front::wgsl::parse_str(src).unwrap_or_else(|e| panic!("{}", e.emit_to_string(src)));
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{}", e.emit_to_string(src)));
    module
}

/// `descs` fused in one pass give the same bits as each alone (in other windows), on `backend`.
pub fn assert_fused_equals_separate(
    backend: climidx::engine::Backend<'_>,
    descs: &[IndexRef],
    bands: &[Option<(
        climidx::kernels::abi::BandParams,
        &climidx::kernels::samples::PackedBand,
    )>; climidx::kernels::ROLE_SLOTS],
) {
    use climidx::engine::compute_in_memory;
    let nan = f32::NAN.to_bits();
    let k: Vec<climidx::kernels::Consts> = descs.iter().map(|d| d.default_constants()).collect();
    let fused = compute_in_memory(backend, descs, &k, bands, nan, None, true).unwrap();
    for (j, d) in descs.iter().enumerate() {
        let alone = compute_in_memory(
            backend,
            std::slice::from_ref(d),
            &[k[j]],
            bands,
            nan,
            Some(96),
            true,
        )
        .unwrap();
        let a: Vec<u32> = alone[0].iter().map(|v| v.to_bits()).collect();
        let f: Vec<u32> = fused[j].iter().map(|v| v.to_bits()).collect();
        assert_eq!(a, f, "{}: fused and separate passes differ", d.name);
    }
}

/// The native fast path (`cpu::run_window`) equals the shader-mirroring reference
/// (`cpu::run_window_reference`) bit for bit on `case`, for each output nodata pattern.
pub fn assert_fast_equals_reference(descs: &[IndexRef], case: &data::Case, nodata: &[u32]) {
    use climidx::kernels::abi::BandParams;
    let k: Vec<climidx::kernels::Consts> = descs.iter().map(|d| d.default_constants()).collect();
    let params: Vec<Option<BandParams>> = case
        .data
        .iter()
        .map(|b| {
            b.as_ref()
                .map(|_| BandParams::new(case.dtype, case.nodata, case.scale, case.offset))
        })
        .collect();
    let bands: [climidx::kernels::cpu::RoleBand<'_>; climidx::kernels::ROLE_SLOTS] =
        std::array::from_fn(|s| {
            params[s]
                .as_ref()
                .zip(case.data[s].as_ref())
                .map(|(p, b)| (p, &b.words[..]))
        });
    let pixels = case
        .data
        .iter()
        .flatten()
        .next()
        .map(|b| b.pixels)
        .unwrap_or(0);
    for &nd in nodata {
        let mut fast = vec![vec![0.0f32; pixels]; descs.len()];
        let mut reference = vec![vec![1.0f32; pixels]; descs.len()];
        let mut f: Vec<&mut [f32]> = fast.iter_mut().map(|o| &mut o[..]).collect();
        climidx::kernels::cpu::run_window(descs, &k, &bands, pixels, nd, &mut f);
        let mut r: Vec<&mut [f32]> = reference.iter_mut().map(|o| &mut o[..]).collect();
        climidx::kernels::cpu::run_window_reference(descs, &k, &bands, pixels, nd, &mut r);
        for (j, d) in descs.iter().enumerate() {
            if let Some(i) =
                (0..pixels).find(|&i| fast[j][i].to_bits() != reference[j][i].to_bits())
            {
                panic!(
                    "{} {:?}: pixel {i}: fast {:?} reference {:?}",
                    d.name, case.dtype, fast[j][i], reference[j][i]
                );
            }
        }
    }
}

/// Band 1 of `path` decoded as the engine sees it (`value · scale`), NaN where invalid; the
/// file's GDAL_NODATA counts as invalid when `use_nodata`.
pub fn read_band_f64(path: &Path, scale: f64, use_nodata: bool) -> Vec<f64> {
    use climidx::io::geotiff::reader::GeoTiffReader;
    use climidx::kernels::abi::{fetch, BandParams};
    use climidx::kernels::samples::NodataMatch;
    use climidx::kernels::samples::PackedBand;
    let mut r = GeoTiffReader::open(path).unwrap();
    let info = r.info().clone();
    let nodata = if use_nodata { info.nodata } else { None };
    let mut p = vec![PackedBand::new(info.dtype)];
    let w = info.full();
    r.read_window(w, &[0], &[nodata], &mut p).unwrap();
    let bp = BandParams::new(
        info.dtype,
        NodataMatch::for_band(info.dtype, nodata),
        scale as f32,
        0.0,
    );
    (0..(info.width * info.height) as usize)
        .map(|i| {
            let s = fetch(&bp, &p[0].words, i);
            if s.valid {
                s.value as f64
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Every file below `dir`, recursively.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(files_below(&p));
        } else {
            v.push(p);
        }
    }
    v
}

/// The 40 dated GeoTIFFs of tests/fixtures/series (the series passes' shared stack), sorted.
pub fn series_stack() -> Vec<String> {
    let dir = repo().join("tests/fixtures/series");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    assert_eq!(v.len(), 40);
    v
}
