//! Decoding one TIFF block (strip or tile) the way libtiff does for GDAL: read its bytes,
//! decompress, undo the predictor in the file's byte order, and widen packed samples
//! (`NBITS`, 16-bit floats) to the decoded type. Missing blocks (`SPARSE_OK`: byte count 0) are
//! filled with the nodata value, as GDAL fills them.
//!
//! The `tiff` crate only parses the header: its pixel decoding drops extra samples of RGB
//! images, inverts min-is-white ones and refuses sparse blocks, none of which GDAL does.

use std::io::{Read, Seek, SeekFrom};

use super::format::{Codec, Encoding};

/// How every block of one file is decoded.
#[derive(Clone, Debug)]
pub(super) struct BlockFormat {
    pub(super) codec: Codec,
    pub(super) enc: Encoding,
    pub(super) predictor: u16,
    pub(super) big_endian: bool,
    /// Samples per pixel within a block (1 for planar files).
    pub(super) spp: usize,
    /// One decoded sample of the fill value of missing blocks (see `format::sparse_fill`).
    pub(super) fill: [u8; 8],
}

/// Buffers reused from block to block.
#[derive(Default)]
pub(super) struct Scratch {
    raw: Vec<u8>,
    unpacked: Vec<u8>,
    row: Vec<u8>,
}

impl BlockFormat {
    /// Bytes of one encoded row `width` pixels wide (each row starts on a byte boundary).
    pub(super) fn encoded_row_bytes(&self, width: usize) -> usize {
        (width * self.spp * self.enc.bits as usize).div_ceil(8)
    }

    /// Bytes of one decoded row `width` pixels wide.
    pub(super) fn decoded_row_bytes(&self, width: usize) -> usize {
        width * self.spp * self.enc.decoded_bytes()
    }

    /// Decode block `index` (`count` bytes at `offset` in `file`), `width` × `rows` pixels as
    /// stored, into `dst` (`decoded_row_bytes(width) × rows` bytes).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn decode<R: Read + Seek>(
        &self,
        file: &mut R,
        index: usize,
        offset: u64,
        count: u64,
        width: usize,
        rows: usize,
        dst: &mut [u8],
        scratch: &mut Scratch,
    ) -> Result<(), String> {
        let db = self.enc.decoded_bytes();
        if count == 0 {
            for s in dst.chunks_exact_mut(db) {
                s.copy_from_slice(&self.fill[..db]);
            }
            return Ok(());
        }
        let Scratch { raw, unpacked, row } = scratch;
        raw.resize(count as usize, 0);
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(raw))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => truncated(index),
                _ => format!("cannot read block {index}: {e}"),
            })?;
        let row_bytes = self.encoded_row_bytes(width);
        let need = row_bytes * rows;
        let direct = self.enc.is_byte_aligned_native();
        let out: &mut [u8] = if direct {
            &mut dst[..need]
        } else {
            unpacked.resize(need, 0);
            unpacked
        };
        let got = decompress(self.codec, raw, out)
            .map_err(|e| format!("corrupt {} data in block {index}: {e}", self.codec.name()))?;
        if got < need {
            return Err(format!(
                "block {index} decodes to {got} bytes, expected {need} (corrupt or truncated block)"
            ));
        }
        let bytes = self.enc.bits as usize / 8;
        for r in out.chunks_exact_mut(row_bytes) {
            match self.predictor {
                3 => fp_acc(r, bytes, self.spp, row),
                p => {
                    // libtiff swaps 16/24/32/64-bit samples of the other byte order to the
                    // host's (24-bit ones are then read as a bit stream, as GDAL does).
                    if self.big_endian && matches!(self.enc.bits, 16 | 24 | 32 | 64) {
                        for s in r.chunks_exact_mut(bytes) {
                            s.reverse();
                        }
                    }
                    if p == 2 {
                        hor_acc(r, bytes, self.spp);
                    }
                }
            }
        }
        if !direct {
            self.widen(unpacked, row_bytes, width, rows, dst);
        }
        Ok(())
    }

    /// Widen `src` (rows of `row_bytes` encoded bytes, byte-swapped where whole bytes) into the
    /// decoded samples of `dst`.
    fn widen(&self, src: &[u8], row_bytes: usize, width: usize, rows: usize, dst: &mut [u8]) {
        let db = self.enc.decoded_bytes();
        let n = width * self.spp;
        let bits = self.enc.bits as usize;
        for (r, d) in dst.chunks_exact_mut(n * db).take(rows).enumerate() {
            let s = &src[r * row_bytes..(r + 1) * row_bytes];
            if self.enc.float && bits == 16 {
                for (o, i) in d.chunks_exact_mut(4).zip(s.chunks_exact(2)) {
                    let h = half::f16::from_bits(u16::from_ne_bytes([i[0], i[1]]));
                    o.copy_from_slice(&h.to_f32().to_ne_bytes());
                }
            } else {
                // Any other width is a most-significant-bit-first bit stream (GDAL reads the
                // 24-bit samples of little-endian files so too).
                for (k, o) in d.chunks_exact_mut(db).enumerate() {
                    let mut v = 0u32;
                    let mut bit = k * bits;
                    let end = bit + bits;
                    while bit < end {
                        let take = (8 - bit % 8).min(end - bit);
                        let byte = s[bit / 8] as u32;
                        let part = (byte >> (8 - bit % 8 - take)) & ((1 << take) - 1);
                        v = (v << take) | part;
                        bit += take;
                    }
                    o.copy_from_slice(&v.to_ne_bytes()[..db]);
                }
            }
        }
    }
}

/// The message for a block that the file ends inside of.
pub(super) fn truncated(index: usize) -> String {
    format!("file ends inside block {index} (truncated download?); re-fetch it")
}

/// Memory an LZMA block may need to decode (KiB): 256 MiB.
const LZMA_MEM_LIMIT_KIB: u32 = 256 << 10;

/// Decompress `raw` into `out`, returning how many bytes of `out` were filled.
fn decompress(codec: Codec, raw: &[u8], out: &mut [u8]) -> Result<usize, String> {
    let err = |e: std::io::Error| e.to_string();
    match codec {
        Codec::None => {
            let n = raw.len().min(out.len());
            out[..n].copy_from_slice(&raw[..n]);
            Ok(n)
        }
        Codec::Deflate => fill(flate2::read::ZlibDecoder::new(raw), out).map_err(err),
        Codec::Zstd => fill(
            zstd::stream::read::Decoder::with_buffer(raw).map_err(err)?,
            out,
        )
        .map_err(err),
        // The xz header declares the dictionary size (up to 4 GiB), allocated up front: refuse
        // more than any xz preset uses (64 MiB) by far.
        Codec::Lzma => fill(
            lzma_rust2::XzReader::new_mem_limit(raw, true, LZMA_MEM_LIMIT_KIB),
            out,
        )
        .map_err(err),
        Codec::PackBits => Ok(packbits(raw, out)),
        Codec::Lzw => lzw(raw, out),
    }
}

/// Read from `r` until `out` is full or the stream ends.
fn fill(mut r: impl Read, out: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < out.len() {
        match r.read(&mut out[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn packbits(raw: &[u8], out: &mut [u8]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < raw.len() && n < out.len() {
        let h = raw[i] as i8;
        i += 1;
        if h >= 0 {
            let k = (h as usize + 1).min(raw.len() - i).min(out.len() - n);
            out[n..n + k].copy_from_slice(&raw[i..i + k]);
            (i, n) = (i + h as usize + 1, n + k);
        } else if h != -128 && i < raw.len() {
            let k = (1 - h as isize) as usize;
            let k = k.min(out.len() - n);
            out[n..n + k].fill(raw[i]);
            (i, n) = (i + 1, n + k);
        }
    }
    n
}

fn lzw(raw: &[u8], out: &mut [u8]) -> Result<usize, String> {
    let mut d = weezl::decode::Configuration::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
        .with_yield_on_full_buffer(true)
        .build();
    let (mut inp, mut n) = (raw, 0);
    while n < out.len() {
        let r = d.decode_bytes(inp, &mut out[n..]);
        inp = &inp[r.consumed_in..];
        n += r.consumed_out;
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in + r.consumed_out > 0 => {}
            Ok(_) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(n)
}

/// Undo horizontal differencing on one row of native-order samples of `bytes` bytes, `spp`
/// interleaved (libtiff's `horAcc8/16/32/64`).
fn hor_acc(row: &mut [u8], bytes: usize, spp: usize) {
    macro_rules! acc {
        ($t:ty) => {{
            let n = row.len() / bytes;
            for i in spp..n {
                let a = <$t>::from_ne_bytes(row[(i - spp) * bytes..][..bytes].try_into().unwrap());
                let b = <$t>::from_ne_bytes(row[i * bytes..][..bytes].try_into().unwrap());
                row[i * bytes..][..bytes].copy_from_slice(&b.wrapping_add(a).to_ne_bytes());
            }
        }};
    }
    match bytes {
        1 => {
            for i in spp..row.len() {
                row[i] = row[i].wrapping_add(row[i - spp]);
            }
        }
        2 => acc!(u16),
        4 => acc!(u32),
        _ => acc!(u64),
    }
}

/// Undo the floating-point predictor on one row (libtiff's `fpAcc`): bytes differenced with
/// stride `spp`, then stored as byte planes, most significant first, whatever the byte order.
fn fp_acc(row: &mut [u8], bytes: usize, spp: usize, tmp: &mut Vec<u8>) {
    for i in spp..row.len() {
        row[i] = row[i].wrapping_add(row[i - spp]);
    }
    tmp.clear();
    tmp.extend_from_slice(row);
    let wc = row.len() / bytes;
    for (k, s) in row.chunks_exact_mut(bytes).enumerate() {
        for (b, o) in s.iter_mut().enumerate() {
            *o = tmp[(bytes - b - 1) * wc + k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packbits_and_predictors() {
        let mut out = [0u8; 8];
        // literal run of 3, repeat 0xAA 4 times, literal 1
        assert_eq!(packbits(&[2, 1, 2, 3, 0xfd, 0xaa, 0, 9], &mut out), 8);
        assert_eq!(out, [1, 2, 3, 0xaa, 0xaa, 0xaa, 0xaa, 9]);
        let mut row: Vec<u8> = [1u16, 1, 1, 2]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        hor_acc(&mut row, 2, 1);
        assert_eq!(bytemuck::cast_slice::<u8, u16>(&row), &[1, 2, 3, 5]);
        // One f32 sample 1.0 = 0x3f800000: planes MSB first.
        let mut row = vec![0x3f, 0x80 - 0x3f, 0x00u8.wrapping_sub(0x80), 0];
        fp_acc(&mut row, 4, 1, &mut Vec::new());
        assert_eq!(f32::from_ne_bytes(row[..4].try_into().unwrap()), 1.0);
    }

    /// An xz stream (64 bytes of 7) whose block header declares a 4 GiB dictionary (CRC
    /// recomputed): refused, not allocated.
    #[test]
    fn lzma_with_a_huge_dictionary_is_refused() {
        let mut xz: Vec<u8> = vec![
            0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x00, 0xff, 0x12, 0xd9, 0x41, 0x02, 0x00,
            0x21, 0x01, 0x28, 0x00, 0x00, 0x00, 0xe6, 0xa0, 0x11, 0xb3, 0xe0, 0x00, 0x3f, 0x00,
            0x06, 0x5d, 0x00, 0x03, 0xee, 0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x1a, 0x40, 0x60, 0x0e, 0x77, 0xe6, 0x06, 0x72, 0x9e, 0x7a, 0x01, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x59, 0x5a,
        ];
        let mut out = [0u8; 64];
        assert!(decompress(Codec::Lzma, &xz, &mut out).is_err());
        // The same stream with its original 1 MiB dictionary (and CRC) decodes.
        xz[16..24].copy_from_slice(&[0x10, 0x00, 0x00, 0x00, 0xa8, 0x70, 0x8e, 0x86]);
        assert_eq!(decompress(Codec::Lzma, &xz, &mut out), Ok(64));
        assert_eq!(out, [7u8; 64]);
    }
}
