//! Human effort estimates (`30m`, `4h`, `2d`, `1w 2d`).
//!
//! Parsing is jiff's friendly duration grammar; the arithmetic is ours because
//! effort is counted in *working* time: a day is 8 hours and a week 5 days,
//! which is what a reviewer means by "2d of work".

use jiff::Span;

const MINUTES_PER_DAY: i64 = 8 * 60;
const MINUTES_PER_WEEK: i64 = 5 * MINUTES_PER_DAY;

/// Parses an estimate into working minutes, or explains what was expected.
pub fn parse_minutes(text: &str) -> Result<u32, String> {
    let span: Span = text.trim().parse().map_err(|_| {
        format!(
            "`{text}` is not an effort estimate; expected a duration such as `30m`, `4h` or `2d`"
        )
    })?;
    let minutes = i64::from(span.get_weeks()) * MINUTES_PER_WEEK
        + i64::from(span.get_days()) * MINUTES_PER_DAY
        + i64::from(span.get_hours()) * 60
        + span.get_minutes();
    if span.get_years() != 0 || span.get_months() != 0 || span.get_seconds() != 0 {
        return Err(format!(
            "`{text}` uses units readyctl does not count; use minutes, hours, days or weeks"
        ));
    }
    u32::try_from(minutes)
        .ok()
        .filter(|m| *m > 0)
        .ok_or_else(|| format!("`{text}` must be a positive duration"))
}

/// Formats working minutes back into the same short style, largest units first.
pub fn format_minutes(minutes: u32) -> String {
    if minutes == 0 {
        return "0m".to_string();
    }
    let mut left = i64::from(minutes);
    let mut parts = Vec::new();
    for (unit, size) in [
        ("w", MINUTES_PER_WEEK),
        ("d", MINUTES_PER_DAY),
        ("h", 60),
        ("m", 1),
    ] {
        let count = left / size;
        if count > 0 {
            parts.push(format!("{count}{unit}"));
            left -= count * size;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_estimates_as_working_time() {
        assert_eq!(parse_minutes("30m"), Ok(30));
        assert_eq!(parse_minutes("4h"), Ok(240));
        assert_eq!(parse_minutes("1h 30m"), Ok(90));
        assert_eq!(parse_minutes("2d"), Ok(960));
        assert_eq!(parse_minutes("1w"), Ok(2400));
    }

    #[test]
    fn rejects_nonsense_with_a_hint() {
        let err = parse_minutes("soon").unwrap_err();
        assert!(err.contains("expected a duration"), "{err}");
        assert!(parse_minutes("0m").is_err());
        assert!(parse_minutes("3 months").is_err());
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_minutes(90), "1h 30m");
        assert_eq!(format_minutes(960 + 60), "2d 1h");
        assert_eq!(format_minutes(0), "0m");
        for text in ["45m", "3h", "1d 2h", "2w 1d"] {
            assert_eq!(format_minutes(parse_minutes(text).unwrap()), text);
        }
    }
}
