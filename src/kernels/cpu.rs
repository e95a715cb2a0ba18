//! The native CPU path, in two forms:
//!
//! - [`run_window_reference`] mirrors the generated WGSL entry point
//!   ([`crate::kernels::wgsl::kernel_source`]) step by step — fetch each role once, check validity,
//!   call each index's `_px`, store the bits. It is the specification the GPU is tested against.
//! - [`run_window`] is the fast path `--device cpu` runs: each role's window is decoded once to
//!   f32 (NaN marking invalid samples; a valid decoded sample is always finite), then each
//!   index's batch loop — the same `_px` expression, inlined — runs over the chunk. Tests hold it
//!   bit-identical to the reference.
//!
//! Both split the window into chunks processed in parallel with rayon.

use rayon::prelude::*;
use std::ops::Deref;

use super::registry::IndexDesc;
use super::vocab::{Consts, Px, Role, ROLE_SLOTS};
use crate::kernels::abi::{
    decode, fetch, is_finite_bits, masked, raw_sample, result_bits, BandParams, Sample,
    NODATA_FLOAT, NODATA_RAW,
};
use crate::kernels::samples::DataType;

/// Pixels per parallel work item.
const CHUNK: usize = 1 << 14;

/// Pixels the fast path decodes and computes at a time within a chunk: the decoded inputs of
/// one block stay in the L1 cache between decode and formula.
const BLOCK: usize = 2048;

/// One band role's data for a window: its decode parameters and packed words.
pub type RoleBand<'a> = Option<(&'a BandParams, &'a [u32])>;

/// Split each output into chunk-sized slices, transposed so chunks can run in parallel.
fn chunked<'a>(outputs: &'a mut [&mut [f32]], pixels: usize) -> Vec<Vec<&'a mut [f32]>> {
    let n = pixels.div_ceil(CHUNK);
    let mut chunks: Vec<Vec<&mut [f32]>> =
        (0..n).map(|_| Vec::with_capacity(outputs.len())).collect();
    for out in outputs.iter_mut() {
        for (c, s) in out[..pixels].chunks_mut(CHUNK).enumerate() {
            chunks[c].push(s);
        }
    }
    chunks
}

fn check_roles(
    indices: &[impl Deref<Target = IndexDesc> + Sync],
    bands: &[RoleBand<'_>; ROLE_SLOTS],
) -> Vec<Role> {
    let roles = crate::kernels::registry::roles_used(indices);
    for r in &roles {
        assert!(bands[r.slot()].is_some(), "role {} has no band", r.name());
    }
    roles
}

/// Run `f(first_pixel, chunk_outputs)` over `pixels` pixels in parallel chunks of [`CHUNK`].
fn par_chunks(
    indices: &[impl Deref<Target = IndexDesc> + Sync],
    pixels: usize,
    outputs: &mut [&mut [f32]],
    f: impl Fn(usize, &mut [&mut [f32]]) + Sync,
) {
    assert_eq!(indices.len(), outputs.len());
    chunked(outputs, pixels)
        .into_par_iter()
        .enumerate()
        .for_each(|(c, mut outs)| f(c * CHUNK, &mut outs));
}

/// Reference: compute `indices` (constants `k[j]`) for `pixels` pixels into
/// `outputs[j][..pixels]`, pixel by pixel as the shader does.
pub fn run_window_reference(
    indices: &[impl Deref<Target = IndexDesc> + Sync],
    k: &[Consts],
    bands: &[RoleBand<'_>; ROLE_SLOTS],
    pixels: usize,
    out_nodata_bits: u32,
    outputs: &mut [&mut [f32]],
) {
    let roles = check_roles(indices, bands);
    let mask = bands[Role::Mask.slot()];
    par_chunks(indices, pixels, outputs, |start, outs| {
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
            let keep = !mask.is_some_and(|(bp, words)| masked(bp, fetch(bp, words, i)));
            for (j, d) in indices.iter().enumerate() {
                let mut valid = keep;
                for (a, r) in d.roles.iter().enumerate() {
                    valid &= s[r.slot()].valid;
                    args[a] = s[r.slot()].value;
                }
                let px = if valid {
                    d.eval_px(&args[..d.roles.len()], &k[j])
                } else {
                    Px::INVALID
                };
                outs[j][p] = f32::from_bits(result_bits(px, out_nodata_bits));
            }
        }
    });
}

/// Decode pixels `start..start + out.len()` of a band to f32, NaN where invalid.
#[inline(always)]
fn decode_run(b: &BandParams, words: &[u32], start: usize, out: &mut [f32]) {
    #[inline(always)]
    fn run(dtype: DataType, b: &BandParams, words: &[u32], start: usize, out: &mut [f32]) {
        for (p, o) in out.iter_mut().enumerate() {
            let (raw, value, finite) = raw_sample(dtype, words, start + p);
            let s = decode(b, raw, value, finite);
            *o = if s.valid { s.value } else { f32::NAN };
        }
    }
    // One loop per type, so the type test leaves the loop.
    match DataType::from_shader_code(b.dtype) {
        DataType::U8 => run(DataType::U8, b, words, start, out),
        DataType::I8 => run(DataType::I8, b, words, start, out),
        DataType::U16 if cfg!(target_endian = "little") && b.nodata_mode != NODATA_FLOAT => {
            decode_u16(b, words, start, out)
        }
        DataType::U16 => run(DataType::U16, b, words, start, out),
        DataType::I16 => run(DataType::I16, b, words, start, out),
        DataType::U32 => run(DataType::U32, b, words, start, out),
        DataType::I32 => run(DataType::I32, b, words, start, out),
        _ => run(DataType::F32, b, words, start, out),
    }
}

/// [`decode_run`] of a uint16 band without float nodata, in a loop the compiler vectorises:
/// the same arithmetic as [`decode`] (`raw·scale + offset`, raw nodata, finite result).
#[inline(always)]
fn decode_u16(b: &BandParams, words: &[u32], start: usize, out: &mut [f32]) {
    // On a little-endian host sample i of the packed band is half-word i.
    let halves: &[u16] = bytemuck::cast_slice(words);
    let src = &halves[start..start + out.len()];
    let (scale, offset) = (b.scale, b.offset);
    // No raw value matches a nodata outside 0..=65535.
    let nodata = match b.nodata_mode {
        NODATA_RAW => b.nodata_bits,
        _ => u32::MAX,
    };
    for (o, &raw) in out.iter_mut().zip(src) {
        let v = raw as f32 * scale + offset;
        let valid = raw as u32 != nodata && is_finite_bits(v.to_bits());
        *o = if valid { v } else { f32::NAN };
    }
}

/// Fast path: same results as [`run_window_reference`], bit for bit.
pub fn run_window(
    indices: &[impl Deref<Target = IndexDesc> + Sync],
    k: &[Consts],
    bands: &[RoleBand<'_>; ROLE_SLOTS],
    pixels: usize,
    out_nodata_bits: u32,
    outputs: &mut [&mut [f32]],
) {
    let roles = check_roles(indices, bands);
    let nodata = f32::from_bits(out_nodata_bits);
    par_chunks(indices, pixels, outputs, |start, outs| {
        super::simd::wide(
            #[inline(always)]
            || fast_chunk(indices, k, bands, &roles, start, nodata, outs),
        )
    });
}

/// [`run_window`] on the chunk of outputs `outs` that starts at pixel `start`, block by
/// [`BLOCK`].
#[inline(always)]
fn fast_chunk(
    indices: &[impl Deref<Target = IndexDesc> + Sync],
    k: &[Consts],
    bands: &[RoleBand<'_>; ROLE_SLOTS],
    roles: &[Role],
    start: usize,
    nodata: f32,
    outs: &mut [&mut [f32]],
) {
    let mask = bands[Role::Mask.slot()];
    let len = outs[0].len();
    // Role slot → its decoded block in `decoded`.
    let mut at = [0usize; ROLE_SLOTS];
    for (i, r) in roles.iter().enumerate() {
        at[r.slot()] = i * BLOCK;
    }
    let mut decoded = vec![0f32; roles.len() * BLOCK];
    let mut keep = vec![true; if mask.is_some() { BLOCK } else { 0 }];
    let mut s = 0;
    while s < len {
        let n = BLOCK.min(len - s);
        for r in roles {
            let (bp, words) = bands[r.slot()].expect("checked above");
            let at = at[r.slot()];
            decode_run(bp, words, start + s, &mut decoded[at..at + n]);
        }
        // Masked pixels: every output nodata (applied after the formulas, as NaN).
        if let Some((bp, words)) = mask {
            for (p, kp) in keep[..n].iter_mut().enumerate() {
                *kp = !masked(bp, fetch(bp, words, start + s + p));
            }
        }
        for (j, d) in indices.iter().enumerate() {
            let mut inputs: [&[f32]; ROLE_SLOTS] = [&[]; ROLE_SLOTS];
            for (a, r) in d.roles.iter().enumerate() {
                let at = at[r.slot()];
                inputs[a] = &decoded[at..at + n];
            }
            let out = &mut outs[j][s..s + n];
            d.eval_batch(&inputs[..d.roles.len()], &k[j], out);
            if mask.is_some() {
                for (v, k) in out.iter_mut().zip(&keep) {
                    if !k {
                        *v = f32::NAN;
                    }
                }
            }
            // The batch marks nodata with the canonical NaN; rewrite it unless that already
            // is the requested nodata value (the default).
            if nodata.to_bits() != f32::NAN.to_bits() {
                for v in out.iter_mut() {
                    if v.is_nan() {
                        *v = nodata;
                    }
                }
            }
        }
        s += n;
    }
}
