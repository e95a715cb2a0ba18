//! The inputs of a stack job checked once: every input against the first (size,
//! georeferencing, band count) and each input's calibration resolved for the record and for
//! reading. Shared by every stack job (climatology, its percentiles, trend).

use std::path::PathBuf;

use super::inputs::{band_params, Calibration};
use super::manifest::StackCalibration;
use crate::error::{Error, Result};
use crate::io::raster::RasterInfo;
use crate::io::stack::PeriodGroup;
use crate::io::BandSource;
use crate::kernels::abi::BandParams;
use crate::kernels::climatology as stats;

/// How one input is read: its decode parameters and the nodata they were built from.
pub type InputParams = (BandParams, Option<f64>);

/// What [`check_inputs`] found.
pub struct Checked {
    /// The first input's description (the grid of every output).
    pub first: RasterInfo,
    pub inputs: usize,
    pub cal: StackCalibration,
    /// Each input's decode parameters, per group, in the order of the groups.
    pub params: Vec<Vec<InputParams>>,
}

/// Check every input of a stack (`groups`, band `band` of each) against the first: size,
/// georeferencing, band count; and resolve each input's calibration once, for the record and
/// for reading. Shared by every stack job (climatology, trend).
pub fn check_inputs(
    groups: &[PeriodGroup],
    band: u16,
    calibration: Calibration,
) -> Result<Checked> {
    let mut first: Option<(PathBuf, RasterInfo)> = None;
    let mut cal: Option<StackCalibration> = None;
    let mut params = Vec::new();
    let mut n = 0;
    for g in groups {
        let mut group = Vec::new();
        for inp in &g.inputs {
            let r = crate::io::open(&inp.path)?;
            let info = r.info().clone();
            info.check_band(&inp.path, band)?;
            let src = BandSource::new(stats::INPUT_ROLE, inp.path.clone(), band);
            let (bp, nd, from) = band_params(&src, &info, calibration)?;
            group.push((bp, nd));
            let this = StackCalibration {
                band: band,
                scale: bp.scale,
                offset: bp.offset,
                source: from.describe().to_string(),
                nodata: nd,
                unit: info.band_unit(band as usize - 1),
                uniform: true,
            };
            match &mut cal {
                None => cal = Some(this),
                Some(c) => {
                    if (c.scale, c.offset, &c.unit) != (this.scale, this.offset, &this.unit) {
                        if c.uniform {
                            log::warn!(
                                "{} is read as {} but the first input as {}: the stack's inputs declare different calibrations",
                                inp.path.display(),
                                this.describe(),
                                c.describe()
                            );
                        }
                        c.uniform = false;
                    }
                }
            }
            match &first {
                None => first = Some((inp.path.clone(), info)),
                Some((p0, i0)) => {
                    if (i0.width, i0.height) != (info.width, info.height) {
                        return Err(Error::Mismatch(format!(
                            "{} is {}x{} but {} is {}x{}; every raster of a stack must share one grid",
                            p0.display(),
                            i0.width,
                            i0.height,
                            inp.path.display(),
                            info.width,
                            info.height
                        )));
                    }
                    if let Some(m) = i0.geo.mismatch(&info.geo) {
                        return Err(Error::Mismatch(format!(
                            "{} and {} are not on the same grid: {m}",
                            p0.display(),
                            inp.path.display()
                        )));
                    }
                }
            }
            n += 1;
        }
        params.push(group);
    }
    let none = || Error::Usage("no input rasters".into());
    Ok(Checked {
        first: first.ok_or_else(none)?.1,
        inputs: n,
        cal: cal.ok_or_else(none)?,
        params,
    })
}
