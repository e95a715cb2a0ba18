//! `climidx quicklook`: a PNG of one band of a GeoTIFF.

use crate::cli::args::QuicklookArgs;
use crate::cli::report::Done;
use crate::error::{Error, Result};
use crate::io::quicklook::{render, QuicklookOptions};

pub fn run(a: &QuicklookArgs) -> Result<Done> {
    crate::cli::usage::check_png("-o", &a.output)?;
    let t0 = std::time::Instant::now();
    if a.max_size == 0 {
        return Err(Error::Usage("--max-size must be at least 1".into()));
    }
    let range = a
        .range
        .as_deref()
        .map(|r| crate::cli::config::parse_range("--range", r))
        .transpose()?;
    if a.min_size == 0 {
        return Err(Error::Usage("--min-size must be at least 1".into()));
    }
    let rgb = a.rgb.as_deref().map(parse_rgb).transpose()?;
    let opts = QuicklookOptions {
        band: a.band,
        rgb,
        colormap: a.colormap,
        range,
        legend: a.legend,
        max_size: a.max_size,
        min_size: a.min_size,
    };
    let q = render(&a.input, &a.output, &opts, a.overwrite)?;
    Ok(crate::cli::report::quicklook(
        &a.input,
        &a.output,
        &q,
        t0.elapsed(),
        a.json,
    ))
}

/// `--rgb R,G,B`: three band numbers (1-based).
fn parse_rgb(s: &str) -> Result<[u16; 3]> {
    let bad = || {
        Error::Usage(format!(
            "--rgb {s}: give three band numbers counted from 1, red,green,blue (e.g. --rgb 3,2,1)"
        ))
    };
    let v: Vec<u16> = s
        .split(',')
        .map(|t| t.trim().parse::<u16>().ok().filter(|&b| b > 0))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    <[u16; 3]>::try_from(v).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    #[test]
    fn rgb_takes_three_band_numbers() {
        assert_eq!(super::parse_rgb("3,2,1").unwrap(), [3, 2, 1]);
        assert_eq!(super::parse_rgb(" 4, 3 ,2").unwrap(), [4, 3, 2]);
        for bad in ["3,2", "3,2,1,4", "0,1,2", "a,b,c", "", "3,,1", "-1,2,3"] {
            let e = super::parse_rgb(bad).unwrap_err().to_string();
            assert!(e.contains("three band numbers"), "{bad}: {e}");
        }
    }
}
