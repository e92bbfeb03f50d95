//! Human duration literals: `"30s"`, `"15m"`, `"12h"`, `"14d"`, or parts in
//! descending order such as `"1h30m"`. Checked at compile time: zero and
//! anything past 400 days (the longest a browser keeps a cookie,
//! RFC 6265bis) are rejected.

use std::fmt;
use std::time::Duration;

/// The longest accepted duration: 400 days.
pub(crate) const MAX_SECS: u64 = 400 * DAY;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Units, largest first, with their length in seconds.
const UNITS: &[(char, u64)] = &[('d', DAY), ('h', HOUR), ('m', MINUTE), ('s', 1)];

/// Why a duration literal was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DurationError {
    /// Nothing between the quotes.
    Empty,
    /// A number with no unit after it.
    MissingUnit(String),
    /// A unit that is not `s`, `m`, `h` or `d`.
    UnknownUnit(String),
    /// Something that is not digits followed by a unit.
    Malformed,
    /// A unit out of order or repeated (`"5m1h"`, `"1m1m"`).
    Order(char),
    /// Zero in total.
    Zero,
    /// More than [`MAX_SECS`].
    TooLong,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FORMS: &str = r#"write a duration like "30s", "15m", "12h", "14d" or "1h30m""#;
        match self {
            DurationError::Empty => write!(f, "is empty; {FORMS}"),
            DurationError::MissingUnit(n) => {
                write!(
                    f,
                    "has no unit; write \"{n}s\", \"{n}m\", \"{n}h\" or \"{n}d\""
                )
            }
            DurationError::UnknownUnit(u) => {
                write!(
                    f,
                    "has an unknown unit `{u}`; units are `s`, `m`, `h` and `d`"
                )
            }
            DurationError::Malformed => write!(f, "is not a duration; {FORMS}"),
            DurationError::Order(u) => write!(
                f,
                "repeats or misorders the unit `{u}`; write parts largest first, each once, like \"1h30m\""
            ),
            DurationError::Zero => write!(f, "is zero, which would expire at once"),
            DurationError::TooLong => write!(
                f,
                "is longer than 400 days, the longest a browser keeps a cookie"
            ),
        }
    }
}

/// Parses a duration literal's text.
pub(crate) fn parse(text: &str) -> Result<Duration, DurationError> {
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut rest = text;
    let mut total: u64 = 0;
    let mut last_unit = usize::MAX; // index into UNITS of the previous part
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(DurationError::Malformed);
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after.len() - after.trim_start_matches(char::is_alphabetic).len();
        if unit_len == 0 {
            return Err(if after.is_empty() {
                DurationError::MissingUnit(number.to_owned())
            } else {
                DurationError::Malformed
            });
        }
        let (unit, after) = after.split_at(unit_len);
        let Some(pos) = UNITS
            .iter()
            .position(|(c, _)| unit.len() == 1 && unit.starts_with(*c))
        else {
            return Err(DurationError::UnknownUnit(unit.to_owned()));
        };
        if last_unit != usize::MAX && pos <= last_unit {
            return Err(DurationError::Order(UNITS[pos].0));
        }
        last_unit = pos;
        // Saturate: anything that overflows is far past the cap anyway.
        let n: u64 = number.parse().unwrap_or(u64::MAX);
        total = total.saturating_add(n.saturating_mul(UNITS[pos].1));
        rest = after;
    }
    match total {
        0 => Err(DurationError::Zero),
        t if t > MAX_SECS => Err(DurationError::TooLong),
        t => Ok(Duration::from_secs(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> u64 {
        parse(text).unwrap().as_secs()
    }

    #[test]
    fn each_unit() {
        assert_eq!(secs("30s"), 30);
        assert_eq!(secs("15m"), 15 * 60);
        assert_eq!(secs("12h"), 12 * 3600);
        assert_eq!(secs("14d"), 14 * 86_400);
    }

    #[test]
    fn parts_largest_first() {
        assert_eq!(secs("1h30m"), 5400);
        assert_eq!(secs("1d2h3m4s"), 86_400 + 7200 + 180 + 4);
    }

    #[test]
    fn limits() {
        assert_eq!(secs("400d"), MAX_SECS);
        assert_eq!(secs("1s"), 1);
        assert_eq!(parse("401d"), Err(DurationError::TooLong));
        assert_eq!(parse("399d24h1s"), Err(DurationError::TooLong));
        assert_eq!(parse("0s"), Err(DurationError::Zero));
        assert_eq!(parse("0d0h"), Err(DurationError::Zero));
    }

    #[test]
    fn huge_numbers_saturate_into_too_long() {
        assert_eq!(
            parse("99999999999999999999999d"),
            Err(DurationError::TooLong)
        );
        assert_eq!(parse("18446744073709551615d"), Err(DurationError::TooLong));
    }

    #[test]
    fn malformed() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        assert_eq!(parse("30"), Err(DurationError::MissingUnit("30".into())));
        assert_eq!(parse("30x"), Err(DurationError::UnknownUnit("x".into())));
        assert_eq!(parse("30 m"), Err(DurationError::Malformed));
        assert_eq!(
            parse("30min"),
            Err(DurationError::UnknownUnit("min".into()))
        );
        assert_eq!(parse("m"), Err(DurationError::Malformed));
        assert_eq!(parse("-5m"), Err(DurationError::Malformed));
        assert_eq!(parse("1.5h"), Err(DurationError::Malformed));
        assert_eq!(parse("5m1h"), Err(DurationError::Order('h')));
        assert_eq!(parse("1m1m"), Err(DurationError::Order('m')));
        assert_eq!(parse("1m "), Err(DurationError::Malformed));
        assert_eq!(parse("１m"), Err(DurationError::Malformed));
    }

    #[test]
    fn messages_name_the_fix() {
        let m = DurationError::MissingUnit("30".into()).to_string();
        assert!(m.contains("\"30m\""), "{m}");
        assert!(DurationError::TooLong.to_string().contains("400 days"));
        assert!(DurationError::Malformed.to_string().contains("\"14d\""));
    }
}
