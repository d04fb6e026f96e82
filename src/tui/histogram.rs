//! Binning values for the histogram charts.

/// Equal-width bins over `[lo, hi]`; returns (bin centre, count) pairs.
/// Values outside the range land in the edge bins so none disappear.
pub fn bin(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<(f64, f64)> {
    let bins = bins.max(1);
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let mut counts = vec![0u64; bins];
    for &v in values.iter().filter(|v| v.is_finite()) {
        let i = ((v - lo) / width).floor();
        let i = if i < 0.0 {
            0
        } else {
            (i as usize).min(bins - 1)
        };
        counts[i] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (lo + (i as f64 + 0.5) * width, c as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_land_in_their_bins() {
        let h = bin(&[0.05, 0.15, 0.16, 0.95, 2.0, -1.0], 0.0, 1.0, 10);
        assert_eq!(h.len(), 10);
        assert_eq!(h[0].1, 2.0);
        assert_eq!(h[1].1, 2.0);
        assert_eq!(h[9].1, 2.0);
        assert!((h[0].0 - 0.05).abs() < 1e-12);
    }
}
