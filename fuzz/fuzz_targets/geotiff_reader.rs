//! Any bytes given to the GeoTIFF reader: open, then read every band in windows of 7 rows, then
//! a narrower window (cropped from full-width rows) and a single band out of order.
//! It must return errors, never panic, hang or allocate without bound.
#![no_main]

use climidx::io::geotiff::reader::GeoTiffReader;
use climidx::io::raster::{row_windows, Window};
use climidx::kernels::samples::PackedBand;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("climidx-fuzz-{}.tif", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(mut r) = GeoTiffReader::open(&path) {
        let info = r.info().clone();
        let bands: Vec<u16> = (0..info.bands.min(8)).collect();
        let mut packed: Vec<PackedBand> =
            bands.iter().map(|_| PackedBand::new(info.dtype)).collect();
        let nodata = vec![info.nodata; bands.len()];
        // Cap the work per input (a valid header may describe a large image).
        if (info.width as u64) * (info.height as u64) <= 1 << 22 {
            for w in row_windows(info.width, info.height, 7) {
                if r.read_window(w, &bands, &nodata, &mut packed).is_err() {
                    break;
                }
            }
            // A window narrower than the image, starting inside it (the cropping path), of the
            // last band alone.
            let (c0, r0) = (info.width / 3, info.height / 3);
            let w = Window {
                col_off: c0,
                row_off: r0,
                width: (info.width - c0).div_ceil(2),
                height: (info.height - r0).div_ceil(2),
            };
            let last = [bands[bands.len() - 1]];
            let _ = r.read_window(w, &last, &nodata[..1], &mut packed[..1]);
        }
        let _ = info.geo.geotransform();
    }
});
