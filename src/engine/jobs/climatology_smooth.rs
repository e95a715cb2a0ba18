//! `climidx climatology --smooth`: the statistics of a smoothed stack. The smoothed value of
//! an input depends on its neighbours in time, which belong to other periods (January's on
//! December's and February's), so this path reads each window of the *whole* stack (in date
//! order, after the --baseline filter) into a series buffer, smooths it
//! ([`crate::engine::smooth`]), and accumulates the period's members from the smoothed series.
//!
//! Memory per window pixel: on the host two series buffers (`2 × 4T` bytes for the `T`
//! inputs of the stack), the CPU smoother's transient copy (`4T`), the state (20 B) and two
//! output sets (40 B); on the device the smoother's two series buffers (`8T`) and the state.
//! Windows are sized to fit `--mem-limit`. Cost: the stack is read once per period (12 times
//! for `--period month`), the price of never holding more than one window of it.

use super::climatology::{group_sinks, ClimatologyJob};
use super::manifest::StackCalibration;
use super::series::read_series;
use super::stack::InputParams;
use crate::engine::accumulator::Accumulator;
use crate::engine::backend::Backend;
use crate::engine::control::Control;
use crate::engine::pipeline;
use crate::engine::plan::{rows_for, with_retry};
use crate::engine::smooth::SeriesSmoother;
use crate::error::{Error, Result};
use crate::io::raster::{row_windows, RasterInfo, Window};
use crate::io::stack::Date;
use crate::kernels::abi::BandParams;
use crate::kernels::climatology::STATS;
use crate::kernels::samples::{DataType, NodataMatch, PackedBand};
use crate::kernels::smooth::Smoother;

/// Host bytes per window pixel for a stack of `t_len` inputs (module docs).
pub fn host_bytes_per_px(t_len: usize) -> usize {
    12 * t_len + 20 + 40 + 8
}

/// Every period of `job` from the smoothed stack; returns (windows, rows per window).
pub fn run_smoothed(
    job: &ClimatologyJob,
    s: &Smoother,
    first: &RasterInfo,
    cal: &StackCalibration,
    params: &[Vec<InputParams>],
    backend: Backend<'_>,
    ctl: &Control,
) -> Result<(usize, u32)> {
    // The stack in date order: (days, path, how it is read, its period).
    let mut stack = Vec::new();
    for (gi, (g, ps)) in job.groups.iter().zip(params).enumerate() {
        for (inp, p) in g.inputs.iter().zip(ps) {
            let date = inp.date.as_deref().and_then(Date::parse).ok_or_else(|| {
                Error::input(
                    &inp.path,
                    "--smooth needs a date for every input (--manifest or a date in the file name)",
                )
            })?;
            stack.push((date.days_since_epoch(), inp.path.clone(), *p, gi));
        }
    }
    stack.sort_by_key(|e| e.0);
    let t_len = stack.len();
    s.check_len(t_len).map_err(Error::Usage)?;
    let inputs: Vec<_> = stack.iter().map(|e| (e.1.clone(), e.2)).collect();
    let d0 = stack[0].0;
    let times: Vec<f32> = stack.iter().map(|e| (e.0 - d0) as f32).collect();

    let mut cap = job.mem_limit / host_bytes_per_px(t_len);
    if let Backend::Gpu(ctx) = backend {
        let bind = ctx.max_binding_bytes() as usize;
        cap = cap.min(bind.saturating_sub(4 * t_len + 512) / (4 * t_len));
    }
    if let Some(w) = job.window_pixels {
        cap = cap.min(w.max(1));
    }
    let mut rows = rows_for(cap, first.width, first.height, first.block.1);
    let k = [job.min_count as f32, job.ddof as f32];
    let nodata_bits = (job.out_nodata as f32).to_bits();
    let mut acc = with_retry(&mut rows, first.width, |c| {
        Accumulator::new(backend, c, nodata_bits, k)
    })?;
    let mut sm = with_retry(&mut rows, first.width, |c| {
        SeriesSmoother::new(backend, s, t_len, c)
    })?;
    let windows: Vec<Window> = row_windows(first.width, first.height, rows).collect();
    log::info!(
        "climatology plan (--smooth {}): {t_len} input(s) read for each of {} period(s), {} window(s) of {} rows ({} B/px on the host)",
        s.name(),
        job.groups.len(),
        windows.len(),
        rows,
        host_bytes_per_px(t_len)
    );
    let max_px = windows.iter().map(Window::pixels).max().unwrap_or(0);
    let smoothed = BandParams::new(DataType::F32, NodataMatch::None, 1.0, 0.0);
    let band = job.band - 1;
    ctl.progress
        .start((job.groups.len() * windows.len()) as u64, "climatology");
    for (gi, g) in job.groups.iter().enumerate() {
        if g.inputs.is_empty() {
            continue;
        }
        let members: Vec<usize> = (0..t_len).filter(|&i| stack[i].3 == gi).collect();
        let mut sinks = group_sinks(job, g, first, cal)?;
        let new_in = || {
            (
                vec![0u32; t_len + t_len * max_px],
                PackedBand::new(DataType::F32),
            )
        };
        let new_out = || vec![vec![0u32; max_px]; STATS.len()];
        pipeline::run(
            windows.len(),
            [new_in(), new_in()],
            [new_out(), new_out()],
            &ctl.cancel,
            |step, (series, buf)| read_series(&inputs, &times, band, windows[step], series, buf),
            |step, (series, _), outs| {
                let w = windows[step];
                let px = w.pixels();
                sm.run(series, px)?;
                acc.reset(px);
                for &m in &members {
                    acc.add(smoothed, &series[t_len + m * px..t_len + (m + 1) * px], px)?;
                }
                acc.finish(px, k, nodata_bits, outs)?;
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
    }
    ctl.progress.finish();
    Ok((windows.len(), rows))
}
