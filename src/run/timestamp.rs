//! UTC wall-clock stamps for run directory names, without a calendar crate.
//! UTC rather than local time: runs started on machines in different zones
//! (a cluster and a laptop) then sort and compare correctly.

use std::time::{SystemTime, UNIX_EPOCH};

/// `YYYYmmdd-HHMMSS` in UTC. Clocks before 1970 read as the epoch.
pub fn utc_stamp(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch as f64, the form metrics records carry.
pub fn unix_seconds(now: SystemTime) -> f64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// algorithm: eras of 400 years make leap rules a matter of arithmetic).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> String {
        utc_stamp(UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0), "19700101-000000");
        // 2000-02-29 (a leap day in a century leap year) 23:59:59.
        assert_eq!(at(951_868_799), "20000229-235959");
        assert_eq!(at(951_868_800), "20000301-000000");
        // 2026-11-27 10:54:48.
        assert_eq!(at(1_795_776_888), "20261127-105448");
        assert_eq!(at(4_102_444_800), "21000101-000000");
    }
}
