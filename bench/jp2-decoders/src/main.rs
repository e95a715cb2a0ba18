//! jbench MODE IN.jp2 OUT.raw: decode a single-component JP2 to little-endian u16 and time it.
//! MODE: hayro (whole image), opj (OpenJPEG, whole image, one call), opj-tiles (OpenJPEG, one
//! decode per 1024² tile, tiles in parallel on rayon, as climidx's reader does).
use std::io::Write;
use std::time::Instant;
use rayon::prelude::*;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (mode, inp, outp) = (&a[1], &a[2], &a[3]);
    let t = Instant::now();
    let (w, h, px): (u32, u32, Vec<u16>) = match mode.as_str() {
        "hayro" => {
            let data = std::fs::read(inp).unwrap();
            let img = hayro_jpeg2000::Image::new(&data, &Default::default()).unwrap();
            let (w, h) = (img.width(), img.height());
            let mut ctx = hayro_jpeg2000::DecoderContext::default();
            let d = img.decode(&mut ctx).unwrap();
            let c = &d.components()[0];
            (w, h, c.samples().iter().map(|&v| v.round() as u16).collect())
        }
        "opj" => {
            let img = jpeg2k::Image::from_file_with(inp, jpeg2k::DecodeParameters::new().strict(true)).unwrap();
            let c = &img.components()[0];
            (c.width(), c.height(), c.data().iter().map(|&v| v as u16).collect())
        }
        _ => {
            // The image size (SIZ), given on the command line: jbench opj-tiles IN OUT W H.
            let (w, h): (u32, u32) = (a[4].parse().unwrap(), a[5].parse().unwrap());
            let tile = 1024u32;
            let mut out = vec![0u16; (w * h) as usize];
            for ty in 0..h.div_ceil(tile) {
                let y0 = ty * tile; let th = tile.min(h - y0);
                let tiles: Vec<(u32, u32, Vec<i32>)> = (0..w.div_ceil(tile)).into_par_iter().map(|tx| {
                    let x0 = tx * tile; let tw = tile.min(w - x0);
                    let img = jpeg2k::Image::from_file_with(inp, jpeg2k::DecodeParameters::new().strict(true).decode_area(Some(jpeg2k::DecodeArea::new(x0, y0, x0 + tw, y0 + th)))).unwrap();
                    (x0, tw, img.components()[0].data().to_vec())
                }).collect();
                for (x0, tw, d) in tiles {
                    for r in 0..th as usize {
                        let dst = &mut out[(y0 as usize + r) * w as usize + x0 as usize..][..tw as usize];
                        for (o, &v) in dst.iter_mut().zip(&d[r * tw as usize..(r + 1) * tw as usize]) { *o = v as u16; }
                    }
                }
            }
            (w, h, out)
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let mut f = std::io::BufWriter::new(std::fs::File::create(outp).unwrap());
    for v in &px { f.write_all(&v.to_le_bytes()).unwrap(); }
    eprintln!("{mode}: {w}x{h} decoded in {secs:.2} s");
}
