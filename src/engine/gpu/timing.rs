//! Benchmark timings of a [`GpuRunner`]'s kernel: wall time over resident data, and device time
//! from timestamp queries.

use std::time::{Duration, Instant};

use super::runner::GpuRunner;
use super::transfer::map_and_wait;
use crate::error::{Error, Result};

impl GpuRunner<'_> {
    /// Wall time of one dispatch over the data already on the device (no transfers), measured
    /// from submit to completion. Call after [`Self::run`] filled the buffers.
    pub fn time_resident(&mut self, pixels: usize) -> Result<Duration> {
        let enc = self.encode_pass(&self.pipeline, pixels.min(self.capacity), None);
        let t = Instant::now();
        let idx = self.ctx.queue.submit([enc.finish()]);
        self.ctx.wait(Some(idx))?;
        Ok(t.elapsed())
    }

    /// Kernel time from timestamp queries (`None` when the device has no TIMESTAMP_QUERY).
    pub fn time_kernel(&mut self, pixels: usize) -> Result<Option<Duration>> {
        let ctx = self.ctx;
        if !ctx
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
        {
            return Ok(None);
        }
        let qs = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("climidx.timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        use wgpu::BufferUsages as U;
        let buf = |usage| {
            ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("climidx.ts"),
                size: 16,
                usage,
                mapped_at_creation: false,
            })
        };
        let resolve = buf(U::QUERY_RESOLVE | U::COPY_SRC);
        let read = buf(U::MAP_READ | U::COPY_DST);
        let mut enc = self.encode_pass(&self.pipeline, pixels.min(self.capacity), Some(&qs));
        enc.resolve_query_set(&qs, 0..2, &resolve, 0);
        enc.copy_buffer_to_buffer(&resolve, 0, &read, 0, 16);
        let idx = ctx.queue.submit([enc.finish()]);
        map_and_wait(ctx, &read, wgpu::MapMode::Read, 16, Some(idx))?;
        let ticks = {
            let view = read
                .get_mapped_range(0..16)
                .map_err(|e| Error::Device(format!("cannot read timestamps: {e}")))?;
            let t: &[u64] = bytemuck::cast_slice(&view);
            t[1].saturating_sub(t[0])
        };
        read.unmap();
        let ns = ticks as f64 * ctx.queue.get_timestamp_period() as f64;
        Ok(Some(Duration::from_nanos(ns as u64)))
    }
}
