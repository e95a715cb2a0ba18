//! STAC items (`--stac ITEM.json|URL`): find the asset of each band a job needs by its spectral
//! common name, with the asset's `raster:bands` scale, offset and nodata, and the quality
//! layer (SCL, QA_PIXEL) for `--mask`. [`load_document`] also reads an ItemCollection (a
//! GeoJSON FeatureCollection of items), which `index`/`expr` run item by item
//! (`cli::commands::collection`).
//!
//! - Bands: an asset's `eo:bands` (STAC 1.0, eo extension 1.x) or `bands` (STAC 1.1, with
//!   `eo:common_name`), matched by `common_name` (STAC eo extension, "Common Band Names"):
//!   `coastal blue green yellow red rededge071/rededge1 … nir nir08 nir09 swir16 swir22 lwir11
//!   lwir12`. ASI's N (our `nir` role) is the broad NIR: `nir` where the item has it
//!   (Sentinel-2 B08), else `nir08` (Landsat OLI B5, whose common name is `nir08`); ASI's N2
//!   (`nir2`, Sentinel-2 B8A) is `nir08` only in an item that also has a `nir` band.
//! - Calibration: `raster:bands[i]` (or the STAC 1.1 band's own `scale`/`offset`/`nodata`),
//!   `value = DN·scale + offset`, as the per-band calibration (provenance: `STAC raster:bands`);
//!   nodata as the product's documented fill (the file's GDAL_NODATA and `--nodata` win).
//!   Earth Search items are known to mis-declare the Sentinel-2 BOA offset for some 2022 and
//!   2025 scenes (Element84/earth-search issues 66 and 71): climidx applies what the item says.
//! - Hrefs: absolute URLs (`https://`, `s3://`), absolute paths, or relative to the item's own
//!   location (a local file or a URL). A GeoTIFF asset of a band wins over a JPEG 2000 copy
//!   (Earth Search's `red-jp2`); a band whose only asset is a JPEG 2000 is read from it when
//!   it is a local file (remote JPEG 2000 is refused, naming the item and asset).
//! - Quality: the asset keyed `scl` or `qa_pixel` (any case), or whose band is named `SCL` /
//!   `QA_PIXEL`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::masks::MaskKind;
use super::presets::PresetBands;
use crate::error::{Error, Result};
use crate::io::source::BandSource;
use crate::kernels::Role;

/// Largest item document read.
const MAX_ITEM_BYTES: usize = 16 << 20;

/// One band of one asset.
#[derive(Clone, Debug)]
struct AssetBand {
    key: String,
    href: String,
    /// 1-based band of the asset's file.
    band: u16,
    common: Option<String>,
    name: Option<String>,
    scale: Option<f64>,
    offset: Option<f64>,
    nodata: Option<f64>,
    geotiff: bool,
    /// A JPEG 2000 asset (`image/jp2`, or a `.jp2` href): read when it is a local file.
    jp2: bool,
}

/// A parsed STAC item.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: String,
    /// Where the item was read from.
    pub source: PathBuf,
    /// `properties.datetime` (else `start_datetime`), as written.
    pub datetime: Option<String>,
    bands: Vec<AssetBand>,
}

/// One asset band of an item as an input of a stack (`climatology`, `trend`).
#[derive(Clone, Debug)]
pub struct StackAsset {
    pub href: String,
    /// 1-based band of the asset's file.
    pub band: u16,
    /// `raster:bands` scale and offset as declared.
    pub scale: Option<f64>,
    pub offset: Option<f64>,
}

/// A STAC document: one item, or an ItemCollection (a GeoJSON FeatureCollection of items).
#[derive(Clone, Debug)]
pub enum Document {
    Item(Item),
    Collection(Vec<Item>),
}

/// Read the STAC document at `path` (a file or a URL): an item or an ItemCollection. Relative
/// hrefs of a collection's items resolve against the collection's location.
pub fn load_document(path: &Path) -> Result<Document> {
    let text = read_text(path)?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Error::input(path, format!("not a STAC item (invalid JSON: {e})")))?;
    match v.get("type").and_then(Value::as_str) {
        Some("Feature") => Ok(Document::Item(parse(path, &v)?)),
        Some("FeatureCollection") => {
            let f = v
                .get("features")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if f.is_empty() {
                return Err(Error::input(path, "an ItemCollection without items"));
            }
            let items = f.iter().map(|i| parse(path, i)).collect::<Result<_>>()?;
            Ok(Document::Collection(items))
        }
        _ => Err(Error::input(
            path,
            "not a STAC item (no \"type\": \"Feature\")",
        )),
    }
}

/// Read the item (or an ItemCollection of exactly one item) at `path` (a file or a URL).
pub fn load(path: &Path) -> Result<Item> {
    match load_document(path)? {
        Document::Item(i) => Ok(i),
        Document::Collection(mut v) if v.len() == 1 => Ok(v.remove(0)),
        Document::Collection(v) => Err(Error::input(
            path,
            format!(
                "an ItemCollection of {} items; `index` and `expr` take it with -o DIR (one \
                 output per item); for one scene save the item you want as its own file",
                v.len()
            ),
        )),
    }
}

fn read_text(path: &Path) -> Result<String> {
    if crate::io::bytes::remote_scheme(path).is_some() {
        use std::io::Read;
        let mut src = crate::io::bytes::ByteSource::open(path)?;
        if src.len() > MAX_ITEM_BYTES as u64 {
            return Err(Error::input(path, "STAC item over 16 MiB; not an item"));
        }
        let mut buf = Vec::new();
        src.read_to_end(&mut buf)
            .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        return String::from_utf8(buf).map_err(|_| Error::input(path, "STAC item is not UTF-8"));
    }
    let meta =
        std::fs::metadata(path).map_err(|e| Error::input(path, format!("cannot open: {e}")))?;
    if meta.len() > MAX_ITEM_BYTES as u64 {
        return Err(Error::input(path, "STAC item over 16 MiB; not an item"));
    }
    std::fs::read_to_string(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))
}

/// `href` resolved against the item's location `base`.
fn resolve_href(base: &Path, href: &str) -> String {
    if href.contains("://") {
        return href.strip_prefix("file://").unwrap_or(href).to_string();
    }
    if Path::new(href).is_absolute() {
        return href.to_string();
    }
    let b = base.to_string_lossy();
    if b.contains("://") {
        if let Ok(u) = url::Url::parse(&b).and_then(|u| u.join(href)) {
            return u.to_string();
        }
    }
    base.parent()
        .unwrap_or(Path::new(""))
        .join(href)
        .to_string_lossy()
        .into_owned()
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn parse(path: &Path, f: &Value) -> Result<Item> {
    let id = f
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::input(path, "STAC item has no \"id\""))?
        .to_string();
    let assets = f
        .get("assets")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::input(path, format!("STAC item {id} has no \"assets\"")))?;
    let mut bands = Vec::new();
    for (key, a) in assets {
        let Some(href) = a.get("href").and_then(Value::as_str) else {
            continue;
        };
        let ty = a.get("type").and_then(Value::as_str).unwrap_or("");
        let geotiff = ty.contains("tiff")
            || (ty.is_empty() && {
                let h = href.to_ascii_lowercase();
                h.ends_with(".tif") || h.ends_with(".tiff")
            });
        let jp2 =
            ty.contains("jp2") || (ty.is_empty() && href.to_ascii_lowercase().ends_with(".jp2"));
        let href = resolve_href(path, href);
        // STAC 1.1 `bands` carry everything; 1.0 has `eo:bands` and `raster:bands` side by side.
        let v11 = a.get("bands").and_then(Value::as_array);
        let eo = a.get("eo:bands").and_then(Value::as_array);
        let raster = a.get("raster:bands").and_then(Value::as_array);
        let n = v11.or(eo).or(raster).map_or(1, Vec::len).max(1);
        for i in 0..n {
            let b11 = v11.and_then(|b| b.get(i));
            let e = eo.and_then(|b| b.get(i));
            let r = raster.and_then(|b| b.get(i)).or(b11);
            let s = |k: &str| {
                b11.and_then(|b| b.get(format!("eo:{k}")).or_else(|| b.get(k)))
                    .or_else(|| e.and_then(|b| b.get(k)))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            bands.push(AssetBand {
                key: key.clone(),
                href: href.clone(),
                band: (i + 1) as u16,
                common: s("common_name"),
                name: s("name"),
                scale: num(r.and_then(|r| r.get("scale"))),
                offset: num(r.and_then(|r| r.get("offset"))),
                nodata: num(r.and_then(|r| r.get("nodata"))),
                geotiff,
                jp2,
            });
        }
    }
    let props = f.get("properties");
    let datetime = ["datetime", "start_datetime"]
        .iter()
        .find_map(|k| props.and_then(|p| p.get(*k)).and_then(Value::as_str))
        .map(str::to_string);
    Ok(Item {
        id,
        source: path.to_path_buf(),
        datetime,
        bands,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Quality {
    Scl,
    QaPixel,
}

/// The quality layer an asset key or band name names.
fn quality_name(s: &str) -> Option<Quality> {
    match s.to_ascii_lowercase().as_str() {
        "scl" => Some(Quality::Scl),
        "qa_pixel" => Some(Quality::QaPixel),
        _ => None,
    }
}

/// The STAC common names that can play `role`, in order of preference.
fn common_names(role: Role, has_nir: bool) -> &'static [&'static str] {
    match role {
        Role::Coastal => &["coastal"],
        Role::Blue => &["blue"],
        Role::Green => &["green"],
        Role::Yellow => &["yellow"],
        Role::Red => &["red"],
        Role::Re1 => &["rededge071", "rededge1"],
        Role::Re2 => &["rededge075", "rededge2"],
        Role::Re3 => &["rededge078", "rededge3"],
        Role::Nir if has_nir => &["nir"],
        Role::Nir => &["nir08"],
        Role::Nir2 if has_nir => &["nir08"],
        Role::Wv => &["nir09"],
        Role::Swir1 => &["swir16"],
        Role::Swir2 => &["swir22"],
        Role::Thermal => &["lwir11", "lwir"],
        Role::Thermal2 => &["lwir12"],
        _ => &[],
    }
}

impl Item {
    fn find(&self, role: Role) -> Option<&AssetBand> {
        let has_nir = self
            .bands
            .iter()
            .any(|b| b.common.as_deref() == Some("nir"));
        let wanted = common_names(role, has_nir);
        // Red-edge bands are `rededge` in eo 1.x with the asset key or band name telling which.
        let matches = |b: &AssetBand, w: &str| {
            b.common.as_deref() == Some(w)
                || (b.common.as_deref() == Some("rededge")
                    && (b.key == w || b.name.as_deref() == Some(w)))
        };
        wanted.iter().find_map(|w| {
            let mut c: Vec<&AssetBand> = self.bands.iter().filter(|b| matches(b, w)).collect();
            c.sort_by_key(|b| !b.geotiff);
            c.into_iter().next()
        })
    }

    fn quality_band(&self) -> Option<&AssetBand> {
        let mut c: Vec<&AssetBand> = self
            .bands
            .iter()
            .filter(|b| {
                quality_name(&b.key)
                    .or(b.name.as_deref().and_then(quality_name))
                    .is_some()
            })
            .collect();
        c.sort_by_key(|b| !b.geotiff);
        c.first().copied()
    }

    /// The quality layer (SCL or QA_PIXEL) asset's href.
    pub fn quality(&self) -> Option<&str> {
        self.quality_band().map(|b| b.href.as_str())
    }

    /// `--mask scl` or `--mask qa-pixel` (without a file) takes the item's quality asset:
    /// refuse the kind the asset is not (an SCL read as QA_PIXEL bits would mask at random).
    pub fn check_mask(&self, kind: MaskKind) -> Result<()> {
        let want = match kind {
            MaskKind::Scl => Quality::Scl,
            MaskKind::QaPixel => Quality::QaPixel,
            MaskKind::Bits(_) => return Ok(()),
        };
        let Some(b) = self.quality_band() else {
            return Ok(());
        };
        let have = quality_name(&b.key)
            .or(b.name.as_deref().and_then(quality_name))
            .expect("quality_band matched a name");
        if have == want {
            return Ok(());
        }
        let (has, flag) = match have {
            Quality::Scl => ("an SCL asset, not QA_PIXEL", "scl"),
            Quality::QaPixel => ("a QA_PIXEL asset, not SCL", "qa-pixel"),
        };
        Err(Error::Usage(format!(
            "STAC item {} has {has} ({}); use --mask {flag}",
            self.id, b.key
        )))
    }

    /// The asset band `name` (an asset key, else a common name) for a stack.
    pub fn stack_asset(&self, name: &str) -> Result<StackAsset> {
        let by_key = self.bands.iter().find(|b| b.key.eq_ignore_ascii_case(name));
        let mut by_common: Vec<&AssetBand> = self
            .bands
            .iter()
            .filter(|b| b.common.as_deref() == Some(name))
            .collect();
        by_common.sort_by_key(|b| !b.geotiff);
        let b = by_key.or(by_common.first().copied()).ok_or_else(|| {
            Error::Usage(format!(
                "STAC item {} has no asset '{name}' (by asset key or common name)",
                self.id
            ))
        })?;
        if !(b.geotiff || (b.jp2 && !b.href.contains("://"))) {
            return Err(Error::input(
                &self.source,
                format!(
                    "STAC item {}: asset {} is not a GeoTIFF (or a local JPEG 2000)",
                    self.id, b.key
                ),
            ));
        }
        Ok(StackAsset {
            href: b.href.clone(),
            band: b.band,
            scale: b.scale,
            offset: b.offset,
        })
    }

    /// Bands of `roles`, calibrated as the item declares, with the item's provenance.
    pub fn resolve(&self, roles: &[Role]) -> Result<PresetBands> {
        let mut out = PresetBands::default();
        let mut hrefs = Vec::new();
        for &r in roles {
            let has_nir = self
                .bands
                .iter()
                .any(|b| b.common.as_deref() == Some("nir"));
            let b = self.find(r).ok_or_else(|| {
                let names = common_names(r, has_nir);
                let what = if names.is_empty() {
                    "no STAC common name".to_string()
                } else {
                    format!("common name {}", names.join(" or "))
                };
                Error::Usage(format!(
                    "STAC item {} has no asset for the '{}' band ({what}); pass --band {}=FILE",
                    self.id,
                    r.name(),
                    r.name()
                ))
            })?;
            let remote = b.href.contains("://");
            if b.jp2 && remote {
                return Err(Error::input(
                    &self.source,
                    format!(
                        "STAC item {}: the '{}' band's only asset ({}) is a JPEG 2000 at a URL, \
                         and JPEG 2000 is read from local files only; download it (or convert it \
                         to a COG with `gdal_translate -of COG`) and pass --band {}=FILE",
                        self.id,
                        r.name(),
                        b.key,
                        r.name()
                    ),
                ));
            }
            if !b.geotiff && !b.jp2 {
                return Err(Error::input(
                    &self.source,
                    format!(
                        "STAC item {}: the '{}' band's only asset ({}) is neither a GeoTIFF nor \
                         a JPEG 2000; convert it with `gdal_translate` and pass --band {}=FILE",
                        self.id,
                        r.name(),
                        b.key,
                        r.name()
                    ),
                ));
            }
            let mut s = BandSource::new(r, PathBuf::from(&b.href), b.band);
            if b.scale.is_some() || b.offset.is_some() {
                s.scale = Some(b.scale.unwrap_or(1.0) as f32);
                s.offset = Some(b.offset.unwrap_or(0.0) as f32);
                s.stac = true;
            }
            s.nodata = b.nodata;
            hrefs.push(format!("{}={}", r.name(), b.href));
            out.bands.push(s);
        }
        out.quality = self.quality().map(PathBuf::from);
        if let Some(q) = &out.quality {
            hrefs.push(format!("quality={}", q.display()));
        }
        out.metadata.push((
            "CLIMIDX_STAC_ITEM".into(),
            format!("{} ({})", self.id, self.source.display()),
        ));
        out.metadata
            .push(("CLIMIDX_STAC_ASSETS".into(), hrefs.join("; ")));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_hrefs_follow_the_item() {
        assert_eq!(
            resolve_href(Path::new("a/b/item.json"), "B04.tif"),
            "a/b/B04.tif"
        );
        assert_eq!(
            resolve_href(Path::new("http://h:1/x/item.json"), "../B04.tif"),
            "http://h:1/B04.tif"
        );
        assert_eq!(
            resolve_href(Path::new("a/item.json"), "s3://b/k.tif"),
            "s3://b/k.tif"
        );
        assert_eq!(
            resolve_href(Path::new("a/item.json"), "/abs/k.tif"),
            "/abs/k.tif"
        );
    }
}
