//! The JP2 file format (ISO/IEC 15444-1 Annex I) as far as climidx needs it: the box tree
//! (signature, `ihdr`, palette, the GeoJP2 `uuid` box, GMLJP2 `asoc` boxes, the `jp2c`
//! codestream) and the codestream's main header (SIZ, COD/COC markers, Annex A).
//! Only headers are read here; pixels are decoded by OpenJPEG in [`super::reader`].

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::{Error, Result};

/// The JP2 signature box: length 12, type `jP  `, content 0x0D0A870A.
pub const JP2_SIGNATURE: [u8; 12] = [0, 0, 0, 12, b'j', b'P', b' ', b' ', 13, 10, 0x87, 10];
/// A raw codestream starts with SOC then SIZ.
pub const J2K_SIGNATURE: [u8; 4] = [0xFF, 0x4F, 0xFF, 0x51];
/// The GeoJP2 box: `uuid` with this id, holding a degenerate 1×1 GeoTIFF.
pub const GEOJP2_UUID: [u8; 16] = [
    0xb1, 0x4b, 0xf8, 0xbd, 0x08, 0x3d, 0x4b, 0x43, 0xa5, 0xae, 0x8c, 0xd7, 0xd5, 0xa6, 0xce, 0x03,
];

/// Largest metadata box read into memory (GeoJP2 and GMLJP2 boxes are a few KiB).
const MAX_META_BOX: u64 = 16 << 20;

/// What the box tree of a JP2 file holds.
#[derive(Debug, Default)]
pub struct Boxes {
    /// The GeoJP2 box's embedded TIFF, if any.
    pub geojp2: Option<Vec<u8>>,
    /// The GMLJP2 root instance (`asoc` labelled `gml.root-instance`), if any.
    pub gml: Option<String>,
    /// A palette (`pclr`) box is present.
    pub palette: bool,
    /// Offset and length of the codestream (`jp2c`) contents.
    pub codestream: Option<(u64, u64)>,
}

/// The codestream main header: image and tile grid (SIZ) and the wavelet of each component
/// (COD, overridden by COC).
#[derive(Debug, Clone)]
pub struct Siz {
    /// Image area on the reference grid: `x0..x1`, `y0..y1`.
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Tile size and tile grid origin.
    pub tw: u32,
    pub th: u32,
    pub tx0: u32,
    pub ty0: u32,
    /// Per component: (precision in bits, signed, horizontal and vertical subsampling).
    pub comps: Vec<(u8, bool, u8, u8)>,
    /// Per component: true when the irreversible 9/7 wavelet is used (lossy).
    pub irreversible: Vec<bool>,
}

fn bad(path: &Path, m: impl std::fmt::Display) -> Error {
    Error::input(path, format!("corrupt JPEG 2000 file: {m}"))
}

fn truncated(path: &Path) -> Error {
    Error::input(
        path,
        "truncated JPEG 2000 file (a box runs past the end of the file); download it again",
    )
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Read box headers from `start` to `end`: (type, content offset, content length).
fn box_list(f: &mut File, path: &Path, start: u64, end: u64) -> Result<Vec<([u8; 4], u64, u64)>> {
    let mut out = Vec::new();
    let mut at = start;
    let io = |e: std::io::Error| Error::input(path, format!("cannot read: {e}"));
    while at + 8 <= end {
        f.seek(SeekFrom::Start(at)).map_err(io)?;
        let mut h = [0u8; 8];
        f.read_exact(&mut h).map_err(|_| truncated(path))?;
        let (mut len, ty) = (be32(&h[..4]) as u64, [h[4], h[5], h[6], h[7]]);
        let mut head = 8;
        if len == 1 {
            let mut x = [0u8; 8];
            f.read_exact(&mut x).map_err(|_| truncated(path))?;
            len = u64::from_be_bytes(x);
            head = 16;
        } else if len == 0 {
            len = end - at;
        }
        if len < head {
            return Err(bad(path, format!("box of length {len}")));
        }
        if at + len > end {
            return Err(truncated(path));
        }
        out.push((ty, at + head, len - head));
        at += len;
    }
    if at != end {
        return Err(truncated(path));
    }
    Ok(out)
}

fn read_at(f: &mut File, path: &Path, off: u64, len: u64) -> Result<Vec<u8>> {
    if len > MAX_META_BOX {
        return Err(bad(path, format!("metadata box of {len} bytes")));
    }
    let mut v = vec![0u8; len as usize];
    f.seek(SeekFrom::Start(off))
        .and_then(|_| f.read_exact(&mut v))
        .map_err(|_| truncated(path))?;
    Ok(v)
}

/// Walk the box tree of the JP2 file `f` (already checked to start with [`JP2_SIGNATURE`]).
pub fn read_boxes(f: &mut File, path: &Path) -> Result<Boxes> {
    let size = f
        .metadata()
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?
        .len();
    let mut out = Boxes::default();
    for (ty, off, len) in box_list(f, path, 0, size)? {
        match &ty {
            b"jp2h" => {
                out.palette |= box_list(f, path, off, off + len)?
                    .iter()
                    .any(|b| &b.0 == b"pclr");
            }
            b"uuid" if len >= 16 => {
                let v = read_at(f, path, off, len)?;
                if v[..16] == GEOJP2_UUID {
                    out.geojp2 = Some(v[16..].to_vec());
                }
            }
            b"asoc" if out.gml.is_none() => out.gml = gml_root(f, path, off, len)?,
            b"jp2c" if out.codestream.is_none() => out.codestream = Some((off, len)),
            _ => {}
        }
    }
    Ok(out)
}

/// The XML of an `asoc` box labelled `gml.data` that holds an `asoc` labelled
/// `gml.root-instance` (OGC GMLJP2 1.0/2.0).
fn gml_root(f: &mut File, path: &Path, off: u64, len: u64) -> Result<Option<String>> {
    let kids = box_list(f, path, off, off + len)?;
    let label = |f: &mut File, kids: &[([u8; 4], u64, u64)]| -> Result<Option<String>> {
        match kids.first() {
            Some((t, o, l)) if t == b"lbl " => Ok(Some(
                String::from_utf8_lossy(&read_at(f, path, *o, *l)?)
                    .trim_end_matches('\0')
                    .trim()
                    .to_string(),
            )),
            _ => Ok(None),
        }
    };
    if label(f, &kids)?.as_deref() != Some("gml.data") {
        return Ok(None);
    }
    for (t, o, l) in &kids {
        if t != b"asoc" {
            continue;
        }
        let inner = box_list(f, path, *o, o + l)?;
        if label(f, &inner)?.as_deref() == Some("gml.root-instance") {
            if let Some((_, xo, xl)) = inner.iter().find(|b| &b.0 == b"xml ") {
                let x = read_at(f, path, *xo, *xl)?;
                return Ok(Some(String::from_utf8_lossy(&x).into_owned()));
            }
        }
    }
    Ok(None)
}

/// Parse the codestream main header (from SOC up to the first SOT) at `off`.
pub fn read_siz(f: &mut File, path: &Path, off: u64, len: u64) -> Result<Siz> {
    // The main header is small; 1 MiB holds any real one.
    let head = read_at(f, path, off, len.min(1 << 20))?;
    if head.len() < 4 || head[..4] != J2K_SIGNATURE {
        return Err(bad(path, "the codestream does not start with SOC, SIZ"));
    }
    let mut siz: Option<Siz> = None;
    let mut cod_irr = None;
    let mut coc: Vec<(usize, bool)> = Vec::new();
    let mut at = 2;
    loop {
        if at + 4 > head.len() {
            return Err(truncated(path));
        }
        let marker = be16(&head[at..]);
        if marker == 0xFF90 {
            break; // SOT: the main header ends.
        }
        let l = be16(&head[at + 2..]) as usize;
        let seg = head
            .get(at + 4..at + 2 + l)
            .ok_or_else(|| truncated(path))?;
        match marker {
            0xFF51 => siz = Some(parse_siz(path, seg)?),
            0xFF52 if seg.len() >= 10 => cod_irr = Some(seg[9] == 0),
            0xFF53 => {
                let n = siz.as_ref().map_or(0, |s| s.comps.len());
                let (c, rest) = if n < 257 {
                    (seg.first().map(|&c| c as usize), seg.get(1..))
                } else {
                    (Some(be16(seg) as usize), seg.get(2..))
                };
                // Scoc, then SPcoc: levels, cb width, cb height, cb style, transform.
                if let (Some(c), Some(r)) = (c, rest) {
                    if r.len() >= 6 {
                        coc.push((c, r[5] == 0));
                    }
                }
            }
            _ => {}
        }
        at += 2 + l;
    }
    let mut s = siz.ok_or_else(|| bad(path, "no SIZ marker"))?;
    let irr = cod_irr.ok_or_else(|| bad(path, "no COD marker"))?;
    s.irreversible = vec![irr; s.comps.len()];
    for (c, i) in coc {
        if let Some(x) = s.irreversible.get_mut(c) {
            *x = i;
        }
    }
    Ok(s)
}

fn parse_siz(path: &Path, seg: &[u8]) -> Result<Siz> {
    if seg.len() < 36 {
        return Err(truncated(path));
    }
    let n = be16(&seg[34..]) as usize;
    if n == 0 || seg.len() < 36 + 3 * n {
        return Err(bad(path, "SIZ marker without its components"));
    }
    let comps = (0..n)
        .map(|c| {
            let b = &seg[36 + 3 * c..];
            ((b[0] & 0x7F) + 1, b[0] & 0x80 != 0, b[1], b[2])
        })
        .collect();
    let s = Siz {
        x1: be32(&seg[2..]),
        y1: be32(&seg[6..]),
        x0: be32(&seg[10..]),
        y0: be32(&seg[14..]),
        tw: be32(&seg[18..]),
        th: be32(&seg[22..]),
        tx0: be32(&seg[26..]),
        ty0: be32(&seg[30..]),
        comps,
        irreversible: Vec::new(),
    };
    if s.x1 <= s.x0 || s.y1 <= s.y0 || s.tw == 0 || s.th == 0 || s.tx0 > s.x0 || s.ty0 > s.y0 {
        return Err(bad(path, "impossible image or tile size in SIZ"));
    }
    Ok(s)
}
