//! One repeat of adaptive multilevel splitting.
//!
//! N particles start as independent uniform points. At each level the
//! N - K lowest scores are killed, the level L is the highest killed score,
//! and the estimate is multiplied by (survivors / N); ties at L are killed
//! with it, so the factor stays exact. Every killed particle is replaced by
//! a copy of a survivor (a random permutation of the survivors deals the
//! copies out evenly) and the copy takes `steps` pCN moves accepted only
//! above L. Once at least K particles are errors the repeat ends with
//! estimate prod(survivors / N) * errors / N.

use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::diagnostics::RepeatMixing;
use super::params::RareParams;
use super::pcn;
use super::score::{Scorer, is_error};
use crate::attack::{AttackError, Cancel};
use crate::data::Sphere;
use crate::nn::Model;
use crate::rng::{Rng, Stream, rng_for};

/// Copies moved together in one batched forward pass.
pub(crate) const CHUNK: usize = 64;
/// Step size of the first level's moves; adaptation takes over from there.
pub(crate) const FIRST_STEP: f64 = 0.5;

const SLOT_BITS: u32 = 22;
const LEVEL_BITS: u32 = 22;
/// Levels never exceed this (the RNG index has room for no more).
pub(crate) const MAX_LEVELS: usize = (1 << LEVEL_BITS) - 1;
/// The RNG slot of a level's parent selection, beyond any particle.
const SELECT: u64 = (1 << SLOT_BITS) - 1;

/// RNG index of (repeat, level, slot): level 0 draws the initial particles,
/// level j >= 1 the copies' moves. Every random number is a function of
/// these, never of which thread ran what.
fn rng_index(repeat: usize, level: usize, slot: u64) -> u64 {
    ((repeat as u64) << (SLOT_BITS + LEVEL_BITS)) | ((level as u64) << SLOT_BITS) | slot
}

/// Why a repeat stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// At least K particles were errors: the repeat has an estimate.
    Reached,
    /// The level probability fell below the floor (or the levels ran out).
    Floor,
    /// The next level would have spent more than the repeat's allowance.
    Budget,
    /// Every particle tied at the level: no survivor to copy.
    Ties,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Repeat {
    pub end: End,
    /// ln of the estimate when `Reached`, otherwise ln of the estimated
    /// P(score > level).
    pub ln_p: f64,
    /// Last level set (-inf before the first).
    pub level: f64,
    /// Highest score of any point evaluated.
    pub max_score: f64,
    pub levels: usize,
    pub evaluations: u64,
    pub mixing: RepeatMixing,
}

/// What every repeat of one estimate shares.
pub(crate) struct Setup<'a> {
    pub model: &'a Model,
    pub sphere: Sphere,
    /// Radius of `sphere`.
    pub radius: f64,
    pub params: &'a RareParams,
    pub seed: u64,
}

impl Setup<'_> {
    fn rng(&self, repeat: usize, level: usize, slot: u64) -> Rng {
        rng_for(self.seed, Stream::Rare, rng_index(repeat, level, slot))
    }

    fn scorer(&self) -> Scorer<'_> {
        Scorer::new(self.model, self.sphere, self.radius)
    }
}

/// Runs repeat `repeat`, spending at most `allowance` evaluations.
pub(crate) fn run_repeat(
    setup: &Setup<'_>,
    repeat: usize,
    allowance: u64,
    cancel: &Cancel,
) -> Result<Repeat, AttackError> {
    let p = setup.params;
    let n = setup.model.dim();
    let np = p.particles;
    let keep = p.kept();
    let mut g = vec![0.0f32; np * n];
    g.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let mut rng = setup.rng(repeat, 0, i as u64);
        row.iter_mut()
            .for_each(|v| *v = StandardNormal.sample(&mut rng));
    });
    let mut scores = vec![0.0f32; np];
    g.par_chunks(CHUNK * n)
        .zip(scores.par_chunks_mut(CHUNK))
        .for_each_init(|| setup.scorer(), |sc, (gc, out)| sc.score(gc, out));
    let mut out = Repeat {
        end: End::Floor,
        ln_p: 0.0,
        level: f64::NEG_INFINITY,
        max_score: scores.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64,
        levels: 0,
        evaluations: np as u64,
        mixing: RepeatMixing::new(),
    };
    let ln_floor = p.floor.ln();
    let mut step = FIRST_STEP;
    for j in 1..=MAX_LEVELS {
        cancel.check()?;
        let errors = scores
            .iter()
            .filter(|&&s| is_error(s, setup.sphere))
            .count();
        if errors >= keep {
            out.end = End::Reached;
            out.ln_p += (errors as f64 / np as f64).ln();
            return Ok(out);
        }
        let mut sorted = scores.clone();
        sorted.sort_by(f32::total_cmp);
        let level = sorted[np - keep - 1];
        let (survivors, killed): (Vec<usize>, Vec<usize>) =
            (0..np).partition(|&i| scores[i] > level);
        if survivors.is_empty() {
            // Nothing scores above the level: the level is still the
            // highest score reached, and the estimate stays at the last
            // level probability.
            out.end = End::Ties;
            out.level = level as f64;
            return Ok(out);
        }
        out.ln_p += (survivors.len() as f64 / np as f64).ln();
        out.level = level as f64;
        out.levels = j;
        if out.ln_p < ln_floor {
            out.end = End::Floor;
            return Ok(out);
        }
        let cost = (killed.len() * p.steps) as u64;
        if out.evaluations + cost > allowance {
            out.end = End::Budget;
            return Ok(out);
        }
        let mut deal = survivors.clone();
        deal.shuffle(&mut setup.rng(repeat, j, SELECT));
        let parents: Vec<usize> = (0..killed.len()).map(|c| deal[c % deal.len()]).collect();
        let moved: Vec<Moved> = parents
            .par_chunks(CHUNK)
            .enumerate()
            .map_init(
                || setup.scorer(),
                |sc, (c, chunk)| {
                    let level = Level {
                        repeat,
                        index: j,
                        score: level,
                        step,
                    };
                    move_copies(setup, sc, &level, c * CHUNK, chunk, &g, &scores)
                },
            )
            .collect();
        let parent_scores: Vec<f32> = parents.iter().map(|&i| scores[i]).collect();
        let mut child_scores = Vec::with_capacity(killed.len());
        let (mut accepted, mut stuck) = (0u64, 0u64);
        let mut slots = killed.iter();
        for m in &moved {
            for (row, &s) in m.g.chunks_exact(n).zip(&m.scores) {
                let &i = slots.next().expect("one copy per killed particle");
                g[i * n..(i + 1) * n].copy_from_slice(row);
                scores[i] = s;
                child_scores.push(s);
            }
            accepted += m.accepted;
            stuck += m.stuck;
            out.max_score = out.max_score.max(m.max_score as f64);
        }
        out.evaluations += cost;
        out.mixing
            .add_level(cost, accepted, stuck, &parent_scores, &child_scores);
        step = pcn::adapt(step, accepted as f64 / cost as f64, p.acceptance);
    }
    out.end = End::Floor;
    Ok(out)
}

/// The level the copies of one chunk move under.
struct Level {
    repeat: usize,
    index: usize,
    score: f32,
    step: f64,
}

/// One chunk's copies after their moves.
struct Moved {
    g: Vec<f32>,
    scores: Vec<f32>,
    accepted: u64,
    stuck: u64,
    max_score: f32,
}

/// Copies `parents` (copy numbers `first..`) and moves each `steps` times.
fn move_copies(
    setup: &Setup<'_>,
    scorer: &mut Scorer<'_>,
    level: &Level,
    first: usize,
    parents: &[usize],
    g: &[f32],
    scores: &[f32],
) -> Moved {
    let n = setup.model.dim();
    let b = parents.len();
    let mut cur = Vec::with_capacity(b * n);
    for &i in parents {
        cur.extend_from_slice(&g[i * n..(i + 1) * n]);
    }
    let mut cur_s: Vec<f32> = parents.iter().map(|&i| scores[i]).collect();
    let mut rngs: Vec<Rng> = (0..b)
        .map(|c| setup.rng(level.repeat, level.index, (first + c) as u64))
        .collect();
    let mut prop = vec![0.0f32; b * n];
    let mut prop_s = vec![0.0f32; b];
    let mut acc = vec![0u32; b];
    let mut max_score = f32::NEG_INFINITY;
    for _ in 0..setup.params.steps {
        for ((row, out), rng) in cur
            .chunks_exact(n)
            .zip(prop.chunks_exact_mut(n))
            .zip(&mut rngs)
        {
            pcn::propose(row, level.step, rng, out);
        }
        scorer.score(&prop, &mut prop_s);
        for c in 0..b {
            max_score = max_score.max(prop_s[c]);
            if prop_s[c] > level.score {
                cur[c * n..(c + 1) * n].copy_from_slice(&prop[c * n..(c + 1) * n]);
                cur_s[c] = prop_s[c];
                acc[c] += 1;
            }
        }
    }
    Moved {
        g: cur,
        scores: cur_s,
        accepted: acc.iter().map(|&a| a as u64).sum(),
        stuck: acc.iter().filter(|&&a| a == 0).count() as u64,
        max_score,
    }
}
