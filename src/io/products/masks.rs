//! Quality masks users apply to Landsat and Sentinel-2 products, as (mode, bits) for the `mask`
//! band role ([`crate::kernels::abi::masked`]).
//!
//! - Landsat Collection 2 `QA_PIXEL` (Landsat 8-9 OLI/TIRS C2 Level-1/Level-2 Data Format
//!   Control Book, LSDS-1328/LSDS-1822, table "Pixel Quality Assessment"): bit 0 fill, 1 dilated
//!   cloud, 2 cirrus (OLI), 3 cloud, 4 cloud shadow, 5 snow, 6 clear, 7 water. Default mask: fill,
//!   dilated cloud, cirrus, cloud, cloud shadow — snow stays data (NDSI needs it).
//! - Sentinel-2 L2A `SCL` scene classification (ESA Sen2Cor Product Specification, SCL classes):
//!   0 no data, 1 saturated or defective, 2 dark area pixels (topographic/cast shadows), 3 cloud
//!   shadows, 4 vegetation, 5 not vegetated, 6 water, 7 unclassified, 8 cloud medium probability,
//!   9 cloud high probability, 10 thin cirrus, 11 snow or ice. Default mask: 0, 1, 3, 8, 9, 10.

use crate::error::{Error, Result};
use crate::kernels::abi::{MASK_BITS, MASK_CLASSES};

/// QA_PIXEL bit names and numbers.
pub const QA_PIXEL_BITS: &[(&str, u32)] = &[
    ("fill", 0),
    ("dilated", 1),
    ("cirrus", 2),
    ("cloud", 3),
    ("shadow", 4),
    ("snow", 5),
    ("clear", 6),
    ("water", 7),
];
pub const QA_PIXEL_DEFAULT: &[&str] = &["fill", "dilated", "cirrus", "cloud", "shadow"];

/// SCL class names and values.
pub const SCL_CLASSES: &[(&str, u32)] = &[
    ("no_data", 0),
    ("saturated", 1),
    ("dark", 2),
    ("shadow", 3),
    ("vegetation", 4),
    ("bare", 5),
    ("water", 6),
    ("unclassified", 7),
    ("cloud_medium", 8),
    ("cloud_high", 9),
    ("cirrus", 10),
    ("snow", 11),
];
pub const SCL_DEFAULT: &[&str] = &[
    "no_data",
    "saturated",
    "shadow",
    "cloud_medium",
    "cloud_high",
    "cirrus",
];

/// The kinds of mask `--mask` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskKind {
    QaPixel,
    Scl,
    /// A generic bit-flag band with the given bits.
    Bits(u32),
}

/// Bits (QA_PIXEL) or class set (SCL) for `select` (names or numbers; empty: the default).
pub fn mask_bits(kind: MaskKind, select: &[String]) -> Result<(u32, u32)> {
    let (table, default, mode, what) = match kind {
        MaskKind::QaPixel => (QA_PIXEL_BITS, QA_PIXEL_DEFAULT, MASK_BITS, "QA_PIXEL bit"),
        MaskKind::Scl => (SCL_CLASSES, SCL_DEFAULT, MASK_CLASSES, "SCL class"),
        MaskKind::Bits(b) => {
            if !select.is_empty() {
                return Err(Error::Usage(
                    "--mask-select applies to qa-pixel and scl masks only".into(),
                ));
            }
            return Ok((MASK_BITS, b));
        }
    };
    let names: Vec<String> = if select.is_empty() {
        default.iter().map(|s| s.to_string()).collect()
    } else {
        select.to_vec()
    };
    let mut bits = 0u32;
    for n in &names {
        let n = n.trim();
        let v = table
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(n))
            .map(|(_, v)| *v)
            .or_else(|| {
                n.parse::<u32>()
                    .ok()
                    .filter(|v| table.iter().any(|(_, x)| x == v))
            })
            .ok_or_else(|| {
                let known: Vec<String> = table.iter().map(|(n, v)| format!("{n} ({v})")).collect();
                Error::Usage(format!("unknown {what} {n:?}; known: {}", known.join(", ")))
            })?;
        bits |= 1 << v;
    }
    Ok((mode, bits))
}

/// Parse `--mask`: `qa-pixel[:FILE]`, `scl[:FILE]` or `FILE:BITS` (decimal or 0x hex). The
/// file is `None` when a scene preset must supply it.
pub fn parse_mask(spec: &str) -> Result<(MaskKind, Option<String>)> {
    let (head, rest) = match spec.split_once(':') {
        Some((h, r)) => (h, Some(r)),
        None => (spec, None),
    };
    match head.to_ascii_lowercase().as_str() {
        "qa-pixel" | "qa_pixel" => return Ok((MaskKind::QaPixel, rest.map(str::to_string))),
        "scl" => return Ok((MaskKind::Scl, rest.map(str::to_string))),
        _ => {}
    }
    let bad = || {
        Error::Usage(format!(
            "--mask {spec:?}: expected qa-pixel[:FILE], scl[:FILE] or FILE:BITS (e.g. qa.tif:0x18)"
        ))
    };
    let (path, bits) = spec.rsplit_once(':').ok_or_else(bad)?;
    let bits = if let Some(h) = bits.strip_prefix("0x").or_else(|| bits.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).map_err(|_| bad())?
    } else {
        bits.parse::<u32>().map_err(|_| bad())?
    };
    if path.is_empty() || bits == 0 {
        return Err(bad());
    }
    Ok((MaskKind::Bits(bits), Some(path.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(
            mask_bits(MaskKind::QaPixel, &[]).unwrap(),
            (MASK_BITS, 0b1_1111)
        );
        assert_eq!(
            mask_bits(MaskKind::QaPixel, &["cloud".into(), "shadow".into()]).unwrap(),
            (MASK_BITS, (1 << 3) | (1 << 4))
        );
        assert_eq!(
            mask_bits(MaskKind::Scl, &[]).unwrap(),
            (
                MASK_CLASSES,
                (1 << 0) | (1 << 1) | (1 << 3) | (1 << 8) | (1 << 9) | (1 << 10)
            )
        );
        assert_eq!(
            mask_bits(MaskKind::Scl, &["11".into(), "water".into()]).unwrap(),
            (MASK_CLASSES, (1 << 11) | (1 << 6))
        );
        assert!(mask_bits(MaskKind::Scl, &["12".into()]).is_err());
        assert!(mask_bits(MaskKind::QaPixel, &["clouds".into()])
            .unwrap_err()
            .to_string()
            .contains("known: fill (0)"));
        assert_eq!(parse_mask("qa-pixel").unwrap(), (MaskKind::QaPixel, None));
        assert_eq!(
            parse_mask("scl:/x/SCL_20m.tif").unwrap(),
            (MaskKind::Scl, Some("/x/SCL_20m.tif".into()))
        );
        assert_eq!(
            parse_mask("/d/qa.tif:0x18").unwrap(),
            (MaskKind::Bits(0x18), Some("/d/qa.tif".into()))
        );
        assert_eq!(
            parse_mask("c:/d/qa.tif:24").unwrap(),
            (MaskKind::Bits(24), Some("c:/d/qa.tif".into()))
        );
        assert!(parse_mask("qa.tif").is_err());
        assert!(parse_mask("qa.tif:0").is_err());
    }
}
