//! The end of a write: where the directories and the spilled overview (and COG) blocks go
//! ([`super::super::layout`]), and what each directory describes.

use std::fs::{self, File};
use std::io::{Seek, SeekFrom, Write};

use super::{GeoTiffWriter, SampleKind};
use crate::io::geotiff::ifd::Image;
use crate::io::geotiff::layout;
use crate::io::geotiff::overviews::Level;

impl GeoTiffWriter {
    /// A plain GeoTIFF: the overview blocks appended after the image, then the directories
    /// (image first), and the header patched to point at them.
    pub(super) fn write_directories(&mut self) -> std::io::Result<()> {
        let mut f = self.file.take().expect("file open until finish");
        f.flush()?;
        let mut levels = Vec::new();
        let mut pos = self.pos;
        for level in self.levels() {
            let base = pos;
            pos += layout::append(f.get_mut(), &level.spill.path)?;
            levels.push(layout::shifted(&level.spill.offsets, base));
        }
        self.pos = pos;
        if self.pos % 2 == 1 {
            f.write_all(&[0])?;
            self.pos += 1;
        }
        let ifd_offset = self.pos;
        let images = self.images(&self.block_offsets, &levels);
        f.write_all(&layout::chain(&images, ifd_offset))?;
        f.flush()?;
        let header = layout::header(self.bigtiff, ifd_offset);
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&header)?;
        f.flush()
    }

    /// A Cloud-Optimized GeoTIFF: header, ghost header, every directory, then the spilled
    /// tiles from the smallest overview to the full resolution.
    pub(super) fn assemble_cog(&mut self) -> std::io::Result<()> {
        self.file.take().expect("file open until finish").flush()?;
        let levels = self.levels();
        let ghost = layout::ghost();
        let head_len = if self.bigtiff { 16 } else { 8 } + ghost.len() as u64;
        let ifd0 = head_len + head_len % 2;
        let relative: Vec<Vec<u64>> = levels.iter().map(|l| l.spill.offsets.clone()).collect();
        let mut base = ifd0 + layout::chain_len(&self.images(&self.block_offsets, &relative));
        let mut shifted = vec![Vec::new(); levels.len()];
        for k in (0..levels.len()).rev() {
            shifted[k] = layout::shifted(&levels[k].spill.offsets, base);
            base += levels[k].spill.pos;
        }
        let main = layout::shifted(&self.block_offsets, base);
        let images = self.images(&main, &shifted);
        let mut out = File::create(&self.tmp_path)?;
        crate::io::files::register_temp(&self.tmp_path);
        let mut head = layout::header(self.bigtiff, ifd0);
        head.extend_from_slice(&ghost);
        head.resize(ifd0 as usize, 0);
        head.extend_from_slice(&layout::chain(&images, ifd0));
        out.write_all(&head)?;
        for level in levels.iter().rev() {
            layout::append(&mut out, &level.spill.path)?;
        }
        layout::append(&mut out, &self.data_path)?;
        let _ = fs::remove_file(&self.data_path);
        crate::io::files::unregister_temp(&self.data_path);
        Ok(())
    }

    fn levels(&self) -> &[Level] {
        self.overviews.as_ref().map_or(&[], |o| &o.levels[..])
    }

    /// The directories: the image with `offsets`, then each overview with its `levels[k]`.
    fn images<'a>(&'a self, offsets: &'a [u64], levels: &'a [Vec<u64>]) -> Vec<Image<'a>> {
        let mut v = vec![self.image(self.width, self.height, offsets, &self.block_counts)];
        for (l, o) in self.levels().iter().zip(levels) {
            let mut im = self.image(l.width, l.height, o, &l.spill.counts);
            im.overview = true;
            v.push(im);
        }
        v
    }

    /// What a directory describes, once every block is written.
    fn image<'a>(
        &'a self,
        width: u32,
        height: u32,
        offsets: &'a [u64],
        counts: &'a [u64],
    ) -> Image<'a> {
        Image {
            width,
            height,
            bands: self.bands,
            sample_format: match (self.opts.sample, &self.opts.quantize) {
                (_, Some(_)) => 2,
                (SampleKind::F32, None) => 3,
                (SampleKind::U32, None) => 1,
            },
            bits: if self.opts.quantize.is_some() { 16 } else { 32 },
            scale_offset: self.opts.quantize.as_ref().map(|q| (q.scale, q.offset)),
            compression: self.opts.compression,
            predictor: self.predictor,
            tiled: self.tiled,
            block_w: self.block_w,
            block_h: self.block_h,
            block_offsets: offsets,
            block_counts: counts,
            bigtiff: self.bigtiff,
            geo: &self.geo,
            metadata: &self.opts.metadata,
            descriptions: &self.opts.descriptions,
            units: &self.opts.units,
            nodata: match &self.opts.quantize {
                Some(q) => Some(q.nodata as f64),
                None => (self.opts.sample == SampleKind::F32).then_some(self.opts.nodata),
            },
            overview: false,
        }
    }
}
