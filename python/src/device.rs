//! One process-wide device per `(device, adapter)` request, created lazily by the first call
//! that asks for it and shared by every thread after that (wgpu devices are `Send + Sync`; each
//! call builds its own runner and buffers on it). The CPU path needs no device.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use climidx::choice::Choice;
use climidx::engine::gpu::{DeviceChoice, GpuContext};
use climidx::engine::Backend;
use climidx::Result;

type Key = (&'static str, Option<String>);

/// Opened devices, kept for the life of the process (`None`: the native CPU path was picked).
static DEVICES: OnceLock<Mutex<HashMap<Key, &'static Option<GpuContext>>>> = OnceLock::new();

/// The `device=` word as a choice, or the CLI's message.
pub fn parse(word: &str) -> Result<DeviceChoice> {
    DeviceChoice::from_word(word).ok_or_else(|| {
        climidx::Error::Usage(format!(
            "device={word:?}: expected one of {}",
            DeviceChoice::words().join(", ")
        ))
    })
}

/// The backend for `choice` (and an adapter-name filter), opening its device the first time.
/// Call without the GIL: opening a device can take a while.
pub fn backend(choice: DeviceChoice, adapter: Option<&str>) -> Result<Backend<'static>> {
    if choice == DeviceChoice::Cpu {
        return Ok(Backend::Cpu);
    }
    let key: Key = (choice.word(), adapter.map(str::to_string));
    let map = DEVICES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut g = map.lock().unwrap_or_else(|p| p.into_inner());
    let ctx: &'static Option<GpuContext> = match g.get(&key) {
        Some(c) => c,
        None => {
            // A failed open is not cached: the next call tries again (and says why again).
            let c: &'static Option<GpuContext> =
                Box::leak(Box::new(GpuContext::open(choice, adapter)?));
            g.insert(key, c);
            c
        }
    };
    Ok(Backend::of(ctx.as_ref()))
}
