//! CRS comparison on hand-built GeoKey directories: EPSG flavours GDAL writes, unit keys,
//! user-defined projections, UTM codes against their parameters, uninterpreted keys.

use super::*;

/// A value in a hand-built GeoKey directory.
enum V {
    S(u16),
    D(f64),
    A(&'static str),
}

/// A 10 m grid at (600000, 5000000) with the GeoKey directory of `keys` (GeoTIFF 1.`minor`,
/// 0 or 1), its doubles and ASCII parameters laid out as GDAL does.
fn keyed(minor: u16, keys: &[(u16, V)]) -> GeoInfo {
    let mut dir = vec![1, 1, minor, keys.len() as u16];
    let (mut doubles, mut ascii) = (Vec::new(), String::new());
    for (k, v) in keys {
        match v {
            V::S(s) => dir.extend([*k, 0, 1, *s]),
            V::D(d) => {
                dir.extend([*k, 34736, 1, doubles.len() as u16]);
                doubles.push(*d);
            }
            V::A(a) => {
                let s = format!("{a}|");
                dir.extend([*k, 34737, s.len() as u16, ascii.len() as u16]);
                ascii.push_str(&s);
            }
        }
    }
    GeoInfo {
        pixel_scale: Some(vec![10.0, 10.0, 0.0]),
        tiepoints: Some(vec![0.0, 0.0, 0.0, 600000.0, 5000000.0, 0.0]),
        geo_keys: Some(dir),
        geo_doubles: (!doubles.is_empty()).then_some(doubles),
        geo_ascii: (!ascii.is_empty()).then_some(ascii),
        ..Default::default()
    }
}

/// EPSG:`code` the way the sample assets, GDAL (GeoTIFF 1.0), GDAL with GeoTIFF 1.1 and
/// GDAL's ESRI_PE flavour write it.
fn epsg_flavours(code: u16) -> [GeoInfo; 4] {
    use V::*;
    [
        keyed(
            0,
            &[
                (1024, S(1)),
                (1025, S(1)),
                (2057, D(6378137.0)),
                (3072, S(code)),
                (3073, A("WGS 84 / UTM zone 33N")),
            ],
        ),
        keyed(
            0,
            &[
                (1024, S(1)),
                (1025, S(1)),
                (1026, A("WGS 84 / UTM zone 33N")),
                (2049, A("WGS 84")),
                (2054, S(9102)),
                (3072, S(code)),
                (3076, S(9001)),
            ],
        ),
        keyed(1, &[(1024, S(1)), (1025, S(1)), (3072, S(code))]),
        keyed(
            0,
            &[
                (1024, S(32767)),
                (1025, S(1)),
                (1026, A("WGS 84 / UTM zone 33N")),
                (2049, A("WGS 84")),
                (2054, S(9102)),
                (3072, S(code)),
                (
                    3073,
                    A("ESRI PE String = PROJCS[\"WGS_1984_UTM_Zone_33N\"]"),
                ),
                (3076, S(9001)),
            ],
        ),
    ]
}

#[test]
fn same_epsg_code_with_other_citations_units_and_versions_is_the_same_crs() {
    let all = epsg_flavours(32633);
    for a in &all {
        assert_eq!(
            a.crs(),
            Crs::Epsg {
                code: 32633,
                kind: CrsKind::Projected,
                unit: None
            }
        );
        for b in &all {
            assert_eq!(a.mismatch(b), None, "{a:?} vs {b:?}");
            assert_eq!(a.coarsening_of(b), None);
        }
    }
    // a 20 m band written by another tool still lies on the 10 m grid
    let mut coarse = all[1].clone();
    coarse.pixel_scale = Some(vec![20.0, 20.0, 0.0]);
    assert_eq!(coarse.coarsening_of(&all[0]), Some(2));
}

#[test]
fn other_epsg_codes_are_named_in_the_message() {
    for (a, b) in epsg_flavours(32633).iter().zip(&epsg_flavours(32634)) {
        assert_eq!(
            a.mismatch(b).as_deref(),
            Some("coordinate reference systems differ: EPSG:32633 vs EPSG:32634")
        );
        let mut coarse = b.clone();
        coarse.pixel_scale = Some(vec![20.0, 20.0, 0.0]);
        assert_eq!(coarse.coarsening_of(a), None);
    }
    let geographic = keyed(1, &[(1024, V::S(2)), (1025, V::S(1)), (2048, V::S(4326))]);
    assert_eq!(
        geographic.crs(),
        Crs::Epsg {
            code: 4326,
            kind: CrsKind::Geographic,
            unit: None
        }
    );
    assert!(epsg_flavours(32633)[0]
        .mismatch(&geographic)
        .unwrap()
        .ends_with("EPSG:32633 vs EPSG:4326"));
}

#[test]
fn units_keys_count_only_when_they_change_the_unit() {
    use V::*;
    let with = |code: u16, unit: Option<u16>| {
        let mut k = vec![(1024, S(1)), (1025, S(1)), (3072, S(code))];
        k.extend(unit.map(|u| (3076, S(u))));
        keyed(0, &k)
    };
    // metre on a metre code is the default; feet on it overrides (GDAL honours that)
    assert_eq!(with(32633, Some(9001)).mismatch(&with(32633, None)), None);
    assert_eq!(
        with(32633, Some(9002))
            .mismatch(&with(32633, None))
            .as_deref(),
        Some("coordinate reference systems differ: EPSG:32633 in foot vs EPSG:32633")
    );
    // a code whose unit climidx does not know: GDAL writes it for 1.0, omits it for 1.1
    assert_eq!(with(2229, Some(9003)).mismatch(&with(2229, None)), None);
    assert_eq!(
        with(2229, Some(9003)).crs().to_string(),
        "EPSG:2229 in US survey foot"
    );
    assert!(with(2229, Some(9003))
        .mismatch(&with(2229, Some(9001)))
        .unwrap()
        .contains("EPSG:2229 in US survey foot vs EPSG:2229 in metre"));
}

/// `gdal_translate -a_srs "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000
/// +ellps=GRS80"`: GDAL's keys, with `lon_0` and the false easting as given.
fn laea(lon_0: f64, x_0: f64) -> Vec<(u16, V)> {
    use V::*;
    vec![
        (1024, S(1)),
        (1025, S(1)),
        (1026, A("unknown")),
        (2048, S(32767)),
        (
            2049,
            A("GCS Name = unknown|Datum = Unknown based on GRS80 ellipsoid"),
        ),
        (2050, S(32767)),
        (2054, S(9102)),
        (2056, S(7019)),
        (2057, D(6378137.0)),
        (2059, D(298.257222101)),
        (2061, D(0.0)),
        (3072, S(32767)),
        (3074, S(32767)),
        (3075, S(10)),
        (3076, S(9001)),
        (3082, D(x_0)),
        (3083, D(3210000.0)),
        (3088, D(lon_0)),
        (3089, D(52.0)),
    ]
}

#[test]
fn user_defined_projections_compare_by_their_parameters() {
    use V::*;
    let gdal = keyed(0, &laea(10.0, 4321000.0));
    // the same projection as another writer might put it: GeoTIFF 1.1, no citations, the
    // ellipsoid by its code only, the prime meridian implied, the centre in grads and
    // the false easting in kilometres, with a rounding error
    let other = keyed(
        1,
        &[
            (1024, S(1)),
            (2048, S(32767)),
            (2050, S(32767)),
            (2054, S(9105)),
            (2056, S(7019)),
            (3072, S(32767)),
            (3075, S(10)),
            (3076, S(9036)),
            (3082, D(4321.0 * (1.0 + 1e-13))),
            (3083, D(3210.0)),
            (3088, D(10.0 / 0.9)),
            (3089, D(52.0 / 0.9)),
        ],
    );
    let Crs::UserDefined(u) = gdal.crs() else {
        panic!("{:?}", gdal.crs())
    };
    assert_eq!(u.kind, CrsKind::Projected);
    assert_eq!(u.unit, 1.0);
    assert_eq!(
        u.projection,
        Some(Projection::Method {
            method: 10,
            params: vec![
                (3082, 4321000.0),
                (3083, 3210000.0),
                (3088, 10.0),
                (3089, 52.0)
            ]
        })
    );
    // the kilometre grid is another unit of coordinates, otherwise the same
    assert_eq!(
        gdal.mismatch(&other).as_deref(),
        Some("coordinate reference systems differ: user-defined CRSs differ in unit (metre vs kilometre)")
    );
    let mut metres = laea(10.0, 4321000.0);
    metres.retain(|(k, _)| ![1026, 2049, 2057, 2059, 2061].contains(k));
    assert_eq!(gdal.mismatch(&keyed(1, &metres)), None);
    let mut other_metres = other.clone();
    let d = other_metres.geo_keys.as_mut().unwrap();
    let at = d.chunks(4).position(|e| e[0] == 3076).unwrap();
    d[4 * at + 3] = 9001;
    let dd = other_metres.geo_doubles.as_mut().unwrap();
    dd[0] *= 1000.0;
    dd[1] *= 1000.0;
    assert_eq!(gdal.mismatch(&other_metres), None);

    // a real difference names the parameter
    let moved = keyed(0, &laea(11.0, 4321000.0));
    assert_eq!(
        gdal.mismatch(&moved).as_deref(),
        Some("coordinate reference systems differ: user-defined CRSs differ in CenterLong (10° vs 11°)")
    );
    let shifted = keyed(0, &laea(10.0, 0.0));
    assert!(gdal
        .mismatch(&shifted)
        .unwrap()
        .contains("FalseEasting (4321000 m vs 0 m)"));
    let mut wgs84 = laea(10.0, 4321000.0);
    wgs84.retain(|(k, _)| ![2056, 2057, 2059].contains(k));
    wgs84.push((2056, S(7030)));
    assert!(gdal
        .mismatch(&keyed(0, &wgs84))
        .unwrap()
        .contains("geodetic datum (ellipsoid a=6378137 m 1/f=298.257222101 vs ellipsoid a=6378137 m 1/f=298.257223563)"));
    // against an EPSG code, both are described
    let epsg = &epsg_flavours(3035)[2];
    assert_eq!(
        gdal.mismatch(epsg).as_deref(),
        Some("coordinate reference systems differ: user-defined projected CRS (Lambert Azimuthal Equal Area FalseEasting=4321000 m, FalseNorthing=3210000 m, CenterLong=10°, CenterLat=52°; ellipsoid a=6378137 m 1/f=298.257222101; metre) vs EPSG:3035")
    );
}

#[test]
fn utm_projection_codes_equal_their_transverse_mercator_parameters() {
    use V::*;
    // gdal_translate -a_srs "+proj=utm +zone=33 +ellps=intl"
    let code = keyed(
        0,
        &[
            (1024, S(1)),
            (2048, S(32767)),
            (2050, S(32767)),
            (2056, S(32767)),
            (2057, D(6378388.0)),
            (2059, D(297.0)),
            (3072, S(32767)),
            (3074, S(16033)),
            (3076, S(9001)),
        ],
    );
    let params = keyed(
        1,
        &[
            (1024, S(1)),
            (2048, S(32767)),
            (2050, S(32767)),
            (2056, S(7022)),
            (3072, S(32767)),
            (3075, S(1)),
            (3080, D(15.0)),
            (3081, D(0.0)),
            (3082, D(500000.0)),
            (3083, D(0.0)),
            (3092, D(0.9996)),
        ],
    );
    assert_eq!(code.mismatch(&params), None);
    let south = keyed(
        1,
        &[
            (1024, S(1)),
            (2048, S(32767)),
            (2050, S(32767)),
            (2056, S(7022)),
            (3072, S(32767)),
            (3074, S(16133)),
        ],
    );
    assert!(code
        .mismatch(&south)
        .unwrap()
        .ends_with("differ in FalseNorthing (0 m vs 10000000 m)"));
}

#[test]
fn unspecified_and_uninterpreted_crs() {
    use V::*;
    let a = &epsg_flavours(32633)[0];
    // no directory, or one without CRS keys, matches anything (as before)
    let mut none = a.clone();
    none.geo_keys = None;
    assert_eq!(none.crs(), Crs::Unspecified);
    assert_eq!(a.mismatch(&none), None);
    let bare = keyed(0, &[(1025, S(1)), (1026, A("nothing")), (4096, S(5773))]);
    assert_eq!(bare.crs(), Crs::Unspecified);
    assert_eq!(a.mismatch(&bare), None);
    // geocentric: compared key by key, less citations, raster type and vertical keys
    let geocentric = keyed(0, &[(1024, S(3)), (1026, A("x")), (2048, S(4978))]);
    let again = keyed(1, &[(1024, S(3)), (2048, S(4978)), (4096, S(5773))]);
    assert_eq!(
        geocentric.crs(),
        Crs::Unknown(vec![(1024, "3".into()), (2048, "4978".into())])
    );
    assert_eq!(geocentric.mismatch(&again), None);
    assert_eq!(
        a.mismatch(&geocentric).as_deref(),
        Some("coordinate reference systems differ: EPSG:32633 vs uninterpreted GeoKeys (1024=3, 2048=4978)")
    );
}
