//! Where the parts of a finished GeoTIFF go: the TIFF header, GDAL's ghost header of a
//! Cloud-Optimized GeoTIFF, the chain of directories (image, then overviews, largest first),
//! and block data copied in from the temporary files it was spilled to.
//!
//! A COG is laid out as GDAL's COG driver writes it (GDAL "COG – Cloud Optimized GeoTIFF
//! generator" docs, and `validate_cloud_optimized_geotiff.py`): header, ghost header
//! (`GDAL_STRUCTURAL_METADATA_SIZE=000140 bytes` then LAYOUT=IFDS_BEFORE_DATA,
//! BLOCK_ORDER=ROW_MAJOR, BLOCK_LEADER=SIZE_AS_UINT4, BLOCK_TRAILER=LAST_4_BYTES_REPEATED,
//! KNOWN_INCOMPATIBLE_EDITION=NO), every directory, then the tiles of the smallest overview
//! first and of the full resolution last, each tile row-major and framed by its size and its
//! last 4 bytes.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use super::ifd::{build_ifd, Image};

/// The ghost header GDAL writes after the TIFF header of a COG (the trailing space is GDAL's:
/// an editor that breaks the layout rewrites it as `KNOWN_INCOMPATIBLE_EDITION=YES\n`).
pub(super) fn ghost() -> Vec<u8> {
    let body = "LAYOUT=IFDS_BEFORE_DATA\n\
                BLOCK_ORDER=ROW_MAJOR\n\
                BLOCK_LEADER=SIZE_AS_UINT4\n\
                BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n\
                KNOWN_INCOMPATIBLE_EDITION=NO\n ";
    format!(
        "GDAL_STRUCTURAL_METADATA_SIZE={:06} bytes\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The TIFF header (little-endian, classic or BigTIFF) pointing at the first directory.
pub(super) fn header(bigtiff: bool, first_ifd: u64) -> Vec<u8> {
    if bigtiff {
        let mut h = b"II\x2b\x00\x08\x00\x00\x00".to_vec();
        h.extend_from_slice(&first_ifd.to_le_bytes());
        h
    } else {
        let mut h = b"II\x2a\x00".to_vec();
        h.extend_from_slice(&(first_ifd as u32).to_le_bytes());
        h
    }
}

/// The byte length of the chained directories of `images` (it does not depend on the block
/// offsets they hold).
pub(super) fn chain_len(images: &[Image]) -> u64 {
    images
        .iter()
        .map(|im| build_ifd(im, 0, 0).len() as u64)
        .sum()
}

/// The directories of `images`, chained in order, starting at file offset `at` (even).
pub(super) fn chain(images: &[Image], at: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = at;
    for (k, im) in images.iter().enumerate() {
        let len = build_ifd(im, 0, 0).len() as u64;
        let next = if k + 1 < images.len() { pos + len } else { 0 };
        let ifd = build_ifd(im, pos, next);
        debug_assert_eq!(ifd.len() as u64, len);
        out.extend_from_slice(&ifd);
        pos += len;
    }
    out
}

/// Append the whole of file `src` to `dst` (in-kernel where the platform can); returns the
/// number of bytes copied.
pub(super) fn append(dst: &mut File, src: &Path) -> io::Result<u64> {
    let mut f = File::open(src)?;
    let n = io::copy(&mut f, dst)?;
    dst.flush()?;
    Ok(n)
}

/// `offsets` moved by `base`.
pub(super) fn shifted(offsets: &[u64], base: u64) -> Vec<u64> {
    offsets.iter().map(|o| o + base).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ghost_is_gdal_s() {
        let g = super::ghost();
        assert_eq!(g.len(), 43 + 140);
        assert!(g.starts_with(b"GDAL_STRUCTURAL_METADATA_SIZE=000140 bytes\nLAYOUT=IFDS"));
        assert!(g.ends_with(b"KNOWN_INCOMPATIBLE_EDITION=NO\n "));
    }
}
