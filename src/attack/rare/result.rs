//! What the estimator reports.

use serde::{Deserialize, Serialize};

use super::diagnostics::Mixing;
use crate::data::Sphere;

/// An error rate on one sphere from rare-event sampling.
///
/// `rate` is the estimate and [`lo`, `hi`] its 95% interval when the
/// outcome is `Estimate`. With any other outcome `rate` is None: after
/// `Stalled` `hi` is a 95% upper bound on the rate (lo = 0); after
/// `NotMixed` nothing is known (lo = 0, hi = 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RareEstimate {
    pub sphere: Sphere,
    pub rate: Option<f64>,
    pub lo: f64,
    pub hi: f64,
    /// ln of `rate`, finite where `rate` underflows to 0.
    pub ln_rate: Option<f64>,
    /// "AMS": adaptive multilevel splitting with pCN moves.
    pub method: String,
    /// Model evaluations spent, every repeat included.
    pub evaluations: u64,
    /// Independent repeats behind the interval.
    pub repeats: usize,
    pub particles: usize,
    /// Levels per repeat, averaged.
    pub levels: f64,
    pub outcome: RareOutcome,
    pub mixing: Mixing,
}

/// How an estimate ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RareOutcome {
    /// Every repeat reached the error set. `target_met` is false when the
    /// budget or the repeat limit stopped it before the interval was as
    /// narrow as asked.
    Estimate { target_met: bool },
    /// Some repeat stopped with every particle still scoring below zero:
    /// its level probability floor, its share of the budget or ties among
    /// all particles ended it. Above `level` (the lowest such repeat's last
    /// level) lies every error, so P(score > level) bounds the rate; no
    /// point scored above `max_score`. No claim that errors are
    /// unreachable: only that the sampler did not reach them.
    Stalled {
        level: f64,
        max_score: f64,
        cause: StallCause,
    },
    /// The moves did not mix (see `mixing`), so level probabilities may be
    /// biased low and no number is a bound. `level` is the highest level
    /// any repeat set and `ln_reached` that repeat's ln P(score > level) as
    /// sampled.
    NotMixed { level: f64, ln_reached: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StallCause {
    Floor,
    Budget,
    Ties,
}

impl RareEstimate {
    /// One line for logs and the terminal.
    pub fn summary(&self) -> String {
        let sphere = self.sphere.name();
        let cost = format!(
            "{} evaluations, {} repeats of {} particles, {:.1} levels each; moves: acceptance {:.2}, parent-copy correlation {:.2}",
            self.evaluations,
            self.repeats,
            self.particles,
            self.levels,
            self.mixing.acceptance,
            self.mixing.correlation
        );
        match (&self.outcome, self.rate) {
            (RareOutcome::Estimate { target_met }, Some(rate)) => format!(
                "{sphere} error rate {rate:.3e} in [{:.3e}, {:.3e}] (95%, {}){}; {cost}",
                self.lo,
                self.hi,
                self.method,
                if *target_met {
                    ""
                } else {
                    ", wider than the target"
                }
            ),
            (
                RareOutcome::Stalled {
                    max_score, cause, ..
                },
                _,
            ) => format!(
                "{sphere} error rate below {:.3e} (95% upper bound, {}): the sampler stalled below zero ({cause:?}), highest score {max_score:.4}; {cost}",
                self.hi, self.method
            ),
            (RareOutcome::NotMixed { level, ln_reached }, _) => format!(
                "{sphere}: no estimate: the moves did not mix (reached score level {level:.4} at sampled probability e^{ln_reached:.1}); {cost}"
            ),
            (RareOutcome::Estimate { .. }, None) => format!("{sphere}: no estimate; {cost}"),
        }
    }
}
