//! File to file: check the inputs fit together, plan the windows, and stream them through a
//! read → compute → write pipeline into the writer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{window_capacity, Backend, Processor};
use crate::error::{Error, Result};
use crate::indices::common::BandParams;
use crate::indices::{Consts, IndexDesc, Role, ROLE_SLOTS};
use crate::io::encode::Compression;
use crate::io::raster::{row_windows, NodataMatch, Window};
use crate::io::reader::{GeoTiffReader, PackedBand};
use crate::io::writer::{same_file, GeoTiffWriter, WriterOptions};

/// One input band: a role, a file and a 1-based band number, with optional per-band
/// calibration that overrides the job's (`value = DN·scale + offset`), and the product's
/// documented fill value, used only when neither `--nodata` nor the file's GDAL_NODATA gives one.
/// `force_nodata` overrides everything for this band alone.
#[derive(Clone, Debug)]
pub struct BandSource {
    pub role: Role,
    pub path: PathBuf,
    pub band: u16,
    pub scale: Option<f32>,
    pub offset: Option<f32>,
    pub nodata: Option<f64>,
    pub force_nodata: Option<f64>,
    /// For the `mask` role: (`MASK_BITS` or `MASK_CLASSES`, bits).
    pub mask: Option<(u32, u32)>,
}

impl BandSource {
    pub fn new(role: Role, path: impl Into<PathBuf>, band: u16) -> Self {
        BandSource {
            role,
            path: path.into(),
            band,
            scale: None,
            offset: None,
            nodata: None,
            force_nodata: None,
            mask: None,
        }
    }
}

/// Everything `climidx index` needs.
#[derive(Clone, Debug)]
pub struct IndexJob {
    pub indices: Vec<&'static IndexDesc>,
    pub constants: Vec<Consts>,
    pub bands: Vec<BandSource>,
    pub scale: f32,
    pub offset: f32,
    /// Overrides every band's GDAL_NODATA.
    pub nodata: Option<f64>,
    pub out_nodata: f64,
    pub output: PathBuf,
    pub overwrite: bool,
    /// Force windows of at most this many pixels (tests, tuning).
    pub window_pixels: Option<usize>,
    /// Host memory budget for window buffers, bytes.
    pub mem_limit: usize,
    /// More GDAL_METADATA items (units, method, scene) for the output.
    pub metadata: Vec<(String, String)>,
    /// Output block compression and tile size (0: strips).
    pub compression: Compression,
    pub tile: u32,
    /// Write per-output statistics here (JSON), with this histogram range for every output
    /// (default: each index's typical range).
    pub stats: Option<(PathBuf, Option<(f32, f32)>)>,
    /// Render a PNG quicklook of the first output here when the run is done.
    pub quicklook: Option<PathBuf>,
}

impl IndexJob {
    /// Checks that need no file or device: every role once, every needed role given, the
    /// output neither an input nor an existing file (without `overwrite`).
    pub fn validate(&self) -> Result<()> {
        if self.indices.is_empty() {
            return Err(Error::Usage("no index given".into()));
        }
        // Roles: each once, and every role an index needs must be given.
        let mut by_role: HashMap<Role, &BandSource> = HashMap::new();
        for b in &self.bands {
            if by_role.insert(b.role, b).is_some() {
                return Err(Error::Usage(format!(
                    "band role '{}' is given twice",
                    b.role.name()
                )));
            }
        }
        for d in &self.indices {
            for r in d.roles {
                if !by_role.contains_key(r) {
                    return Err(Error::Usage(format!(
                        "index '{}' needs the '{}' band; pass --band {}=FILE[:N]",
                        d.name,
                        r.name(),
                        r.name()
                    )));
                }
            }
        }
        for b in &self.bands {
            if same_file(&b.path, &self.output) {
                return Err(Error::Usage(format!(
                    "output {} is also an input; choose another output path",
                    self.output.display()
                )));
            }
        }
        crate::io::writer::check_output_path(&self.output, self.overwrite)?;
        if let Some(q) = &self.quicklook {
            crate::io::writer::check_output_path(q, self.overwrite)?;
        }
        if let Some((p, _)) = &self.stats {
            crate::io::writer::check_output_path(p, self.overwrite)?;
            if same_file(p, &self.output) || p == &self.output {
                return Err(Error::Usage(
                    "--stats must name another file than the output".into(),
                ));
            }
        }

        Ok(())
    }
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct JobReport {
    pub output: PathBuf,
    pub width: u32,
    pub height: u32,
    pub windows: usize,
    pub rows_per_window: u32,
    pub device: String,
    pub read: Duration,
    pub compute: Duration,
    pub write: Duration,
    pub total: Duration,
}

struct OpenInput {
    reader: GeoTiffReader,
    /// (role, 0-based band) read from this file.
    wants: Vec<(Role, u16)>,
    packed: Vec<PackedBand>,
    /// 1, or the integer factor by which this file's grid is coarser than the output grid
    /// (resampled by nearest neighbour).
    factor: u32,
}

/// Run `job` on `backend`, file to file.
pub fn run_index_job(job: &IndexJob, backend: Backend<'_>) -> Result<JobReport> {
    let t0 = Instant::now();
    job.validate()?;
    let by_role: HashMap<Role, &BandSource> = job.bands.iter().map(|b| (b.role, b)).collect();
    let mut needed = crate::shaders::roles_used(&job.indices);
    if by_role.contains_key(&Role::Mask) {
        needed.push(Role::Mask);
    }

    // Open each file once.
    let mut inputs: Vec<OpenInput> = Vec::new();
    let mut file_of: HashMap<PathBuf, usize> = HashMap::new();
    for role in &needed {
        let src = by_role[role];
        let key = src.path.canonicalize().unwrap_or_else(|_| src.path.clone());
        let idx = match file_of.get(&key) {
            Some(&i) => i,
            None => {
                let reader = GeoTiffReader::open(&src.path)?;
                inputs.push(OpenInput {
                    reader,
                    wants: Vec::new(),
                    packed: Vec::new(),
                    factor: 1,
                });
                file_of.insert(key, inputs.len() - 1);
                inputs.len() - 1
            }
        };
        let info = inputs[idx].reader.info();
        if src.band == 0 || src.band > info.bands {
            return Err(Error::input(
                &src.path,
                format!(
                    "band {} does not exist: the file has {} band(s) (bands count from 1)",
                    src.band, info.bands
                ),
            ));
        }
        let dtype = info.dtype;
        inputs[idx].wants.push((*role, src.band - 1));
        inputs[idx].packed.push(PackedBand::new(dtype));
    }
    // The output grid is the finest input's; a band on an aligned grid coarser by an integer
    // factor (Sentinel-2 20 m and 60 m bands beside 10 m ones) is resampled onto it by nearest
    // neighbour, each fine pixel taking the coarse pixel it lies in. Anything else is refused.
    let pixel_size = |i: &OpenInput| {
        i.reader
            .info()
            .geo
            .geotransform()
            .map(|g| g.to_gdal()[1].abs())
            .unwrap_or(f64::INFINITY)
    };
    let fine_idx = (0..inputs.len())
        .min_by(|&a, &b| pixel_size(&inputs[a]).total_cmp(&pixel_size(&inputs[b])))
        .unwrap_or(0);
    let first = inputs[fine_idx].reader.info().clone();
    let fine_path = inputs[fine_idx].reader.path().to_path_buf();
    for inp in inputs.iter_mut() {
        let i = inp.reader.info();
        let same_size = (i.width, i.height) == (first.width, first.height);
        if same_size && first.geo.mismatch(&i.geo).is_none() {
            continue;
        }
        if let Some(f) = i.geo.coarsening_of(&first.geo) {
            if (i.width, i.height) == (first.width.div_ceil(f), first.height.div_ceil(f)) {
                log::info!(
                    "{}: {f}x coarser grid, resampled by nearest neighbour",
                    inp.reader.path().display()
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
                inp.reader.path().display(),
                i.width,
                i.height
            )));
        }
        let m = first.geo.mismatch(&i.geo).unwrap_or_default();
        return Err(Error::Mismatch(format!(
            "{} and {} are not on the same grid: {m}",
            fine_path.display(),
            inp.reader.path().display()
        )));
    }

    // Decode parameters per role.
    let mut bands: [Option<BandParams>; ROLE_SLOTS] = [None; ROLE_SLOTS];
    let mut dtypes = Vec::new();
    let mut f64_nodata: HashMap<Role, Option<f64>> = HashMap::new();
    for inp in &inputs {
        let info = inp.reader.info();
        for (role, _) in &inp.wants {
            let src = by_role[role];
            // `--nodata` is about the data bands; a mask keeps its own file's nodata.
            let nd = if src.mask.is_some() {
                src.force_nodata.or(info.nodata)
            } else {
                src.force_nodata
                    .or(job.nodata)
                    .or(info.nodata)
                    .or(src.nodata)
            };
            let mut bp = BandParams::new(
                info.dtype,
                NodataMatch::for_band(info.dtype, nd),
                src.scale.unwrap_or(job.scale),
                src.offset.unwrap_or(job.offset),
            );
            if let Some((mode, bits)) = src.mask {
                // A mask is compared as the raw integers the file stores.
                bp.scale = 1.0;
                bp.offset = 0.0;
                bp.mask_mode = mode;
                bp.mask_bits = bits;
            }
            bands[role.slot()] = Some(bp);
            f64_nodata.insert(*role, nd);
            dtypes.push(info.dtype);
        }
    }

    // Window plan.
    let width = first.width as usize;
    // Two input and two output sets circulate in the pipeline: each gets half the budget.
    let mut cap = window_capacity(backend, &dtypes, job.indices.len(), job.mem_limit / 2);
    if let Some(w) = job.window_pixels {
        cap = cap.min(w.max(1));
    }
    let mut rows = (cap / width).max(1) as u32;
    let block_h = first.block.1;
    if rows > block_h {
        rows -= rows % block_h;
    }
    let mut rows = rows.min(first.height);
    let out_nodata_bits = (job.out_nodata as f32).to_bits();
    // Create the processor; if the device cannot allocate buffers for this window, halve the
    // window and try again (down to one row) before giving up.
    let mut proc = loop {
        let capacity = (rows as usize * width).next_multiple_of(4);
        match Processor::new(
            backend,
            &job.indices,
            &job.constants,
            &bands,
            out_nodata_bits,
            capacity,
        ) {
            Ok(p) => break p,
            Err(Error::Device(m)) if rows > 1 => {
                rows = rows.div_ceil(2);
                log::warn!("{m}; retrying with windows of {rows} rows");
            }
            Err(e) => return Err(e),
        }
    };
    let stat_ranges: Vec<(f32, f32)> = job
        .indices
        .iter()
        .map(|d| job.stats.as_ref().and_then(|(_, r)| *r).unwrap_or(d.range))
        .collect();
    let mut partials: Vec<super::stats::Partial> = Vec::new();
    if job.stats.is_some() {
        proc.enable_stats(&stat_ranges)?;
        partials = vec![super::stats::Partial::default(); job.indices.len()];
    }
    let mask_params = bands[Role::Mask.slot()];
    let progress = crate::progress::bar(first.height as u64, "index");
    let mut masked_pixels = 0u64;
    let windows: Vec<_> = row_windows(first.height, rows).collect();
    log::info!(
        "plan: {}x{} px, {} window(s) of {} rows ({} px), {} output(s), device: {}",
        first.width,
        first.height,
        windows.len(),
        rows,
        rows as usize * width,
        job.indices.len(),
        backend.describe()
    );
    let mut metadata = vec![
        (
            "CLIMIDX_VERSION".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (
            "CLIMIDX_INDICES".to_string(),
            job.indices
                .iter()
                .map(|d| d.name)
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("CLIMIDX_DEVICE".to_string(), backend.describe()),
    ];
    let band_list: Vec<String> = needed
        .iter()
        .map(|r| {
            let b = by_role[r];
            let p = bands[r.slot()].expect("every needed role has parameters");
            format!(
                "{}={}:{} (value = DN*{} + {})",
                r.name(),
                b.path.display(),
                b.band,
                p.scale,
                p.offset
            )
        })
        .collect();
    metadata.push(("CLIMIDX_BANDS".to_string(), band_list.join("; ")));
    metadata.extend(job.metadata.iter().cloned());
    for (d, k) in job.indices.iter().zip(&job.constants) {
        let consts: Vec<String> = d
            .constants
            .iter()
            .zip(k)
            .map(|(c, v)| format!("{}={v}", c.name))
            .collect();
        metadata.push((
            format!("CLIMIDX_FORMULA_{}", d.name.to_uppercase()),
            format!("{} {}", d.formula, consts.join(" "))
                .trim()
                .to_string(),
        ));
    }
    let mut writer = GeoTiffWriter::create(
        &job.output,
        first.width,
        first.height,
        job.indices.len(),
        &first.geo,
        WriterOptions {
            nodata: job.out_nodata,
            descriptions: job.indices.iter().map(|d| d.name.to_string()).collect(),
            metadata,
            overwrite: job.overwrite,
            compression: job.compression,
            tile: job.tile,
            ..Default::default()
        },
    )?;
    // Three stages on three threads: a reader fills packed input sets, this thread computes,
    // a writer drains output sets. Two sets of each circulate, so reading window k+1 and
    // writing window k−1 overlap computing window k; host memory is two windows' worth.
    let n_out = job.indices.len();
    let cap = proc.capacity();
    let inputs_wants: Vec<Vec<(Role, u16)>> = inputs.iter().map(|i| i.wants.clone()).collect();
    let (t_read, t_compute, t_write) =
        std::thread::scope(|scope| -> Result<(Duration, Duration, Duration)> {
            use std::sync::mpsc::{channel, sync_channel};
            type InputSet = Vec<Vec<PackedBand>>;
            let (full_in_tx, full_in_rx) = sync_channel::<Result<(Window, InputSet)>>(1);
            let (free_in_tx, free_in_rx) = channel::<InputSet>();
            for _ in 0..2 {
                let set: InputSet = inputs.iter().map(|i| i.packed.clone()).collect();
                let _ = free_in_tx.send(set);
            }
            let (full_out_tx, full_out_rx) = sync_channel::<(Window, Vec<Vec<f32>>)>(1);
            let (free_out_tx, free_out_rx) = channel::<Vec<Vec<f32>>>();
            for _ in 0..2 {
                let _ = free_out_tx.send(vec![vec![0.0f32; cap]; n_out]);
            }
            let readers = &mut inputs;
            let windows_r = &windows;
            let nodata_r = &f64_nodata;
            let reader = scope.spawn(move || {
                let mut busy = Duration::ZERO;
                for w in windows_r {
                    let Ok(mut set) = free_in_rx.recv() else {
                        break;
                    };
                    let t = Instant::now();
                    let mut res = Ok(());
                    for (inp, packed) in readers.iter_mut().zip(set.iter_mut()) {
                        let bands_idx: Vec<u16> = inp.wants.iter().map(|(_, b)| *b).collect();
                        let nd: Vec<Option<f64>> =
                            inp.wants.iter().map(|(r, _)| nodata_r[r]).collect();
                        res = if inp.factor == 1 {
                            inp.reader.read_window(*w, &bands_idx, &nd, packed)
                        } else {
                            read_upsampled(inp, *w, &bands_idx, &nd, packed, width)
                        };
                        if res.is_err() {
                            break;
                        }
                    }
                    busy += t.elapsed();
                    let failed = res.is_err();
                    if full_in_tx.send(res.map(|()| (*w, set))).is_err() || failed {
                        break;
                    }
                }
                busy
            });
            let writer_ref = &mut writer;
            let writer_thread = scope.spawn(move || -> Result<Duration> {
                let mut busy = Duration::ZERO;
                for (w, outs) in full_out_rx {
                    let t = Instant::now();
                    let pixels = w.height as usize * width;
                    let slices: Vec<&[f32]> = outs.iter().map(|o| &o[..pixels]).collect();
                    writer_ref.write_rows(&slices, w.height)?;
                    busy += t.elapsed();
                    let _ = free_out_tx.send(outs);
                }
                Ok(busy)
            });
            let mut t_compute = Duration::ZERO;
            let mut result = Ok(());
            for _ in 0..windows.len() {
                let step = (|| -> Result<()> {
                    crate::cancel::check()?;
                    let (w, set) = full_in_rx
                        .recv()
                        .map_err(|_| Error::Internal("reader stopped".into()))??;
                    let mut outs = free_out_rx
                        .recv()
                        .map_err(|_| Error::Internal("writer stopped".into()))?;
                    let t = Instant::now();
                    let mut data: [Option<&[u32]>; ROLE_SLOTS] = [None; ROLE_SLOTS];
                    for (inp, packed) in inputs_wants.iter().zip(&set) {
                        for ((role, _), p) in inp.iter().zip(packed) {
                            data[role.slot()] = Some(&p.words);
                        }
                    }
                    let pixels = w.height as usize * width;
                    let mut o: Vec<&mut [f32]> = outs.iter_mut().map(|o| &mut o[..]).collect();
                    proc.run_with_stats(&data, pixels, &mut o, &mut partials)?;
                    if let (Some(bp), Some(words), true) =
                        (&mask_params, data[Role::Mask.slot()], job.stats.is_some())
                    {
                        masked_pixels += (0..pixels)
                            .filter(|&i| {
                                crate::indices::common::masked(
                                    bp,
                                    crate::indices::common::fetch(bp, words, i),
                                )
                            })
                            .count() as u64;
                    }
                    t_compute += t.elapsed();
                    let _ = free_in_tx.send(set);
                    progress.inc(w.height as u64);
                    full_out_tx
                        .send((w, outs))
                        .map_err(|_| Error::Internal("writer stopped".into()))
                })();
                if step.is_err() {
                    result = step;
                    break;
                }
            }
            // Closing the channels stops both threads; their errors come first (they are the cause
            // of a "stopped" error here).
            drop(full_out_tx);
            drop(free_in_tx);
            drop(full_in_rx);
            let t_write = writer_thread
                .join()
                .map_err(|_| Error::Internal("writer thread panicked".into()))??;
            let t_read = reader
                .join()
                .map_err(|_| Error::Internal("reader thread panicked".into()))?;
            result?;
            Ok((t_read, t_compute, t_write))
        })?;
    progress.finish_and_clear();
    let t = Instant::now();
    let output = writer.finish()?;
    let t_write = t_write + t.elapsed();
    if let Some((path, _)) = &job.stats {
        let run = super::stats::RunStats {
            climidx_version: env!("CARGO_PKG_VERSION").to_string(),
            output: output.display().to_string(),
            width: first.width,
            height: first.height,
            pixels: first.width as u64 * first.height as u64,
            masked_pixels: mask_params.is_some().then_some(masked_pixels),
            device: backend.describe(),
            bands: job
                .indices
                .iter()
                .zip(&partials)
                .zip(&stat_ranges)
                .enumerate()
                .map(|(b, ((d, p), r))| super::stats::BandStats::from_partial(b + 1, d.name, p, *r))
                .collect(),
        };
        run.write(path)?;
    }
    if let Some(q) = &job.quicklook {
        let opts = crate::quicklook::QuicklookOptions {
            band: 1,
            colormap: crate::quicklook::Colormap::Auto,
            range: None,
            legend: true,
            max_size: 1024,
        };
        crate::quicklook::render(&output, q, &opts, job.overwrite)?;
    }
    let report = JobReport {
        output,
        width: first.width,
        height: first.height,
        windows: windows.len(),
        rows_per_window: rows,
        device: backend.describe(),
        read: t_read,
        compute: t_compute,
        write: t_write,
        total: t0.elapsed(),
    };
    log::info!(
        "done: {} in {:.3} s (read {:.3} s, compute {:.3} s, write {:.3} s), {:.1} Mpix/s",
        report.output.display(),
        report.total.as_secs_f64(),
        t_read.as_secs_f64(),
        t_compute.as_secs_f64(),
        t_write.as_secs_f64(),
        (first.width as f64 * first.height as f64) / report.total.as_secs_f64() / 1e6
    );
    Ok(report)
}

/// Read window `w` of the output grid from a coarser input: its covering coarse rows, then
/// nearest-neighbour upsampling into `out` (`width` pixels a row).
fn read_upsampled(
    inp: &mut OpenInput,
    w: Window,
    bands: &[u16],
    nodata: &[Option<f64>],
    out: &mut [PackedBand],
    width: usize,
) -> Result<()> {
    let f = inp.factor;
    let info = inp.reader.info().clone();
    let c0 = w.row_off / f;
    let c1 = ((w.row_off + w.height - 1) / f).min(info.height - 1);
    let coarse_win = Window {
        row_off: c0,
        height: c1 - c0 + 1,
    };
    let mut coarse: Vec<PackedBand> = out.iter().map(|p| PackedBand::new(p.dtype)).collect();
    inp.reader
        .read_window(coarse_win, bands, nodata, &mut coarse)?;
    for (c, o) in coarse.iter().zip(out.iter_mut()) {
        o.dtype = c.dtype;
        o.resize(width * w.height as usize);
        crate::io::raster::upsample_nearest(
            c.dtype,
            &c.words,
            info.width as usize,
            c0,
            &mut o.words,
            width,
            w.row_off,
            w.height,
            f,
        );
    }
    Ok(())
}
