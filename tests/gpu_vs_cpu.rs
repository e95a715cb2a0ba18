//! GPU kernels against the CPU reference, for every registry index, on odd shapes, every input
//! sample type, injected nodata, zero denominators, uint16 extremes, several forced windows and
//! poisoned output buffers. Runs on the software adapter in CI (CLIMIDX_REQUIRE_GPU=1).

use crate::common;

use climidx::engine::gpu::runner::POISON_BITS;
use climidx::engine::{compute_in_memory, Backend};
use climidx::kernels::abi::BandParams;
use climidx::kernels::samples::PackedBand;
use climidx::kernels::samples::{DataType, NodataMatch};
use climidx::kernels::{self, builtins, Consts, IndexRef, Role, MAX_CONSTS, ROLE_SLOTS};
use common::data::{bands_of, pack, random_case, Case};
use common::{assert_matches, gpu_or_skip, Rng};

const NAN_BITS: u32 = 0x7fc0_0000;

fn check(c: &Case, indices: &[IndexRef], window: Option<usize>, out_nodata_bits: u32, test: &str) {
    let Some(ctx) = gpu_or_skip(test) else { return };
    let k: Vec<Consts> = indices.iter().map(|d| d.default_constants()).collect();
    let bands = bands_of(c);
    let gpu = compute_in_memory(
        Backend::Gpu(ctx),
        indices,
        &k,
        &bands,
        out_nodata_bits,
        window,
        true,
    )
    .unwrap();
    let cpu = compute_in_memory(
        Backend::Cpu,
        indices,
        &k,
        &bands,
        out_nodata_bits,
        window,
        true,
    )
    .unwrap();
    for (j, d) in indices.iter().enumerate() {
        assert!(
            gpu[j].iter().all(|v| v.to_bits() != POISON_BITS),
            "{}: unwritten GPU pixel ({test})",
            d.name
        );
        assert!(
            cpu[j].iter().all(|v| v.to_bits() != POISON_BITS),
            "{}: unwritten CPU pixel ({test})",
            d.name
        );
        let w = c.width;
        assert_matches(d, &gpu[j], &cpu[j], out_nodata_bits, &|i| {
            format!("{test}, x {} y {}, {:?}", i % w, i / w, c.dtype)
        });
    }
}

#[test]
fn every_index_matches_cpu_on_odd_shapes() {
    let all: Vec<IndexRef> = builtins().to_vec();
    for (w, h) in [(1, 1), (17, 13), (256, 3), (3, 1), (1, 7)] {
        let c = random_case(w as u64 * 31 + h as u64, DataType::U16, w, h);
        check(&c, &all, None, NAN_BITS, &format!("{w}x{h}"));
    }
}

#[test]
fn every_index_matches_cpu_across_many_windows() {
    // 97x61 with at most 200 px per window: 30 windows, none aligned to rows or words.
    let all: Vec<IndexRef> = builtins().to_vec();
    let c = random_case(7, DataType::U16, 97, 61);
    check(
        &c,
        &all,
        Some(200),
        (-9999.0f32).to_bits(),
        "97x61 windows of 200 px",
    );
}

#[test]
fn every_sample_type_matches_cpu() {
    let some = ["ndvi", "evi", "msavi2", "savi"].map(|n| kernels::find(n).unwrap());
    for (n, dt) in DataType::ALL.into_iter().enumerate() {
        let c = random_case(100 + n as u64, dt, 33, 9);
        check(&c, &some, Some(64), NAN_BITS, &format!("{dt:?}"));
    }
}

#[test]
fn zero_denominators_give_nodata_on_both_paths() {
    // Small integers with scale 1: many exact zero denominators for every index (N = R = 0,
    // EVI's N + 6R - 7.5B + 1 = 0 at N=14, R=0, B=2), and negative values for MSAVI2.
    let mut rng = Rng::new(5);
    let pixels = 41 * 11;
    let data: Vec<Option<PackedBand>> = (0..ROLE_SLOTS)
        .map(|s| {
            (s < Role::ALL.len()).then(|| {
                let vals: Vec<f64> = (0..pixels)
                    .map(|i| match (i % 5, s) {
                        (0, _) => 0.0,
                        (1, 0) => 2.0,  // blue
                        (1, 2) => 0.0,  // red
                        (1, 3) => 14.0, // nir
                        _ => rng.below(5) as f64 - 1.0,
                    })
                    .collect();
                pack(DataType::I16, &vals)
            })
        })
        .collect();
    let c = Case {
        dtype: DataType::I16,
        nodata: NodataMatch::None,
        scale: 1.0,
        offset: 0.0,
        data,
        width: 41,
    };
    let all: Vec<IndexRef> = builtins().to_vec();
    // The CPU reference itself: every normalized difference is 0/0 where all bands are 0
    // (EVI, EVI2 and SAVI have an additive L there, MSAVI2 and the anomaly `diff` no division);
    // for z-score, percent, VCI and TCI all-zero inputs mean std = 0, mean = 0, max = min.
    let k: Vec<Consts> = all.iter().map(|d| d.default_constants()).collect();
    let cpu =
        compute_in_memory(Backend::Cpu, &all, &k, &bands_of(&c), NAN_BITS, None, true).unwrap();
    for (j, d) in all.iter().enumerate() {
        if d.constants.is_empty() && !["msavi2", "diff"].contains(&d.name.as_ref()) {
            assert_eq!(
                cpu[j][0].to_bits(),
                NAN_BITS,
                "{}: 0/0 must be nodata",
                d.name
            );
        }
        let evi = kernels::find("evi").unwrap();
        if d.name == evi.name {
            assert_eq!(
                cpu[j][1].to_bits(),
                NAN_BITS,
                "evi: zero denominator at N=14,R=0,B=2"
            );
        }
    }
    check(&c, &all, Some(100), NAN_BITS, "zero denominators");
}

#[test]
fn fused_pass_equals_separate_passes() {
    let Some(ctx) = gpu_or_skip("fused_pass_equals_separate_passes") else {
        return;
    };
    let c = random_case(11, DataType::U16, 50, 20);
    let bands = bands_of(&c);
    let all: Vec<IndexRef> = builtins().to_vec();
    for backend in [Backend::Gpu(ctx), Backend::Cpu] {
        common::assert_fused_equals_separate(backend, &all, &bands);
    }
}

#[test]
fn uint16_extremes_are_exact() {
    // N = R = 65535 (sum 131070 must not overflow): NDVI 0; N = 65535, R = 1: (65534/65536).
    let Some(ctx) = gpu_or_skip("uint16_extremes_are_exact") else {
        return;
    };
    let red = PackedBand::from_u16(&[65535, 1, 65535, 0]);
    let nir = PackedBand::from_u16(&[65535, 65535, 0, 0]);
    let p = BandParams::new(DataType::U16, NodataMatch::None, 1.0, 0.0);
    let mut bands: [Option<(BandParams, &PackedBand)>; ROLE_SLOTS] = [None; ROLE_SLOTS];
    bands[Role::Red.slot()] = Some((p, &red));
    bands[Role::Nir.slot()] = Some((p, &nir));
    let ndvi = kernels::find("ndvi").unwrap();
    for backend in [Backend::Gpu(ctx), Backend::Cpu] {
        let out = compute_in_memory(
            backend,
            std::slice::from_ref(&ndvi),
            &[[0.0; MAX_CONSTS]],
            &bands,
            NAN_BITS,
            None,
            true,
        )
        .unwrap();
        assert_eq!(out[0][0], 0.0);
        assert!(
            (out[0][1] - 65534.0 / 65536.0).abs() < 1e-7,
            "{}",
            out[0][1]
        );
        assert_eq!(out[0][2], -1.0);
        assert_eq!(out[0][3].to_bits(), NAN_BITS);
    }
}

#[test]
fn window_size_does_not_change_output_bits() {
    let Some(ctx) = gpu_or_skip("window_size_does_not_change_output_bits") else {
        return;
    };
    let c = random_case(3, DataType::U8, 29, 17);
    let bands = bands_of(&c);
    let d = [
        kernels::find("evi").unwrap(),
        kernels::find("ndwi").unwrap(),
    ];
    let k: Vec<Consts> = d.iter().map(|d| d.default_constants()).collect();
    let base = compute_in_memory(Backend::Gpu(ctx), &d, &k, &bands, NAN_BITS, None, false).unwrap();
    for w in [4, 8, 28, 100, 492] {
        let o =
            compute_in_memory(Backend::Gpu(ctx), &d, &k, &bands, NAN_BITS, Some(w), true).unwrap();
        for j in 0..2 {
            let a: Vec<u32> = base[j].iter().map(|v| v.to_bits()).collect();
            let b: Vec<u32> = o[j].iter().map(|v| v.to_bits()).collect();
            assert_eq!(a, b, "window {w}");
        }
    }
}

#[test]
fn adapter_is_the_expected_one() {
    // CI sets CLIMIDX_EXPECT_ADAPTER=vulkan-cpu: catch wgpu's silent fallback to GL llvmpipe.
    let Some(ctx) = gpu_or_skip("adapter_is_the_expected_one") else {
        return;
    };
    eprintln!("adapter: {}", ctx.summary.one_line());
    if let Ok(expect) = std::env::var("CLIMIDX_EXPECT_ADAPTER") {
        let (backend, ty) = expect
            .split_once('-')
            .expect("CLIMIDX_EXPECT_ADAPTER=BACKEND-TYPE");
        assert_eq!(
            format!("{:?}", ctx.summary.backend).to_lowercase(),
            backend,
            "backend"
        );
        assert_eq!(
            format!("{:?}", ctx.summary.device_type).to_lowercase(),
            ty,
            "device type"
        );
    }
    // CI runs the suite again with CLIMIDX_GPU_TRANSFER=staging: the transfer hardware GPUs
    // use must then really be the one running.
    match std::env::var("CLIMIDX_GPU_TRANSFER").as_deref() {
        Ok("staging") => assert!(!ctx.mappable, "staging transfer asked for, mapped in use"),
        Ok("mapped") => assert!(ctx.mappable, "mapped transfer asked for, staging in use"),
        _ => {}
    }
    eprintln!(
        "transfer: {}",
        if ctx.mappable { "mapped" } else { "staging" }
    );
}

#[test]
fn fast_cpu_path_equals_the_reference_bit_for_bit() {
    // The native path (`--device cpu`) against the shader-mirroring reference, every index and
    // sample type, with nodata, NaN/inf and zero denominators as in the random cases.
    let all: Vec<IndexRef> = builtins().to_vec();
    for (n, dt) in DataType::ALL.into_iter().enumerate() {
        let c = random_case(500 + n as u64, dt, 301, 157); // several parallel chunks
        common::assert_fast_equals_reference(&all, &c, &[NAN_BITS, (-9999.0f32).to_bits()]);
    }
}

#[test]
fn the_largest_planned_window_fits_the_device_for_any_number_of_outputs() {
    // window_capacity must leave room for the runner's 256-byte rounding of every band region
    // and every output stride (a 12-output plan once overflowed the 128 MiB binding by 1 KiB).
    let Some(ctx) =
        gpu_or_skip("the_largest_planned_window_fits_the_device_for_any_number_of_outputs")
    else {
        return;
    };
    let all: Vec<IndexRef> = builtins().to_vec();
    for n in [1, 5, 12, all.len()] {
        let idx = &all[..n];
        let k: Vec<Consts> = idx.iter().map(|d| d.default_constants()).collect();
        let roles = climidx::kernels::registry::roles_used(idx);
        let dtypes = vec![DataType::U8; roles.len()];
        let cap = climidx::engine::window_capacity(Backend::Gpu(ctx), &dtypes, n, usize::MAX / 2);
        let bands: [Option<BandParams>; ROLE_SLOTS] = std::array::from_fn(|s| {
            roles
                .iter()
                .any(|r| r.slot() == s)
                .then(|| BandParams::new(DataType::U8, NodataMatch::None, 1.0, 0.0))
        });
        let p = climidx::engine::Processor::new(Backend::Gpu(ctx), idx, &k, &bands, NAN_BITS, cap);
        assert!(p.is_ok(), "{n} outputs, {cap} px: {:?}", p.err());
        // and the statistics partials fit beside the outputs
        let ranges = vec![(-1.0f32, 1.0f32); n];
        let s = p.unwrap().enable_stats(&ranges);
        assert!(
            s.is_ok(),
            "{n} outputs with --stats, {cap} px: {:?}",
            s.err()
        );
    }
}

#[test]
fn a_missing_band_is_an_error_not_a_panic() {
    let ndvi = kernels::find("ndvi").unwrap();
    let red = PackedBand::from_u16(&[1, 2, 3]);
    let mut bands: [Option<(BandParams, &PackedBand)>; ROLE_SLOTS] = [None; ROLE_SLOTS];
    bands[Role::Red.slot()] = Some((
        BandParams::new(DataType::U16, NodataMatch::None, 1.0, 0.0),
        &red,
    ));
    let e = compute_in_memory(
        Backend::Cpu,
        std::slice::from_ref(&ndvi),
        &[ndvi.default_constants()],
        &bands,
        NAN_BITS,
        None,
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("needs the 'nir' band"), "{e}");
}

#[test]
fn masks_make_every_output_nodata_on_both_paths() {
    use climidx::kernels::abi::{MASK_BITS, MASK_CLASSES};
    let Some(ctx) = gpu_or_skip("masks_make_every_output_nodata_on_both_paths") else {
        return;
    };
    let c = random_case(21, DataType::U16, 61, 17);
    let pixels = 61 * 17;
    // the mask band: QA_PIXEL-like bit flags, or SCL-like classes 0..15
    let qa: Vec<f64> = (0..pixels).map(|i| ((i * 7) % 64) as f64).collect();
    let scl: Vec<f64> = (0..pixels).map(|i| (i % 16) as f64).collect();
    let all = [
        kernels::find("ndvi").unwrap(),
        kernels::find("evi").unwrap(),
    ];
    let k: Vec<Consts> = all.iter().map(|d| d.default_constants()).collect();
    for (vals, mode, bits) in [
        (&qa, MASK_BITS, 0x18u32),
        (&scl, MASK_CLASSES, (1 << 3) | (1 << 8) | (1 << 9)),
    ] {
        let mask = pack(DataType::U16, vals);
        let mut mp = BandParams::new(DataType::U16, NodataMatch::None, 1.0, 0.0);
        mp.mask_mode = mode;
        mp.mask_bits = bits;
        let mut bands = bands_of(&c);
        bands[Role::Mask.slot()] = Some((mp, &mask));
        let mut unmasked = bands_of(&c);
        unmasked[Role::Mask.slot()] = None;
        let plain =
            compute_in_memory(Backend::Cpu, &all, &k, &unmasked, NAN_BITS, None, true).unwrap();
        for backend in [Backend::Gpu(ctx), Backend::Cpu] {
            let out =
                compute_in_memory(backend, &all, &k, &bands, NAN_BITS, Some(100), true).unwrap();
            for (i, v) in vals.iter().enumerate() {
                let raw = *v as u32;
                let hit = if mode == MASK_BITS {
                    raw & bits != 0
                } else {
                    (bits >> raw) & 1 == 1
                };
                for j in 0..all.len() {
                    if hit {
                        assert_eq!(
                            out[j][i].to_bits(),
                            NAN_BITS,
                            "mode {mode} pixel {i} raw {raw}"
                        );
                    } else {
                        assert_eq!(
                            out[j][i].to_bits(),
                            plain[j][i].to_bits(),
                            "mode {mode} pixel {i}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn both_cpu_vector_forms_give_the_same_bits() {
    // The fast path runs in the AVX2 form where the CPU has it and in the SSE2 baseline form
    // elsewhere (kernels::simd): every built-in index and catalogue formula, on the same
    // samples, must give the same bits in both (zeros, equal pairs, NaN = invalid, extremes).
    use climidx::kernels::catalogue::Catalog;
    use climidx::kernels::simd;
    eprintln!("this CPU runs the {} form", simd::level());
    let mut all: Vec<IndexRef> = builtins().to_vec();
    for e in Catalog::builtin().entries {
        all.push(e.compile(&[]).unwrap());
    }
    let pixels = 5003; // several blocks and a ragged tail
    let mut rng = Rng::new(77);
    let cols: Vec<Vec<f32>> = (0..ROLE_SLOTS)
        .map(|_| {
            (0..pixels)
                .map(|i| match rng.below(40) {
                    0 => f32::NAN,
                    1 => 0.0,
                    2 => -0.0,
                    3 => 1e30,
                    4 => 1e-30,
                    5 => (i % 3) as f32 * 0.25, // equal in every role now and then
                    _ => rng.below(2_000_000) as f32 * 1e-6 - 0.5,
                })
                .collect()
        })
        .collect();
    for d in &all {
        let k = d.default_constants();
        let inputs: Vec<&[f32]> = cols[..d.roles.len()].iter().map(|c| &c[..]).collect();
        let mut wide = vec![0f32; pixels];
        let mut base = vec![1f32; pixels];
        d.eval_batch(&inputs, &k, &mut wide);
        simd::baseline(|| d.eval_batch(&inputs, &k, &mut base));
        if let Some(p) = (0..pixels).find(|&p| wide[p].to_bits() != base[p].to_bits()) {
            panic!(
                "{}: pixel {p}: {} form {:?}, baseline {:?}",
                d.name,
                simd::level(),
                wide[p],
                base[p]
            );
        }
    }
}
