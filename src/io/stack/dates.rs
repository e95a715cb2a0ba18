//! Calendar dates and climatological periods, without a date library: proleptic Gregorian
//! dates, day of year, and the period a date falls in.
//!
//! Periods (the key names the output sub-folder):
//! - `month`: 01…12;
//! - `dekad`: 01…36, three per month: days 1–10, 11–20, 21–end (the Copernicus/FAO dekad);
//! - `week`: 01…52, week w holds days of year 7(w−1)+1 … 7w; days 365 and 366 join week 52
//!   (the NOAA STAR VHP convention of 52 weeks per year);
//! - `doy`: 001…366, the day of year as is (in leap years every day after 28 February shifts by
//!   one against common years — use `dekad` or `week` if that matters).

use std::fmt;

use crate::error::{Error, Result};

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=9999).contains(&year) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// The `doy`-th day (1-based) of `year`.
    pub fn from_ordinal(year: i32, doy: u32) -> Option<Date> {
        let mut left = doy;
        for m in 1..=12 {
            let n = days_in_month(year, m);
            if left >= 1 && left <= n {
                return Date::new(year, m, left);
            }
            left = left.checked_sub(n)?;
        }
        None
    }

    /// Days since 1970-01-01 (negative before), proleptic Gregorian (Hinnant's
    /// `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let y = self.year as i64 - (self.month <= 2) as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Day of year, 1-based.
    pub fn doy(self) -> u32 {
        (1..self.month)
            .map(|m| days_in_month(self.year, m))
            .sum::<u32>()
            + self.day
    }

    /// `YYYY-MM-DD` or `YYYYMMDD`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let (y, m, d) = match s.len() {
            10 if s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => {
                (&s[0..4], &s[5..7], &s[8..10])
            }
            8 => (&s[0..4], &s[4..6], &s[6..8]),
            _ => return None,
        };
        if !(digits(y) && digits(m) && digits(d)) {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// How a year is divided into climatological periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Month,
    Dekad,
    Week,
    Doy,
}

impl crate::choice::Choice for Period {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (Period::Month, "month", "Calendar months 01–12"),
        (
            Period::Dekad,
            "dekad",
            "Dekads 01–36 (days 1–10, 11–20, 21–end of each month)",
        ),
        (
            Period::Week,
            "week",
            "Weeks 01–52 of 7 days from 1 January (the last one takes the rest of the year)",
        ),
        (Period::Doy, "doy", "Days of the year 001–366"),
    ];
}

impl Period {
    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Dekad => "dekad",
            Period::Week => "week",
            Period::Doy => "doy",
        }
    }

    pub fn parse(s: &str) -> Option<Period> {
        [Period::Month, Period::Dekad, Period::Week, Period::Doy]
            .into_iter()
            .find(|p| p.name() == s)
    }

    /// The period `date` falls in, as its folder name (`01`, `36`, `366`…).
    pub fn key(self, date: Date) -> String {
        match self {
            Period::Month => format!("{:02}", date.month),
            Period::Dekad => format!(
                "{:02}",
                (date.month - 1) * 3 + ((date.day - 1) / 10).min(2) + 1
            ),
            Period::Week => format!("{:02}", ((date.doy() - 1) / 7 + 1).min(52)),
            Period::Doy => format!("{:03}", date.doy()),
        }
    }
}

/// Parse `YYYY-YYYY` (inclusive years).
pub fn parse_baseline(s: &str) -> Result<(i32, i32)> {
    let bad = || {
        Error::Usage(format!(
            "--baseline {s:?}: expected YYYY-YYYY, e.g. 1991-2020"
        ))
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (i32, i32) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

/// Match a file name against a date pattern: `%Y` (4 digits), `%m` (2), `%d` (2), `%j` (3,
/// day of year), `*` (any run of characters), `%%` (a percent sign); every other character
/// matches itself. The whole name must match. Example: `*_%Y%m%d_*.tif` on a Landsat product
/// name.
pub fn match_pattern(pattern: &str, name: &str) -> Option<Date> {
    #[derive(Default, Clone, Copy)]
    struct Parts {
        y: Option<i32>,
        m: Option<u32>,
        d: Option<u32>,
        j: Option<u32>,
    }
    fn go(p: &[u8], s: &[u8], parts: Parts) -> Option<Parts> {
        if p.is_empty() {
            return s.is_empty().then_some(parts);
        }
        match p[0] {
            b'*' => (0..=s.len()).find_map(|k| go(&p[1..], &s[k..], parts)),
            b'%' if p.len() >= 2 && p[1] != b'%' => {
                let n = match p[1] {
                    b'Y' => 4,
                    b'm' | b'd' => 2,
                    b'j' => 3,
                    _ => return None,
                };
                if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let v: u32 = std::str::from_utf8(&s[..n]).ok()?.parse().ok()?;
                let mut q = parts;
                match p[1] {
                    b'Y' => q.y = Some(v as i32),
                    b'm' => q.m = Some(v),
                    b'd' => q.d = Some(v),
                    _ => q.j = Some(v),
                }
                go(&p[2..], &s[n..], q)
            }
            b'%' if p.len() >= 2 => {
                (s.first() == Some(&b'%')).then(|| go(&p[2..], &s[1..], parts))?
            }
            c => (s.first() == Some(&c)).then(|| go(&p[1..], &s[1..], parts))?,
        }
    }
    let parts = go(pattern.as_bytes(), name.as_bytes(), Parts::default())?;
    let y = parts.y?;
    match (parts.m, parts.d, parts.j) {
        (Some(m), Some(d), _) => Date::new(y, m, d),
        (_, _, Some(j)) => Date::from_ordinal(y, j),
        _ => None,
    }
}

/// Check a pattern has what a date needs (`%Y` and `%m%d` or `%j`) and no unknown `%` code.
pub fn check_pattern(pattern: &str) -> Result<()> {
    let mut codes = Vec::new();
    let b = pattern.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let c = *b.get(i + 1).unwrap_or(&b' ');
            if !b"Ymdj%".contains(&c) {
                return Err(Error::Usage(format!(
                    "--date-pattern {pattern:?}: unknown code %{}; use %Y %m %d %j %% and *",
                    c as char
                )));
            }
            codes.push(c);
            i += 2;
        } else {
            i += 1;
        }
    }
    let has = |c: u8| codes.contains(&c);
    if !has(b'Y') || !(has(b'j') || (has(b'm') && has(b'd'))) {
        return Err(Error::Usage(format!(
            "--date-pattern {pattern:?} needs %Y and either %m and %d or %j"
        )));
    }
    Ok(())
}

/// The first date in a file name: `YYYY-MM-DD`, `YYYY_MM_DD` or 8 digits `YYYYMMDD` (Landsat
/// and Sentinel-2 product names: the acquisition date comes first).
pub fn find_date(name: &str) -> Option<Date> {
    let b = name.as_bytes();
    for i in 0..b.len() {
        // Only start at a digit run's first digit.
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            continue;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 4
            && b.len() >= i + 10
            && (b[i + 4] == b'-' || b[i + 4] == b'_')
            && b[i + 7] == b[i + 4]
        {
            let s: String = name[i..i + 10].replace('_', "-");
            if let Some(d) = Date::parse(&s) {
                return Some(d);
            }
        }
        if run == 8 {
            if let Some(d) = Date::parse(&name[i..i + 8]) {
                return Some(d);
            }
        }
    }
    None
}

/// The date of `path`: from `pattern` when given, else the first date in its file name.
pub fn date_of(path: &std::path::Path, pattern: Option<&str>) -> Result<Date> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match pattern {
        Some(p) => match_pattern(p, &name).ok_or_else(|| {
            Error::input(path, format!("file name does not match --date-pattern {p:?}"))
        }),
        None => find_date(&name).ok_or_else(|| {
            Error::input(
                path,
                "no date (YYYYMMDD or YYYY-MM-DD) in the file name; pass --date-pattern, a --manifest or --date",
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn calendar() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(d(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(
            d(2024, 12, 31).days_since_epoch() - d(2024, 1, 1).days_since_epoch(),
            365
        );
        assert_eq!(d(2021, 3, 1).doy(), 60);
        assert_eq!(d(2020, 3, 1).doy(), 61);
        assert_eq!(d(2020, 12, 31).doy(), 366);
        assert_eq!(Date::from_ordinal(2020, 366), Some(d(2020, 12, 31)));
        assert_eq!(Date::from_ordinal(2021, 366), None);
        assert_eq!(Date::from_ordinal(2021, 32), Some(d(2021, 2, 1)));
        assert!(Date::new(2021, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert_eq!(Date::parse("2020-07-15"), Some(d(2020, 7, 15)));
        assert_eq!(Date::parse("20200715"), Some(d(2020, 7, 15)));
        assert_eq!(Date::parse("2020-13-01"), None);
        assert_eq!(Date::parse("2020/07/15"), None);
    }

    #[test]
    fn periods() {
        assert_eq!(Period::Month.key(d(2020, 7, 31)), "07");
        assert_eq!(Period::Dekad.key(d(2020, 1, 1)), "01");
        assert_eq!(Period::Dekad.key(d(2020, 1, 10)), "01");
        assert_eq!(Period::Dekad.key(d(2020, 1, 11)), "02");
        assert_eq!(Period::Dekad.key(d(2020, 1, 31)), "03");
        assert_eq!(Period::Dekad.key(d(2020, 12, 21)), "36");
        assert_eq!(Period::Week.key(d(2021, 1, 7)), "01");
        assert_eq!(Period::Week.key(d(2021, 1, 8)), "02");
        assert_eq!(Period::Week.key(d(2021, 12, 31)), "52"); // day 365
        assert_eq!(Period::Week.key(d(2020, 12, 31)), "52"); // day 366
        assert_eq!(Period::Doy.key(d(2020, 12, 31)), "366");
        assert_eq!(Period::Doy.key(d(2021, 1, 5)), "005");
    }

    #[test]
    fn patterns() {
        assert_eq!(
            match_pattern("ndvi_%Y%m%d.tif", "ndvi_20200715.tif"),
            Some(d(2020, 7, 15))
        );
        assert_eq!(
            match_pattern("*A%Y%j*", "MOD13Q1.A2020197.h20v08.tif"),
            Some(d(2020, 7, 15))
        );
        assert_eq!(match_pattern("ndvi_%Y%m%d.tif", "ndvi_20200715.tiff"), None);
        assert_eq!(match_pattern("ndvi_%Y%m%d.tif", "ndvi_20201315.tif"), None);
        assert_eq!(
            match_pattern("100%%_%Y-%m-%d", "100%_2001-02-03"),
            Some(d(2001, 2, 3))
        );
        assert!(check_pattern("ndvi_%Y.tif").is_err());
        assert!(check_pattern("%Y%q").is_err());
        assert!(check_pattern("*_%Y%j_*").is_ok());
        assert_eq!(
            find_date("LC08_L1TP_044034_20200101_20200115_02_T1_B4.TIF"),
            Some(d(2020, 1, 1))
        );
        assert_eq!(find_date("ndvi_2003-06-30.tif"), Some(d(2003, 6, 30)));
        assert_eq!(find_date("ndvi_2003_06_30.tif"), Some(d(2003, 6, 30)));
        assert_eq!(find_date("tile_044034_v2.tif"), None);
        assert_eq!(find_date("x123456789.tif"), None); // 9 digits is no date
        assert_eq!(parse_baseline("1991-2020").unwrap(), (1991, 2020));
        assert!(parse_baseline("2020-1991").is_err());
    }
}
