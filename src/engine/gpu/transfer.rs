//! The runner's device buffers and the two ways data moves through them.
//!
//! Transfer strategies, chosen by [`GpuContext::mappable`] (see [`super::Transfer`]):
//! - **mapped** (software adapters with `MAPPABLE_PRIMARY_BUFFERS`): the input buffer is
//!   `STORAGE | MAP_WRITE` and filled in place; the output is `STORAGE | MAP_READ` and read in
//!   place. On a CPU adapter "device memory" is host memory, so this removes two copies
//!   (1.6–2.1× end to end on lavapipe, PLATFORM.md).
//! - **staging** (hardware GPUs): `queue.write_buffer` uploads, and the output is copied to a
//!   `MAP_READ` readback buffer.

use std::sync::mpsc;

use super::context::GpuContext;
use crate::error::{Error, Result};

/// Fault injection for tests: the first N buffer set-ups fail as if the device were out of
/// memory, where N is `CLIMIDX_INJECT_ALLOC_FAILURES` (unset: none).
pub(super) fn injected_alloc_failure() -> bool {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;
    static LEFT: OnceLock<AtomicUsize> = OnceLock::new();
    let left = LEFT.get_or_init(|| {
        AtomicUsize::new(
            std::env::var("CLIMIDX_INJECT_ALLOC_FAILURES")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        )
    });
    left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

pub(super) fn buffer(
    ctx: &GpuContext,
    label: &str,
    size: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage,
        mapped_at_creation: false,
    })
}

/// The input buffer: written in place on software adapters, else the target of uploads.
pub(super) fn input_buffer(ctx: &GpuContext, bytes: u64) -> wgpu::Buffer {
    use wgpu::BufferUsages as U;
    let usage = if ctx.mappable {
        U::STORAGE | U::MAP_WRITE
    } else {
        U::STORAGE | U::COPY_DST
    };
    buffer(ctx, "climidx.input", bytes, usage)
}

/// The output buffer, mapped directly on software adapters, else with a readback copy.
pub(super) fn output_buffers(ctx: &GpuContext, bytes: u64) -> (wgpu::Buffer, Option<wgpu::Buffer>) {
    use wgpu::BufferUsages as U;
    if ctx.mappable {
        let out = buffer(
            ctx,
            "climidx.output",
            bytes,
            U::STORAGE | U::MAP_READ | U::COPY_DST,
        );
        (out, None)
    } else {
        let out = buffer(
            ctx,
            "climidx.output",
            bytes,
            U::STORAGE | U::COPY_SRC | U::COPY_DST,
        );
        let rb = buffer(ctx, "climidx.readback", bytes, U::MAP_READ | U::COPY_DST);
        (out, Some(rb))
    }
}

/// The bind group of the shared layout (shaders/common.wgsl): params, input, output.
pub(super) fn bind_group(
    ctx: &GpuContext,
    params: &wgpu::Buffer,
    input: &wgpu::Buffer,
    output: &wgpu::Buffer,
) -> wgpu::BindGroup {
    fn entry(binding: u32, b: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
        wgpu::BindGroupEntry {
            binding,
            resource: b.as_entire_binding(),
        }
    }
    ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("climidx.bind"),
        layout: ctx.bind_group_layout(),
        entries: &[entry(0, params), entry(1, input), entry(2, output)],
    })
}

/// The buffers a window runner holds: input, output (+ readback when staging), parameters and
/// their bind group.
pub(super) struct WindowBuffers {
    pub input: wgpu::Buffer,
    pub output: wgpu::Buffer,
    pub readback: Option<wgpu::Buffer>,
    pub params: wgpu::Buffer,
    pub bind_group: wgpu::BindGroup,
}

/// Allocate [`WindowBuffers`] for `in_bytes` of input and `out_bytes` of output, after checking
/// the larger against the device's binding limit (`what` names the window in that message) and
/// honouring `CLIMIDX_INJECT_ALLOC_FAILURES`.
pub(super) fn window_buffers(
    ctx: &GpuContext,
    params_label: &str,
    what: &str,
    capacity: usize,
    in_bytes: u64,
    out_bytes: u64,
) -> Result<WindowBuffers> {
    if in_bytes.max(out_bytes) > ctx.max_binding_bytes() {
        return Err(Error::Internal(format!(
            "{what} needs {} bytes in one binding; the device allows {}",
            in_bytes.max(out_bytes),
            ctx.max_binding_bytes()
        )));
    }
    if injected_alloc_failure() {
        return Err(Error::Device(format!(
            "cannot allocate GPU buffers for {capacity} px windows (injected by CLIMIDX_INJECT_ALLOC_FAILURES)"
        )));
    }
    use wgpu::BufferUsages as U;
    let input = input_buffer(ctx, in_bytes);
    let (output, readback) = output_buffers(ctx, out_bytes);
    let params = buffer(
        ctx,
        params_label,
        std::mem::size_of::<crate::kernels::abi::TileParams>() as u64,
        U::UNIFORM | U::COPY_DST,
    );
    ctx.check()
        .map_err(|e| Error::Device(format!("cannot allocate GPU buffers ({e})")))?;
    let bind_group = bind_group(ctx, &params, &input, &output);
    ctx.check()?;
    Ok(WindowBuffers {
        input,
        output,
        readback,
        params,
        bind_group,
    })
}

/// Write each `(word offset, words)` part into `input` (from [`input_buffer`]): in place when
/// mapped, by queued writes when staging.
pub(super) fn upload(
    ctx: &GpuContext,
    input: &wgpu::Buffer,
    parts: &[(usize, &[u32])],
) -> Result<()> {
    if ctx.mappable {
        let end = parts
            .iter()
            .map(|(o, w)| (o + w.len()) as u64 * 4)
            .max()
            .unwrap_or(4);
        let end = end.next_multiple_of(8);
        map_and_wait(ctx, input, wgpu::MapMode::Write, end, None)?;
        {
            for (off, words) in parts {
                let lo = *off as u64 * 4;
                let hi = lo + (words.len() as u64 * 4).next_multiple_of(8);
                let mut view = input
                    .get_mapped_range_mut(lo..hi)
                    .map_err(|e| Error::Device(format!("cannot map input: {e}")))?;
                let bytes: &[u8] = bytemuck::cast_slice(words);
                view.slice(..bytes.len()).copy_from_slice(bytes);
            }
        }
        input.unmap();
    } else {
        for (off, words) in parts {
            ctx.queue
                .write_buffer(input, *off as u64 * 4, bytemuck::cast_slice(words));
        }
    }
    Ok(())
}

/// Submit `enc` (plus the copy of `output` into `readback` when staging), wait, and hand the
/// first `bytes` of the results to `f`.
pub(super) fn read_back(
    ctx: &GpuContext,
    mut enc: wgpu::CommandEncoder,
    output: &wgpu::Buffer,
    readback: Option<&wgpu::Buffer>,
    bytes: u64,
    f: impl FnOnce(&[u32]),
) -> Result<()> {
    let target = match readback {
        Some(rb) => {
            enc.copy_buffer_to_buffer(output, 0, rb, 0, bytes);
            rb
        }
        None => output,
    };
    let idx = ctx.queue.submit([enc.finish()]);
    map_and_wait(ctx, target, wgpu::MapMode::Read, bytes, Some(idx))?;
    {
        let view = target
            .get_mapped_range(0..bytes)
            .map_err(|e| Error::Device(format!("cannot read results: {e}")))?;
        f(bytemuck::cast_slice(&view));
    }
    target.unmap();
    Ok(())
}

/// Map `buffer[0..bytes]` and wait for it, bounded by the context's timeout.
///
/// The map callback runs inside whichever thread polls the device next. When several threads
/// share one device, another thread's poll may be running our callback while ours returns, so
/// after each poll we wait briefly on the channel and poll again until the deadline.
pub(super) fn map_and_wait(
    ctx: &GpuContext,
    buffer: &wgpu::Buffer,
    mode: wgpu::MapMode,
    bytes: u64,
    submission: Option<wgpu::SubmissionIndex>,
) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    buffer.map_async(mode, 0..bytes, move |r| {
        let _ = tx.send(r);
    });
    let deadline = std::time::Instant::now() + ctx.timeout;
    let mut submission = submission;
    loop {
        ctx.wait(submission.take())?;
        match rx.recv_timeout(std::time::Duration::from_millis(5)) {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => return Err(Error::Device(format!("buffer mapping failed: {e}"))),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::Device("buffer mapping was dropped by the device".into()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) if std::time::Instant::now() < deadline => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(Error::Device(format!(
                    "buffer mapping did not complete within {:?} (set CLIMIDX_GPU_TIMEOUT_S to wait longer)",
                    ctx.timeout
                )))
            }
        }
    }
}
