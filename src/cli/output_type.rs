//! `--output-type`, `--output-scale`, `--output-offset`: how the outputs are stored.

use crate::cli::args::OutputArgs;
use crate::error::{Error, Result};

/// `--output-type int16 --output-scale S [--output-offset O]` as (S, O); `None` for float32.
pub fn scaled_int16(o: &OutputArgs) -> Result<Option<(f64, f64)>> {
    match (o.output_type.as_str(), o.output_scale) {
        ("float32", None) if o.output_offset.is_none() => Ok(None),
        ("float32", _) => Err(Error::Usage(
            "--output-scale and --output-offset apply to --output-type int16".into(),
        )),
        ("int16", None) => Err(Error::Usage(
            "--output-type int16 needs --output-scale (e.g. 0.0001 for a ratio index, as MODIS NDVI)"
                .into(),
        )),
        ("int16", Some(s)) => Ok(Some((s, o.output_offset.unwrap_or(0.0)))),
        (t, _) => Err(Error::Usage(format!(
            "--output-type {t}: choose float32 or int16"
        ))),
    }
}

/// Refuse `--output-type int16` for `command`, whose outputs stay float32.
pub fn float32_only(o: &OutputArgs, command: &str) -> Result<()> {
    if o.output_type != "float32" || o.output_scale.is_some() || o.output_offset.is_some() {
        return Err(Error::Usage(format!(
            "{command} writes float32 outputs only; drop --output-type/--output-scale (int16 storage is for index outputs)"
        )));
    }
    Ok(())
}
