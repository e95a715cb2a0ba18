//! CPU mirror of `shaders/common.wgsl`: per-band parameters, sample fetch and decode.
//! Keep it line-by-line comparable with the WGSL. Also the dispatch shape and the layout of
//! the statistics partials, which the WGSL prelude ([`super::wgsl::prelude`]) gets from here.

use super::samples::{DataType, NodataMatch};
use super::vocab::{Px, MAX_CONSTS, MAX_OUTPUTS, ROLE_SLOTS};

/// Invocations per workgroup (1-D workgroups on a 2-D grid; see `engine::gpu::dispatch`).
pub const WG_SIZE: u32 = 256;
/// Consecutive pixels handled by one invocation of an index kernel.
pub const PX_PER_INVOCATION: u32 = 4;
/// Name of every generated entry point.
pub const ENTRY_POINT: &str = "main";
/// Histogram bins of the statistics kernel.
pub const HIST_BINS: u32 = 100;
/// Words of one workgroup partial (see shaders/stats.wgsl).
pub const PARTIAL_WORDS: u32 = 8 + HIST_BINS;
/// Pixels each invocation of the statistics kernel visits.
pub const STATS_PX_PER_INVOCATION: u32 = 64;

/// Per-band decode parameters. Must be kept in sync with `struct BandParams` in
/// shaders/common.wgsl (a test checks the size with naga's layouter).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct BandParams {
    /// `DT_*` code, see [`DataType::shader_code`].
    pub dtype: u32,
    /// First word of this band inside the GPU input buffer (unused on the CPU).
    pub word_offset: u32,
    /// 0 none, 1 raw bits equal, 2 float equal.
    pub nodata_mode: u32,
    /// Raw nodata bits (mode 1) or f32 bits (mode 2).
    pub nodata_bits: u32,
    pub scale: f32,
    pub offset: f32,
    /// Mask bands only: [`MASK_NONE`], [`MASK_BITS`] or [`MASK_CLASSES`].
    pub mask_mode: u32,
    /// The bits (`raw & bits != 0` masks) or the classes (`bit raw` set masks) of the mask.
    pub mask_bits: u32,
}

/// Uniform parameters of one dispatch. Must be kept in sync with `struct TileParams` in
/// shaders/common.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct TileParams {
    pub pixel_count: u32,
    /// Words between consecutive outputs in the output buffer.
    pub out_stride: u32,
    /// Bits written for nodata pixels (the output nodata value as f32).
    pub out_nodata_bits: u32,
    /// Output regions the kernel writes (the statistics partials follow them).
    pub n_outputs: u32,
    pub bands: [BandParams; ROLE_SLOTS],
    /// Constants: constant `c` of output `j` is component `c % 4` of `k[j * MAX_CONSTS / 4 + c / 4]`.
    pub k: [[f32; 4]; MAX_OUTPUTS * MAX_CONSTS / 4],
    /// Statistics histogram range of output `j`: (lo, hi) = components `2 (j % 2)` and
    /// `2 (j % 2) + 1` of `hist[j / 2]`.
    pub hist: [[f32; 4]; MAX_OUTPUTS / 2],
}

pub const NODATA_NONE: u32 = 0;
pub const NODATA_RAW: u32 = 1;
pub const NODATA_FLOAT: u32 = 2;

impl BandParams {
    pub fn new(dtype: DataType, nodata: NodataMatch, scale: f32, offset: f32) -> Self {
        let (nodata_mode, nodata_bits) = match nodata {
            NodataMatch::None => (NODATA_NONE, 0),
            NodataMatch::RawBits(b) => (NODATA_RAW, b),
            NodataMatch::Float(f) => (NODATA_FLOAT, f.to_bits()),
        };
        BandParams {
            dtype: dtype.shader_code(),
            word_offset: 0,
            nodata_mode,
            nodata_bits,
            scale,
            offset,
            mask_mode: MASK_NONE,
            mask_bits: 0,
        }
    }
}

pub const MASK_NONE: u32 = 0;
/// Masked where `raw & mask_bits != 0` (Landsat QA_PIXEL, any bit-flag band).
pub const MASK_BITS: u32 = 1;
/// Masked where the class `raw` (< 32) has its bit set in `mask_bits` (Sentinel-2 SCL).
pub const MASK_CLASSES: u32 = 2;

/// Whether a mask sample masks its pixel. Mirrors `masked` in shaders/common.wgsl. A mask
/// sample that is itself nodata masks the pixel.
#[inline]
pub fn masked(b: &BandParams, s: Sample) -> bool {
    if !s.valid {
        return true;
    }
    // The sample's value is the raw integer (mask bands are decoded with scale 1, offset 0);
    // the conversion saturates negative values to 0, as WGSL's u32(f32) does.
    let raw = s.value as u32;
    match b.mask_mode {
        MASK_BITS => raw & b.mask_bits != 0,
        MASK_CLASSES => raw < 32 && (b.mask_bits >> raw) & 1 == 1,
        _ => false,
    }
}

/// A decoded input sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub value: f32,
    pub valid: bool,
}

/// True unless the exponent bits are all ones (inf or NaN). Mirrors `is_finite_bits`.
#[inline]
pub fn is_finite_bits(bits: u32) -> bool {
    (bits & 0x7f80_0000) != 0x7f80_0000
}

/// Validity and scale/offset for a raw sample. Mirrors `decode` in shaders/common.wgsl.
#[inline(always)]
pub fn decode(b: &BandParams, raw: u32, value: f32, finite: bool) -> Sample {
    let mut valid = finite;
    if b.nodata_mode == NODATA_RAW && raw == b.nodata_bits {
        valid = false;
    }
    if b.nodata_mode == NODATA_FLOAT && valid && value == f32::from_bits(b.nodata_bits) {
        valid = false;
    }
    let scaled = value * b.scale + b.offset;
    // A sample that overflows when scaled is invalid, so formulas only ever see finite values.
    Sample {
        value: scaled,
        valid: valid && is_finite_bits(scaled.to_bits()),
    }
}

/// Raw sample `i` of a packed band and its value before scaling, for a stored type.
/// Mirrors the `fetch_*` functions in shaders/common.wgsl.
#[inline(always)]
pub fn raw_sample(dtype: DataType, words: &[u32], i: usize) -> (u32, f32, bool) {
    match dtype {
        DataType::U8 => {
            let raw = (words[i >> 2] >> ((i as u32 & 3) * 8)) & 0xff;
            (raw, raw as f32, true)
        }
        DataType::I8 => {
            let raw = (words[i >> 2] >> ((i as u32 & 3) * 8)) & 0xff;
            (raw, (((raw << 24) as i32) >> 24) as f32, true)
        }
        DataType::U16 => {
            let raw = (words[i >> 1] >> ((i as u32 & 1) * 16)) & 0xffff;
            (raw, raw as f32, true)
        }
        DataType::I16 => {
            let raw = (words[i >> 1] >> ((i as u32 & 1) * 16)) & 0xffff;
            (raw, (((raw << 16) as i32) >> 16) as f32, true)
        }
        DataType::U32 => (words[i], words[i] as f32, true),
        DataType::I32 => (words[i], words[i] as i32 as f32, true),
        DataType::F32 | DataType::F64 => {
            let raw = words[i];
            let finite = is_finite_bits(raw);
            (raw, if finite { f32::from_bits(raw) } else { 0.0 }, finite)
        }
    }
}

/// Fetch pixel `i` of a packed band and decode it: raw → validity → `raw·scale + offset`.
#[inline(always)]
pub fn fetch(b: &BandParams, words: &[u32], i: usize) -> Sample {
    let (raw, value, finite) = raw_sample(DataType::from_shader_code(b.dtype), words, i);
    decode(b, raw, value, finite)
}

/// The bits stored for a result: the value, or the output nodata bits. Mirrors `store`.
#[inline]
pub fn result_bits(px: Px, out_nodata_bits: u32) -> u32 {
    let bits = px.value.to_bits();
    if px.valid && is_finite_bits(bits) {
        bits
    } else {
        out_nodata_bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::samples::PackedBand;

    #[test]
    fn unpacks_every_type() {
        let p = BandParams::new(DataType::U16, NodataMatch::RawBits(0), 1.0, 0.0);
        let b = PackedBand::from_u16(&[0, 65535, 7]);
        assert!(!fetch(&p, &b.words, 0).valid);
        assert_eq!(
            fetch(&p, &b.words, 1),
            Sample {
                value: 65535.0,
                valid: true
            }
        );
        assert_eq!(
            fetch(&p, &b.words, 2),
            Sample {
                value: 7.0,
                valid: true
            }
        );

        let i16p = BandParams::new(DataType::I16, NodataMatch::RawBits(0xffff), 0.5, 1.0);
        let w = [u32::from_le_bytes([0xfe, 0xff, 0xff, 0xff])]; // -2, -1
        assert_eq!(
            fetch(&i16p, &w, 0),
            Sample {
                value: 0.0,
                valid: true
            }
        );
        assert!(!fetch(&i16p, &w, 1).valid);

        let i8p = BandParams::new(DataType::I8, NodataMatch::None, 1.0, 0.0);
        let w = [u32::from_le_bytes([0x80, 0x7f, 0x00, 0xff])];
        let v: Vec<f32> = (0..4).map(|i| fetch(&i8p, &w, i).value).collect();
        assert_eq!(v, vec![-128.0, 127.0, 0.0, -1.0]);

        let f = BandParams::new(DataType::F32, NodataMatch::Float(-9999.0), 1.0, 0.0);
        let w = [
            1.5f32.to_bits(),
            (-9999.0f32).to_bits(),
            f32::NAN.to_bits(),
            f32::INFINITY.to_bits(),
        ];
        assert!(fetch(&f, &w, 0).valid);
        assert!(!fetch(&f, &w, 1).valid);
        assert!(!fetch(&f, &w, 2).valid);
        assert!(!fetch(&f, &w, 3).valid);

        let i32p = BandParams::new(DataType::I32, NodataMatch::None, 1.0, 0.0);
        assert_eq!(fetch(&i32p, &[(-7i32) as u32], 0).value, -7.0);
    }

    #[test]
    fn params_are_plain_data() {
        assert_eq!(std::mem::size_of::<BandParams>(), 32);
        assert_eq!(
            std::mem::size_of::<TileParams>(),
            16 + 32 * ROLE_SLOTS + 4 * MAX_OUTPUTS * MAX_CONSTS + 8 * MAX_OUTPUTS
        );
    }
}
