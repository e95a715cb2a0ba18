//! CF time coordinates to calendar dates: `units` = `<unit> since <origin>` (CF 1.11 §4.4)
//! and the `calendar` attribute (§4.4.1).
//!
//! Supported calendars: `standard`/`gregorian` (for dates from 1582-10-15 on, where they equal
//! the proleptic Gregorian calendar; earlier dates are refused), `proleptic_gregorian`,
//! `noleap`/`365_day` and `all_leap`/`366_day`. `360_day` and `julian` are refused: their
//! dates have no one-to-one Gregorian label (30 February, or a 13-day shift). A date is the
//! day the time value falls in (time of day dropped); the units are `days`, `hours`,
//! `minutes` or `seconds` (`months`/`years since` are refused, as CF advises against them).

use crate::io::stack::Date;

/// A CF calendar climidx can label with Gregorian dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    /// `standard`/`gregorian`: the mixed Julian/Gregorian calendar, accepted from 1582-10-15.
    Standard,
    ProlepticGregorian,
    NoLeap,
    AllLeap,
}

impl Calendar {
    /// The calendar named by a `calendar` attribute (absent: `standard`, as CF says).
    pub fn parse(name: Option<&str>) -> Result<Calendar, String> {
        let n = name.map(|s| s.trim().to_ascii_lowercase());
        Ok(match n.as_deref() {
            None | Some("") | Some("standard") | Some("gregorian") => Calendar::Standard,
            Some("proleptic_gregorian") => Calendar::ProlepticGregorian,
            Some("noleap") | Some("365_day") => Calendar::NoLeap,
            Some("all_leap") | Some("366_day") => Calendar::AllLeap,
            Some(c @ ("360_day" | "julian")) => {
                return Err(format!(
                    "calendar {c:?} is not supported: its dates have no Gregorian equivalent; convert the time axis first (e.g. xarray's Dataset.convert_calendar(\"proleptic_gregorian\", align_on=\"date\"))"
                ))
            }
            Some(c) => return Err(format!("unknown CF calendar {c:?}")),
        })
    }

    fn is_leap(self, y: i64) -> bool {
        match self {
            Calendar::NoLeap => false,
            Calendar::AllLeap => true,
            _ => (y % 4 == 0 && y % 100 != 0) || y % 400 == 0,
        }
    }

    fn month_days(self, y: i64, m: u32) -> i64 {
        match m {
            2 if self.is_leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Days from 0001-01-01 of this calendar.
    fn day_number(self, y: i64, m: u32, d: u32) -> i64 {
        let years = y - 1;
        let before = match self {
            Calendar::NoLeap => 365 * years,
            Calendar::AllLeap => 366 * years,
            _ => 365 * years + years / 4 - years / 100 + years / 400,
        };
        let months: i64 = (1..m).map(|k| self.month_days(y, k)).sum();
        before + months + d as i64 - 1
    }

    /// The inverse of [`Calendar::day_number`].
    fn from_day_number(self, n: i64) -> (i64, u32, u32) {
        let year_len = |y| if self.is_leap(y) { 366 } else { 365 };
        // Estimate the year, then correct it.
        let mut y = 1 + n.div_euclid(366).max(0);
        while self.day_number(y, 1, 1) > n {
            y -= 1;
        }
        while self.day_number(y, 1, 1) + year_len(y) <= n {
            y += 1;
        }
        let mut left = n - self.day_number(y, 1, 1);
        let mut m = 1;
        while left >= self.month_days(y, m) {
            left -= self.month_days(y, m);
            m += 1;
        }
        (y, m, left as u32 + 1)
    }
}

/// Parsed `units`: seconds per unit, the origin's day number in `cal` and its time of day (s).
struct Units {
    seconds: f64,
    origin_day: i64,
    origin_sod: f64,
}

fn parse_units(units: &str, cal: Calendar) -> Result<Units, String> {
    let bad = || format!("time units {units:?} are not CF `<unit> since <YYYY-MM-DD[ hh:mm:ss]>`");
    let lower = units.trim().to_ascii_lowercase();
    let (unit, origin) = lower.split_once(" since ").ok_or_else(bad)?;
    let seconds = match unit.trim() {
        "days" | "day" | "d" => 86400.0,
        "hours" | "hour" | "hrs" | "hr" | "h" => 3600.0,
        "minutes" | "minute" | "mins" | "min" => 60.0,
        "seconds" | "second" | "secs" | "sec" | "s" => 1.0,
        u @ ("months" | "month" | "years" | "year") => {
            return Err(format!(
                "time units {u:?} since … have no fixed length (CF advises against them); re-encode the time axis in days"
            ))
        }
        _ => return Err(bad()),
    };
    let origin = origin.trim();
    // `2000-01-01T00:00:00`: the ISO separator between the date and the time.
    let origin = match origin.find('t') {
        Some(i) if origin[..i].bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
            format!("{} {}", &origin[..i], &origin[i + 1..])
        }
        _ => origin.to_string(),
    };
    let mut parts = origin.split_whitespace();
    let date = parts.next().ok_or_else(bad)?;
    let ymd: Vec<&str> = date.split('-').collect();
    if ymd.len() != 3 {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let (y, m, d) = (num(ymd[0])?, num(ymd[1])?, num(ymd[2])?);
    if !(1..=12).contains(&m) || d < 1 || d > cal.month_days(y, m as u32) || y < 1 {
        return Err(bad());
    }
    let mut origin_sod = 0.0;
    for p in parts {
        let p = p.trim_end_matches('z');
        if p == "utc" || p == "gmt" || p.is_empty() || p == "+00:00" || p == "+0000" || p == "0" {
            continue;
        }
        if p.starts_with('+') || p.starts_with('-') {
            return Err(format!(
                "time units {units:?}: a time zone other than UTC is not supported"
            ));
        }
        let hms: Vec<&str> = p.split(':').collect();
        let f = |i: usize| -> Result<f64, String> {
            hms.get(i)
                .map(|s| s.parse::<f64>().map_err(|_| bad()))
                .unwrap_or(Ok(0.0))
        };
        origin_sod = f(0)? * 3600.0 + f(1)? * 60.0 + f(2)?;
    }
    Ok(Units {
        seconds,
        origin_day: cal.day_number(y, m as u32, d as u32),
        origin_sod,
    })
}

/// The date of every time value. Errors say what is wrong with the axis.
pub fn decode(values: &[f64], units: &str, calendar: Option<&str>) -> Result<Vec<Date>, String> {
    let cal = Calendar::parse(calendar)?;
    let u = parse_units(units, cal)?;
    let first_gregorian = Calendar::ProlepticGregorian.day_number(1582, 10, 15);
    let mut out = Vec::with_capacity(values.len());
    for (k, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            return Err(format!("time value {k} is missing or not finite"));
        }
        let secs = u.origin_sod + v * u.seconds;
        let day = u.origin_day + (secs / 86400.0 + 1e-9).floor() as i64;
        if cal == Calendar::Standard && day.min(u.origin_day) < first_gregorian {
            return Err(
                "the standard calendar before 1582-10-15 is Julian; climidx labels dates in the Gregorian calendar only (re-encode with calendar \"proleptic_gregorian\")".into(),
            );
        }
        let (y, m, d) = cal.from_day_number(day);
        let date = i32::try_from(y)
            .ok()
            .and_then(|y| Date::new(y, m, d))
            .ok_or_else(|| {
                format!("time value {k} ({v} {units}) is {y:04}-{m:02}-{d:02}, which has no Gregorian date")
            })?;
        out.push(date);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn gregorian_days_hours_and_origins() {
        let v = decode(
            &[0.0, 31.0, 59.5, 366.0 + 59.0],
            "days since 2000-01-01",
            None,
        )
        .unwrap();
        assert_eq!(
            v,
            [
                d("2000-01-01"),
                d("2000-02-01"),
                d("2000-02-29"),
                d("2001-03-01")
            ]
        );
        // 18 h after 06:00 is the next day.
        let v = decode(
            &[17.0, 18.0],
            "hours since 1990-01-01 06:00:00",
            Some("standard"),
        )
        .unwrap();
        assert_eq!(v, [d("1990-01-01"), d("1990-01-02")]);
        let v = decode(
            &[86400.0 * 365.0],
            "seconds since 1970-01-01T00:00:00Z",
            None,
        )
        .unwrap();
        assert_eq!(v, [d("1971-01-01")]);
        let v = decode(&[-1.0], "days since 2000-1-1", Some("proleptic_gregorian")).unwrap();
        assert_eq!(v, [d("1999-12-31")]);
    }

    #[test]
    fn noleap_and_all_leap() {
        // 365 noleap days after 2000-01-01 is 2001-01-01 (no 29 February in 2000).
        let v = decode(&[59.0, 365.0], "days since 2000-01-01", Some("noleap")).unwrap();
        assert_eq!(v, [d("2000-03-01"), d("2001-01-01")]);
        let v = decode(&[59.0], "days since 2004-01-01", Some("366_day")).unwrap();
        assert_eq!(v, [d("2004-02-29")]);
        // 29 February of a common year exists in all_leap only.
        let e = decode(&[59.0], "days since 2001-01-01", Some("all_leap")).unwrap_err();
        assert!(e.contains("no Gregorian date"), "{e}");
    }

    #[test]
    fn refusals() {
        let e = decode(&[0.0], "days since 2000-01-01", Some("360_day")).unwrap_err();
        assert!(
            e.contains("360_day") && e.contains("convert_calendar"),
            "{e}"
        );
        assert!(decode(&[0.0], "months since 2000-01-01", None)
            .unwrap_err()
            .contains("days"));
        assert!(decode(&[0.0], "days after 2000-01-01", None).is_err());
        assert!(decode(&[f64::NAN], "days since 2000-01-01", None).is_err());
        let e = decode(&[0.0], "days since 1500-01-01", Some("gregorian")).unwrap_err();
        assert!(e.contains("Julian"), "{e}");
        assert!(decode(&[0.0], "days since 2000-01-01 00:00 +05:00", None).is_err());
    }
}
