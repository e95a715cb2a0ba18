//! The quicklook legend: a colour bar with tick marks, labels at its ends and at round values
//! between them, and a title (the band's name and unit), in DejaVu Sans (a subset committed under
//! `assets/fonts/`, rasterized by `ab_glyph`), everything sized in proportion to the image width
//! (text 1/40 of it, at least 13 px) so that it reads the same at 256, 1024 or 4096 px. Not a
//! plotting library: one horizontal bar under the image, black text on white.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{Rgba, RgbaImage};

use super::colormap::Colormap;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-subset.ttf");

/// The embedded font (DejaVu Sans: printable ASCII, `°`, `²`, `µ`, `–`, `−`).
pub fn font() -> FontRef<'static> {
    FontRef::try_from_slice(FONT).expect("the embedded DejaVu Sans subset parses (a unit test)")
}

/// Legend text size in pixels (ascent − descent, ab_glyph's `PxScale`) for an image `width`
/// pixels wide: width / 40, at least 13.
pub fn text_px(width: u32) -> f32 {
    (width as f32 / 40.0).max(13.0)
}

/// A pixel rectangle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Where a drawn legend put its parts (image coordinates).
#[derive(Clone, Debug, PartialEq)]
pub struct LegendLayout {
    pub text_px: f32,
    /// The legend strip: rows `top .. top + height`, the full image width.
    pub top: u32,
    pub height: u32,
    /// The colour bar: column `bar.x + i` has the colour of `(i + 0.5) / bar.width`.
    pub bar: Rect,
    /// Each label and its line box (advance width × line height).
    pub labels: Vec<(String, Rect)>,
    pub title: (String, Rect),
}

struct Metrics {
    s: f32,
    margin: u32,
    pad: u32,
    bar_h: u32,
    tick: u32,
    gap: u32,
    line: u32,
}

fn metrics(width: u32) -> Metrics {
    let s = text_px(width);
    let r = |f: f32| (f * s).round() as u32;
    Metrics {
        s,
        margin: r(0.6),
        pad: r(0.4),
        bar_h: r(0.8),
        tick: r(0.3),
        gap: r(0.2),
        line: s.ceil() as u32,
    }
}

/// The height of the legend of an image `width` pixels wide.
pub fn height(width: u32) -> u32 {
    let m = metrics(width);
    2 * m.pad + m.bar_h + m.tick + 2 * m.gap + 2 * m.line
}

/// The advance width of `s` at `px`.
pub fn text_width(s: &str, px: f32) -> f32 {
    let f = font();
    let sf = f.as_scaled(PxScale::from(px));
    let mut w = 0.0;
    let mut prev = None;
    for ch in s.chars() {
        let id = f.glyph_id(ch);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    w
}

/// Draw `s` at `px` with its left end at `x` and its baseline at `baseline`, blending `ink` by
/// glyph coverage over what is there (opaque result).
pub fn draw_text(img: &mut RgbaImage, x: f32, baseline: f32, s: &str, px: f32, ink: [u8; 3]) {
    let f = font();
    let sf = f.as_scaled(PxScale::from(px));
    let mut caret = x;
    let mut prev = None;
    for ch in s.chars() {
        let id = f.glyph_id(ch);
        if let Some(p) = prev {
            caret += sf.kern(p, id);
        }
        let g = id.with_scale_and_position(px, ab_glyph::point(caret, baseline));
        caret += sf.h_advance(id);
        prev = Some(id);
        let Some(o) = f.outline_glyph(g) else {
            continue; // a space
        };
        let b = o.px_bounds();
        o.draw(|gx, gy, c| {
            let (px, py) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
            if px < 0 || py < 0 || px >= img.width() as i64 || py >= img.height() as i64 {
                return;
            }
            let p = img.get_pixel_mut(px as u32, py as u32);
            let c = c.clamp(0.0, 1.0);
            for k in 0..3 {
                p.0[k] = (p.0[k] as f32 * (1.0 - c) + ink[k] as f32 * c).round() as u8;
            }
            p.0[3] = 255;
        });
    }
}

/// A round step near `span / n`: 1, 2, 2.5 or 5 × 10^k.
fn nice_step(span: f64, n: f64) -> f64 {
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|&m| f <= m + 1e-9)
        .unwrap_or(10.0);
    m * mag
}

/// Decimals that show multiples of `step` exactly (at most 6).
fn decimals(step: f64) -> usize {
    (0..=6)
        .find(|&d| {
            let x = step * 10f64.powi(d as i32);
            (x - x.round()).abs() < 1e-6 * x.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// `v` with `d` decimals, a typographic minus, no `−0`; exponent form for huge or tiny values.
pub fn format_value(v: f64, d: usize) -> String {
    let a = v.abs();
    let s = if a != 0.0 && !(1e-4..1e6).contains(&a) {
        format!("{v:.2e}")
    } else {
        let s = format!("{v:.d$}");
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    };
    s.replace('-', "\u{2212}")
}

/// Draw the legend into rows `top ..` of `img` (white background) and say where its parts went.
pub fn draw(
    img: &mut RgbaImage,
    top: u32,
    cm: Colormap,
    range: (f32, f32),
    title: &str,
) -> LegendLayout {
    let w = img.width();
    let m = metrics(w);
    let h = height(w).min(img.height().saturating_sub(top));
    for y in top..top + h {
        for x in 0..w {
            img.put_pixel(x, y, Rgba([255, 255, 255, 255]));
        }
    }
    let bar = Rect {
        x: m.margin,
        y: top + m.pad,
        width: w.saturating_sub(2 * m.margin).max(1),
        height: m.bar_h.max(1),
    };
    for i in 0..bar.width {
        let c = cm.color((i as f32 + 0.5) / bar.width as f32);
        for y in bar.y..bar.y + bar.height {
            if bar.x + i < w && y < img.height() {
                img.put_pixel(bar.x + i, y, Rgba([c[0], c[1], c[2], 255]));
            }
        }
    }
    let ascent = font().as_scaled(PxScale::from(m.s)).ascent();
    let row = bar.y + bar.height + m.tick + m.gap;
    let labels = place_labels(&m, bar, range);
    let ink = [0, 0, 0];
    let tick_w = ((m.s / 12.0).round() as u32).max(1);
    for (text, x_tick, left) in &labels {
        let tx = (*x_tick as u32).min(bar.x + bar.width - tick_w);
        for y in bar.y + bar.height..bar.y + bar.height + m.tick {
            for x in tx..tx + tick_w {
                if x < w && y < img.height() {
                    img.put_pixel(x, y, Rgba([0, 0, 0, 255]));
                }
            }
        }
        draw_text(img, *left, row as f32 + ascent, text, m.s, ink);
    }
    // the title, centred on its own line, scaled down if it is wider than the bar
    let title_row = row + m.line + m.gap;
    let tpx = (m.s * bar.width as f32 / text_width(title, m.s).max(1.0)).min(m.s);
    let tw = text_width(title, tpx);
    let tx = (w as f32 - tw) / 2.0;
    draw_text(img, tx.round(), title_row as f32 + ascent, title, tpx, ink);
    let line_box = |left: f32, text: &str, y: u32, px: f32| Rect {
        x: left.max(0.0).floor() as u32,
        y,
        width: text_width(text, px).ceil() as u32 + 1,
        height: m.line,
    };
    LegendLayout {
        text_px: m.s,
        top,
        height: h,
        bar,
        labels: labels
            .iter()
            .map(|(t, _, l)| (t.clone(), line_box(*l, t, row, m.s)))
            .collect(),
        title: (
            title.to_string(),
            line_box(tx.round(), title, title_row, tpx),
        ),
    }
}

/// Labels: the range's ends (left- and right-aligned with the bar), then round values between
/// them at the smallest round step whose labels keep a gap of half the text size (values too
/// close to an end are left to the end's label). Each: text, tick x, text left x.
fn place_labels(m: &Metrics, bar: Rect, (lo, hi): (f32, f32)) -> Vec<(String, f32, f32)> {
    let (lo, hi) = (lo as f64, hi as f64);
    let span = hi - lo;
    let x_of = |v: f64| bar.x as f64 + (v - lo) / span * bar.width as f64;
    let sep = 0.5 * m.s;
    for n in [6.0, 5.0, 4.0, 3.0, 2.0, 1.0] {
        let step = nice_step(span, n);
        let d = decimals(step);
        let on_grid = |v: f64| ((v / step) - (v / step).round()).abs() < 1e-6;
        let de = if on_grid(lo) && on_grid(hi) {
            d
        } else {
            (d + 1).min(6)
        };
        let (lt, ht) = (format_value(lo, de), format_value(hi, de));
        let (lw, hw) = (text_width(&lt, m.s), text_width(&ht, m.s));
        let right = (bar.x + bar.width) as f32;
        let mut out = vec![
            (lt, bar.x as f32, bar.x as f32),
            (ht, right - 1.0, right - hw),
        ];
        let mut taken = vec![(bar.x as f32, bar.x as f32 + lw), (right - hw, right)];
        let mut all_fit = taken[0].1 + sep <= taken[1].0;
        let mut k = (lo / step).ceil();
        while all_fit && k * step <= hi {
            let v = k * step;
            k += 1.0;
            if (v - lo).abs() < 1e-9 * span.abs() || (hi - v).abs() < 1e-9 * span.abs() {
                continue;
            }
            let t = format_value(v, d);
            let tw = text_width(&t, m.s);
            let x = x_of(v) as f32;
            let (a, b) = (x - tw / 2.0, x + tw / 2.0);
            let hits = |r: &[(f32, f32)]| r.iter().any(|&(p, q)| a < q + sep && b + sep > p);
            if hits(&taken[..2]) {
                continue; // too close to an end's label: that end stands for it
            }
            if hits(&taken[2..]) || a < 0.0 || b > right + m.margin as f32 {
                all_fit = false;
            } else {
                taken.push((a, b));
                out.push((t, x, a));
            }
        }
        if all_fit || n == 1.0 {
            out.truncate(if all_fit { out.len() } else { 2 });
            return out;
        }
    }
    unreachable!("n = 1 returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_parses_and_has_the_signs_labels_use() {
        let f = font();
        for c in "0123456789.-−°µ²()%KC".chars() {
            assert_ne!(f.glyph_id(c).0, 0, "{c:?} is in the subset");
        }
    }

    #[test]
    fn steps_and_labels_are_round() {
        assert_eq!(nice_step(2.0, 4.0), 0.5);
        assert_eq!(nice_step(23.44, 5.0), 5.0);
        assert_eq!(nice_step(0.1, 4.0), 0.025);
        assert_eq!(decimals(0.025), 3);
        assert_eq!(decimals(5.0), 0);
        assert_eq!(format_value(-0.5, 1), "\u{2212}0.5");
        assert_eq!(format_value(-0.0001, 2), "0.00");
        assert_eq!(format_value(2.5e7, 0), "2.50e7");
    }
}
