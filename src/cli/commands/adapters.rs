//! `climidx adapters`: every adapter wgpu sees, and the one `--device` would pick.

use crate::cli::args::DeviceArgs;
use crate::engine::gpu::{adapter, AdapterSummary};
use crate::error::Result;

pub fn run(args: &DeviceArgs) -> Result<()> {
    let instance = adapter::instance();
    let adapters: Vec<AdapterSummary> = adapter::enumerate(&instance)
        .iter()
        .map(AdapterSummary::of)
        .collect();
    let name = adapter::name_filter(args.adapter.as_deref());
    let picked = adapter::pick(&adapters, args.device, name.as_deref());
    if adapters.is_empty() {
        println!("no wgpu adapters found (install a GPU driver, or Mesa's lavapipe: apt-get install mesa-vulkan-drivers)");
    }
    for (i, a) in adapters.iter().enumerate() {
        let mark = if matches!(picked, Ok(Some(p)) if p == i) {
            "*"
        } else {
            " "
        };
        println!(
            "{mark} [{i}] {} | backend {:?} | type {:?} | driver {} {} | max storage binding {} MiB | max buffer {} MiB | workgroups/dim {} | mapped buffers {} | timestamps {}",
            a.name,
            a.backend,
            a.device_type,
            a.driver,
            a.driver_info,
            a.max_storage_binding >> 20,
            a.max_buffer >> 20,
            a.max_workgroups_per_dim,
            if a.mappable_primary_buffers { "yes" } else { "no" },
            if a.timestamps { "yes" } else { "no" },
        );
    }
    match picked {
        Ok(Some(i)) => println!(
            "--device {:?} picks [{i}] {}",
            args.device, adapters[i].name
        ),
        Ok(None) => println!(
            "--device {:?} picks the native CPU path ({} threads){}",
            args.device,
            rayon::current_num_threads(),
            if args.device == crate::engine::gpu::DeviceChoice::Auto {
                ": no hardware GPU adapter"
            } else {
                ""
            }
        ),
        Err(e) => println!("--device {:?}: {e}", args.device),
    }
    Ok(())
}
