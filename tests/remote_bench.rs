//! The remote-input benchmark (`benches/remote.rs`) run once at 256² with 2 ms latency: its
//! COGs, server, both tools over HTTP and the comparison work, climidx and gdal_calc.py agree,
//! and climidx reads the two files about once, with at most 8 requests in flight.

#[path = "../benches/remote.rs"]
#[allow(dead_code)]
mod bench;

use std::time::Duration;

#[test]
fn the_remote_benchmark_runs_and_both_tools_agree() {
    let name = "the_remote_benchmark_runs_and_both_tools_agree";
    if crate::common::gdal_tool("gdal_translate", name).is_none()
        || crate::common::gdal_tool("gdal_calc.py", name).is_none()
    {
        return;
    }
    let dir = crate::common::tempdir("remote-bench");
    let c = bench::Config {
        size: 256,
        rounds: 1,
        latency: Duration::from_millis(2),
        blocksize: 128,
        local: false,
        dir,
    };
    let r = bench::run(&c).unwrap();
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.validity_mismatches, 0);
    assert!(r.valid > 256 * 256 / 2, "{} valid pixels", r.valid);
    assert!(r.max_diff < 1e-6, "max |diff| {}", r.max_diff);
    let (ours, gdal) = (r.rows[0].median(), r.rows[1].median());
    // At most each file once, plus its 64 KiB header prefetch where that overlaps tiles.
    let most = r.cog_bytes + 2 * 65536;
    assert!(
        ours.bytes > 0 && ours.bytes <= most,
        "{ours:?}, files {}",
        r.cog_bytes
    );
    assert!(gdal.bytes > 0, "{gdal:?}");
    assert!(ours.max_in_flight <= 8, "{ours:?}");
    let md = bench::markdown(&r);
    assert!(
        md.contains("| climidx | HTTP |") && md.contains("GDAL_HTTP_MULTIPLEX=YES"),
        "{md}"
    );
}
