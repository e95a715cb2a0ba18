//! Where a series pass gets each window's T × window values: straight from the inputs, window
//! by window, or from a spill file ([`super::spill`]) when the inputs' blocks span several
//! windows and would otherwise be decoded once per window.
//!
//! The choice: the pass's windows are `rows` high and the inputs' blocks (tiles, strips,
//! chunks) `block_h` rows; when a block spans [`SPILL_FROM_SPANS`] or more windows the stack is
//! spilled, unless `--no-spill` or the spill folder lacks room (then it is read directly and a
//! warning says how many times each block is decoded and what to do). Both paths give the same
//! bits: the spill stores exactly what the direct read puts in the series buffer.

use std::path::{Path, PathBuf};

use super::series::{check_dtype, to_series};
use super::spill::{free_bytes, spill_bytes, SpillFile};
use super::stack::InputParams;
use crate::engine::control::Control;
use crate::error::Result;
use crate::io::raster::Window;
use crate::kernels::samples::PackedBand;

/// Blocks spanning this many windows or more are spilled.
pub const SPILL_FROM_SPANS: u32 = 3;

/// Where a stack may be spilled (`--spill-dir`, `--no-spill`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SpillPolicy {
    /// In the folder of the outputs (a disk the user chose for data, not a RAM-backed /tmp).
    #[default]
    BesideOutputs,
    /// In this folder.
    In(PathBuf),
    /// Never: read the inputs once per window.
    Off,
}

/// A pass's source of series windows.
pub struct SeriesInputs<'a> {
    inputs: &'a [(PathBuf, InputParams)],
    times: &'a [f32],
    /// 0-based band of every input, and of the last when it differs.
    bands: (u16, Option<u16>),
    spill: Option<SpillFile>,
}

/// Where the grid's blocks are and how the outputs are placed, for [`SeriesInputs::open`].
pub struct SpillPlan<'a> {
    pub width: u32,
    pub height: u32,
    /// Rows per block of the inputs.
    pub block_h: u32,
    pub policy: &'a SpillPolicy,
    /// The folder the outputs are written in.
    pub outputs_dir: &'a Path,
    pub mem_limit: usize,
}

impl<'a> SeriesInputs<'a> {
    /// The source for `windows` (all of `rows` rows but the last) of `inputs` (module docs).
    pub fn open(
        inputs: &'a [(PathBuf, InputParams)],
        times: &'a [f32],
        bands: (u16, Option<u16>),
        windows: &[Window],
        plan: SpillPlan<'_>,
        ctl: &Control,
    ) -> Result<SeriesInputs<'a>> {
        let mut s = SeriesInputs {
            inputs,
            times,
            bands,
            spill: None,
        };
        let block_h = plan.block_h.clamp(1, plan.height.max(1));
        let rows = windows.first().map_or(1, |w| w.height.max(1));
        let spans = block_h.div_ceil(rows);
        if windows.len() < 2 || spans < SPILL_FROM_SPANS {
            return Ok(s);
        }
        let direct = |why: String| {
            log::warn!(
                "the stack's blocks (tiles or chunks) are {block_h} rows high but windows hold {rows} rows, and {why}: every block is decoded ~{spans} times; raise --mem-limit to cut that in proportion, or store the stack in smaller chunks"
            );
        };
        let dir = match plan.policy {
            SpillPolicy::Off => {
                direct("--no-spill was given".into());
                return Ok(s);
            }
            SpillPolicy::In(d) => d.as_path(),
            SpillPolicy::BesideOutputs => plan.outputs_dir,
        };
        let need = spill_bytes(inputs.len(), windows);
        if let Some(free) = free_bytes(dir) {
            if free < need + need / 20 + (256 << 20) {
                direct(format!(
                    "{} has {} free, short of the {} a spill file needs (give --spill-dir DIR on a disk with room)",
                    dir.display(),
                    human(free),
                    human(need)
                ));
                return Ok(s);
            }
        }
        log::info!(
            "the stack's blocks are {block_h} rows high and windows {rows} rows: spilling it ({} in {}) so that each block is decoded once, not ~{spans} times",
            human(need),
            dir.display()
        );
        let grid = (plan.width, plan.height, block_h);
        s.spill = Some(SpillFile::build(
            inputs,
            bands,
            windows,
            grid,
            dir,
            plan.mem_limit,
            ctl,
        )?);
        Ok(s)
    }

    /// Whether the windows come from a spill file.
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Fill `series` with window `step` (`w`) of every input as the series buffer of
    /// [`crate::kernels::series`] (`times` first), reading through `buf` when read directly.
    pub fn read(
        &self,
        step: usize,
        w: Window,
        series: &mut [u32],
        buf: &mut PackedBand,
    ) -> Result<()> {
        let (t_len, px) = (self.inputs.len(), w.pixels());
        for (k, t) in self.times.iter().enumerate() {
            series[k] = t.to_bits();
        }
        let values = &mut series[t_len..t_len + t_len * px];
        if let Some(spill) = &self.spill {
            return spill.read(step, values);
        }
        for (k, (path, (bp, nd))) in self.inputs.iter().enumerate() {
            let band = match self.bands.1 {
                Some(b) if k + 1 == t_len => b,
                _ => self.bands.0,
            };
            let mut r = crate::io::open(path)?;
            check_dtype(r.as_ref(), path, bp)?;
            r.read_window(w, &[band], &[*nd], std::slice::from_mut(buf))?;
            to_series(bp, buf, &mut values[k * px..(k + 1) * px]);
        }
        Ok(())
    }
}

/// `b` bytes for a log line: MiB below 1 GiB, else GiB.
pub fn human(b: u64) -> String {
    if b < 1 << 30 {
        format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64)
    }
}
