//! Deterministic random rasters shared by the GPU-vs-CPU and property tests.

use climidx::kernels::abi::BandParams;
use climidx::kernels::samples::PackedBand;
use climidx::kernels::samples::{pack_f64, DataType, NodataMatch};
use climidx::kernels::{Role, ROLE_SLOTS};

use super::Rng;

/// Pack integer/float sample values (given as f64) for `dtype`.
pub fn pack(dtype: DataType, vals: &[f64]) -> PackedBand {
    let mut p = PackedBand::new(dtype);
    p.resize(vals.len());
    {
        let w = &mut p.words;
        match dtype {
            DataType::U8 => vals
                .iter()
                .enumerate()
                .for_each(|(i, &v)| bytemuck::cast_slice_mut::<u32, u8>(w)[i] = v as u8),
            DataType::I8 => vals
                .iter()
                .enumerate()
                .for_each(|(i, &v)| bytemuck::cast_slice_mut::<u32, i8>(w)[i] = v as i8),
            DataType::U16 => vals
                .iter()
                .enumerate()
                .for_each(|(i, &v)| bytemuck::cast_slice_mut::<u32, u16>(w)[i] = v as u16),
            DataType::I16 => vals
                .iter()
                .enumerate()
                .for_each(|(i, &v)| bytemuck::cast_slice_mut::<u32, i16>(w)[i] = v as i16),
            DataType::U32 => vals.iter().enumerate().for_each(|(i, &v)| w[i] = v as u32),
            DataType::I32 => vals
                .iter()
                .enumerate()
                .for_each(|(i, &v)| w[i] = v as i32 as u32),
            DataType::F32 => vals
                .iter()
                .enumerate()
                .for_each(|(i, &v)| w[i] = (v as f32).to_bits()),
            DataType::F64 => pack_f64(vals, None, w),
        }
    }
    p
}

pub struct Case {
    pub dtype: DataType,
    pub nodata: NodataMatch,
    pub scale: f32,
    pub offset: f32,
    /// values per role slot
    pub data: Vec<Option<PackedBand>>,
    pub width: usize,
}

/// Random reflectance-like DNs with injected nodata, extremes and equal pairs (zero numerators).
pub fn random_case(seed: u64, dtype: DataType, width: usize, height: usize) -> Case {
    let mut rng = Rng::new(seed);
    let pixels = width * height;
    let (lo, hi, nodata, scale, offset) = match dtype {
        DataType::U8 => (0.0, 255.0, Some(0.0), 1.0 / 255.0, 0.0),
        DataType::I8 => (-128.0, 127.0, Some(-128.0), 1.0 / 127.0, 0.0),
        DataType::U16 => (0.0, 65535.0, Some(0.0), 0.0000275, -0.2),
        DataType::I16 => (-2000.0, 12000.0, Some(-9999.0), 0.0001, 0.0),
        DataType::U32 => (0.0, 4_000_000_000.0, Some(7.0), 1e-9, 0.0),
        DataType::I32 => (-100_000.0, 100_000.0, Some(-1.0), 1e-5, 0.0),
        DataType::F32 | DataType::F64 => (-0.2, 1.2, Some(-9999.0), 1.0, 0.0),
    };
    let nd_match = NodataMatch::for_band(dtype, nodata);
    let mut data: Vec<Option<PackedBand>> = (0..ROLE_SLOTS).map(|_| None).collect();
    for r in Role::ALL {
        let vals: Vec<f64> = (0..pixels)
            .map(|i| {
                let u = rng.below(1_000_000) as f64 / 1_000_000.0;
                let mut v = lo + (hi - lo) * u;
                if !matches!(dtype, DataType::F32 | DataType::F64) {
                    v = v.round();
                }
                match rng.below(100) {
                    0..=2 => nodata.unwrap_or(v),
                    3 => hi,
                    4 => lo,
                    5 if matches!(dtype, DataType::F32 | DataType::F64) => f64::NAN,
                    6 if dtype == DataType::F32 => f64::INFINITY,
                    // same value in every role at this pixel: zero normalized differences
                    7 => lo + (hi - lo) * ((i % 7) as f64 / 7.0).round(),
                    _ => v,
                }
            })
            .collect();
        data[r.slot()] = Some(pack(dtype, &vals));
    }
    Case {
        dtype,
        nodata: nd_match,
        scale: scale as f32,
        offset: offset as f32,
        data,
        width,
    }
}

pub fn bands_of(c: &Case) -> [Option<(BandParams, &PackedBand)>; ROLE_SLOTS] {
    std::array::from_fn(|s| {
        c.data[s]
            .as_ref()
            .map(|b| (BandParams::new(c.dtype, c.nodata, c.scale, c.offset), b))
    })
}
