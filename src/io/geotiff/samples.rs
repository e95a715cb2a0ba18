//! Copying decoded TIFF samples into packed bands: strided extraction of one band from a decoded
//! block, converted to the packed 32-bit words of [`PackedBand`].

use super::format::Decoded;
use crate::kernels::samples::{pack_f64, DataType, PackedBand, INVALID_F32_BITS};

/// Copy `n` samples (every `spp`-th from sample `src_start`) of `src` (native-endian samples of
/// `dtype`, or 64-bit integers as `decoded` says) into `dst` at pixel `dst_start`, packing.
#[allow(clippy::too_many_arguments)]
pub(super) fn copy_samples(
    src: &[u64],
    dtype: DataType,
    decoded: Decoded,
    src_start: usize,
    spp: usize,
    n: usize,
    dst: &mut PackedBand,
    dst_start: usize,
    nodata: Option<f64>,
) -> std::result::Result<(), String> {
    fn strided<S: Copy + bytemuck::Pod, D>(
        src: &[u64],
        start: usize,
        spp: usize,
        d: &mut [D],
        f: impl Fn(S) -> D,
    ) -> std::result::Result<(), String> {
        let s: &[S] = bytemuck::cast_slice(src);
        if d.is_empty() {
            return Ok(());
        }
        if s.len() < start + (d.len() - 1) * spp + 1 {
            return Err("decoded block is shorter than its declared size".into());
        }
        if spp == 1 {
            for (o, &v) in d.iter_mut().zip(&s[start..]) {
                *o = f(v);
            }
        } else {
            for (k, o) in d.iter_mut().enumerate() {
                *o = f(s[start + k * spp]);
            }
        }
        Ok(())
    }
    let words = &mut dst.words;
    let r = dst_start..dst_start + n;
    // 64-bit integers: cast straight to f32 (as GDAL's -ot Float32 does), nodata compared
    // before the cast (exact for |nodata| <= 2^53).
    let int64 = |v: f64, f: f32| {
        if nodata == Some(v) {
            INVALID_F32_BITS
        } else {
            f.to_bits()
        }
    };
    match decoded {
        Decoded::I64 => {
            return strided::<i64, u32>(src, src_start, spp, &mut words[r], |v| {
                int64(v as f64, v as f32)
            })
        }
        Decoded::U64 => {
            return strided::<u64, u32>(src, src_start, spp, &mut words[r], |v| {
                int64(v as f64, v as f32)
            })
        }
        Decoded::Typed => {}
    }
    match dtype {
        DataType::U8 => strided::<u8, u8>(
            src,
            src_start,
            spp,
            &mut bytemuck::cast_slice_mut::<u32, u8>(words)[r],
            |v| v,
        ),
        DataType::I8 => strided::<i8, i8>(
            src,
            src_start,
            spp,
            &mut bytemuck::cast_slice_mut::<u32, i8>(words)[r],
            |v| v,
        ),
        DataType::U16 => strided::<u16, u16>(
            src,
            src_start,
            spp,
            &mut bytemuck::cast_slice_mut::<u32, u16>(words)[r],
            |v| v,
        ),
        DataType::I16 => strided::<i16, i16>(
            src,
            src_start,
            spp,
            &mut bytemuck::cast_slice_mut::<u32, i16>(words)[r],
            |v| v,
        ),
        DataType::U32 => strided::<u32, u32>(src, src_start, spp, &mut words[r], |v| v),
        DataType::I32 => strided::<i32, u32>(src, src_start, spp, &mut words[r], |v| v as u32),
        DataType::F32 => strided::<f32, u32>(src, src_start, spp, &mut words[r], f32::to_bits),
        DataType::F64 => {
            let mut tmp = vec![0f64; n];
            strided::<f64, f64>(src, src_start, spp, &mut tmp, |v| v)?;
            pack_f64(&tmp, nodata, &mut words[r]);
            Ok(())
        }
    }
}
