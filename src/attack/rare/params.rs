//! Settings of the rare-event estimator, checked once before any work.

use serde::{Deserialize, Serialize};

use crate::attack::AttackError;

/// Settings of `estimate_rare`. `Default` gives the documented choices;
/// `check` refuses anything the method cannot run with, naming the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RareParams {
    /// Stop once the 95% interval's relative half-width (hi - lo) / (2 rate)
    /// is at most this.
    pub target: f64,
    /// Model evaluations the whole estimate may spend.
    pub budget: u64,
    /// Particles per repeat.
    pub particles: usize,
    /// Fraction of the particles kept at each level (the rest are killed
    /// and replaced by moved copies of survivors).
    pub keep: f64,
    /// pCN steps applied to every copy at every level.
    pub steps: usize,
    /// Independent repeats before the first interval is formed.
    pub min_repeats: usize,
    /// Repeats never exceed this, whatever the target.
    pub max_repeats: usize,
    /// A repeat whose level probability falls below this stops: the error
    /// set, if any, has a smaller measure than the level it reached.
    pub floor: f64,
    /// Acceptance rate the step size is adapted towards.
    pub acceptance: f64,
    /// Mixing fails when the rank correlation between a copy's score after
    /// its moves and its parent's score exceeds this (mean over a repeat's
    /// levels, worst repeat).
    pub max_correlation: f64,
    /// Mixing fails when a level's acceptance rate falls below this.
    pub min_acceptance: f64,
}

impl Default for RareParams {
    fn default() -> Self {
        Self {
            target: 0.25,
            budget: 20_000_000,
            particles: 200,
            keep: 0.5,
            steps: 10,
            min_repeats: 10,
            max_repeats: 10_000,
            floor: 1e-60,
            acceptance: 0.3,
            max_correlation: 0.5,
            min_acceptance: 0.02,
        }
    }
}

/// Largest particle count: particle, level and repeat indices share one
/// 64-bit RNG index (see `splitting::rng_index`).
pub const MAX_PARTICLES: usize = 1 << 20;
/// Largest repeat count, for the same reason.
pub const MAX_REPEATS: usize = 1 << 20;

fn bad(msg: String) -> AttackError {
    AttackError::Param(msg)
}

impl RareParams {
    /// Every field in its range, or an error naming the first that is not.
    pub fn check(&self) -> Result<(), AttackError> {
        if !(self.target > 0.0 && self.target.is_finite()) {
            return Err(bad(format!(
                "target relative half-width must be finite and > 0, got {}",
                self.target
            )));
        }
        if self.particles < 4 || self.particles > MAX_PARTICLES {
            return Err(bad(format!(
                "particles must lie in [4, {MAX_PARTICLES}], got {}",
                self.particles
            )));
        }
        if !(self.keep > 0.0 && self.keep < 1.0) {
            return Err(bad(format!(
                "keep fraction must lie in (0, 1), got {}",
                self.keep
            )));
        }
        let kept = (self.keep * self.particles as f64).round() as usize;
        if kept == 0 || kept >= self.particles {
            return Err(bad(format!(
                "keep fraction {} of {} particles keeps {kept}: it must keep at least one and kill at least one",
                self.keep, self.particles
            )));
        }
        if self.steps == 0 {
            return Err(bad("steps per level must be at least 1".into()));
        }
        if self.min_repeats < 2 {
            return Err(bad(format!(
                "min_repeats must be at least 2 for an interval, got {}",
                self.min_repeats
            )));
        }
        if self.max_repeats < self.min_repeats || self.max_repeats > MAX_REPEATS {
            return Err(bad(format!(
                "max_repeats must lie in [min_repeats = {}, {MAX_REPEATS}], got {}",
                self.min_repeats, self.max_repeats
            )));
        }
        if !(self.floor > 0.0 && self.floor < 1.0) {
            return Err(bad(format!("floor must lie in (0, 1), got {}", self.floor)));
        }
        for (name, v) in [
            ("acceptance", self.acceptance),
            ("min_acceptance", self.min_acceptance),
        ] {
            if !(v > 0.0 && v < 1.0) {
                return Err(bad(format!("{name} must lie in (0, 1), got {v}")));
            }
        }
        if !(self.max_correlation > 0.0 && self.max_correlation <= 1.0) {
            return Err(bad(format!(
                "max_correlation must lie in (0, 1], got {}",
                self.max_correlation
            )));
        }
        let first = self.min_repeats as u64 * self.particles as u64;
        if self.budget < first {
            return Err(bad(format!(
                "budget of {} evaluations cannot draw the first particles of {} repeats ({first})",
                self.budget, self.min_repeats
            )));
        }
        Ok(())
    }

    /// Particles kept at each level.
    pub fn kept(&self) -> usize {
        (self.keep * self.particles as f64).round() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_fields_are_named() {
        assert_eq!(RareParams::default().check(), Ok(()));
        assert_eq!(RareParams::default().kept(), 100);
        let cases: Vec<(RareParams, &str)> = vec![
            (
                RareParams {
                    target: f64::NAN,
                    ..Default::default()
                },
                "target",
            ),
            (
                RareParams {
                    particles: 2,
                    ..Default::default()
                },
                "particles",
            ),
            (
                RareParams {
                    keep: 1.0,
                    ..Default::default()
                },
                "keep",
            ),
            (
                RareParams {
                    keep: 0.001,
                    ..Default::default()
                },
                "keeps 0",
            ),
            (
                RareParams {
                    steps: 0,
                    ..Default::default()
                },
                "steps",
            ),
            (
                RareParams {
                    min_repeats: 1,
                    ..Default::default()
                },
                "min_repeats",
            ),
            (
                RareParams {
                    max_repeats: 3,
                    ..Default::default()
                },
                "max_repeats",
            ),
            (
                RareParams {
                    floor: 0.0,
                    ..Default::default()
                },
                "floor",
            ),
            (
                RareParams {
                    acceptance: 1.5,
                    ..Default::default()
                },
                "acceptance",
            ),
            (
                RareParams {
                    max_correlation: -0.1,
                    ..Default::default()
                },
                "max_correlation",
            ),
            (
                RareParams {
                    budget: 100,
                    ..Default::default()
                },
                "budget",
            ),
        ];
        for (p, word) in cases {
            let e = p.check().unwrap_err().to_string();
            assert!(e.contains(word), "{word}: {e}");
        }
    }
}
