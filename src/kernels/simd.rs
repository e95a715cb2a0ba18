//! Wider vectors for the CPU fast path, chosen when the program runs: [`wide`] runs a closure
//! compiled a second time for AVX2 when the CPU has it (x86-64 builds target the SSE2 baseline,
//! so a wheel or a `cargo install` runs anywhere), else the baseline build of it.
//!
//! Same numbers either way: Rust never fuses or reorders floating-point operations (no
//! fast-math, no contraction to FMA), and AVX2's lane-wise add, multiply, divide, square root,
//! compare and integer→float conversion round exactly as their scalar SSE2 forms do. Tests hold
//! the fast path bit-identical to the reference on whichever form this CPU picks, and
//! `CLIMIDX_CPU_SIMD=baseline` forces the baseline form (to compare the two).

use std::cell::Cell;
#[cfg(target_arch = "x86_64")]
use std::sync::OnceLock;

thread_local! {
    /// Set by [`baseline`] on the thread it runs on.
    static BASELINE: Cell<bool> = const { Cell::new(false) };
}

/// Whether [`wide`] uses the AVX2 form: the CPU has AVX2 and `CLIMIDX_CPU_SIMD` is not
/// `baseline`. Decided once per process.
#[cfg(target_arch = "x86_64")]
pub fn avx2() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var("CLIMIDX_CPU_SIMD").map_or(true, |v| v != "baseline")
            && std::arch::is_x86_feature_detected!("avx2")
    })
}

/// The vector instruction set [`wide`] uses on this CPU, for reports.
pub fn level() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        return "avx2";
    }
    "baseline"
}

/// Run `f` in the widest form this CPU has. Only code inlined into the AVX2 form is widened,
/// so `f` is an `#[inline(always)]` closure (`wide(#[inline(always)] || …)`: the compiler
/// declines to inline a closure holding several loops) and the loops it runs are in
/// `#[inline(always)]` functions, not behind a function pointer.
#[inline(always)]
pub fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if avx2() && !BASELINE.get() {
        // SAFETY: the CPU has AVX2 (checked above).
        return unsafe { in_avx2(f) };
    }
    f()
}

/// Run `f` with [`wide`] held to the baseline form on this thread (not on threads `f` hands
/// work to), so that tests can compare the two forms in one process.
pub fn baseline<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            BASELINE.set(self.0);
        }
    }
    let _reset = Reset(BASELINE.replace(true));
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn in_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
