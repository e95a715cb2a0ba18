//! The input bands of an index job: each file opened once through [`crate::io::open`], every
//! band checked onto one output grid (the finest input's; coarser aligned grids resampled by
//! nearest neighbour), its decode parameters derived, and windows read into packed sets.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::io::raster::{upsample_nearest, RasterInfo, Window};
use crate::io::{BandSource, RasterSource};
use crate::kernels::abi::BandParams;
use crate::kernels::samples::{DataType, NodataMatch, PackedBand};
use crate::kernels::vocab::{Role, ROLE_SLOTS};

/// One packed band per (file, band) read, grouped by file as in [`Readers`].
pub type InputSet = Vec<Vec<PackedBand>>;

/// One open file and what is read from it.
struct OpenInput {
    source: Box<dyn RasterSource>,
    /// (role, 0-based band) read from this file.
    wants: Vec<(Role, u16)>,
    /// Each wanted band's nodata (used by the packing of f64 bands).
    nodata: Vec<Option<f64>>,
    /// 1, or the integer factor by which this file's grid is coarser than the output grid.
    factor: u32,
}

/// The open files; reads windows of the output grid.
pub struct Readers {
    inputs: Vec<OpenInput>,
    width: u32,
}

/// Calibration that applies to every band unless the band says otherwise.
///
/// A band's `value = DN·scale + offset` comes from the first of: the band's own (a preset's
/// product calibration, `--band ROLE=FILE@SCALE,OFFSET`), the job's (`--scale/--offset`), the
/// file's declared Scale/Offset (GDAL metadata, as `gdal_translate -a_scale/-a_offset` writes
/// it), the band's recorded fallback (a climatology's, for its observation), identity. Scale and offset travel as a pair: the level that gives either gives both
/// (the missing one is 1 or 0).
#[derive(Clone, Copy, Debug, Default)]
pub struct Calibration {
    pub scale: Option<f32>,
    pub offset: Option<f32>,
    /// Overrides every data band's GDAL_NODATA.
    pub nodata: Option<f64>,
}

/// Where a band's calibration came from (recorded in the provenance).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CalFrom {
    /// The band's own (preset or per-band option).
    Band,
    /// The band's own, from a STAC item's `raster:bands`.
    Stac,
    /// The job's `--scale/--offset`.
    Job,
    /// The file's declared Scale/Offset.
    File,
    /// The band's recorded fallback (the calibration of a climatology's inputs).
    Recorded,
    /// None anywhere: the stored values.
    #[default]
    Identity,
    /// A quality mask, compared as stored.
    Mask,
}

impl CalFrom {
    pub fn describe(self) -> &'static str {
        match self {
            CalFrom::Band => "band option",
            CalFrom::Stac => "STAC raster:bands",
            CalFrom::Job => "--scale/--offset",
            CalFrom::File => "file metadata",
            CalFrom::Recorded => "climatology record",
            CalFrom::Identity => "none",
            CalFrom::Mask => "mask",
        }
    }
}

/// Everything known about a job's inputs once they are open.
pub struct Inputs {
    pub readers: Readers,
    /// The output grid: the finest input's description.
    pub grid: RasterInfo,
    /// Decode parameters per role slot.
    pub params: [Option<BandParams>; ROLE_SLOTS],
    /// Where each role's calibration came from.
    pub cal_from: [CalFrom; ROLE_SLOTS],
    /// Sample type of every band read, in reading order.
    pub dtypes: Vec<DataType>,
    /// Roles read from each file, in reading order (the layout of an [`InputSet`]).
    pub layout: Vec<Vec<Role>>,
}

impl Inputs {
    /// Open the files of the `needed` roles (each file once) and check that they fit together.
    pub fn open(bands: &[BandSource], needed: &[Role], cal: Calibration) -> Result<Inputs> {
        let by_role: HashMap<Role, &BandSource> = bands.iter().map(|b| (b.role, b)).collect();
        let mut inputs: Vec<OpenInput> = Vec::new();
        let mut file_of: HashMap<PathBuf, usize> = HashMap::new();
        let mut params: [Option<BandParams>; ROLE_SLOTS] = [None; ROLE_SLOTS];
        let mut cal_from = [CalFrom::Identity; ROLE_SLOTS];
        let mut dtypes = Vec::new();
        for role in needed {
            let src = by_role
                .get(role)
                .ok_or_else(|| Error::Internal(format!("no band for role {}", role.name())))?;
            let key = src.path.canonicalize().unwrap_or_else(|_| src.path.clone());
            let idx = match file_of.get(&key) {
                Some(&i) => i,
                None => {
                    inputs.push(OpenInput {
                        source: crate::io::open(&src.path)?,
                        wants: Vec::new(),
                        nodata: Vec::new(),
                        factor: 1,
                    });
                    file_of.insert(key, inputs.len() - 1);
                    inputs.len() - 1
                }
            };
            let info = inputs[idx].source.info();
            info.check_band(&src.path, src.band)?;
            let (bp, nd, from) = band_params(src, info, cal)?;
            params[role.slot()] = Some(bp);
            cal_from[role.slot()] = from;
            dtypes.push(info.dtype);
            inputs[idx].wants.push((*role, src.band - 1));
            inputs[idx].nodata.push(nd);
        }
        let grid = align(&mut inputs)?;
        let layout = inputs
            .iter()
            .map(|i| i.wants.iter().map(|(r, _)| *r).collect())
            .collect();
        Ok(Inputs {
            readers: Readers {
                inputs,
                width: grid.width,
            },
            grid,
            params,
            cal_from,
            dtypes,
            layout,
        })
    }

    /// The packed words of each role in `set`.
    pub fn data<'a>(layout: &[Vec<Role>], set: &'a InputSet) -> [Option<&'a [u32]>; ROLE_SLOTS] {
        let mut data: [Option<&[u32]>; ROLE_SLOTS] = [None; ROLE_SLOTS];
        for (roles, packed) in layout.iter().zip(set) {
            for (role, p) in roles.iter().zip(packed) {
                data[role.slot()] = Some(&p.words);
            }
        }
        data
    }
}

/// A band's decode parameters, the nodata value they were built from and where the calibration
/// came from ([`Calibration`]). `--nodata` is about the data bands, so a mask keeps its own
/// file's nodata and is compared as the raw integers the file stores.
pub fn band_params(
    src: &BandSource,
    info: &RasterInfo,
    cal: Calibration,
) -> Result<(BandParams, Option<f64>, CalFrom)> {
    let nd = if src.mask.is_some() {
        src.force_nodata.or(info.nodata)
    } else {
        src.force_nodata
            .or(cal.nodata)
            .or(info.nodata)
            .or(src.nodata)
    };
    let declared = info
        .band_calibration(src.band as usize - 1)
        .map_err(|m| Error::input(&src.path, m))?;
    let pair = |s: Option<f32>, o: Option<f32>| (s.unwrap_or(1.0), o.unwrap_or(0.0));
    let ((scale, offset), from) = if src.mask.is_some() {
        ((1.0, 0.0), CalFrom::Mask)
    } else if src.scale.is_some() || src.offset.is_some() {
        let from = if src.stac {
            CalFrom::Stac
        } else {
            CalFrom::Band
        };
        (pair(src.scale, src.offset), from)
    } else if cal.scale.is_some() || cal.offset.is_some() {
        (pair(cal.scale, cal.offset), CalFrom::Job)
    } else if let Some((s, o)) = declared {
        ((s as f32, o as f32), CalFrom::File)
    } else if let Some(so) = src.fallback {
        (so, CalFrom::Recorded)
    } else {
        ((1.0, 0.0), CalFrom::Identity)
    };
    if let (Some((s, o)), CalFrom::Band | CalFrom::Stac | CalFrom::Job) = (declared, from) {
        if (s as f32, o as f32) != (scale, offset) {
            log::warn!(
                "{}: the file declares value = DN*{s} + {o}; using DN*{scale} + {offset} from the {} instead",
                src.path.display(),
                from.describe()
            );
        }
    }
    let mut bp = BandParams::new(
        info.dtype,
        NodataMatch::for_band(info.dtype, nd),
        scale,
        offset,
    );
    if let Some((mode, bits)) = src.mask {
        bp.mask_mode = mode;
        bp.mask_bits = bits;
    }
    Ok((bp, nd, from))
}

/// The output grid is the finest input's; a band on an aligned grid coarser by an integer
/// factor (Sentinel-2 20 m and 60 m bands beside 10 m ones) is resampled onto it by nearest
/// neighbour, each fine pixel taking the coarse pixel it lies in. Anything else is refused.
fn align(inputs: &mut [OpenInput]) -> Result<RasterInfo> {
    let pixel_size = |i: &OpenInput| {
        i.source
            .info()
            .geo
            .geotransform()
            .map(|g| g.to_gdal()[1].abs())
            .unwrap_or(f64::INFINITY)
    };
    let fine_idx = (0..inputs.len())
        .min_by(|&a, &b| pixel_size(&inputs[a]).total_cmp(&pixel_size(&inputs[b])))
        .unwrap_or(0);
    let first = inputs[fine_idx].source.info().clone();
    let fine_path = inputs[fine_idx].source.path().to_path_buf();
    for inp in inputs.iter_mut() {
        let i = inp.source.info();
        let same_size = (i.width, i.height) == (first.width, first.height);
        if same_size && first.geo.mismatch(&i.geo).is_none() {
            continue;
        }
        if let Some(f) = i.geo.coarsening_of(&first.geo) {
            if (i.width, i.height) == (first.width.div_ceil(f), first.height.div_ceil(f)) {
                log::info!(
                    "{}: {f}x coarser grid, resampled by nearest neighbour",
                    inp.source.path().display()
                );
                inp.factor = f;
                continue;
            }
        }
        if !same_size {
            return Err(Error::Mismatch(format!(
                "{} is {}x{} but {} is {}x{}; bands must share one grid or lie on an aligned grid an integer factor coarser (resample first, e.g. gdalwarp -tr)",
                fine_path.display(),
                first.width,
                first.height,
                inp.source.path().display(),
                i.width,
                i.height
            )));
        }
        let m = first.geo.mismatch(&i.geo).unwrap_or_default();
        return Err(Error::Mismatch(format!(
            "{} and {} are not on the same grid: {m}",
            fine_path.display(),
            inp.source.path().display()
        )));
    }
    Ok(first)
}

impl Readers {
    /// An empty input set of the right shape.
    pub fn new_set(&self) -> InputSet {
        self.inputs
            .iter()
            .map(|i| {
                let dt = i.source.info().dtype;
                i.wants.iter().map(|_| PackedBand::new(dt)).collect()
            })
            .collect()
    }

    /// Read window `w` of the output grid into `set`.
    pub fn read(&mut self, w: Window, set: &mut InputSet) -> Result<()> {
        let width = self.width;
        for (inp, packed) in self.inputs.iter_mut().zip(set.iter_mut()) {
            let bands: Vec<u16> = inp.wants.iter().map(|(_, b)| *b).collect();
            if inp.factor == 1 {
                inp.source.read_window(w, &bands, &inp.nodata, packed)?;
            } else {
                read_upsampled(inp, w, &bands, packed, width)?;
            }
        }
        Ok(())
    }
}

/// Read window `w` of the output grid from a coarser input: its covering coarse rows, then
/// nearest-neighbour upsampling into `out` (`width` pixels a row).
fn read_upsampled(
    inp: &mut OpenInput,
    w: Window,
    bands: &[u16],
    out: &mut [PackedBand],
    width: u32,
) -> Result<()> {
    let f = inp.factor;
    let info = inp.source.info().clone();
    if w.col_off != 0 || w.width != width {
        return Err(Error::Internal(
            "resampled inputs are read in full-width windows".into(),
        ));
    }
    let c0 = w.row_off / f;
    let c1 = ((w.row_off + w.height - 1) / f).min(info.height - 1);
    let coarse_win = Window::rows(info.width, c0, c1 - c0 + 1);
    let mut coarse: Vec<PackedBand> = out.iter().map(|p| PackedBand::new(p.dtype)).collect();
    inp.source
        .read_window(coarse_win, bands, &inp.nodata, &mut coarse)?;
    for (c, o) in coarse.iter().zip(out.iter_mut()) {
        o.dtype = c.dtype;
        o.resize(width as usize * w.height as usize);
        upsample_nearest(
            c.dtype,
            &c.words,
            info.width as usize,
            c0,
            &mut o.words,
            width as usize,
            w.row_off,
            w.height,
            f,
        );
    }
    Ok(())
}
