//! Bit output of the byte-plane coder, and the coding of a segment's symbols.

use super::huffman::{len_code, Table, LEN_BASE, LEN_EXTRA, LITLEN};
use super::{tokens, Sink};

/// Little-endian bit output, branch-free: each `put` stores the whole accumulator and advances
/// by the bytes it filled, so `out` keeps 8 bytes of slack past `pos` ([`Bits::reserve`]).
pub(super) struct Bits {
    pub(super) out: Vec<u8>,
    pub(super) pos: usize,
    pub(super) acc: u64,
    pub(super) n: u32,
}

impl Bits {
    pub(super) fn new(capacity: usize) -> Bits {
        Bits {
            out: vec![0; capacity + 8],
            pos: 0,
            acc: 0,
            n: 0,
        }
    }

    /// Room for `bytes` more output.
    pub(super) fn reserve(&mut self, bytes: usize) {
        let need = self.pos + bytes + 8;
        if self.out.len() < need {
            self.out.resize(need.max(2 * self.out.len()), 0);
        }
    }

    /// Append the low `n` bits of `v` (`n` ≤ 25, after at most 7 pending bits).
    #[inline]
    pub(super) fn put(&mut self, v: u32, n: u32) {
        self.acc |= (v as u64) << self.n;
        self.n += n;
        self.out[self.pos..self.pos + 8].copy_from_slice(&self.acc.to_le_bytes());
        let full = self.n / 8;
        self.pos += full as usize;
        self.acc >>= 8 * full;
        self.n -= 8 * full;
    }

    /// Pad to a byte boundary (the partial byte is already stored).
    pub(super) fn align(&mut self) {
        if self.n > 0 {
            self.pos += 1;
        }
        self.acc = 0;
        self.n = 0;
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.reserve(b.len());
        self.out[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }
}

/// The bit state of [`Bits`] in locals while a segment is coded, with the table's code and
/// length of each symbol in one word.
pub(super) struct Encoder<'a> {
    pub(super) out: &'a mut [u8],
    pub(super) pos: usize,
    pub(super) acc: u64,
    pub(super) n: u32,
    pub(super) sym: [u32; LITLEN],
}

impl Encoder<'_> {
    #[inline(always)]
    pub(super) fn put(&mut self, v: u32, len: u32) {
        self.acc |= (v as u64) << self.n;
        self.n += len;
        self.out[self.pos..self.pos + 8].copy_from_slice(&self.acc.to_le_bytes());
        let full = self.n / 8;
        self.pos += full as usize;
        self.acc >>= 8 * full;
        self.n -= 8 * full;
    }
}

impl Sink for Encoder<'_> {
    #[inline(always)]
    fn lit(&mut self, b: u8) {
        let e = self.sym[b as usize];
        self.put(e & 0xffff, e >> 16)
    }

    #[inline(always)]
    fn run(&mut self, l: usize) {
        let k = len_code(l);
        let e = self.sym[257 + k];
        let extra = (l - LEN_BASE[k] as usize) as u32;
        let len = e >> 16;
        // Length code, its extra bits, then distance code 0 (one bit, value 0).
        self.put((e & 0xffff) | extra << len, len + LEN_EXTRA[k] as u32 + 1);
    }
}

/// The symbols of `seg` (whole planes of `plane_len`) under `t`, runs within each plane as
/// they were counted.
pub(super) fn huffman(w: &mut Bits, t: &Table, seg: &[u8], plane_len: usize) {
    // A literal takes at most 15 bits, a run (4 bytes or more) at most 21, plus end of block.
    w.reserve(2 * seg.len() + 8);
    let mut e = Encoder {
        out: &mut w.out[..],
        pos: w.pos,
        acc: w.acc,
        n: w.n,
        sym: t.sym,
    };
    for plane in seg.chunks_exact(plane_len) {
        tokens(plane, &mut e);
    }
    (w.acc, w.n, w.pos) = (e.acc, e.n, e.pos);
}
