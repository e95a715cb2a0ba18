//! Bit output of the byte-plane coder, and the coding of a segment's symbols.

use super::huffman::{len_code, Table, LEN_BASE, LEN_EXTRA, LITLEN};
use super::{tokens, Sink};

/// The bit state: bytes written, and up to 7 pending bits (plus what one `put` adds).
#[derive(Clone, Copy, Default)]
pub(super) struct Cursor {
    pub(super) pos: usize,
    acc: u64,
    n: u32,
}

impl Cursor {
    /// Append the low `n` bits of `v` (`n` ≤ 25) to `out`, branch-free: the whole accumulator
    /// is stored and `pos` advances by the bytes it filled, so `out` keeps 8 bytes of slack
    /// past `pos` ([`Bits::reserve`]).
    #[inline(always)]
    fn put(&mut self, out: &mut [u8], v: u32, n: u32) {
        self.acc |= (v as u64) << self.n;
        self.n += n;
        out[self.pos..self.pos + 8].copy_from_slice(&self.acc.to_le_bytes());
        let full = self.n / 8;
        self.pos += full as usize;
        self.acc >>= 8 * full;
        self.n -= 8 * full;
    }
}

/// Little-endian bit output into a growing buffer.
pub(super) struct Bits {
    pub(super) out: Vec<u8>,
    pub(super) at: Cursor,
}

impl Bits {
    pub(super) fn new(capacity: usize) -> Bits {
        Bits {
            out: vec![0; capacity + 8],
            at: Cursor::default(),
        }
    }

    /// Room for `bytes` more output.
    pub(super) fn reserve(&mut self, bytes: usize) {
        let need = self.at.pos + bytes + 8;
        if self.out.len() < need {
            self.out.resize(need.max(2 * self.out.len()), 0);
        }
    }

    /// Append the low `n` bits of `v` (`n` ≤ 25).
    #[inline]
    pub(super) fn put(&mut self, v: u32, n: u32) {
        self.at.put(&mut self.out, v, n);
    }

    /// Pad to a byte boundary (the partial byte is already stored).
    pub(super) fn align(&mut self) {
        let pos = self.at.pos + (self.at.n > 0) as usize;
        self.at = Cursor {
            pos,
            ..Cursor::default()
        };
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.reserve(b.len());
        let pos = self.at.pos;
        self.out[pos..pos + b.len()].copy_from_slice(b);
        self.at.pos += b.len();
    }
}

/// A segment being coded: the [`Cursor`] in locals (registers) over the reserved buffer, with
/// the table's code and length of each symbol in one word.
struct Encoder<'a> {
    out: &'a mut [u8],
    at: Cursor,
    sym: [u32; LITLEN],
}

impl Encoder<'_> {
    #[inline(always)]
    fn put(&mut self, v: u32, len: u32) {
        self.at.put(self.out, v, len);
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
        at: w.at,
        sym: t.sym,
    };
    for plane in seg.chunks_exact(plane_len) {
        tokens(plane, &mut e);
    }
    w.at = e.at;
}
