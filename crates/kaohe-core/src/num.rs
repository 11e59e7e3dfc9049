//! Exact decimal helpers shared by the loader, the engine and the explanations.

use rust_decimal::Decimal;

/// Formats a decimal without trailing zeros: `6`, `5.5`, `93.2`.
pub fn fmt(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Formats a signed score change with a real minus sign: `−4`, `+2.5`, `0`.
pub fn fmt_delta(d: Decimal) -> String {
    if d.is_sign_negative() && !d.is_zero() {
        format!("−{}", fmt(-d))
    } else if d.is_zero() {
        "0".to_string()
    } else {
        format!("+{}", fmt(d))
    }
}

/// Formats a computed percentage so that it never misleads against its threshold:
/// `9.996%` rather than `10.0%` when the value is below 10. Starts at one decimal place
/// and adds places until the shown value no longer equals the threshold it differs from.
pub fn fmt_ratio_percent(num: Decimal, den: Decimal, threshold: Decimal) -> String {
    if den.is_zero() {
        return "—".to_string();
    }
    let Some(value) = num
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(den))
    else {
        return "—".to_string();
    };
    let threshold = threshold.normalize();
    for places in 1..=12u32 {
        let shown = value.round_dp(places).normalize();
        if shown == value.normalize() || shown != threshold {
            // Never show a value on the wrong side of the threshold either.
            let wrong_side = (shown >= threshold) != (value >= threshold);
            if !wrong_side {
                return format!("{}%", fmt(shown));
            }
        }
    }
    format!("{}%", fmt(value))
}

/// Parses a decimal as people write it: `95`, `95.5`, `1,234`, `12,345.5`; no exponent,
/// no float. A comma is a thousands separator only between groups of three digits:
/// `9,5` or `1,5` is refused (never read as 95 or 15); [`comma_hint`] says what it may
/// have meant.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.contains([',', '，']) {
        let s = s.replace('，', ",");
        if !thousands_grouped(&s) {
            return None;
        }
        return parse_plain(&s.replace(',', ""));
    }
    parse_plain(s)
}

/// Whether every comma separates thousands: one to three digits, then groups of three,
/// and none after the decimal point.
fn thousands_grouped(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    // `0,500` is no thousand: a leading group never starts with 0.
    (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && groups.all(|g| g.len() == 3)
        && !fraction.contains(',')
}

/// What a number with a misplaced comma may have meant: a decimal comma, `9,5` → `9.5`.
/// `None` when the commas separate thousands, or when no reading fits.
pub fn comma_hint(s: &str) -> Option<String> {
    let s = s.trim().replace('，', ",");
    if !s.contains(',') || thousands_grouped(&s) || s.contains('.') || s.matches(',').count() > 1 {
        return None;
    }
    let meant = s.replace(',', ".");
    parse_plain(&meant).map(|_| meant)
}

fn parse_plain(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty()
        || digits.starts_with('.')
        || digits.ends_with('.')
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return None;
    }
    s.parse::<Decimal>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_comma_is_read_only_as_a_thousands_separator() {
        for (text, read) in [
            ("1,234", Some("1234")),
            ("12,345.5", Some("12345.5")),
            ("1,234,567", Some("1234567")),
            ("１,234", None),
            ("1，234", Some("1234")),
            ("9,5", None),
            ("1,5", None),
            ("12,34", None),
            ("1,2345", None),
            (",123", None),
            ("1234,567", None),
            ("1.234,5", None),
            ("0,500", None),
            ("00,123", None),
            ("95", Some("95")),
        ] {
            assert_eq!(parse_decimal(text), read.map(d), "{text}");
        }
        assert_eq!(comma_hint("9,5").as_deref(), Some("9.5"));
        assert_eq!(comma_hint("1,5").as_deref(), Some("1.5"));
        assert_eq!(comma_hint("1,234"), None);
        assert_eq!(comma_hint("1.234,5"), None);
        assert_eq!(comma_hint("0,500").as_deref(), Some("0.500"));
    }

    #[test]
    fn a_ratio_just_below_its_threshold_never_shows_as_the_threshold() {
        assert_eq!(fmt_ratio_percent(d("9996"), d("100000"), d("10")), "9.996%");
        assert_eq!(fmt_ratio_percent(d("480"), d("5000"), d("10")), "9.6%");
        assert_eq!(fmt_ratio_percent(d("500"), d("5000"), d("10")), "10%");
        assert_eq!(fmt_ratio_percent(d("1"), d("3"), d("30")), "33.3%");
        assert_eq!(
            fmt_ratio_percent(d("29999"), d("100000"), d("30")),
            "29.999%"
        );
    }

    #[test]
    fn deltas_use_a_real_minus_sign() {
        assert_eq!(fmt_delta(d("-4")), "−4");
        assert_eq!(fmt_delta(d("2.50")), "+2.5");
        assert_eq!(fmt_delta(Decimal::ZERO), "0");
    }
}
