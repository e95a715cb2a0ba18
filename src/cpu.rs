//! The native CPU path: the registry's reference functions run over a window, multi-threaded
//! with rayon. It mirrors the generated WGSL entry point ([`crate::shaders::kernel_source`])
//! step by step — fetch each role once, check validity, call each index's `_px`, store the bits
//! — so GPU and CPU follow one nodata policy.

use rayon::prelude::*;

use crate::indices::common::{fetch, result_bits, BandParams, Sample};
use crate::indices::{IndexDesc, Px, ROLE_SLOTS};

/// Pixels per parallel work item.
const CHUNK: usize = 1 << 15;

/// One band role's data for a window: its decode parameters and packed words.
pub type RoleBand<'a> = Option<(&'a BandParams, &'a [u32])>;

/// Compute `indices` (with constants `k[j]`) for `pixels` pixels into `outputs[j][..pixels]`.
pub fn run_window(
    indices: &[&IndexDesc],
    k: &[[f32; 4]],
    bands: &[RoleBand<'_>; ROLE_SLOTS],
    pixels: usize,
    out_nodata_bits: u32,
    outputs: &mut [Vec<f32>],
) {
    assert_eq!(indices.len(), outputs.len());
    let roles = crate::shaders::roles_used(indices);
    for r in &roles {
        assert!(bands[r.slot()].is_some(), "role {} has no band", r.name());
    }
    // Transpose outputs into per-chunk slices so chunks can run in parallel.
    let nchunks = pixels.div_ceil(CHUNK);
    let mut chunks: Vec<Vec<&mut [f32]>> = (0..nchunks)
        .map(|_| Vec::with_capacity(outputs.len()))
        .collect();
    for out in outputs.iter_mut() {
        for (c, s) in out[..pixels].chunks_mut(CHUNK).enumerate() {
            chunks[c].push(s);
        }
    }
    chunks
        .into_par_iter()
        .enumerate()
        .for_each(|(c, mut outs)| {
            let start = c * CHUNK;
            let mut s = [Sample {
                value: 0.0,
                valid: false,
            }; ROLE_SLOTS];
            let mut args = [0f32; ROLE_SLOTS];
            for p in 0..outs[0].len() {
                let i = start + p;
                for r in &roles {
                    let (bp, words) = bands[r.slot()].expect("checked above");
                    s[r.slot()] = fetch(bp, words, i);
                }
                for (j, d) in indices.iter().enumerate() {
                    let mut valid = true;
                    for (a, r) in d.roles.iter().enumerate() {
                        valid &= s[r.slot()].valid;
                        args[a] = s[r.slot()].value;
                    }
                    let px = if valid {
                        (d.cpu)(&args[..d.roles.len()], &k[j])
                    } else {
                        Px::INVALID
                    };
                    outs[j][p] = f32::from_bits(result_bits(px, out_nodata_bits));
                }
            }
        });
}
