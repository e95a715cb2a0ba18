//! Georeferencing and nodata of a JP2 file, read as GDAL's JP2OpenJPEG driver reads them:
//! the GeoJP2 box (a 1×1 GeoTIFF whose tags carry the transform and CRS) first, then the
//! GMLJP2 root instance (a `gml:RectifiedGrid` with an EPSG `srsName`, as ESA's Sentinel-2
//! JP2s carry it); nodata from the `.aux.xml` sidecar, the only place GDAL finds it for a JP2.

use std::io::Cursor;
use std::path::Path;

use tiff::decoder::Decoder;
use tiff::tags::Tag;

use crate::error::{Error, Result};
use crate::io::geo::{parse_nodata, GeoInfo};

/// The GeoTIFF tags of the GeoJP2 box's embedded TIFF.
pub fn geojp2(path: &Path, tiff: &[u8]) -> Result<GeoInfo> {
    let e = |err: tiff::TiffError| {
        Error::input(
            path,
            format!("corrupt GeoJP2 box (its embedded TIFF: {err})"),
        )
    };
    let mut d = Decoder::new(Cursor::new(tiff)).map_err(e)?;
    let f64v = |d: &mut Decoder<_>, t| -> Result<Option<Vec<f64>>> {
        d.find_tag(t)
            .map_err(e)?
            .map(|v: tiff::decoder::ifd::Value| v.into_f64_vec())
            .transpose()
            .map_err(e)
    };
    Ok(GeoInfo {
        pixel_scale: f64v(&mut d, Tag::ModelPixelScaleTag)?,
        tiepoints: f64v(&mut d, Tag::ModelTiepointTag)?,
        transformation: f64v(&mut d, Tag::ModelTransformationTag)?,
        geo_keys: d
            .find_tag_unsigned_vec::<u16>(Tag::GeoKeyDirectoryTag)
            .map_err(e)?,
        geo_doubles: f64v(&mut d, Tag::GeoDoubleParamsTag)?,
        geo_ascii: d
            .find_tag(Tag::GeoAsciiParamsTag)
            .map_err(e)?
            .and_then(|v| v.into_string().ok()),
    })
}

/// The text of the first `<NAME …>…</NAME>` element (any namespace prefix) in `x`.
fn element<'a>(x: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let mut rest = x;
    loop {
        let i = rest.find(name)?;
        let before = &rest[..i];
        let open = before.rfind('<');
        let after = &rest[i + name.len()..];
        let tag_ok = open.is_some_and(|o| {
            let pre = &before[o + 1..];
            !pre.starts_with('/') && pre.chars().all(|c| c.is_alphanumeric() || c == ':')
        }) && after.starts_with(['>', ' ', '\t', '\n', '\r']);
        if tag_ok {
            let gt = after.find('>')?;
            let attrs = &after[..gt];
            let body = &after[gt + 1..];
            return Some((attrs, &body[..closing(body, name)?]));
        }
        rest = after;
    }
}

/// Where the closing tag `</prefix:NAME>` of an element whose body starts `body` begins
/// (elements of one name do not nest in GMLJP2 grids).
fn closing(body: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let i = from + body[from..].find("</")?;
        let tag = &body[i + 2..];
        let gt = tag.find('>')?;
        let n = &tag[..gt];
        if n == name || n.ends_with(&format!(":{name}")) {
            return Some(i);
        }
        from = i + 2;
    }
}

fn numbers(s: &str) -> Option<Vec<f64>> {
    s.split_whitespace().map(|t| t.parse().ok()).collect()
}

/// The EPSG code of an `srsName` (`urn:ogc:def:crs:EPSG::32633`, `EPSG:32633`,
/// `http://www.opengis.net/def/crs/EPSG/0/32633`).
fn epsg(attrs: &str) -> Option<u16> {
    let v = attrs.split("srsName=\"").nth(1)?.split('"').next()?;
    if !v.to_ascii_uppercase().contains("EPSG") {
        return None;
    }
    v.rsplit([':', '/']).next()?.trim().parse().ok()
}

/// A GeoKey directory naming projected CRS `code` (GTModelType projected, PixelIsArea).
fn projected_keys(code: u16) -> Vec<u16> {
    vec![1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, code]
}

/// Georeferencing from a GMLJP2 root instance: origin (the centre of pixel 0,0, as GMLJP2
/// defines it) and offset vectors of the `gml:RectifiedGrid`, CRS from its `srsName`. Only
/// projected WGS 84 / UTM codes (EPSG 32601–32660, 32701–32760, the Sentinel-2 tiling grid)
/// are taken: their axes are easting, northing, so no axis-order question arises; any other
/// CRS is refused with the conversion that carries it into a GeoTIFF.
pub fn gmljp2(path: &Path, xml: &str) -> Result<GeoInfo> {
    let refuse = |m: &str| {
        Error::input(
            path,
            format!("{m}; convert it with `gdal_translate IN.jp2 OUT.tif`"),
        )
    };
    let grid = element(xml, "RectifiedGrid")
        .ok_or_else(|| refuse("its GMLJP2 box has no gml:RectifiedGrid"))?
        .1;
    let (pattrs, pos) = element(grid, "pos").ok_or_else(|| refuse("GMLJP2 grid without origin"))?;
    let origin = numbers(pos).filter(|v| v.len() == 2);
    let mut vecs = Vec::new();
    let mut rest = grid;
    while let Some((attrs, v)) = element(rest, "offsetVector") {
        vecs.push((attrs, numbers(v).filter(|v| v.len() == 2)));
        // Continue after this element's body (`v` is a slice of `rest`).
        let end = v.as_ptr() as usize - rest.as_ptr() as usize + v.len();
        rest = &rest[end..];
    }
    let (Some(o), [(a1, Some(v1)), (_, Some(v2))]) = (origin, vecs.as_slice()) else {
        return Err(refuse(
            "its GMLJP2 grid is not a 2-D origin with two offset vectors",
        ));
    };
    let code = epsg(pattrs)
        .or_else(|| element(grid, "Point").and_then(|(a, _)| epsg(a)))
        .or_else(|| epsg(a1))
        .or_else(|| element(xml, "Envelope").and_then(|(a, _)| epsg(a)))
        .ok_or_else(|| refuse("its GMLJP2 box names no EPSG CRS"))?;
    if !(32601..=32660).contains(&code) && !(32701..=32760).contains(&code) {
        return Err(refuse(&format!(
            "its GMLJP2 box gives CRS EPSG:{code}, which climidx reads only from a GeoJP2 box (it \
             takes WGS 84 / UTM codes from GMLJP2)"
        )));
    }
    // GDAL: the transform's origin is the grid origin less half of each offset vector.
    let gt = [
        o[0] - 0.5 * (v1[0] + v2[0]),
        v1[0],
        v2[0],
        o[1] - 0.5 * (v1[1] + v2[1]),
        v1[1],
        v2[1],
    ];
    let mut geo = GeoInfo {
        geo_keys: Some(projected_keys(code)),
        ..GeoInfo::default()
    };
    if gt[2] == 0.0 && gt[4] == 0.0 && gt[1] > 0.0 && gt[5] < 0.0 {
        geo.pixel_scale = Some(vec![gt[1], -gt[5], 0.0]);
        geo.tiepoints = Some(vec![0.0, 0.0, 0.0, gt[0], gt[3], 0.0]);
    } else {
        geo.transformation = Some(vec![
            gt[1], gt[2], 0.0, gt[0], gt[4], gt[5], 0.0, gt[3], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            1.0,
        ]);
    }
    Ok(geo)
}

/// Nodata as GDAL reports it for a JP2: the first band's `<NoDataValue>` of the PAM sidecar
/// `PATH.aux.xml` (JP2 has no nodata field of its own). A sidecar that declares a scale or
/// offset is refused: GDAL would apply it, and climidx reads calibration from the file only.
pub fn aux_nodata(path: &Path) -> Result<Option<f64>> {
    let mut aux = path.as_os_str().to_owned();
    aux.push(".aux.xml");
    let Ok(x) = std::fs::read_to_string(&aux) else {
        return Ok(None);
    };
    if x.contains("<Scale>") || x.contains("<Offset>") {
        return Err(Error::input(
            path,
            "its .aux.xml sidecar declares Scale/Offset, which GDAL applies and climidx does not \
             read; pass them with --scale/--offset, or convert with `gdal_translate IN.jp2 OUT.tif`",
        ));
    }
    let Some((_, v)) = element(&x, "NoDataValue") else {
        return Ok(None);
    };
    parse_nodata(v.trim()).map(Some).ok_or_else(|| {
        Error::input(
            path,
            format!("its .aux.xml NoDataValue {v:?} is not a number"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gml_grid_to_transform() {
        let x = r#"<gml:FeatureCollection><gml:RectifiedGrid dimension="2">
          <gml:limits><gml:GridEnvelope><gml:low>0 0</gml:low><gml:high>47 39</gml:high>
          </gml:GridEnvelope></gml:limits><gml:axisName>x</gml:axisName>
          <gml:origin><gml:Point gml:id="P1" srsName="urn:ogc:def:crs:EPSG::32633">
          <gml:pos>600005 4999995</gml:pos></gml:Point></gml:origin>
          <gml:offsetVector srsName="urn:ogc:def:crs:EPSG::32633">10 0</gml:offsetVector>
          <gml:offsetVector srsName="urn:ogc:def:crs:EPSG::32633">0 -10</gml:offsetVector>
          </gml:RectifiedGrid></gml:FeatureCollection>"#;
        let g = gmljp2(Path::new("x.jp2"), x).unwrap();
        assert_eq!(
            g.geotransform().unwrap().to_gdal(),
            [600000.0, 10.0, 0.0, 5000000.0, 0.0, -10.0]
        );
        assert_eq!(g.geo_key_short(3072), Some(32633));
        let other = x.replace("32633", "4326");
        assert!(gmljp2(Path::new("x.jp2"), &other)
            .unwrap_err()
            .to_string()
            .contains("EPSG:4326"));
    }
}
