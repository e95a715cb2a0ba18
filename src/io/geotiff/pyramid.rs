//! Overviews (reduced-resolution levels) computed while the image streams through the writer:
//! which levels, and the row-by-row reduction of one level into the next.
//!
//! This is the specification of the overview pixels, written to match what GDAL 3.6 computes
//! (measured against `gdal_translate -of COG` and `gdaladdo`; see `tests/cog.rs`):
//!
//! - **Cascaded**: level k is computed from level k − 1, never from the full resolution (GDAL does
//!   the same for `average` and `nearest`).
//! - **Sizes**: a COG halves each level with truncation (`w / 2`, at least 1), as GDAL's COG
//!   driver does; internal overviews of a plain GeoTIFF are `ceil(W / 2^k)` of the full
//!   resolution, as `gdaladdo` writes them. Levels are added until the smallest fits in one tile.
//! - **average**: the area-weighted mean of the valid source pixels the destination pixel covers
//!   (destination pixel j covers source `[j·r, (j+1)·r)`, r = source / destination size; a
//!   source pixel counts by the fraction of it inside, in x and in y), accumulated in f64.
//!   Nodata and NaN pixels do not count; a destination pixel with no valid source pixel is
//!   nodata. Integer samples are rounded half up.
//! - **nearest**: source pixel `min(floor(j·r + 0.5), n − 1)` on each axis.
//!
//! Memory: one f64 accumulator row pair per level (`2 × width × bands × 16` bytes); source rows
//! are consumed as they arrive. Not provided: other resamplings (cubic, mode, …).

/// Which reduced-resolution levels a GeoTIFF gets, and where they are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PyramidKind {
    /// No overviews.
    #[default]
    None,
    /// Internal overviews after the image (a plain GeoTIFF, sizes as `gdaladdo`).
    Internal,
    /// A Cloud-Optimized GeoTIFF: ghost header, every directory first, then the tiles from the
    /// smallest overview to the full resolution (sizes as GDAL's COG driver).
    Cog,
}

/// How overview pixels are computed from the level above.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Resampling {
    #[default]
    Average,
    Nearest,
}

impl crate::choice::Choice for Resampling {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            Resampling::Average,
            "average",
            "area-weighted mean of the valid pixels (GDAL's -r average)",
        ),
        (
            Resampling::Nearest,
            "nearest",
            "nearest pixel (GDAL's -r nearest; for classes and counts)",
        ),
    ];
}

/// The overview layout and resampling of an output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pyramid {
    pub kind: PyramidKind,
    pub resampling: Resampling,
}

/// The overview sizes (width, height), largest first, of a `width` × `height` image tiled with
/// `tile` × `tile` blocks: levels until the smallest fits in one tile.
pub fn level_sizes(kind: PyramidKind, width: u32, height: u32, tile: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    if kind == PyramidKind::None || tile == 0 {
        return out;
    }
    let (mut w, mut h) = (width, height);
    let mut k = 0u32;
    while (w > tile || h > tile) && k < 31 {
        k += 1;
        (w, h) = match kind {
            PyramidKind::Cog => ((w / 2).max(1), (h / 2).max(1)),
            _ => (width.div_ceil(1 << k), height.div_ceil(1 << k)),
        };
        out.push((w, h));
    }
    out
}

/// Source pixels `[i0, i1)` destination pixel `j` covers, for a reduction of `n_src` to `n_dst`.
fn window(j: u32, n_src: u32, n_dst: u32) -> (u32, u32) {
    let r = n_src as f64 / n_dst as f64;
    let (s0, s1) = (j as f64 * r, (j + 1) as f64 * r);
    let i0 = (s0 + 1e-10).floor() as u32;
    let i1 = ((s1 - 1e-10).ceil() as u32).min(n_src);
    (i0, i1.max(i0 + 1))
}

/// The fraction of source pixel `i` inside destination pixel `j`.
fn weight(i: u32, j: u32, n_src: u32, n_dst: u32) -> f64 {
    let r = n_src as f64 / n_dst as f64;
    let (s0, s1) = (j as f64 * r, (j + 1) as f64 * r);
    s1.min(i as f64 + 1.0) - s0.max(i as f64)
}

/// The source pixel nearest to destination pixel `j`.
fn nearest(j: u32, n_src: u32, n_dst: u32) -> u32 {
    let r = n_src as f64 / n_dst as f64;
    ((j as f64 * r + 0.5).floor() as u32).min(n_src - 1)
}

/// What the samples are: f32 bits with a nodata value (NaN always counts as nodata), or u32
/// counts (every value valid).
#[derive(Clone, Copy, Debug)]
pub(super) enum Samples {
    F32 { nodata: f32 },
    U32,
}

/// Reduces the rows of one level (pixel-interleaved 32-bit words) into the rows of the next.
pub(super) struct Reducer {
    src: (u32, u32),
    dst: (u32, u32),
    bands: usize,
    samples: Samples,
    resampling: Resampling,
    /// Per source column: the first destination column it falls in and its weight there, and
    /// its weight in the next destination column (0 when it lies in one only).
    xs: Vec<(u32, f64, f64)>,
    /// Per destination column: the nearest source column.
    x_near: Vec<u32>,
    /// Next source row expected.
    y: u32,
    /// Next destination row to emit.
    j: u32,
    /// Accumulators (sum, weight) of destination rows j and j + 1.
    acc: [(Vec<f64>, Vec<f64>); 2],
}

impl Reducer {
    pub(super) fn new(
        src: (u32, u32),
        dst: (u32, u32),
        bands: usize,
        samples: Samples,
        resampling: Resampling,
    ) -> Self {
        let mut xs = vec![(u32::MAX, 0.0, 0.0); src.0 as usize];
        for i in 0..dst.0 {
            let (x0, x1) = window(i, src.0, dst.0);
            for x in x0..x1 {
                let c = &mut xs[x as usize];
                let w = weight(x, i, src.0, dst.0);
                if c.0 == u32::MAX {
                    *c = (i, w, 0.0);
                } else {
                    c.2 = w;
                }
            }
        }
        let x_near = (0..dst.0).map(|i| nearest(i, src.0, dst.0)).collect();
        let n = dst.0 as usize * bands;
        let zero = || (vec![0.0; n], vec![0.0; n]);
        Reducer {
            src,
            dst,
            bands,
            samples,
            resampling,
            xs,
            x_near,
            y: 0,
            j: 0,
            acc: [zero(), zero()],
        }
    }

    /// Destination rows emitted so far.
    pub(super) fn rows_out(&self) -> u32 {
        self.j
    }

    fn value(&self, w: u32) -> Option<f64> {
        match self.samples {
            Samples::U32 => Some(w as f64),
            Samples::F32 { nodata } => {
                let v = f32::from_bits(w);
                (!v.is_nan() && v != nodata).then_some(v as f64)
            }
        }
    }

    fn encode(&self, sum: f64, wsum: f64) -> u32 {
        match self.samples {
            Samples::U32 => (sum / wsum + 0.5).floor() as u32,
            Samples::F32 { nodata } if wsum <= 0.0 => nodata.to_bits(),
            Samples::F32 { .. } => ((sum / wsum) as f32).to_bits(),
        }
    }

    /// Whether rows go through [`Self::reduce_row`] first (average), which may run in
    /// parallel over rows.
    pub(super) fn averages(&self) -> bool {
        self.resampling == Resampling::Average
    }

    /// The horizontal half of the average: per destination column and band, the weighted sum
    /// of the valid pixels of `row` and the sum of their weights.
    pub(super) fn reduce_row(&self, row: &[u32]) -> (Vec<f64>, Vec<f64>) {
        let nb = self.bands;
        let n = self.dst.0 as usize * nb;
        let (mut s, mut w) = (vec![0.0; n], vec![0.0; n]);
        for (x, &(i, w0, w1)) in self.xs.iter().enumerate() {
            for b in 0..nb {
                let Some(v) = self.value(row[x * nb + b]) else {
                    continue;
                };
                let at = i as usize * nb + b;
                s[at] += w0 * v;
                w[at] += w0;
                if w1 > 0.0 {
                    s[at + nb] += w1 * v;
                    w[at + nb] += w1;
                }
            }
        }
        (s, w)
    }

    /// Add horizontally reduced source row `y` to the destination rows it belongs to: j, and
    /// j + 1 when it straddles their boundary.
    fn push_reduced(&mut self, y: u32, h: &(Vec<f64>, Vec<f64>)) {
        for k in 0..2u32 {
            let j = self.j + k;
            if j >= self.dst.1 {
                break;
            }
            let (y0, y1) = window(j, self.src.1, self.dst.1);
            if y < y0 || y >= y1 {
                continue;
            }
            let wy = weight(y, j, self.src.1, self.dst.1);
            let (s, w) = &mut self.acc[(j % 2) as usize];
            for (a, v) in s.iter_mut().zip(&h.0) {
                *a += wy * v;
            }
            for (a, v) in w.iter_mut().zip(&h.1) {
                *a += wy * v;
            }
        }
    }

    /// Take the next source row (`src.0 × bands` words); returns the destination row it
    /// completes, if any.
    #[cfg(test)]
    pub(super) fn push(&mut self, row: &[u32]) -> Option<Vec<u32>> {
        let h = (self.averages() && self.j < self.dst.1).then(|| self.reduce_row(row));
        self.push_with(row, h)
    }

    /// [`Self::push`] with the row already reduced by [`Self::reduce_row`] (average).
    pub(super) fn push_with(
        &mut self,
        row: &[u32],
        reduced: Option<(Vec<f64>, Vec<f64>)>,
    ) -> Option<Vec<u32>> {
        let y = self.y;
        self.y += 1;
        if self.j >= self.dst.1 {
            return None;
        }
        let nb = self.bands;
        if self.resampling == Resampling::Nearest {
            if y != nearest(self.j, self.src.1, self.dst.1) {
                return None;
            }
            let mut out = Vec::with_capacity(self.dst.0 as usize * nb);
            for &x in &self.x_near {
                out.extend_from_slice(&row[x as usize * nb..(x as usize + 1) * nb]);
            }
            self.j += 1;
            return Some(out);
        }
        let Some(h) = reduced else {
            return None;
        };
        self.push_reduced(y, &h);
        let (_, y1) = window(self.j, self.src.1, self.dst.1);
        if y + 1 < y1 {
            return None;
        }
        let slot = (self.j % 2) as usize;
        let (s, w) = std::mem::take(&mut self.acc[slot]);
        let out = s.iter().zip(&w).map(|(&s, &w)| self.encode(s, w)).collect();
        self.acc[slot] = (vec![0.0; s.len()], vec![0.0; s.len()]);
        self.j += 1;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_gdal() {
        // GDAL 3.6: gdal_translate -of COG -co BLOCKSIZE=256, and gdaladdo 2 4 …
        let cog = level_sizes(PyramidKind::Cog, 1000, 777, 256);
        assert_eq!(cog, [(500, 388), (250, 194)]);
        let cog = level_sizes(PyramidKind::Cog, 10980, 10980, 256);
        assert_eq!(cog.last(), Some(&(171, 171)));
        assert_eq!(cog.len(), 6);
        assert_eq!(
            level_sizes(PyramidKind::Cog, 5000, 3, 256).last(),
            Some(&(156, 1))
        );
        let addo = level_sizes(PyramidKind::Internal, 1000, 777, 256);
        assert_eq!(addo, [(500, 389), (250, 195)]);
        assert!(level_sizes(PyramidKind::Cog, 512, 512, 512).is_empty());
    }

    /// Brute-force 2-D reference: every destination pixel from its whole window.
    fn reference(src: &[f32], sw: u32, sh: u32, dw: u32, dh: u32) -> Vec<f32> {
        let mut out = Vec::new();
        for j in 0..dh {
            for i in 0..dw {
                let (y0, y1) = window(j, sh, dh);
                let (x0, x1) = window(i, sw, dw);
                let (mut s, mut w) = (0.0f64, 0.0f64);
                for y in y0..y1 {
                    for x in x0..x1 {
                        let v = src[(y * sw + x) as usize];
                        if !v.is_nan() {
                            let wt = weight(y, j, sh, dh) * weight(x, i, sw, dw);
                            s += wt * v as f64;
                            w += wt;
                        }
                    }
                }
                out.push(if w > 0.0 { (s / w) as f32 } else { f32::NAN });
            }
        }
        out
    }

    #[test]
    fn streaming_average_matches_the_whole_window_reference() {
        for (sw, sh) in [(7u32, 5u32), (1000, 777), (3, 1), (9, 9)] {
            let (dw, dh) = ((sw / 2).max(1), (sh / 2).max(1));
            let src: Vec<f32> = (0..sw * sh)
                .map(|i| {
                    if i % 7 == 3 {
                        f32::NAN
                    } else {
                        (i % 13) as f32 * 0.5
                    }
                })
                .collect();
            let samples = Samples::F32 { nodata: f32::NAN };
            let mut r = Reducer::new((sw, sh), (dw, dh), 1, samples, Resampling::Average);
            let mut got = Vec::new();
            for y in 0..sh as usize {
                let row: Vec<u32> = src[y * sw as usize..(y + 1) * sw as usize]
                    .iter()
                    .map(|v| v.to_bits())
                    .collect();
                if let Some(o) = r.push(&row) {
                    got.extend(o.into_iter().map(f32::from_bits));
                }
            }
            let want = reference(&src, sw, sh, dw, dh);
            assert_eq!(got.len(), want.len(), "{sw}x{sh}");
            for (g, w) in got.iter().zip(&want) {
                assert!(g.to_bits() == w.to_bits() || (g - w).abs() <= 1e-6 * w.abs());
            }
        }
    }

    #[test]
    fn nearest_picks_gdal_pixels_and_counts_round() {
        let mut r = Reducer::new((5, 3), (2, 1), 1, Samples::U32, Resampling::Nearest);
        assert_eq!(r.push(&[10, 11, 12, 13, 14]), Some(vec![10, 13]));
        let mut a = Reducer::new((2, 2), (1, 1), 1, Samples::U32, Resampling::Average);
        assert_eq!(a.push(&[1, 2]), None);
        assert_eq!(a.push(&[2, 2]), Some(vec![2])); // 1.75 rounds to 2
        let nd = Samples::F32 { nodata: -9999.0 };
        let mut f = Reducer::new((2, 1), (1, 1), 1, nd, Resampling::Average);
        let row = [(-9999.0f32).to_bits(), (-9999.0f32).to_bits()];
        assert_eq!(f.push(&row), Some(vec![(-9999.0f32).to_bits()]));
    }
}
