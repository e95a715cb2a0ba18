//! Plausibility warnings: a result is never changed, but a user who obviously mixed units hears
//! about it (one line on the log's warning level, i.e. standard error on the command line):
//! reflectance bands still in digital numbers, and an observation far outside its climatology.

use crate::io::BandSource;
use crate::kernels::abi::{fetch, BandParams};
use crate::kernels::registry::{Family, IndexRef};
use crate::kernels::vocab::{Role, ROLE_SLOTS};

/// Calibrated reflectance above this is not reflectance (snow and specular glint stay below ~1.5).
const MAX_REFLECTANCE: f32 = 2.0;
/// Samples looked at per window.
const SAMPLES: usize = 4096;
/// Valid samples needed before deciding.
const ENOUGH: usize = 256;

/// Watches the reflectance bands of spectral indices over the first windows: when more than a
/// tenth of the sampled valid values exceed [`MAX_REFLECTANCE`], the band is still in digital
/// numbers and the indices are wrong — say so, once per band.
#[derive(Default)]
pub struct ReflectanceCheck {
    seen: [usize; ROLE_SLOTS],
    above: [usize; ROLE_SLOTS],
    max: [f32; ROLE_SLOTS],
    done: [bool; ROLE_SLOTS],
    anomaly: AnomalyCheck,
}

/// Watches an observation against its climatology: when more than a tenth of the sampled
/// pixels lie far outside the climatology (beyond min − range … max + range, or more than ten
/// standard deviations from the mean), the observation was most likely read in other units.
#[derive(Default)]
struct AnomalyCheck {
    seen: usize,
    far: usize,
    done: bool,
}

impl AnomalyCheck {
    fn window(
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
        if self.done || (range.is_none() && spread.is_none()) {
            return;
        }
        let step = pixels.div_ceil(SAMPLES).max(1);
        for i in (0..pixels).step_by(step) {
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
                self.seen += 1;
                self.far += f as usize;
            }
        }
        if self.seen >= ENOUGH {
            self.done = true;
            if self.far * 10 > self.seen {
                let file = bands
                    .iter()
                    .find(|b| b.role == Role::Value)
                    .map(|b| b.path.display().to_string())
                    .unwrap_or_default();
                log::warn!(
                    "the observation ({file}, value = DN*{} + {}) lies far outside its climatology at {} of {} sampled pixels: is it in the climatology's units? (compare --scale/--offset with climatology.json)",
                    value.0.scale,
                    value.0.offset,
                    self.far,
                    self.seen
                );
            }
        }
    }
}

impl ReflectanceCheck {
    /// Look at one window (`data[slot]` packed as `params[slot]` says, `pixels` long).
    pub fn window(
        &mut self,
        indices: &[IndexRef],
        bands: &[BandSource],
        params: &[Option<BandParams>; ROLE_SLOTS],
        data: &[Option<&[u32]>; ROLE_SLOTS],
        pixels: usize,
    ) {
        self.anomaly.window(bands, params, data, pixels);
        let spectral = indices
            .iter()
            .filter(|d| matches!(d.family, Family::Vegetation | Family::Expression));
        let mut roles: Vec<Role> = spectral.flat_map(|d| d.roles.iter().copied()).collect();
        roles.sort();
        roles.dedup();
        for r in roles.into_iter().filter(|r| r.is_reflectance()) {
            let s = r.slot();
            let (Some(bp), Some(words), false) = (&params[s], data[s], self.done[s]) else {
                continue;
            };
            let step = pixels.div_ceil(SAMPLES).max(1);
            for i in (0..pixels).step_by(step) {
                let v = fetch(bp, words, i);
                if v.valid {
                    self.seen[s] += 1;
                    if v.value.abs() > MAX_REFLECTANCE {
                        self.above[s] += 1;
                    }
                    self.max[s] = self.max[s].max(v.value.abs());
                }
            }
            if self.seen[s] >= ENOUGH {
                self.done[s] = true;
                if self.above[s] * 10 > self.seen[s] {
                    let file = bands
                        .iter()
                        .find(|b| b.role == r)
                        .map(|b| b.path.display().to_string())
                        .unwrap_or_default();
                    log::warn!(
                        "the {} band ({file}) reads up to {} after calibration (value = DN*{} + {}), but reflectance is about 0-1: it looks like digital numbers; pass --scale (0.0001 for Sentinel-2 L2A, 0.0000275 with --offset -0.2 for Landsat C2 L2) or use --sensor",
                        r.name(),
                        self.max[s],
                        bp.scale,
                        bp.offset
                    );
                }
            }
        }
    }
}
