//! Sample means with their standard errors, alone and for paired samples
//! (the same starting points measured twice, as checkpoints of one run are).

/// Mean and standard error of the mean (sample standard deviation over
/// sqrt(count)); the error is NaN below two values, both are NaN for none.
pub fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Mean of b_i - a_i and its standard error, for two measurements of the
/// same units. With common starts the differences cancel what the units
/// share, so this error is what a change between the two is judged by, not
/// the errors of the two means combined as if independent. None when the
/// lengths differ or there are no pairs.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    Some(mean_and_se(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computation() {
        // mean 2, sample variance 1, n 3: se = 1/sqrt(3)
        let (m, se) = mean_and_se(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((se - 1.0 / 3f64.sqrt()).abs() < 1e-12);
        let (m, se) = mean_and_se(&[4.0]);
        assert!(m == 4.0 && se.is_nan());
        assert!(mean_and_se(&[]).0.is_nan());
    }

    #[test]
    fn pairing_removes_what_the_units_share() {
        // Large spread between units, a constant shift within each pair.
        let a = [0.1, 0.5, 0.9, 1.3];
        let b: Vec<f64> = a.iter().map(|x| x + 0.05).collect();
        let (d, se) = paired_difference(&a, &b).unwrap();
        assert!((d - 0.05).abs() < 1e-12 && se < 1e-12);
        assert!(mean_and_se(&a).1 > 0.1);
        assert_eq!(paired_difference(&a, &b[..3]), None);
    }
}
