//! CPU reference for the `anomaly` shader family: a value against its per-pixel climatology
//! (`climidx anomaly`, `climidx vhi`). Mirrors `shaders/anomaly.wgsl` function by function.
//!
//! Inputs are the observation `x` and the statistics written by `climidx climatology` for the
//! same calendar period (mean, std, min, max). Same nodata policy as every family (see
//! [`super::vegetation`]): a nodata input or statistic makes the pixel nodata, a denominator
//! whose magnitude is below `f32::MIN_POSITIVE` gives nodata — so a z-score where std is 0, a
//! percent of normal where the mean is 0, and VCI/TCI where max = min are nodata, never ±inf.
//! Results are not clamped: an observation outside the baseline's [min, max] gives VCI/TCI
//! outside [0, 100], which is information (a new record), not an error.

use super::vegetation::safe_div;
use super::vocab::Px;

/// Difference from normal `x − μ` (openEO `anomaly`, ArcGIS "difference from mean").
pub fn diff_px(x: f32, mean: f32) -> Px {
    Px::new(x - mean)
}

/// Standardized anomaly `(x − μ) / σ` (DE Africa monthly NDVI anomaly; REFERENCES.md 2c).
///
/// ```
/// # use climidx::kernels::anomaly::zscore_px;
/// assert_eq!(zscore_px(0.7, 0.5, 0.1).value, (0.7f32 - 0.5) / 0.1);
/// assert!(!zscore_px(0.7, 0.5, 0.0).valid); // std 0: nodata
/// ```
pub fn zscore_px(x: f32, mean: f32, std: f32) -> Px {
    safe_div(x - mean, std)
}

/// Percent of normal `100 · x / μ` (climate_indices PNP; ArcGIS "percent of average").
pub fn percent_px(x: f32, mean: f32) -> Px {
    let r = safe_div(x, mean);
    if !r.valid {
        return r;
    }
    Px::new(100.0 * r.value)
}

/// Vegetation Condition Index `100 · (x − min) / (max − min)`, Kogan 1995,
/// doi:10.1016/0273-1177(95)00079-T.
pub fn vci_px(x: f32, min: f32, max: f32) -> Px {
    safe_div(100.0 * (x - min), max - min)
}

/// Temperature Condition Index `100 · (max − x) / (max − min)` on brightness temperature,
/// Kogan 1995, doi:10.1016/0273-1177(95)00079-T.
pub fn tci_px(x: f32, min: f32, max: f32) -> Px {
    safe_div(100.0 * (max - x), max - min)
}

/// Vegetation Health Index `a · VCI + (1 − a) · TCI`, a = 0.5 (Kogan 1995; FAO ASIS).
///
/// ```
/// # use climidx::kernels::anomaly::vhi_px;
/// assert_eq!(vhi_px(40.0, 80.0, 0.5).value, 60.0);
/// assert_eq!(vhi_px(40.0, 80.0, 0.25).value, 70.0);
/// ```
pub fn vhi_px(vci: f32, tci: f32, a: f32) -> Px {
    Px::new(a * vci + (1.0 - a) * tci)
}
