//! Mixing diagnostics: did the moves turn each copy into a fresh draw from
//! the level's conditional law?
//!
//! Under exact conditional sampling a copy's score after its moves is
//! independent of its parent's score, so their rank correlation is 0.
//! Moves that barely change a copy leave it at its parent's score
//! (correlation near 1); the next level then sits too high, and every level
//! probability from then on is biased low. Acceptance rates catch the other
//! failure, a chain that proposes only what it must refuse.

use serde::{Deserialize, Serialize};

/// What one repeat's moves did, summed over its levels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct RepeatMixing {
    pub proposals: u64,
    pub accepted: u64,
    /// Lowest acceptance rate of any level (1 when no level moved).
    pub min_acceptance: f64,
    /// Sum and count of the levels' parent-copy rank correlations.
    pub correlation_sum: f64,
    pub correlated_levels: usize,
    /// Copies made and copies that never accepted a move.
    pub copies: u64,
    pub stuck: u64,
}

impl RepeatMixing {
    pub fn new() -> Self {
        Self {
            min_acceptance: 1.0,
            ..Self::default()
        }
    }

    /// Adds one level: `parent` and `child` scores pair up copy by copy.
    pub fn add_level(
        &mut self,
        proposals: u64,
        accepted: u64,
        stuck: u64,
        parent: &[f32],
        child: &[f32],
    ) {
        self.proposals += proposals;
        self.accepted += accepted;
        if proposals > 0 {
            self.min_acceptance = self.min_acceptance.min(accepted as f64 / proposals as f64);
        }
        self.copies += parent.len() as u64;
        self.stuck += stuck;
        if let Some(r) = rank_correlation(parent, child) {
            self.correlation_sum += r;
            self.correlated_levels += 1;
        }
    }

    pub fn mean_correlation(&self) -> f64 {
        if self.correlated_levels == 0 {
            0.0
        } else {
            self.correlation_sum / self.correlated_levels as f64
        }
    }
}

/// The diagnostics of a whole estimate, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mixing {
    /// Whether every check below passed: only then is a number a bound.
    pub passed: bool,
    /// Accepted over proposed pCN moves, all repeats and levels.
    pub acceptance: f64,
    /// Lowest acceptance rate of any level of any repeat.
    pub min_acceptance: f64,
    /// Parent-copy score rank correlation after the moves: mean over a
    /// repeat's levels, the worst repeat's (0 for exact sampling).
    pub correlation: f64,
    /// Fraction of copies that never accepted a move.
    pub stuck: f64,
}

impl Mixing {
    /// Pools the repeats and applies the thresholds.
    pub(crate) fn from_repeats(
        repeats: &[RepeatMixing],
        max_correlation: f64,
        min_acceptance: f64,
    ) -> Self {
        let proposals: u64 = repeats.iter().map(|m| m.proposals).sum();
        let accepted: u64 = repeats.iter().map(|m| m.accepted).sum();
        let copies: u64 = repeats.iter().map(|m| m.copies).sum();
        let stuck: u64 = repeats.iter().map(|m| m.stuck).sum();
        let worst_acc = repeats.iter().map(|m| m.min_acceptance).fold(1.0, f64::min);
        let correlation = repeats
            .iter()
            .map(RepeatMixing::mean_correlation)
            .fold(0.0, f64::max);
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Self {
            passed: correlation <= max_correlation && worst_acc >= min_acceptance,
            acceptance: ratio(accepted, proposals),
            min_acceptance: worst_acc,
            correlation,
            stuck: ratio(stuck, copies),
        }
    }
}

/// Spearman's rank correlation of paired samples (ordinal ranks, ties by
/// position; fewer than 3 pairs or a constant sample give None).
pub(crate) fn rank_correlation(a: &[f32], b: &[f32]) -> Option<f64> {
    let n = a.len();
    if n < 3 || b.len() != n {
        return None;
    }
    let ranks = |v: &[f32]| {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0f64; n];
        // Average ranks over runs of equal values, so that copies frozen at
        // one score do not look ordered.
        let mut i = 0;
        while i < n {
            let mut j = i;
            while j + 1 < n && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            let mid = 0.5 * (i + j) as f64;
            for k in i..=j {
                r[idx[k]] = mid;
            }
            i = j + 1;
        }
        r
    };
    let (ra, rb) = (ranks(a), ranks(b));
    let mean = 0.5 * (n - 1) as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - mean) * (y - mean);
        saa += (x - mean) * (x - mean);
        sbb += (y - mean) * (y - mean);
    }
    if saa == 0.0 || sbb == 0.0 {
        return None;
    }
    Some(sab / (saa * sbb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};
    use rand::RngExt;

    #[test]
    fn rank_correlation_known_cases() {
        let a = [1.0f32, 2.0, 3.0, 4.0, 5.0];
        assert!(
            (rank_correlation(&a, &[10.0, 20.0, 30.0, 40.0, 50.0]).unwrap() - 1.0).abs() < 1e-12
        );
        assert!((rank_correlation(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        // Spearman's textbook example: d^2 sum 2 over n = 5 gives 1 - 6*2/120 = 0.9.
        let r = rank_correlation(&a, &[1.0, 3.0, 2.0, 4.0, 5.0]).unwrap();
        assert!((r - 0.9).abs() < 1e-12, "{r}");
        assert_eq!(rank_correlation(&a, &[1.0; 5]), None);
        assert_eq!(rank_correlation(&a[..2], &a[..2]), None);
        // Independent samples: correlation within a few 1/sqrt(n) of 0.
        let mut rng = rng_for(1, Stream::Rare, 0);
        let x: Vec<f32> = (0..4000).map(|_| rng.random()).collect();
        let y: Vec<f32> = (0..4000).map(|_| rng.random()).collect();
        assert!(rank_correlation(&x, &y).unwrap().abs() < 0.05);
    }

    #[test]
    fn thresholds_decide_the_verdict() {
        let mut good = RepeatMixing::new();
        good.add_level(100, 30, 2, &[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0, 1.0, 2.0]);
        let m = Mixing::from_repeats(&[good], 0.5, 0.02);
        assert!(m.passed && (m.acceptance - 0.3).abs() < 1e-12 && m.stuck == 0.5);
        let mut frozen = RepeatMixing::new();
        frozen.add_level(100, 30, 0, &[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!(!Mixing::from_repeats(&[good, frozen], 0.5, 0.02).passed);
        let mut refused = RepeatMixing::new();
        refused.add_level(100, 1, 0, &[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0, 1.0, 2.0]);
        let m = Mixing::from_repeats(&[refused], 0.5, 0.02);
        assert!(!m.passed && m.min_acceptance == 0.01);
    }
}
