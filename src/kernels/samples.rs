//! Pixel data types and the packed window representation shared by the GPU and CPU paths.
//!
//! A window of one band is shipped as `u32` words, exactly as the shader reads it
//! (`shaders/common.wgsl`, `fetch`):
//!
//! | dtype | pixels per word | pixel `i` lives in |
//! |---|---|---|
//! | u8, i8 | 4 | word `i / 4`, bits `8 * (i % 4) ..` |
//! | u16, i16 | 2 | word `i / 2`, bits `16 * (i % 2) ..` |
//! | u32, i32, f32 | 1 | word `i` |
//!
//! f64 bands are converted to f32 on the host; values equal to the band's nodata (or NaN, or
//! outside the f32 range) become the f32 NaN bit pattern, which every path treats as invalid.
//! The host must be little-endian so that a `&mut [u32]` viewed as `&mut [u16]` stores pixel
//! `2k` in the low half of word `k`.

#[cfg(target_endian = "big")]
compile_error!("climidx packs samples assuming a little-endian host");

/// Sample type of a raster band as stored in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    F64,
}

impl DataType {
    pub const ALL: [DataType; 8] = [
        DataType::U8,
        DataType::I8,
        DataType::U16,
        DataType::I16,
        DataType::U32,
        DataType::I32,
        DataType::F32,
        DataType::F64,
    ];

    /// The type a shader code stands for (f64 is shipped as f32).
    pub fn from_shader_code(code: u32) -> DataType {
        DataType::ALL
            .into_iter()
            .find(|d| d.shader_code() == code)
            .unwrap_or(DataType::F32)
    }

    /// Code used in `BandParams::dtype` (must be kept in sync with `DT_*` in shaders/common.wgsl).
    pub fn shader_code(self) -> u32 {
        match self {
            DataType::U8 => 0,
            DataType::I8 => 1,
            DataType::U16 => 2,
            DataType::I16 => 3,
            DataType::U32 => 4,
            DataType::I32 => 5,
            // f64 is shipped as f32 bits.
            DataType::F32 | DataType::F64 => 6,
        }
    }

    /// Pixels stored in one packed `u32` word.
    pub fn pixels_per_word(self) -> usize {
        match self {
            DataType::U8 | DataType::I8 => 4,
            DataType::U16 | DataType::I16 => 2,
            _ => 1,
        }
    }

    /// Bytes per sample in the file.
    pub fn file_bytes(self) -> usize {
        match self {
            DataType::U8 | DataType::I8 => 1,
            DataType::U16 | DataType::I16 => 2,
            DataType::U32 | DataType::I32 | DataType::F32 => 4,
            DataType::F64 => 8,
        }
    }

    /// Words needed to pack `pixels` samples.
    pub fn words_for(self, pixels: usize) -> usize {
        pixels.div_ceil(self.pixels_per_word())
    }

    pub fn name(self) -> &'static str {
        match self {
            DataType::U8 => "uint8",
            DataType::I8 => "int8",
            DataType::U16 => "uint16",
            DataType::I16 => "int16",
            DataType::U32 => "uint32",
            DataType::I32 => "int32",
            DataType::F32 => "float32",
            DataType::F64 => "float64",
        }
    }
}

/// How a band's nodata value is matched, in the raw (file) domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodataMatch {
    /// No nodata: every finite sample is data (zeros too).
    None,
    /// Integer bands: the raw sample bits (masked to the sample width) equal this value.
    RawBits(u32),
    /// f32 bands: the sample compares equal to this finite value.
    Float(f32),
}

impl NodataMatch {
    /// Translate a nodata value (as written in GDAL_NODATA or `--nodata`) for a band of type
    /// `dtype`. A value an integer type cannot hold (e.g. -1 for uint16, 0.5 for int16) matches
    /// nothing; for f32 the value is cast to f32 first, as GDAL does.
    /// NaN for float bands needs no rule: non-finite samples are always invalid.
    pub fn for_band(dtype: DataType, nodata: Option<f64>) -> NodataMatch {
        let Some(v) = nodata else {
            return NodataMatch::None;
        };
        let int_in = |lo: f64, hi: f64| v.is_finite() && v.fract() == 0.0 && v >= lo && v <= hi;
        match dtype {
            DataType::U8 if int_in(0.0, 255.0) => NodataMatch::RawBits(v as u32),
            DataType::I8 if int_in(-128.0, 127.0) => NodataMatch::RawBits((v as i32 as u32) & 0xff),
            DataType::U16 if int_in(0.0, 65535.0) => NodataMatch::RawBits(v as u32),
            DataType::I16 if int_in(-32768.0, 32767.0) => {
                NodataMatch::RawBits((v as i32 as u32) & 0xffff)
            }
            DataType::U32 if int_in(0.0, u32::MAX as f64) => NodataMatch::RawBits(v as u32),
            DataType::I32 if int_in(i32::MIN as f64, i32::MAX as f64) => {
                NodataMatch::RawBits(v as i32 as u32)
            }
            // GDAL compares a float32 band with its nodata cast to float32 (so
            // -3.39999999999999996e+38 matches the f32 nearest to it); a value beyond the f32
            // range matches nothing.
            DataType::F32 if v.is_finite() && v.abs() <= f32::MAX as f64 => {
                NodataMatch::Float(v as f32)
            }
            // f64 nodata is applied on the host while converting to f32 (see `pack_f64`).
            _ => NodataMatch::None,
        }
    }
}

/// The f32 bit pattern used to mark an invalid converted f64 sample.
pub const INVALID_F32_BITS: u32 = 0x7fc0_0000;

/// Convert f64 samples to packed f32 words, marking nodata / NaN / out-of-f32-range as invalid.
pub fn pack_f64(src: &[f64], nodata: Option<f64>, dst: &mut [u32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        let is_nodata = match nodata {
            Some(nd) if nd.is_nan() => s.is_nan(),
            Some(nd) => s == nd,
            None => false,
        };
        let f = s as f32;
        *d = if is_nodata || !f.is_finite() {
            INVALID_F32_BITS
        } else {
            f.to_bits()
        };
    }
}

/// Packed words of one band borrowed from elsewhere (an in-memory caller's own buffer), read
/// exactly as a [`PackedBand`]'s: `words` holds at least `dtype.words_for(pixels)` words.
#[derive(Clone, Copy, Debug)]
pub struct BandView<'a> {
    pub dtype: DataType,
    pub words: &'a [u32],
    pub pixels: usize,
}

impl<'a> BandView<'a> {
    /// View `bytes` (samples of `dtype`, native byte order) as packed words without copying,
    /// when they can be: not f64, 4-byte aligned and a whole number of words long.
    pub fn borrow(dtype: DataType, bytes: &'a [u8]) -> Option<Self> {
        if dtype == DataType::F64 {
            return None;
        }
        let words: &[u32] = bytemuck::try_cast_slice(bytes).ok()?;
        Some(BandView {
            dtype,
            words,
            pixels: bytes.len() / dtype.file_bytes(),
        })
    }
}

/// A window of one band, packed into u32 words (see [`super::raster`]).
#[derive(Clone, Debug)]
pub struct PackedBand {
    pub dtype: DataType,
    pub words: Vec<u32>,
    pub pixels: usize,
}

impl PackedBand {
    pub fn new(dtype: DataType) -> Self {
        PackedBand {
            dtype,
            words: Vec::new(),
            pixels: 0,
        }
    }

    pub fn view(&self) -> BandView<'_> {
        BandView {
            dtype: self.dtype,
            words: &self.words,
            pixels: self.pixels,
        }
    }

    /// Resize for `pixels` samples, keeping the allocation when it is big enough.
    pub fn resize(&mut self, pixels: usize) {
        self.pixels = pixels;
        let words = self.dtype.words_for(pixels);
        if words > self.words.capacity() {
            // A new buffer (a window set's first use): advised for huge pages, zero pages
            // until written.
            let mut fresh = crate::hugepages::zeroed_u32(words);
            fresh[..self.words.len()].copy_from_slice(&self.words);
            self.words = fresh;
        } else {
            self.words.resize(words, 0);
        }
    }

    /// Build from typed samples (tests, benchmarks and in-memory callers).
    pub fn from_u16(data: &[u16]) -> Self {
        let mut p = PackedBand::new(DataType::U16);
        p.resize(data.len());
        bytemuck::cast_slice_mut::<u32, u16>(&mut p.words)[..data.len()].copy_from_slice(data);
        p
    }

    /// Build from samples of `dtype` in native byte order (`bytes.len()` a multiple of the
    /// sample size; in-memory callers such as the Python bindings). f64 samples are converted
    /// as a file's are ([`pack_f64`], `f64_nodata` becoming invalid); the others are copied.
    pub fn from_native(dtype: DataType, bytes: &[u8], f64_nodata: Option<f64>) -> Self {
        let pixels = bytes.len() / dtype.file_bytes();
        let mut p = PackedBand::new(dtype);
        p.resize(pixels);
        if dtype == DataType::F64 {
            let src: Vec<f64> = bytes
                .chunks_exact(8)
                .map(|c| f64::from_ne_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            pack_f64(&src, f64_nodata, &mut p.words);
        } else {
            let n = pixels * dtype.file_bytes();
            bytemuck::cast_slice_mut::<u32, u8>(&mut p.words)[..n].copy_from_slice(&bytes[..n]);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodata_is_translated_per_type() {
        assert_eq!(
            NodataMatch::for_band(DataType::U16, Some(0.0)),
            NodataMatch::RawBits(0)
        );
        assert_eq!(
            NodataMatch::for_band(DataType::U16, Some(-1.0)),
            NodataMatch::None
        );
        assert_eq!(
            NodataMatch::for_band(DataType::I16, Some(-1.0)),
            NodataMatch::RawBits(0xffff)
        );
        assert_eq!(
            NodataMatch::for_band(DataType::I8, Some(-128.0)),
            NodataMatch::RawBits(0x80)
        );
        assert_eq!(
            NodataMatch::for_band(DataType::U8, Some(2.5)),
            NodataMatch::None
        );
        assert_eq!(
            NodataMatch::for_band(DataType::F32, Some(-9999.0)),
            NodataMatch::Float(-9999.0)
        );
        assert_eq!(
            NodataMatch::for_band(DataType::F32, Some(f64::NAN)),
            NodataMatch::None
        );
        assert_eq!(
            // GDAL writes it as -3.39999999999999996e+38: the same f64.
            NodataMatch::for_band(DataType::F32, Some(-3.4e38)),
            NodataMatch::Float(-3.4e38f32)
        );
        assert_eq!(
            NodataMatch::for_band(DataType::F32, Some(0.1)),
            NodataMatch::Float(0.1f32)
        );
        assert_eq!(
            NodataMatch::for_band(DataType::F32, Some(1e39)),
            NodataMatch::None
        );
        assert_eq!(
            NodataMatch::for_band(DataType::I32, Some(-5.0)),
            NodataMatch::RawBits(-5i32 as u32)
        );
    }

    #[test]
    fn native_bytes_pack_like_typed_samples() {
        let v: [u16; 3] = [1, 2, 65535];
        let p = PackedBand::from_native(DataType::U16, bytemuck::cast_slice(&v), None);
        assert_eq!(p.words, PackedBand::from_u16(&v).words);
        assert_eq!((p.pixels, p.words[1] & 0xffff), (3, 65535));
        let f: [f64; 2] = [0.25, -9999.0];
        let p = PackedBand::from_native(DataType::F64, bytemuck::cast_slice(&f), Some(-9999.0));
        assert_eq!(p.words, vec![0.25f32.to_bits(), INVALID_F32_BITS]);
        // Borrowed in place only when the bytes are whole aligned words.
        let w: [u32; 2] = [0x0002_0001, 0x0004_0003];
        let b = BandView::borrow(DataType::U16, bytemuck::cast_slice(&w)).unwrap();
        assert_eq!((b.pixels, b.words), (4, &w[..]));
        assert!(
            BandView::borrow(DataType::U16, &bytemuck::cast_slice::<u32, u8>(&w)[..6]).is_none()
        );
        assert!(BandView::borrow(DataType::F64, bytemuck::cast_slice(&w)).is_none());
    }

    #[test]
    fn f64_packing_marks_invalid() {
        let mut d = [0u32; 4];
        pack_f64(&[1.5, -9999.0, f64::NAN, 1e300], Some(-9999.0), &mut d);
        assert_eq!(d[0], 1.5f32.to_bits());
        assert_eq!(&d[1..], &[INVALID_F32_BITS; 3]);
    }
}
