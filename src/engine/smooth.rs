//! Where a window's temporal smoothing runs: the GPU ([`super::gpu::smooth::SmoothRunner`],
//! `shaders/smooth.wgsl`) or its CPU twin ([`crate::kernels::smooth::smooth_window`]), in
//! place on the series buffer before a reducer sees it. Also the same over series in memory.

use super::backend::Backend;
use super::gpu::smooth::SmoothRunner;
use crate::error::{Error, Result};
use crate::kernels::series::INVALID_BITS;
use crate::kernels::smooth::{loop_iterations, smooth_window, Smoother};

/// The backend `s` over `t_len` inputs runs on: `backend`, unless its adapter would end the
/// kernel's loops early (lavapipe), where the CPU twin runs instead, with a warning.
pub fn fit_backend<'c>(backend: Backend<'c>, s: &Smoother, t_len: usize) -> Backend<'c> {
    backend.within_loop_limit(
        &format!("--smooth {} over {t_len} inputs", s.name()),
        loop_iterations(s, t_len),
        "Temporal smoothing",
    )
}

/// Smooths series windows on the CPU or the GPU.
#[allow(clippy::large_enum_variant, reason = "one per run")]
pub enum SeriesSmoother<'c> {
    Cpu(Smoother, usize),
    Gpu(SmoothRunner<'c>),
}

impl<'c> SeriesSmoother<'c> {
    /// For windows of up to `capacity` pixels of `t_len` inputs (the backend is fitted first).
    pub fn new(backend: Backend<'c>, s: &Smoother, t_len: usize, capacity: usize) -> Result<Self> {
        s.check_len(t_len).map_err(Error::Usage)?;
        Ok(match fit_backend(backend, s, t_len) {
            Backend::Cpu => SeriesSmoother::Cpu(*s, t_len),
            Backend::Gpu(ctx) => SeriesSmoother::Gpu(SmoothRunner::new(ctx, s, t_len, capacity)?),
        })
    }

    /// Smooth the values of a series buffer of `pixels` pixels in place.
    pub fn run(&mut self, series: &mut [u32], pixels: usize) -> Result<()> {
        match self {
            SeriesSmoother::Cpu(s, t_len) => {
                smooth_window(s, series, *t_len, pixels);
                Ok(())
            }
            SeriesSmoother::Gpu(g) => g.run(series, pixels),
        }
    }
}

/// Smooth in-memory series: `values[k][p]` is pixel `p` at input `k` (`None` invalid), in
/// windows of at most `window` pixels (default: all). Returns the smoothed values, same shape.
pub fn smooth_in_memory(
    backend: Backend<'_>,
    s: &Smoother,
    values: &[Vec<Option<f32>>],
    window: Option<usize>,
) -> Result<Vec<Vec<Option<f32>>>> {
    let t_len = values.len();
    let pixels = values.first().map_or(0, Vec::len);
    let win = window.unwrap_or(pixels).clamp(1, pixels.max(1));
    let mut sm = SeriesSmoother::new(backend, s, t_len, win)?;
    let mut out = vec![vec![None; pixels]; t_len];
    let mut series = vec![0u32; t_len + t_len * win];
    let mut start = 0;
    while start < pixels {
        let n = win.min(pixels - start);
        for k in 0..t_len {
            series[k] = (k as f32).to_bits();
            for p in 0..n {
                series[t_len + k * n + p] = values[k][start + p].map_or(INVALID_BITS, f32::to_bits);
            }
        }
        sm.run(&mut series, n)?;
        for (k, o) in out.iter_mut().enumerate() {
            for p in 0..n {
                let b = series[t_len + k * n + p];
                o[start + p] = crate::kernels::abi::is_finite_bits(b).then(|| f32::from_bits(b));
            }
        }
        start += n;
    }
    Ok(out)
}
