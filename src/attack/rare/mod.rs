//! Error rates far below what plain sampling can see: adaptive multilevel
//! splitting (AMS) on the model's signed score, for any model.
//!
//! **Score.** The logit on the inner sphere, minus the logit on the outer
//! one, so that on either sphere the errors are the points scoring above 0
//! (`score`). A non-finite logit scores +infinity: it is an error.
//!
//! **Splitting** (`splitting`, Cérou & Guyader 2007, with K > 1 survivors
//! as in Bréhier et al. 2016). A repeat starts N = `particles` independent
//! uniform points. Each level kills the N - K lowest (K = `keep` N, ties at
//! the level killed too), multiplies the estimate by survivors / N, and
//! replaces every killed particle by a copy of a survivor that then takes
//! `steps` moves conditioned on the level. It ends when K particles are
//! errors (estimate prod(survivors / N) errors / N), when the level
//! probability falls below `floor`, when its share of the budget is spent,
//! or when all particles tie. With K = N / 2 each survivor gets exactly one
//! copy, which is also subset simulation with p0 = 1/2; the numbers behind
//! K = N / 2 and the step count are in docs/rare-events.md.
//!
//! **Move** (`pcn`). Preconditioned Crank-Nicolson on the Gaussian g behind
//! x = r g / |g|: g' = sqrt(1 - s^2) g + s xi, accepted only if x' scores
//! above the level. It is reversible for N(0, I), so the uniform measure on
//! the sphere conditioned on the level is invariant, for any model and with
//! no gradient. Adaptation: after each level, s <- s exp(2 (a - `acceptance`))
//! with a that level's acceptance rate, clamped to [1e-4, 1]; a level's
//! kernel never changes while it runs.
//!
//! **Interval** (`interval`). Repeats are independent. A repeat's estimate
//! is a product of level factors, so its log is close to normal; with mu
//! and s^2 the mean and variance of the repeats' logs, the rate is
//! exp(mu + s^2 / 2) and its 95% interval Cox's
//! exp(mu + s^2 / 2 +- t sqrt(s^2 / R + s^4 / (2 (R - 1)))), Student's t on
//! R - 1 degrees of freedom. No variance formula for correlated moves is
//! involved: the spread of whole repeats carries every correlation. After
//! `min_repeats`, the relative half-width (hi - lo) / (2 rate) is compared
//! with `target`; if wider, as many repeats as the current spread says are
//! needed are added in one round (bounded by the budget and `max_repeats`),
//! and the check repeats. Rounds have a fixed composition, so the stopping
//! decision never depends on the thread count.
//!
//! **Diagnostics** (`diagnostics`). Per level, the rank correlation between
//! each copy's score after its moves and its parent's score (0 for exact
//! conditional sampling) and the acceptance rate. Mixing passes when the
//! worst repeat's mean correlation is at most `max_correlation` and no
//! level's acceptance is below `min_acceptance`. Failing moves leave copies
//! near their parents, push the levels up too fast and bias every level
//! probability low, so then no number is reported, not even a bound
//! (`RareOutcome::NotMixed`). A repeat that stops below zero (floor, budget,
//! ties) turns the result into an upper bound, `RareOutcome::Stalled`,
//! issued only when mixing passed.
//!
//! **Determinism.** Every random number comes from
//! `rng_for(seed, Stream::Rare, (repeat, level, slot))`; repeats run in
//! parallel and copies in fixed chunks of 64, so the numbers do not depend
//! on the thread count.

mod diagnostics;
mod interval;
mod known;
mod params;
mod pcn;
mod result;
mod score;
mod shift;
mod splitting;

use rayon::prelude::*;

pub use diagnostics::Mixing;
pub use known::alphas_for_rate;
pub use params::RareParams;
pub use result::{RareEstimate, RareOutcome, StallCause};
pub use shift::shift_for_inner_rate;

use super::{AttackError, Cancel, pool};
use crate::data::Sphere;
use crate::nn::Model;
use interval::mean_interval;
use splitting::{End, Repeat, Setup, run_repeat};

/// Estimates the error rate of `model` on `sphere` (outer radius `radius`)
/// with its 95% interval, or bounds it, or says why it cannot; see the
/// module notes for the method. Same seed, model and parameters give the
/// same numbers at any `threads`.
pub fn estimate_rare(
    model: &Model,
    sphere: Sphere,
    radius: f32,
    params: &RareParams,
    seed: u64,
    threads: usize,
    cancel: &Cancel,
) -> Result<RareEstimate, AttackError> {
    let mut run = RareRun::new(sphere, radius, params, seed)?;
    loop {
        if let Some(e) = run.advance(model, usize::MAX, threads, cancel)? {
            return Ok(e);
        }
    }
}

/// `estimate_rare` a few repeats at a time, for a caller that shares its
/// thread with other work or stops between units. The repeats of a round
/// get the allowance fixed when the round began and the stopping decision
/// is taken once a round is complete, so any split into units gives the
/// numbers of one call. A cancelled unit leaves the run as it was.
#[derive(Debug, Clone)]
pub struct RareRun {
    sphere: Sphere,
    radius: f32,
    params: RareParams,
    seed: u64,
    /// Repeats of the finished rounds, and of the current one so far.
    repeats: Vec<Repeat>,
    round: Vec<Repeat>,
    /// Evaluations of the finished rounds.
    used: u64,
    /// The current round ends at repeat `next`; each of its repeats may
    /// spend `allowance` evaluations.
    next: usize,
    allowance: u64,
}

impl RareRun {
    /// Checks the settings; no model evaluation yet.
    pub fn new(
        sphere: Sphere,
        radius: f32,
        params: &RareParams,
        seed: u64,
    ) -> Result<Self, AttackError> {
        params.check()?;
        if !(radius.is_finite() && radius > 1.0) {
            return Err(AttackError::Param(format!(
                "outer radius {radius} must be finite and exceed 1"
            )));
        }
        Ok(Self {
            sphere,
            radius,
            params: params.clone(),
            seed,
            repeats: Vec::new(),
            round: Vec::new(),
            used: 0,
            next: params.min_repeats,
            allowance: params.budget / params.min_repeats as u64,
        })
    }

    /// Repeats run so far (finished rounds and the current one).
    pub fn repeats_done(&self) -> usize {
        self.repeats.len() + self.round.len()
    }

    /// Runs at most `repeats` more repeats of the current round (at least
    /// one), in parallel on `threads`; the estimate once the stopping rule
    /// ends the run, None while it goes on.
    pub fn advance(
        &mut self,
        model: &Model,
        repeats: usize,
        threads: usize,
        cancel: &Cancel,
    ) -> Result<Option<RareEstimate>, AttackError> {
        if !model.is_finite() {
            return Err(AttackError::NonFiniteModel);
        }
        let params = self.params.clone();
        let setup = Setup {
            model,
            sphere: self.sphere,
            radius: self.sphere.radius(self.radius as f64),
            params: &params,
            seed: self.seed,
        };
        let from = self.repeats_done();
        let to = from.saturating_add(repeats.max(1)).min(self.next);
        let allowance = self.allowance;
        let new = pool::install(threads, || {
            (from..to)
                .into_par_iter()
                .map(|r| run_repeat(&setup, r, allowance, cancel))
                .collect::<Result<Vec<_>, _>>()
        })?;
        self.round.extend(new);
        if self.repeats_done() < self.next {
            return Ok(None);
        }
        self.used += self.round.iter().map(|r| r.evaluations).sum::<u64>();
        self.repeats.append(&mut self.round);
        self.decide(&setup)
    }

    /// After a complete round: the estimate, or the next round planned.
    fn decide(&mut self, setup: &Setup<'_>) -> Result<Option<RareEstimate>, AttackError> {
        let (p, repeats, used) = (setup.params, &self.repeats, self.used);
        let report = |rate, lo, hi, ln_rate, outcome| {
            finish(setup, repeats, used, rate, lo, hi, ln_rate, outcome)
        };
        let mixing = mixing_of(setup, repeats);
        if !mixing.passed {
            let top = repeats
                .iter()
                .max_by(|a, b| a.level.total_cmp(&b.level))
                .expect("at least one repeat");
            let outcome = RareOutcome::NotMixed {
                level: top.level,
                ln_reached: top.ln_p,
            };
            return Ok(Some(report(None, 0.0, 1.0, None, outcome)));
        }
        let ln: Vec<f64> = repeats.iter().map(|r| r.ln_p).collect();
        let Some(iv) = mean_interval(&ln) else {
            return Err(AttackError::Param(format!(
                "no interval from {} repeats: every repeat needs a positive estimate",
                repeats.len()
            )));
        };
        if let Some(low) = repeats
            .iter()
            .filter(|r| r.end != End::Reached)
            .min_by(|a, b| a.level.total_cmp(&b.level))
        {
            let cause = match low.end {
                End::Budget => StallCause::Budget,
                End::Ties => StallCause::Ties,
                _ => StallCause::Floor,
            };
            let max_score = repeats
                .iter()
                .filter(|r| r.end != End::Reached)
                .map(|r| r.max_score)
                .fold(f64::NEG_INFINITY, f64::max);
            let outcome = RareOutcome::Stalled {
                level: low.level,
                max_score,
                cause,
            };
            return Ok(Some(report(None, 0.0, iv.hi().min(1.0), None, outcome)));
        }
        let done = |target_met| {
            report(
                Some(iv.mean()),
                iv.lo(),
                iv.hi().min(1.0),
                Some(iv.ln_mean),
                RareOutcome::Estimate { target_met },
            )
        };
        if iv.relative_half_width() <= p.target {
            return Ok(Some(done(true)));
        }
        // More repeats, as many as the interval says are needed (one look
        // per extension, not one per repeat), within the budget with room
        // for the costliest repeat so far to run half again as long.
        let have = repeats.len();
        let costliest = repeats.iter().map(|r| r.evaluations).max().unwrap_or(1);
        let afford = ((p.budget - used) as u128 * 2 / (3 * costliest.max(1) as u128)) as usize;
        let want = iv.repeats_for(have, p.target).max(have + 1);
        let extra = (want - have).min(afford).min(p.max_repeats - have);
        if extra == 0 {
            return Ok(Some(done(false)));
        }
        self.next = have + extra;
        self.allowance = (p.budget - used) / extra as u64;
        Ok(None)
    }
}

fn mixing_of(setup: &Setup<'_>, repeats: &[Repeat]) -> Mixing {
    let m: Vec<_> = repeats.iter().map(|r| r.mixing).collect();
    Mixing::from_repeats(
        &m,
        setup.params.max_correlation,
        setup.params.min_acceptance,
    )
}

#[allow(clippy::too_many_arguments)]
fn finish(
    setup: &Setup<'_>,
    repeats: &[Repeat],
    evaluations: u64,
    rate: Option<f64>,
    lo: f64,
    hi: f64,
    ln_rate: Option<f64>,
    outcome: RareOutcome,
) -> RareEstimate {
    RareEstimate {
        sphere: setup.sphere,
        rate,
        lo,
        hi,
        ln_rate,
        method: "AMS".into(),
        evaluations,
        repeats: repeats.len(),
        particles: setup.params.particles,
        levels: repeats.iter().map(|r| r.levels as f64).sum::<f64>() / repeats.len().max(1) as f64,
        outcome,
        mixing: mixing_of(setup, repeats),
    }
}

#[cfg(test)]
mod tests;
