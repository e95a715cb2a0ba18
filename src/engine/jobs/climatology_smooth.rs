//! `climidx climatology --smooth`: the statistics of a smoothed stack. The smoothed value of
//! an input depends on its neighbours in time, which belong to other periods (January's on
//! December's and February's), so this path reads each window of the *whole* stack (in date
//! order, after the --baseline filter) into a series buffer, smooths it once
//! ([`crate::engine::smooth`]), and accumulates every period's members from the smoothed series
//! into that period's files, all of which are open together.
//!
//! Memory per window pixel, for `T` inputs and `G` periods: on the host two series buffers
//! (`2 × 4T` bytes), the CPU smoother's transient copy (`4T`), the state (20 B) and two output
//! sets of every period (`40G`); on the device the smoother's two series buffers (`8T`) and
//! the state. The `5G` files each buffer up to one band of tiles (`--tile-size` rows × width ×
//! 4 B): that comes off `--mem-limit` first (a run where it exceeds the limit is refused), and
//! windows are sized to fit the rest.
use super::climatology::{group_sinks, ClimatologyJob};
use super::manifest::StackCalibration;
use super::series_inputs::{SeriesInputs, SpillPlan};
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

/// Host bytes per window pixel for a stack of `t_len` inputs and `groups` periods (module
/// docs).
pub fn host_bytes_per_px(t_len: usize, groups: usize) -> usize {
    12 * t_len + 20 + 40 * groups + 8
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

    let groups: Vec<usize> = (0..job.groups.len())
        .filter(|g| !job.groups[*g].inputs.is_empty())
        .collect();
    let per_px = host_bytes_per_px(t_len, groups.len());
    // Every period's files are written together: each buffers up to one band of tiles, taken
    // from the budget first.
    let files = (groups.len() * STATS.len()) as u64;
    let tile_buf = files * u64::from(job.tile) * u64::from(first.width) * 4;
    if tile_buf >= job.mem_limit as u64 {
        return Err(Error::Usage(format!(
            "--smooth writes all {files} files at once, which buffer ~{} MiB of {}-row tiles, over --mem-limit {} MiB: raise --mem-limit or use --tile-size 0 (strips)",
            tile_buf >> 20,
            job.tile,
            job.mem_limit >> 20
        )));
    }
    let mut cap = (job.mem_limit - tile_buf as usize) / per_px;
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
        "climatology plan (--smooth {}): {t_len} input(s), {} period(s), {} window(s) of {} rows ({per_px} B/px on the host)",
        s.name(),
        groups.len(),
        windows.len(),
        rows
    );
    let max_px = windows.iter().map(Window::pixels).max().unwrap_or(0);
    let smoothed = BandParams::new(DataType::F32, NodataMatch::None, 1.0, 0.0);
    let members: Vec<Vec<usize>> = groups
        .iter()
        .map(|&g| (0..t_len).filter(|&i| stack[i].3 == g).collect())
        .collect();
    let mut sinks = Vec::new();
    for &g in &groups {
        sinks.push(group_sinks(job, &job.groups[g], first, cal)?);
    }
    let source = SeriesInputs::open(
        &inputs,
        &times,
        (job.band - 1, None),
        &windows,
        SpillPlan {
            width: first.width,
            height: first.height,
            block_h: first.block.1,
            policy: &job.spill,
            outputs_dir: &job.out_dir,
            mem_limit: job.mem_limit,
        },
        ctl,
    )?;
    let n_out = STATS.len();
    let new_in = || {
        (
            vec![0u32; t_len + t_len * max_px],
            PackedBand::new(DataType::F32),
        )
    };
    let new_out = || vec![vec![0u32; max_px]; groups.len() * n_out];
    ctl.progress.start(windows.len() as u64, "climatology");
    pipeline::run(
        windows.len(),
        [new_in(), new_in()],
        [new_out(), new_out()],
        &ctl.cancel,
        |step, (series, buf)| source.read(step, windows[step], series, buf),
        |step, (series, _), outs| {
            let w = windows[step];
            let px = w.pixels();
            sm.run(series, px)?;
            for (gi, m) in members.iter().enumerate() {
                acc.reset(px);
                for &k in m {
                    acc.add(smoothed, &series[t_len + k * px..t_len + (k + 1) * px], px)?;
                }
                acc.finish(px, k, nodata_bits, &mut outs[gi * n_out..(gi + 1) * n_out])?;
            }
            ctl.progress.advance(1);
            Ok(Some(w))
        },
        |w, outs| {
            for (gi, group) in sinks.iter_mut().enumerate() {
                for (j, sink) in group.iter_mut().enumerate() {
                    sink.write_window(w, &[&outs[gi * n_out + j][..w.pixels()]])?;
                }
            }
            Ok(())
        },
    )?;
    for s in sinks.into_iter().flatten() {
        s.finish()?;
    }
    ctl.progress.finish();
    Ok((windows.len(), rows))
}
