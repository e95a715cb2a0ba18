//! The TIFF image file directory of a written GeoTIFF: the tag values (baseline, GeoTIFF and
//! GDAL metadata tags) and their little-endian encoding, classic or BigTIFF.

use super::encode::Compression;
use crate::io::geo::{format_nodata, GeoInfo};

/// What the directory describes: the image, its blocks as written, and what goes with it.
pub(super) struct Image<'a> {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) bands: usize,
    /// SampleFormat of every band (3 IEEE float, 1 unsigned, 2 signed integer).
    pub(super) sample_format: u16,
    /// BitsPerSample of every band (32, or 16 for scaled int16).
    pub(super) bits: u16,
    /// GDAL's band scale and offset (every band), for scaled integers.
    pub(super) scale_offset: Option<(f64, f64)>,
    pub(super) compression: Compression,
    pub(super) predictor: u16,
    /// Tiles of `block_w × block_h` rather than strips of `block_h` rows.
    pub(super) tiled: bool,
    pub(super) block_w: u32,
    pub(super) block_h: u32,
    pub(super) block_offsets: &'a [u64],
    pub(super) block_counts: &'a [u64],
    pub(super) bigtiff: bool,
    pub(super) geo: &'a GeoInfo,
    /// Dataset-level metadata items (name, value) written to GDAL_METADATA.
    pub(super) metadata: &'a [(String, String)],
    /// One description per band.
    pub(super) descriptions: &'a [String],
    /// One unit type per band (empty: none).
    pub(super) units: &'a [String],
    /// GDAL_NODATA, when written.
    pub(super) nodata: Option<f64>,
    /// A reduced-resolution level (NewSubfileType 1): only the image structure and nodata, as
    /// GDAL writes overview directories.
    pub(super) overview: bool,
}

/// GDAL_METADATA: dataset items, then per band the description and the unit type, with the
/// roles GDAL's GTiff driver reads back as band description and `GetUnitType()`.
fn gdal_metadata(
    metadata: &[(String, String)],
    descriptions: &[String],
    units: &[String],
    scale_offset: Option<(f64, f64)>,
) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut x = String::from("<GDALMetadata>\n");
    for (k, v) in metadata {
        x += &format!("  <Item name=\"{}\">{}</Item>\n", esc(k), esc(v));
    }
    for (b, d) in descriptions.iter().enumerate() {
        x += &format!(
            "  <Item name=\"DESCRIPTION\" sample=\"{b}\" role=\"description\">{}</Item>\n",
            esc(d)
        );
    }
    for (b, u) in units.iter().enumerate().filter(|(_, u)| !u.is_empty()) {
        x += &format!(
            "  <Item name=\"UNITTYPE\" sample=\"{b}\" role=\"unittype\">{}</Item>\n",
            esc(u)
        );
    }
    if let Some((scale, offset)) = scale_offset {
        for b in 0..descriptions.len() {
            x += &format!(
                "  <Item name=\"OFFSET\" sample=\"{b}\" role=\"offset\">{offset}</Item>\n  <Item name=\"SCALE\" sample=\"{b}\" role=\"scale\">{scale}</Item>\n"
            );
        }
    }
    x += "</GDALMetadata>";
    x
}

/// The directory of `image`, to be written at file offset `ifd_offset`, pointing to the next
/// directory at `next` (0: the last one). Its length does not depend on the offsets.
pub(super) fn build_ifd(image: &Image, ifd_offset: u64, next: u64) -> Vec<u8> {
    let n = image.bands;
    let mut e: Vec<Entry> = vec![
        Entry::long(256, &[image.width]),
        Entry::long(257, &[image.height]),
        Entry::short(258, &vec![image.bits; n]),
        Entry::short(259, &[image.compression.tag()]),
        Entry::short(262, &[1]),
        Entry::short(277, &[n as u16]),
        Entry::short(284, &[1]),
        Entry::short(339, &vec![image.sample_format; n]),
    ];
    if image.overview {
        e.push(Entry::long(254, &[1]));
    } else {
        e.push(Entry::ascii(
            305,
            &format!("climidx {}", env!("CARGO_PKG_VERSION")),
        ));
    }
    if n > 1 {
        e.push(Entry::short(338, &vec![0; n - 1]));
    }
    let (offsets_tag, counts_tag) = if image.tiled {
        e.push(Entry::long(322, &[image.block_w]));
        e.push(Entry::long(323, &[image.block_h]));
        (324, 325)
    } else {
        e.push(Entry::long(278, &[image.block_h]));
        (273, 279)
    };
    if image.bigtiff {
        e.push(Entry::long8(offsets_tag, image.block_offsets));
        e.push(Entry::long8(counts_tag, image.block_counts));
    } else {
        e.push(Entry::long(offsets_tag, &to_u32(image.block_offsets)));
        e.push(Entry::long(counts_tag, &to_u32(image.block_counts)));
    }
    if image.predictor != 1 {
        e.push(Entry::short(317, &[image.predictor]));
    }
    let g = image.geo;
    if image.overview {
        if let Some(nodata) = image.nodata {
            e.push(Entry::ascii(42113, &format_nodata(nodata)));
        }
        e.sort_by_key(|x| x.tag);
        return encode_ifd(&e, ifd_offset, next, image.bigtiff);
    }
    if let Some(v) = &g.pixel_scale {
        e.push(Entry::double(33550, v));
    }
    if let Some(v) = &g.tiepoints {
        e.push(Entry::double(33922, v));
    }
    if let Some(v) = &g.transformation {
        e.push(Entry::double(34264, v));
    }
    if let Some(v) = &g.geo_keys {
        e.push(Entry::short(34735, v));
    }
    if let Some(v) = &g.geo_doubles {
        e.push(Entry::double(34736, v));
    }
    if let Some(v) = &g.geo_ascii {
        e.push(Entry::ascii(34737, v));
    }
    e.push(Entry::ascii(
        42112,
        &gdal_metadata(
            image.metadata,
            image.descriptions,
            image.units,
            image.scale_offset,
        ),
    ));
    if let Some(nodata) = image.nodata {
        e.push(Entry::ascii(42113, &format_nodata(nodata)));
    }
    e.sort_by_key(|x| x.tag);
    encode_ifd(&e, ifd_offset, next, image.bigtiff)
}

fn to_u32(v: &[u64]) -> Vec<u32> {
    v.iter().map(|&x| x as u32).collect()
}

struct Entry {
    tag: u16,
    typ: u16,
    count: u64,
    data: Vec<u8>,
}

impl Entry {
    fn short(tag: u16, v: &[u16]) -> Self {
        Entry {
            tag,
            typ: 3,
            count: v.len() as u64,
            data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
    fn long(tag: u16, v: &[u32]) -> Self {
        Entry {
            tag,
            typ: 4,
            count: v.len() as u64,
            data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
    fn long8(tag: u16, v: &[u64]) -> Self {
        Entry {
            tag,
            typ: 16,
            count: v.len() as u64,
            data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
    fn double(tag: u16, v: &[f64]) -> Self {
        Entry {
            tag,
            typ: 12,
            count: v.len() as u64,
            data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
    fn ascii(tag: u16, s: &str) -> Self {
        let mut data = s.as_bytes().to_vec();
        if data.last() != Some(&0) {
            data.push(0);
        }
        Entry {
            tag,
            typ: 2,
            count: data.len() as u64,
            data,
        }
    }
}

/// Lay out one IFD at `at`: the entry table, then out-of-line values (word-aligned).
fn encode_ifd(entries: &[Entry], at: u64, next: u64, big: bool) -> Vec<u8> {
    let (count_len, entry_len, next_len, inline) = if big { (8, 20, 8, 8) } else { (2, 12, 4, 4) };
    let table = count_len + entries.len() * entry_len + next_len;
    let mut out = Vec::with_capacity(table + 4096);
    let mut extra: Vec<u8> = Vec::new();
    if big {
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    } else {
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    }
    for e in entries {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.typ.to_le_bytes());
        if big {
            out.extend_from_slice(&e.count.to_le_bytes());
        } else {
            out.extend_from_slice(&(e.count as u32).to_le_bytes());
        }
        if e.data.len() <= inline {
            let mut v = e.data.clone();
            v.resize(inline, 0);
            out.extend_from_slice(&v);
        } else {
            let off = at + table as u64 + extra.len() as u64;
            if big {
                out.extend_from_slice(&off.to_le_bytes());
            } else {
                out.extend_from_slice(&(off as u32).to_le_bytes());
            }
            extra.extend_from_slice(&e.data);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
        }
    }
    if big {
        out.extend_from_slice(&next.to_le_bytes());
    } else {
        out.extend_from_slice(&(next as u32).to_le_bytes());
    }
    debug_assert_eq!(out.len(), table);
    out.extend_from_slice(&extra);
    out
}
