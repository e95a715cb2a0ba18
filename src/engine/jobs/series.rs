//! One series pass: every window of a stack of `T` inputs read into a T × window series buffer
//! ([`crate::kernels::series`]), reduced per pixel on the GPU or the CPU, and streamed into one
//! GeoTIFF per output. Shared by `climidx trend` and the percentiles of `climidx climatology`.
//!
//! Memory per window pixel: the host holds two series buffers (`2 × 4T` bytes: the reader fills
//! one while the other is reduced), two output sets (`2 × 4·n_out`) and one input's packed
//! window (≤ 8 B); the device holds one series buffer (`4T`) and the outputs (`4·n_out`, twice
//! on hardware GPUs for the readback copy). Windows are sized so that the host part fits
//! `--mem-limit` and the series buffer fits one device binding: with the default 256 MiB and
//! T = 1000 inputs that is ~33 000 pixels per window (on lavapipe's 128 MiB binding also
//! ~33 000), so a 1000-date stack runs in many small windows rather than failing.
//!
//! With `--smooth` ([`crate::engine::smooth`]) each window's series buffer is smoothed in place
//! before the reducer sees it: on the CPU a transient copy of the values (`4T` more host bytes
//! per pixel, counted by [`host_bytes_per_px`]), on the GPU the smoother's own two buffers.
//!
//! Each window's series comes from [`super::series_inputs`]: read from the inputs directly, or,
//! when their blocks span several windows, from a spill file the stack was re-chunked into
//! first (`4T` bytes per pixel of disk, [`super::spill`]).
//!
//! Outputs are written under temporary names and moved into place together when the last window
//! is done (the sinks' `finish`).

use std::path::PathBuf;

use super::series_inputs::{SeriesInputs, SpillPlan, SpillPolicy};
use super::stack::InputParams;
use crate::engine::backend::Backend;
use crate::engine::control::Control;
use crate::engine::pipeline;
use crate::engine::plan::{rows_for, with_retry};
use crate::engine::series::SeriesReducer;
use crate::engine::smooth::SeriesSmoother;
use crate::error::{Error, Result};
use crate::io::geotiff::encode::Compression;
use crate::io::raster::{row_windows, RasterInfo, Window};
use crate::io::sink::{SampleKind, SinkOptions};
use crate::kernels::abi::fetch;
use crate::kernels::samples::{DataType, PackedBand};
use crate::kernels::series::{Reducer, INVALID_BITS};
use crate::kernels::smooth::Smoother;

/// One series pass over a checked stack.
pub struct SeriesPass<'a> {
    /// The inputs in time order, with how each is read.
    pub inputs: &'a [(PathBuf, InputParams)],
    /// Each input's time in days since the stack's first date.
    pub times: &'a [f32],
    /// 1-based band of every input.
    pub band: u16,
    /// 1-based band of the last input when it differs (an anomaly's observation).
    pub last_band: Option<u16>,
    pub reducer: &'a Reducer,
    /// Temporal smoothing of each pixel's series before the reducer (`--smooth`).
    pub smooth: Option<Smoother>,
    /// One output file per reducer output.
    pub outputs: Vec<PathBuf>,
    /// The grid of every input.
    pub first: &'a RasterInfo,
    pub out_nodata: f64,
    pub metadata: Vec<(String, String)>,
    pub overwrite: bool,
    pub window_pixels: Option<usize>,
    pub mem_limit: usize,
    pub compression: Compression,
    pub tile: u32,
    /// Overviews (internal or COG) of the outputs.
    pub pyramid: crate::io::Pyramid,
    /// Where the stack may be re-chunked when its blocks span several windows.
    pub spill: &'a SpillPolicy,
}

/// What a pass did.
#[derive(Clone, Copy, Debug)]
pub struct PassReport {
    pub windows: usize,
    pub rows_per_window: u32,
}

/// Host bytes per window pixel for `t_len` inputs and `n_out` outputs (module docs); with
/// `--smooth` the CPU smoother's transient copy adds `4T`.
pub fn host_bytes_per_px(t_len: usize, n_out: usize, smooth: bool) -> usize {
    8 * t_len + 8 * n_out + 8 + if smooth { 4 * t_len } else { 0 }
}

/// Largest window (pixels) for `t_len` inputs and `n_out` outputs on `backend` within
/// `mem_limit` bytes.
pub fn window_cap(
    backend: Backend<'_>,
    t_len: usize,
    n_out: usize,
    smooth: bool,
    mem_limit: usize,
) -> usize {
    let mut cap = mem_limit / host_bytes_per_px(t_len, n_out, smooth);
    if let Backend::Gpu(ctx) = backend {
        let bind = ctx.max_binding_bytes() as usize;
        let series = bind.saturating_sub(4 * t_len + 512) / (4 * t_len.max(1));
        let outs = bind.saturating_sub(512) / (4 * n_out.max(1));
        cap = cap.min(series).min(outs);
    }
    cap.max(1)
}

/// Refuse an input whose sample type is no longer the one its decode parameters were built
/// for (the file was replaced while the stack was read).
pub fn check_dtype(
    r: &dyn crate::io::RasterSource,
    path: &std::path::Path,
    bp: &crate::kernels::abi::BandParams,
) -> Result<()> {
    if r.info().dtype.shader_code() != bp.dtype {
        return Err(Error::input(path, "changed while the stack was read"));
    }
    Ok(())
}

/// One input's decoded window `buf` as series values: f32 bits, [`INVALID_BITS`] for nodata
/// and non-finite samples.
pub fn to_series(bp: &crate::kernels::abi::BandParams, buf: &PackedBand, out: &mut [u32]) {
    for (p, o) in out.iter_mut().enumerate() {
        let s = fetch(bp, &buf.words, p);
        *o = if s.valid && s.value.is_finite() {
            s.value.to_bits()
        } else {
            INVALID_BITS
        };
    }
}

/// Run the pass on `backend`; progress (labelled `what`) counts windows.
pub fn run_pass(
    pass: &SeriesPass<'_>,
    backend: Backend<'_>,
    ctl: &Control,
    what: &str,
) -> Result<PassReport> {
    let t_len = pass.inputs.len();
    let names = pass.reducer.outputs();
    if pass.outputs.len() != names.len() || t_len != pass.times.len() {
        return Err(Error::Internal(
            "series pass: outputs or times mismatch".into(),
        ));
    }
    let backend = crate::engine::series::fit_backend(backend, pass.reducer, t_len);
    let (width, height) = (pass.first.width, pass.first.height);
    let smooth = pass.smooth.is_some();
    let mut cap = window_cap(backend, t_len, names.len(), smooth, pass.mem_limit);
    if let Some(w) = pass.window_pixels {
        cap = cap.min(w.max(1));
    }
    let mut rows = rows_for(cap, width, height, pass.first.block.1);
    let nodata_bits = (pass.out_nodata as f32).to_bits();
    let mut red = with_retry(&mut rows, width, |capacity| {
        SeriesReducer::new(backend, pass.reducer, t_len, capacity, nodata_bits)
    })?;
    let mut smoother = match &pass.smooth {
        Some(s) => Some(with_retry(&mut rows, width, |capacity| {
            SeriesSmoother::new(backend, s, t_len, capacity)
        })?),
        None => None,
    };
    let windows: Vec<Window> = row_windows(width, height, rows).collect();
    log::info!(
        "series plan: {} input(s), {}x{} px, {} window(s) of {} rows ({} B/px on the host), device: {}",
        t_len,
        width,
        height,
        windows.len(),
        rows,
        host_bytes_per_px(t_len, names.len(), smooth),
        backend.describe()
    );
    let mut sinks = Vec::new();
    for (j, (path, name)) in pass.outputs.iter().zip(&names).enumerate() {
        sinks.push(crate::io::create(
            path,
            width,
            height,
            1,
            &pass.first.geo,
            SinkOptions {
                nodata: pass.out_nodata,
                descriptions: vec![name.clone()],
                metadata: pass.metadata.clone(),
                overwrite: pass.overwrite,
                sample: if pass.reducer.count_output() == Some(j) {
                    SampleKind::U32
                } else {
                    SampleKind::F32
                },
                compression: pass.compression,
                tile: pass.tile,
                pyramid: pass.pyramid,
                bigtiff: None,
                quantize: None,
                units: Vec::new(),
            },
        )?);
    }
    let outputs_dir = match pass.outputs[0].parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let source = SeriesInputs::open(
        pass.inputs,
        pass.times,
        (pass.band - 1, pass.last_band.map(|b| b - 1)),
        &windows,
        SpillPlan {
            width,
            height,
            block_h: pass.first.block.1,
            policy: pass.spill,
            outputs_dir,
            mem_limit: pass.mem_limit,
        },
        ctl,
    )?;
    ctl.progress.start(windows.len() as u64, what);
    let max_px = windows.iter().map(Window::pixels).max().unwrap_or(0);
    let new_in = || {
        (
            vec![0u32; t_len + t_len * max_px],
            PackedBand::new(DataType::F32),
        )
    };
    let new_out = || vec![vec![0u32; max_px]; names.len()];
    pipeline::run(
        windows.len(),
        [new_in(), new_in()],
        [new_out(), new_out()],
        &ctl.cancel,
        |step, (series, buf)| source.read(step, windows[step], series, buf),
        |step, (series, _), outs| {
            let w = windows[step];
            if let Some(sm) = smoother.as_mut() {
                sm.run(series, w.pixels())?;
            }
            red.run(series, w.pixels(), nodata_bits, outs)?;
            ctl.progress.advance(1);
            Ok(Some(w))
        },
        |w, outs| {
            for (sink, o) in sinks.iter_mut().zip(outs.iter()) {
                sink.write_window(w, &[&o[..w.pixels()]])?;
            }
            Ok(())
        },
    )?;
    for s in sinks {
        s.finish()?;
    }
    ctl.progress.finish();
    Ok(PassReport {
        windows: windows.len(),
        rows_per_window: rows,
    })
}
