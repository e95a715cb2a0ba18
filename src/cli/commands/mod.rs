//! One module per subcommand, plus the device opening they share.

pub mod adapters;
pub mod anomaly;
pub mod anomaly_rank;
pub mod bench;
pub mod climatology;
pub mod collection;
pub mod index;
pub mod list;
pub mod lst;
pub mod quicklook;
pub mod spi;
pub mod trend;

use std::sync::Arc;

use crate::engine::gpu::GpuContext;
use crate::engine::{run_index_job, Backend, Control, IndexJob, JobReport};
use crate::error::Result;

use super::args::DeviceArgs;

/// Open the device `args` asks for: `Some(context)` for a wgpu adapter, `None` for the native
/// CPU path.
pub fn open_device(args: &DeviceArgs) -> Result<Option<GpuContext>> {
    GpuContext::open(args.device, args.adapter.as_deref())
}

/// The control of the next job: a fresh cancel token tripped by Ctrl-C, and a progress bar.
pub fn control() -> Control {
    Control {
        cancel: super::signals::job_token(),
        progress: Arc::new(super::progress::Bar::default()),
    }
}

/// Validate, open the device, run, log; the report says what was done.
pub fn run_job(job: &IndexJob, device: &DeviceArgs) -> Result<JobReport> {
    job.validate()?;
    let ctx = open_device(device)?;
    let backend = Backend::of(ctx.as_ref());
    let report = run_index_job(job, backend, &control())?;
    log::info!(
        "{} windows of {} rows on {}",
        report.windows,
        report.rows_per_window,
        report.device
    );
    Ok(report)
}

/// Run an index job and say what it did (`command` names it in the JSON report).
pub fn run_and_report(
    command: &str,
    job: &IndexJob,
    device: &DeviceArgs,
    json: bool,
) -> Result<super::report::Done> {
    let r = run_job(job, device)?;
    Ok(super::report::index(command, job, &r, json))
}
