//! Number and duration formatting shared by the views.

/// What a number that is not known (NaN: never measured, or a record that
/// predates the field) reads as.
pub const UNKNOWN: &str = "–";

/// Scientific notation with two significant digits: error rates span
/// 1e-30..1 and only the exponent and the leading digits matter.
pub fn sci(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if x.is_nan() {
        return UNKNOWN.to_string();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    format!("{x:.1e}")
}

/// Compact count: 950, 12.3k, 4.5M, 1.2G.
pub fn count(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        format!("{x}")
    } else if a >= 1e9 {
        format!("{:.1}G", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// Human duration with the two largest units: 45s, 12m05s, 3h07m, 2d04h.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "--".to_string();
    }
    let s = seconds.round() as u64;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{sec:02}s")
    } else {
        format!("{sec}s")
    }
}

/// A loss or distance in the precision a reader compares at.
pub fn value(x: f64) -> String {
    let a = x.abs();
    if x.is_nan() {
        UNKNOWN.to_string()
    } else if x == 0.0 {
        "0".to_string()
    } else if !(1e-3..1e4).contains(&a) {
        sci(x)
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_naturally() {
        assert_eq!(sci(0.00032), "3.2e-4");
        assert_eq!(sci(0.0), "0");
        assert_eq!(count(600_000.0), "600.0k");
        assert_eq!(count(950.0), "950");
        assert_eq!(duration(3725.0), "1h02m");
        assert_eq!(duration(2.0 * 86_400.0 + 4.0 * 3600.0), "2d04h");
        assert_eq!(duration(45.0), "45s");
        assert_eq!(value(0.1663), "0.1663");
        assert_eq!(value(1.5e-6), "1.5e-6");
    }
}
