//! Huffman tables of the byte-plane coder: length-limited code lengths, canonical codes and
//! the dynamic block header that sends them (RFC 1951, 3.2.7).

use super::Counts;

/// Most lit/len symbols: 0–255 literals, 256 end of block, 257–285 lengths.
pub(super) const LITLEN: usize = 286;
/// Order in which code-length code lengths are sent (RFC 1951, 3.2.7).
pub(super) const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];
/// Base match length of length codes 257–285 (RFC 1951, 3.2.5).
pub(super) const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
/// Extra bits of length codes 257–285.
pub(super) const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// Length code index (0–28) of a match of `len` (3–258).
pub(super) fn len_code(len: usize) -> usize {
    if len == 258 {
        return 28;
    }
    LEN_BASE.partition_point(|&b| b as usize <= len) - 1
}

/// Huffman code lengths of `freq`, none longer than `max` (at least two codes when two symbols
/// are counted; a lone symbol gets length 1).
pub(super) fn code_lengths(freq: &[u32], max: usize) -> Vec<u8> {
    let mut lens = vec![0u8; freq.len()];
    let mut syms: Vec<(u32, usize)> = (0..freq.len())
        .filter(|&s| freq[s] > 0)
        .map(|s| (freq[s], s))
        .collect();
    match syms.len() {
        0 => return lens,
        1 => {
            lens[syms[0].1] = 1;
            return lens;
        }
        _ => {}
    }
    syms.sort_unstable();
    // Two-queue Huffman: leaves in frequency order, internal nodes in creation order.
    let n = syms.len();
    let mut parent = vec![0usize; 2 * n - 1];
    let mut weight: Vec<u64> = syms.iter().map(|&(f, _)| f as u64).collect();
    weight.resize(2 * n - 1, 0);
    let (mut leaf, mut node) = (0usize, n);
    for next in n..2 * n - 1 {
        let mut pick = || {
            if leaf < n && (node >= next || weight[leaf] <= weight[node]) {
                leaf += 1;
                leaf - 1
            } else {
                node += 1;
                node - 1
            }
        };
        let (a, b) = (pick(), pick());
        weight[next] = weight[a] + weight[b];
        parent[a] = next;
        parent[b] = next;
    }
    // Depths: the root is the last node.
    let mut depth = vec![0usize; 2 * n - 1];
    for i in (0..2 * n - 2).rev() {
        depth[i] = depth[parent[i]] + 1;
    }
    // Count leaves per depth, fold anything deeper than `max` back (Kraft sum kept at 1).
    let mut count = vec![0u32; 2 * n.max(max) + 1];
    for d in &depth[..n] {
        count[*d] += 1;
    }
    let deepest = depth[..n].iter().copied().max().unwrap_or(0);
    if deepest > max {
        for d in max + 1..=deepest {
            count[max] += count[d];
            count[d] = 0;
        }
        let mut total: u64 = (1..=max).map(|d| (count[d] as u64) << (max - d)).sum();
        while total > 1u64 << max {
            count[max] -= 1;
            for d in (1..max).rev() {
                if count[d] != 0 {
                    count[d] -= 1;
                    count[d + 1] += 2;
                    break;
                }
            }
            total -= 1;
        }
    }
    // The most frequent symbols get the shortest codes.
    let mut it = syms.iter().rev();
    for (d, &c) in count.iter().enumerate().skip(1) {
        for _ in 0..c {
            let &(_, s) = it.next().expect("one length per symbol");
            lens[s] = d as u8;
        }
    }
    lens
}

/// Canonical codes of `lens`, bit-reversed for LSB-first output.
pub(super) fn canonical(lens: &[u8]) -> Vec<u16> {
    let mut count = [0u16; 16];
    for &l in lens {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for b in 1..16 {
        code = (code + count[b - 1]) << 1;
        next[b] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

/// A Huffman group's table: codes, lengths and the block header that sends them.
pub(super) struct Table {
    pub(super) lens: Vec<u8>,
    pub(super) codes: Vec<u16>,
    /// Code and length of each symbol in one word: code | length << 16.
    pub(super) sym: [u32; LITLEN],
    /// Header after BFINAL/BTYPE, as (bits, count) pairs.
    pub(super) header: Vec<(u32, u32)>,
    pub(super) header_bits: u64,
    /// Bits of the group's symbols over the block (end-of-block codes not included).
    pub(super) body_bits: u64,
}

impl Table {
    pub(super) fn new(c: &Counts) -> Table {
        let mut freq = c.lit;
        freq[256] = freq[256].max(1);
        let lens = code_lengths(&freq, 15);
        let codes = canonical(&lens);
        let hlit = (257..=LITLEN)
            .rev()
            .find(|&k| lens[k - 1] > 0)
            .unwrap_or(257);
        // Two distance codes of one bit: distance 1 is code 0.
        let mut seq: Vec<u8> = lens[..hlit].to_vec();
        seq.extend_from_slice(&[1, 1]);
        let rle = rle_lengths(&seq);
        let mut cl_freq = [0u32; 19];
        for &(s, _, _) in &rle {
            cl_freq[s as usize] += 1;
        }
        if cl_freq.iter().filter(|&&f| f > 0).count() < 2 {
            // A code-length code needs two codes to be complete.
            let other = if cl_freq[0] == 0 { 0 } else { 1 };
            cl_freq[other] = 1;
        }
        let cl_lens = code_lengths(&cl_freq, 7);
        let cl_codes = canonical(&cl_lens);
        let hclen = (4..=19)
            .rev()
            .find(|&k| cl_lens[CL_ORDER[k - 1]] > 0)
            .unwrap_or(4);
        let mut header = vec![
            ((hlit - 257) as u32, 5),
            (1, 5), // HDIST − 1: two distance codes
            ((hclen - 4) as u32, 4),
        ];
        header.extend(CL_ORDER[..hclen].iter().map(|&s| (cl_lens[s] as u32, 3)));
        for (s, extra, n) in rle {
            let s = s as usize;
            header.push((cl_codes[s] as u32, cl_lens[s] as u32));
            if n > 0 {
                header.push((extra as u32, n as u32));
            }
        }
        let header_bits = header.iter().map(|&(_, n)| n as u64).sum();
        let mut body_bits: u64 = (0..LITLEN)
            .filter(|&s| s != 256)
            .map(|s| c.lit[s] as u64 * lens[s] as u64)
            .sum();
        body_bits += c.extra_bits + c.matches;
        let sym = std::array::from_fn(|s| codes[s] as u32 | (lens[s] as u32) << 16);
        Table {
            lens,
            codes,
            sym,
            header,
            header_bits,
            body_bits,
        }
    }

    pub(super) fn eob_bits(&self) -> u64 {
        self.lens[256] as u64
    }
}

/// Code lengths run-length coded with codes 16–18: (symbol, extra value, extra bits).
pub(super) fn rle_lengths(seq: &[u8]) -> Vec<(u8, u8, u8)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < seq.len() {
        let l = seq[i];
        let run = seq[i..].iter().take_while(|&&x| x == l).count();
        let mut r = run;
        if l == 0 {
            while r >= 11 {
                let k = r.min(138);
                out.push((18, (k - 11) as u8, 7));
                r -= k;
            }
            if r >= 3 {
                out.push((17, (r - 3) as u8, 3));
                r = 0;
            }
        } else {
            out.push((l, 0, 0));
            r -= 1;
            while r >= 3 {
                let k = r.min(6);
                out.push((16, (k - 3) as u8, 2));
                r -= k;
            }
        }
        out.extend(std::iter::repeat_n((l, 0, 0), r));
        i += run;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lengths_are_complete_and_limited() {
        // Fibonacci frequencies force depths past 15.
        let mut f = vec![0u32; 40];
        let (mut a, mut b) = (1u32, 1u32);
        for x in f.iter_mut() {
            *x = a;
            (a, b) = (b, a.saturating_add(b));
        }
        for max in [7, 15] {
            let l = code_lengths(&f, max);
            assert!(l.iter().all(|&x| (1..=max as u8).contains(&x)));
            let kraft: f64 = l.iter().map(|&x| 0.5f64.powi(x as i32)).sum();
            assert!((kraft - 1.0).abs() < 1e-12, "{kraft}");
        }
        assert_eq!(code_lengths(&[0, 5, 0], 15), vec![0, 1, 0]);
    }
}
