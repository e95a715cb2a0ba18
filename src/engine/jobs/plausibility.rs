//! Plausibility warnings: a result is never changed, but a user who obviously mixed units hears
//! about it (one line on the log's warning level, i.e. standard error on the command line):
//! reflectance bands still in digital numbers, and an observation far outside its climatology.

use crate::io::BandSource;
use crate::kernels::abi::{fetch, BandParams};
use crate::kernels::registry::{roles_used, Family, IndexDesc, IndexRef};
use crate::kernels::vocab::{Role, ROLE_SLOTS};

/// Calibrated reflectance above this is not reflectance (snow and specular glint stay below ~1.5).
const MAX_REFLECTANCE: f32 = 2.0;
/// Samples looked at per window.
const SAMPLES: usize = 4096;
/// Valid samples needed before deciding.
const ENOUGH: usize = 256;

/// Counts sampled pixels and those that look wrong, until there are [`ENOUGH`] to decide.
#[derive(Default)]
struct Tally {
    seen: usize,
    hits: usize,
    done: bool,
}

impl Tally {
    fn add(&mut self, hit: bool) {
        self.seen += 1;
        self.hits += hit as usize;
    }

    /// Once, when enough pixels were seen: whether more than a tenth looked wrong.
    fn verdict(&mut self) -> Option<bool> {
        if self.done || self.seen < ENOUGH {
            return None;
        }
        self.done = true;
        Some(self.hits * 10 > self.seen)
    }
}

/// The pixels sampled in a window of `pixels`.
fn samples(pixels: usize) -> impl Iterator<Item = usize> {
    (0..pixels).step_by(pixels.div_ceil(SAMPLES).max(1))
}

/// The file playing `role`, for the message.
fn file_of(bands: &[BandSource], role: Role) -> String {
    bands
        .iter()
        .find(|b| b.role == role)
        .map(|b| b.path.display().to_string())
        .unwrap_or_default()
}

/// Watches a job's first windows:
/// - the reflectance bands of spectral indices: when more than a tenth of the sampled valid
///   values exceed [`MAX_REFLECTANCE`], the band is still in digital numbers — said once per
///   band;
/// - an observation against its climatology: when more than a tenth of the sampled pixels lie
///   far outside it (beyond min − range … max + range, or more than ten standard deviations
///   from the mean), it was most likely read in other units.
pub struct Plausibility {
    /// Each reflectance role of a spectral index, with its tally and largest |value| seen.
    reflectance: Vec<(Role, Tally, f32)>,
    anomaly: Tally,
}

impl Plausibility {
    pub fn new(indices: &[IndexRef]) -> Self {
        let spectral: Vec<&IndexDesc> = indices
            .iter()
            .filter(|d| matches!(d.family, Family::Vegetation | Family::Expression))
            .map(|d| &**d)
            .collect();
        Plausibility {
            reflectance: roles_used(&spectral)
                .into_iter()
                .filter(|r| r.is_reflectance())
                .map(|r| (r, Tally::default(), 0.0))
                .collect(),
            anomaly: Tally::default(),
        }
    }

    /// Look at one window (`data[slot]` packed as `params[slot]` says, `pixels` long).
    pub fn window(
        &mut self,
        bands: &[BandSource],
        params: &[Option<BandParams>; ROLE_SLOTS],
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
    ) {
        self.anomaly(bands, params, data, pixels);
        for (r, tally, max) in &mut self.reflectance {
            let (Some(bp), Some(words), false) = (&params[r.slot()], data[r.slot()], tally.done)
            else {
                continue;
            };
            for i in samples(pixels) {
                let v = fetch(bp, words, i);
                if v.valid {
                    tally.add(v.value.abs() > MAX_REFLECTANCE);
                    *max = max.max(v.value.abs());
                }
            }
            if tally.verdict() == Some(true) {
                log::warn!(
                    "the {} band ({}) reads up to {} after calibration (value = DN*{} + {}), but reflectance is about 0-1: it looks like digital numbers; pass --scale (0.0001 for Sentinel-2 L2A, 0.0000275 with --offset -0.2 for Landsat C2 L2) or use --sensor",
                    r.name(),
                    file_of(bands, *r),
                    max,
                    bp.scale,
                    bp.offset
                );
            }
        }
    }

    fn anomaly(
        &mut self,
        bands: &[BandSource],
        params: &[Option<BandParams>; ROLE_SLOTS],
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
    ) {
        let get = |r: Role| params[r.slot()].as_ref().zip(data[r.slot()]);
        let Some(value) = get(Role::Value) else {
            return;
        };
        let (range, spread) = (
            get(Role::Min).zip(get(Role::Max)),
            get(Role::Mean).zip(get(Role::Std)),
        );
        if self.anomaly.done || (range.is_none() && spread.is_none()) {
            return;
        }
        for i in samples(pixels) {
            let x = fetch(value.0, value.1, i);
            if !x.valid {
                continue;
            }
            let far = if let Some((lo, hi)) = range {
                let (lo, hi) = (fetch(lo.0, lo.1, i), fetch(hi.0, hi.1, i));
                (lo.valid && hi.valid).then(|| {
                    let r = (hi.value - lo.value).abs().max(f32::EPSILON);
                    x.value < lo.value - r || x.value > hi.value + r
                })
            } else if let Some((m, sd)) = spread {
                let (m, sd) = (fetch(m.0, m.1, i), fetch(sd.0, sd.1, i));
                (m.valid && sd.valid && sd.value > 0.0)
                    .then(|| (x.value - m.value).abs() > 10.0 * sd.value)
            } else {
                None
            };
            if let Some(f) = far {
                self.anomaly.add(f);
            }
        }
        if self.anomaly.verdict() == Some(true) {
            log::warn!(
                "the observation ({}, value = DN*{} + {}) lies far outside its climatology at {} of {} sampled pixels: is it in the climatology's units? (compare --scale/--offset with climatology.json)",
                file_of(bands, Role::Value),
                value.0.scale,
                value.0.offset,
                self.anomaly.hits,
                self.anomaly.seen
            );
        }
    }
}
