//! Any text as an Awesome Spectral Indices catalogue: `Catalog::from_json_str` (what
//! `--catalog FILE` runs), the part after the first NUL byte, if any, as the `constants.json`
//! beside it; then every entry compiled with its defaults and with a `--const` override, its
//! bands listed and found by name.
#![no_main]

use std::path::Path;

use climidx::kernels::catalogue::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (dict, constants) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(dict) = std::str::from_utf8(dict) else {
        return;
    };
    let constants = constants.map(String::from_utf8_lossy);
    let Ok(c) = Catalog::from_json_str(
        dict,
        constants.as_deref(),
        Path::new("fuzz/spectral-indices-dict.json"),
    ) else {
        return;
    };
    for e in &c.entries {
        let _ = e.bands();
        let _ = e.compile(&[]);
        let _ = e.compile(&[("L".into(), 0.25), ("g".into(), 1e30)]);
        assert!(c.find(&e.name).is_some(), "{}", e.name);
    }
});
