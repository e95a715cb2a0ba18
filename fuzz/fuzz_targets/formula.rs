//! Any text as a formula: `Program::compile` with the ASI default scope (what `climidx expr`
//! uses), then, when it compiles, the CPU evaluator per pixel and in blocks (which must agree
//! bit for bit, and give a finite value or nodata) and the WGSL function, which naga must accept
//! inside the whole kernel.
#![no_main]

use climidx::kernels::expr::{BandScope, Program};
use climidx::kernels::samples::DataType;
use climidx::kernels::wgsl::kernel_source;
use climidx::kernels::{Family, IndexDesc, ROLE_SLOTS};
use libfuzzer_sys::fuzz_target;
use wgpu::naga;

/// Valid samples: zero, ordinary reflectances, a negative, a subnormal, a huge value.
const SAMPLES: [f32; 7] = [0.0, 0.25, 0.75, -0.5, 3.0e-39, 1.0e30, 2.0];

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let scope = BandScope::with_asi_defaults(&[]);
    let Ok(p) = Program::compile(src, &scope) else {
        return;
    };
    // Band i of pixel k is SAMPLES[(k + i) % len]: every band sees every sample.
    let n = SAMPLES.len();
    let columns: Vec<Vec<f32>> = (0..p.roles.len())
        .map(|i| (0..n).map(|k| SAMPLES[(k + i) % n]).collect())
        .collect();
    let refs: Vec<&[f32]> = columns.iter().map(|c| &c[..]).collect();
    let mut out = vec![0f32; n];
    p.eval_batch(&refs, &mut out);
    for (k, &batch) in out.iter().enumerate() {
        let args: Vec<f32> = columns.iter().map(|c| c[k]).collect();
        let px = p.eval_px(&args);
        assert_eq!(px.valid, !batch.is_nan(), "{src:?} at {args:?}");
        if px.valid {
            assert!(px.value.is_finite(), "{src:?} at {args:?}: {}", px.value);
            assert_eq!(px.value.to_bits(), batch.to_bits(), "{src:?} at {args:?}");
        }
    }
    let f = p.wgsl_function("fuzz_formula");
    assert!(f.starts_with("// "), "{f}");
    // named by its formula, as `climidx expr` names it
    let desc = IndexDesc::from_program(src, "formula", Family::Expression, p, "");
    let wgsl = kernel_source(&[desc], &[Some(DataType::F32); ROLE_SLOTS]);
    let module = naga::front::wgsl::parse_str(&wgsl)
        .unwrap_or_else(|e| panic!("{src:?}: {}", e.emit_to_string(&wgsl)));
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{src:?}: {}", e.emit_to_string(&wgsl)));
});
