//! Property tests (proptest): on random shapes, sample types and nodata patterns, the GPU equals
//! the CPU reference within each index's tolerance with identical nodata masks, and the window
//! size never changes a single output bit on either path.

use crate::common;

use climidx::engine::{compute_in_memory, Backend};
use climidx::kernels::samples::DataType;
use climidx::kernels::{builtins, Consts, IndexRef};
use common::data::{bands_of, random_case};
use common::{assert_matches, gpu_or_skip};
use proptest::prelude::*;

const NAN_BITS: u32 = 0x7fc0_0000;

fn bits(v: &[Vec<f32>]) -> Vec<Vec<u32>> {
    v.iter()
        .map(|o| o.iter().map(|x| x.to_bits()).collect())
        .collect()
}

fn config() -> ProptestConfig {
    // Each case runs the whole registry on both paths; 24 cases stay within seconds on lavapipe.
    ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gpu_equals_cpu_on_random_rasters(
        width in 1usize..48,
        height in 1usize..10,
        dtype in 0usize..8,
        seed in any::<u64>(),
        window in prop::option::of(4usize..300),
        out_nodata in prop_oneof![Just(NAN_BITS), Just((-9999.0f32).to_bits()), Just(0f32.to_bits())],
    ) {
        let Some(ctx) = gpu_or_skip("gpu_equals_cpu_on_random_rasters") else { return Ok(()) };
        let dt = DataType::ALL[dtype];
        let c = random_case(seed, dt, width, height);
        let all: Vec<IndexRef> = builtins().to_vec();
        let k: Vec<Consts> = all.iter().map(|d| d.default_constants()).collect();
        let bands = bands_of(&c);
        let gpu = compute_in_memory(Backend::Gpu(ctx), &all, &k, &bands, out_nodata, window, true).unwrap();
        let cpu = compute_in_memory(Backend::Cpu, &all, &k, &bands, out_nodata, window, true).unwrap();
        for (j, d) in all.iter().enumerate() {
            if out_nodata == 0f32.to_bits() {
                // With 0 as the output nodata a valid 0 result is indistinguishable from nodata;
                // compare values only.
                for (g, c) in gpu[j].iter().zip(&cpu[j]) {
                    prop_assert!(d.tolerance.accepts(*g, *c), "{} {dt:?}: {g} vs {c}", d.name);
                }
            } else {
                assert_matches(d, &gpu[j], &cpu[j], out_nodata, &|i| format!("{width}x{height} {dt:?} seed {seed} px {i}"));
            }
        }
    }

    #[test]
    fn window_size_never_changes_output_bits(
        width in 1usize..64,
        height in 1usize..12,
        dtype in 0usize..8,
        seed in any::<u64>(),
        a in 4usize..400,
        b in 4usize..400,
    ) {
        let dt = DataType::ALL[dtype];
        let c = random_case(seed, dt, width, height);
        let all: Vec<IndexRef> = builtins().to_vec();
        let k: Vec<Consts> = all.iter().map(|d| d.default_constants()).collect();
        let bands = bands_of(&c);
        let ca = compute_in_memory(Backend::Cpu, &all, &k, &bands, NAN_BITS, Some(a), false).unwrap();
        let cb = compute_in_memory(Backend::Cpu, &all, &k, &bands, NAN_BITS, Some(b), false).unwrap();
        prop_assert_eq!(bits(&ca), bits(&cb));
        if let Some(ctx) = gpu_or_skip("window_size_never_changes_output_bits") {
            let ga = compute_in_memory(Backend::Gpu(ctx), &all, &k, &bands, NAN_BITS, Some(a), true).unwrap();
            let gb = compute_in_memory(Backend::Gpu(ctx), &all, &k, &bands, NAN_BITS, Some(b), true).unwrap();
            prop_assert_eq!(bits(&ga), bits(&gb));
        }
    }
}
