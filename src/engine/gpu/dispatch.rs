//! Workgroup arithmetic: a 1-D run of pixels mapped onto a 2-D grid of 1-D workgroups, so that
//! no dimension exceeds `max_compute_workgroups_per_dimension` (65 535 by default).
//! The shader side is `first_pixel` in shaders/common.wgsl. Also the encoder of one such
//! compute pass.

use super::context::GpuContext;
use crate::kernels::abi::{PX_PER_INVOCATION, WG_SIZE};

/// Workgroup counts `(x, y)` covering `pixels` pixels.
pub fn grid(pixels: u32, max_per_dim: u32) -> (u32, u32) {
    grid_invocations(pixels.div_ceil(PX_PER_INVOCATION), max_per_dim)
}

/// Workgroup counts `(x, y)` covering `invocations` invocations.
pub fn grid_invocations(invocations: u32, max_per_dim: u32) -> (u32, u32) {
    let groups = invocations.div_ceil(WG_SIZE).max(1);
    let x = groups.min(max_per_dim.max(1));
    (x, groups.div_ceil(x))
}

/// An encoder holding the compute pass of `pipeline` over `pixels` pixels, `per_invocation`
/// of them per invocation, with `bind_group` (optionally timestamped).
pub(super) fn encode(
    ctx: &GpuContext,
    pipeline: &wgpu::ComputePipeline,
    bind_group: &wgpu::BindGroup,
    (pixels, per_invocation): (usize, u32),
    timestamps: Option<&wgpu::QuerySet>,
) -> wgpu::CommandEncoder {
    let mut enc = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("climidx.window"),
        });
    {
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("climidx.kernel"),
            timestamp_writes: timestamps.map(|q| wgpu::ComputePassTimestampWrites {
                query_set: q,
                beginning_of_pass_write_index: Some(0),
                end_of_pass_write_index: Some(1),
            }),
        });
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        let (x, y) = grid_invocations(
            (pixels as u32).div_ceil(per_invocation.max(1)),
            ctx.limits.max_compute_workgroups_per_dimension,
        );
        pass.dispatch_workgroups(x, y, 1);
    }
    enc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mirror of `first_pixel` in WGSL.
    fn first_pixel(gx: u32, gy: u32, nx: u32) -> u32 {
        (gx + gy * nx * WG_SIZE) * PX_PER_INVOCATION
    }

    #[test]
    fn grid_covers_every_pixel_within_limits() {
        for &(pixels, max) in &[
            (1u32, 65535u32),
            (1023, 65535),
            (120_560_400, 65535),
            (5000, 3),
        ] {
            let (x, y) = grid(pixels, max);
            assert!(x <= max && y <= max, "{pixels}: {x}x{y}");
            let covered = first_pixel(0, y, x); // first pixel past the grid
            assert!(covered >= pixels, "{pixels}: covers {covered}");
            // the last row of groups is needed
            assert!(first_pixel(0, y - 1, x) < pixels);
        }
        assert_eq!(grid(1, 65535), (1, 1));
    }
}
