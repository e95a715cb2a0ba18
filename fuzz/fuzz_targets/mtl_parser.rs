//! Any text given to the MTL parser and the Landsat calibration lookups.
#![no_main]

use climidx::io::products::mtl::Mtl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = Mtl::parse(&text, std::path::Path::new("fuzz_MTL.txt")) {
        for key in ["SPACECRAFT_ID", "SUN_ELEVATION", "RADIANCE_MULT_BAND_10", "K1_CONSTANT_BAND_10"] {
            let _ = m.get(key);
            let _ = m.number(key);
            let _ = m.optional_number(key);
        }
    }
});
