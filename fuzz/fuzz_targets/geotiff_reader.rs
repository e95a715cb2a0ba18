//! Any bytes given to the GeoTIFF reader: open, then read every band in windows of 7 rows.
//! It must return errors, never panic, hang or allocate without bound.
#![no_main]

use climidx::io::raster::row_windows;
use climidx::io::geotiff::reader::GeoTiffReader; use climidx::kernels::samples::PackedBand;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("climidx-fuzz-{}.tif", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(mut r) = GeoTiffReader::open(&path) {
        let info = r.info().clone();
        let bands: Vec<u16> = (0..info.bands.min(8)).collect();
        let mut packed: Vec<PackedBand> = bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
        let nodata = vec![info.nodata; bands.len()];
        // Cap the work per input (a valid header may describe a large image).
        if (info.width as u64) * (info.height as u64) <= 1 << 22 {
            for w in row_windows(info.width, info.height, 7) {
                if r.read_window(w, &bands, &nodata, &mut packed).is_err() {
                    break;
                }
            }
        }
        let _ = info.geo.geotransform();
    }
});
