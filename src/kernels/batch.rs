//! The batch loop every built-in index's CPU fast path runs (see [`super::registry::BatchFn`]).
//! It needs only the vocabulary, so the registry can name it without depending on the CPU
//! executor ([`super::cpu`]) that runs the registry.

use super::vocab::{Consts, Px, Role};

/// The batch loop behind [`super::registry::BatchFn`]: `f` is the index's per-pixel expression.
/// Dispatches on the number of roles to a loop with that many inputs fixed at compile time, so
/// the compiler can drop bounds checks and vectorize across pixels, in the widest vector form
/// this CPU has ([`super::simd::wide`]).
#[inline(always)]
pub fn batch(inputs: &[&[f32]], k: &Consts, out: &mut [f32], f: impl Fn(&[f32], &Consts) -> Px) {
    super::simd::wide(
        #[inline(always)]
        || batch_any(inputs, k, out, f),
    )
}

#[inline(always)]
fn batch_any(inputs: &[&[f32]], k: &Consts, out: &mut [f32], f: impl Fn(&[f32], &Consts) -> Px) {
    match inputs.len() {
        1 => batch_n::<1>(inputs, k, out, f),
        2 => batch_n::<2>(inputs, k, out, f),
        3 => batch_n::<3>(inputs, k, out, f),
        4 => batch_n::<4>(inputs, k, out, f),
        5 => batch_n::<5>(inputs, k, out, f),
        6 => batch_n::<6>(inputs, k, out, f),
        7 => batch_n::<7>(inputs, k, out, f),
        8 => batch_n::<8>(inputs, k, out, f),
        n => unreachable!("{n} roles: there are only {} band roles", Role::ALL.len()),
    }
}

#[inline(always)]
fn batch_n<const N: usize>(
    inputs: &[&[f32]],
    k: &Consts,
    out: &mut [f32],
    f: impl Fn(&[f32], &Consts) -> Px,
) {
    let len = out.len();
    let ins: [&[f32]; N] = std::array::from_fn(|a| &inputs[a][..len]);
    // The constants copied to a local: the compiler then knows that stores to `out` leave them
    // alone and keeps them in registers (through a reference it reloaded them every pixel and
    // left EVI's loop scalar in the AVX2 form).
    let k = *k;
    for (p, o) in out.iter_mut().enumerate() {
        let args: [f32; N] = std::array::from_fn(|a| ins[a][p]);
        let valid = args.iter().all(|v| !v.is_nan());
        let px = f(&args, &k);
        *o = if valid && px.valid && px.value.is_finite() {
            px.value
        } else {
            f32::NAN
        };
    }
}
