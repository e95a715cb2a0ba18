//! From a list of rasters (with dates from a manifest CSV or the file names) to the inputs of
//! each climatological period, with the baseline filter applied.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::dates::{date_of, Date, Period};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// One input of the stack.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StackInput {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The local file's size and modification time (ns since 1970) when the climatology was
    /// built ([`crate::io::files::fingerprint`]), so that a later re-read can tell it changed.
    /// Absent for remote inputs, Zarr stores, and manifests of older climidx versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<(u64, i64)>,
}

/// The inputs of one period (or of the whole stack when `key` is empty).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PeriodGroup {
    pub key: String,
    pub inputs: Vec<StackInput>,
}

/// Read a manifest: one `path,date` per line (`YYYY-MM-DD` or `YYYYMMDD`), relative paths
/// relative to the manifest's folder; an optional header line, blank lines and `#` comments.
pub fn read_manifest_csv(path: &Path) -> Result<Vec<(PathBuf, Date)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((p, d)) = line.rsplit_once(',') else {
            return Err(Error::input(
                path,
                format!("line {}: expected `path,date`, got {line:?}", n + 1),
            ));
        };
        let p = p.trim().trim_matches('"');
        let date = match Date::parse(d.trim().trim_matches('"')) {
            Some(date) => date,
            // A header line.
            None if out.is_empty()
                && n == text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0) =>
            {
                continue
            }
            None => {
                return Err(Error::input(
                    path,
                    format!(
                        "line {}: {:?} is not a date (YYYY-MM-DD or YYYYMMDD)",
                        n + 1,
                        d.trim()
                    ),
                ))
            }
        };
        let pb = PathBuf::from(p);
        let keep = pb.is_absolute() || crate::io::bytes::remote_scheme(&pb).is_some();
        out.push((if keep { pb } else { base.join(pb) }, date));
    }
    if out.is_empty() {
        return Err(Error::input(path, "no `path,date` lines"));
    }
    Ok(out)
}

/// Dates for `paths` from their file names (see [`date_of`]).
pub fn dates_from_names(paths: &[PathBuf], pattern: Option<&str>) -> Result<Vec<(PathBuf, Date)>> {
    paths
        .iter()
        .map(|p| Ok((p.clone(), date_of(p, pattern)?)))
        .collect()
}

/// Group dated inputs by period (one group keyed "" without a period), keeping those whose
/// year is inside `baseline`. Groups come out in key order, inputs in date order.
pub fn group(
    inputs: Vec<(PathBuf, Option<Date>)>,
    period: Option<Period>,
    baseline: Option<(i32, i32)>,
) -> Result<Vec<PeriodGroup>> {
    let mut groups: BTreeMap<String, Vec<(Option<Date>, PathBuf)>> = BTreeMap::new();
    let mut skipped = 0;
    for (path, date) in inputs {
        if let Some((a, b)) = baseline {
            let d =
                date.ok_or_else(|| Error::input(&path, "--baseline needs a date for every input"))?;
            if d.year < a || d.year > b {
                skipped += 1;
                continue;
            }
        }
        let key = match period {
            Some(p) => p.key(
                date.ok_or_else(|| Error::input(&path, "--period needs a date for every input"))?,
            ),
            None => String::new(),
        };
        groups.entry(key).or_default().push((date, path));
    }
    if skipped > 0 {
        log::info!("{skipped} input(s) outside the baseline left out");
    }
    Ok(groups
        .into_iter()
        .map(|(key, mut v)| {
            v.sort_by_key(|a| a.0);
            PeriodGroup {
                key,
                inputs: v
                    .into_iter()
                    .map(|(d, path)| StackInput {
                        path,
                        date: d.map(|d| d.to_string()),
                        fingerprint: None,
                    })
                    .collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_month_inside_the_baseline() {
        let d = |s| Date::parse(s);
        let inputs = vec![
            (PathBuf::from("b.tif"), d("2001-07-20")),
            (PathBuf::from("a.tif"), d("2000-07-01")),
            (PathBuf::from("c.tif"), d("2001-08-01")),
            (PathBuf::from("old.tif"), d("1985-07-01")),
        ];
        let g = group(inputs, Some(Period::Month), Some((1991, 2020))).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].key, "07");
        let names: Vec<_> = g[0]
            .inputs
            .iter()
            .map(|i| i.path.to_str().unwrap())
            .collect();
        assert_eq!(names, ["a.tif", "b.tif"]);
        assert_eq!(g[1].key, "08");
        let none = group(
            vec![(PathBuf::from("x.tif"), None)],
            Some(Period::Month),
            None,
        );
        assert!(none.unwrap_err().to_string().contains("needs a date"));
    }

    #[test]
    fn manifest_csv() {
        let dir = std::env::temp_dir().join(format!("climidx-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("stack.csv");
        std::fs::write(
            &f,
            "path,date\n# comment\nndvi_a.tif,2001-07-01\n/abs/b.tif, 20020701\n\n",
        )
        .unwrap();
        let m = read_manifest_csv(&f).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].0, dir.join("ndvi_a.tif"));
        assert_eq!(
            m[1],
            (PathBuf::from("/abs/b.tif"), Date::new(2002, 7, 1).unwrap())
        );
        std::fs::write(&f, "a.tif,2001-07-01\nb.tif,July\n").unwrap();
        let e = read_manifest_csv(&f).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
