//! CF coordinates to a north-up GeoTIFF grid: 1-D x/longitude and y/latitude coordinate
//! variables (cell centres, regularly spaced) → the affine geotransform, and the grid mapping
//! (`crs_wkt`, GDAL's `spatial_ref`, `epsg_code`, or CF's `latitude_longitude` on WGS 84) → an
//! EPSG code written as GeoKeys. Latitude stored south to north is read flipped, so outputs are
//! north-up; x must increase.

use crate::io::geo::GeoInfo;

/// A coordinate reference system climidx can write as GeoKeys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epsg {
    pub code: u16,
    pub geographic: bool,
}

/// The spacing of regularly spaced cell centres (1 % of a cell tolerated, for coordinates
/// stored in float32).
pub fn spacing(name: &str, v: &[f64]) -> Result<f64, String> {
    if v.len() < 2 {
        return Err(format!(
            "the {name} coordinate has {} value(s): the cell size is unknown",
            v.len()
        ));
    }
    if v.iter().any(|x| !x.is_finite()) {
        return Err(format!("the {name} coordinate has missing values"));
    }
    let d = (v[v.len() - 1] - v[0]) / (v.len() - 1) as f64;
    if d == 0.0 {
        return Err(format!("the {name} coordinate is constant"));
    }
    for (i, x) in v.iter().enumerate() {
        if (x - (v[0] + i as f64 * d)).abs() > 0.01 * d.abs() {
            return Err(format!(
                "the {name} coordinate is not regularly spaced (value {i} is {x}, a regular grid from {} by {d} has {}); regrid first (e.g. gdalwarp or xarray interp)",
                v[0],
                v[0] + i as f64 * d
            ));
        }
    }
    Ok(d)
}

/// The geotransform of cell centres `x` (increasing) and `y`, and whether rows must be read
/// flipped (y increasing: south-up storage).
pub fn transform(x: &[f64], y: &[f64]) -> Result<([f64; 6], bool), String> {
    let dx = spacing("x", x)?;
    let dy = spacing("y", y)?;
    if dx < 0.0 {
        return Err(
            "the x coordinate decreases (east to west); flip it first (e.g. xarray .sortby)".into(),
        );
    }
    let flip = dy > 0.0;
    let top = if flip { y[y.len() - 1] } else { y[0] };
    let dy = dy.abs();
    Ok(([x[0] - dx / 2.0, dx, 0.0, top + dy / 2.0, 0.0, -dy], flip))
}

/// The EPSG code a WKT (1 or 2) names for the whole CRS: its last AUTHORITY/ID.
pub fn epsg_of_wkt(wkt: &str) -> Option<Epsg> {
    let up = wkt.to_ascii_uppercase();
    let pos = up
        .rfind("AUTHORITY[\"EPSG\"")
        .or_else(|| up.rfind("ID[\"EPSG\""))?;
    let rest = &up[pos..];
    let open = rest.find(',')? + 1;
    let close = open + rest[open..].find(']')?;
    let code: u16 = rest[open..close].trim().trim_matches('"').parse().ok()?;
    // Only a top-level ID names the CRS: the text after it closes the outermost bracket.
    let tail = &rest[close + 1..];
    if tail.trim() != "]" {
        return None;
    }
    let head = up.trim_start();
    let geographic =
        head.starts_with("GEOGCS") || head.starts_with("GEOGCRS") || head.starts_with("GEODCRS");
    let projected = head.starts_with("PROJCS") || head.starts_with("PROJCRS");
    (geographic || projected).then_some(Epsg { code, geographic })
}

/// `EPSG:nnnn` (an `epsg_code` attribute).
pub fn epsg_of_code(s: &str) -> Option<Epsg> {
    let code: u16 = s.trim().strip_prefix("EPSG:")?.parse().ok()?;
    Some(Epsg {
        code,
        geographic: (4000..5000).contains(&code),
    })
}

/// GeoTIFF tags for the grid: PixelIsArea, the EPSG code when known.
pub fn geo_info(gt: [f64; 6], crs: Option<Epsg>) -> GeoInfo {
    let mut keys: Vec<u16> = vec![1, 1, 0, 0];
    let mut add = |k: u16, v: u16| keys.extend_from_slice(&[k, 0, 1, v]);
    if let Some(c) = crs {
        add(1024, if c.geographic { 2 } else { 1 });
        add(1025, 1);
        add(if c.geographic { 2048 } else { 3072 }, c.code);
    } else {
        add(1025, 1);
    }
    keys[3] = ((keys.len() - 4) / 4) as u16;
    GeoInfo {
        pixel_scale: Some(vec![gt[1], -gt[5], 0.0]),
        tiepoints: Some(vec![0.0, 0.0, 0.0, gt[0], gt[3], 0.0]),
        geo_keys: Some(keys),
        ..GeoInfo::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn south_up_latitudes_are_flipped() {
        let lon = [-2.875, -2.625, -2.375];
        let lat = [40.125, 40.375];
        let (gt, flip) = transform(&lon, &lat).unwrap();
        assert!(flip);
        assert_eq!(gt, [-3.0, 0.25, 0.0, 40.5, 0.0, -0.25]);
        let (gt, flip) = transform(&lon, &[40.375, 40.125]).unwrap();
        assert!(!flip);
        assert_eq!(gt[3], 40.5);
    }

    #[test]
    fn irregular_and_degenerate_axes_are_refused() {
        let e = transform(&[0.0, 1.0, 2.5, 3.0], &[1.0, 0.0]).unwrap_err();
        assert!(e.contains("not regularly spaced"), "{e}");
        assert!(transform(&[0.0], &[1.0, 0.0])
            .unwrap_err()
            .contains("cell size"));
        assert!(transform(&[3.0, 2.0], &[1.0, 0.0])
            .unwrap_err()
            .contains("decreases"));
        // float32-rounded centres are regular.
        let x: Vec<f64> = (0..100)
            .map(|i| (0.05 * i as f64 + 0.025) as f32 as f64)
            .collect();
        assert!(spacing("x", &x).is_ok());
    }

    #[test]
    fn epsg_codes_from_wkt() {
        let w1 = r#"PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",AUTHORITY["EPSG","4326"]],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","32633"]]"#;
        assert_eq!(
            epsg_of_wkt(w1),
            Some(Epsg {
                code: 32633,
                geographic: false
            })
        );
        let w2 = r#"GEOGCRS["WGS 84",DATUM["World Geodetic System 1984"],ID["EPSG",4326]]"#;
        assert_eq!(
            epsg_of_wkt(w2),
            Some(Epsg {
                code: 4326,
                geographic: true
            })
        );
        // An ID inside (the unit's), none for the CRS: not recognised.
        let w3 = r#"PROJCS["custom",UNIT["metre",1,AUTHORITY["EPSG","9001"]]]"#;
        assert_eq!(epsg_of_wkt(w3), None);
        assert_eq!(
            epsg_of_code("EPSG:3035"),
            Some(Epsg {
                code: 3035,
                geographic: false
            })
        );
    }
}
