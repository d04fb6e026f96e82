//! Everything one measurement of a model found, in the shape `spheres eval
//! --json` prints and a sweep checkpoint records.

use serde::{Deserialize, Serialize};

use super::distance::{DistanceReading, MAX_UNFOUND};
use super::per_sphere::PerSphere;
use super::pipeline::{Cheap, Settings, SlowCycle};
use super::quad::QuadSummary;
use super::rate::RateSource;
use super::rates::Rates;
use super::robustness::Robustness;
use crate::attack::WorstCase;
use crate::data::Sphere;
use crate::stats::report::sci_from_ln;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub n: usize,
    /// The outer sphere's radius R.
    pub radius: f64,
    /// `inner`, `outer` (rates) and `bound`, `bound_at_lo` at the top level.
    #[serde(flatten)]
    pub rates: Rates,
    /// d(E) per sphere; None where no search ran.
    pub d_e: PerSphere<Option<DistanceReading>>,
    /// Quadratic nets only.
    pub quad: Option<QuadSummary>,
    pub worst_case: Option<WorstCase>,
    pub robustness: Option<Robustness>,
    /// What the numbers above are and are not, in words.
    pub notes: Vec<String>,
}

impl Measurement {
    /// `cheap` and the finished `cycle` of one model: the rates are the
    /// cycle's (the cheap step's, with any rare-event estimate).
    pub fn new(settings: &Settings, cheap: Cheap, cycle: SlowCycle) -> Self {
        let quad = cheap
            .quad
            .as_ref()
            .map(|q| QuadSummary::new(q, cycle.worst.as_ref()));
        let mut m = Self {
            n: settings.n,
            radius: settings.radius,
            rates: cycle.rates().clone(),
            d_e: cycle.d_e,
            quad,
            worst_case: cycle.worst,
            robustness: cycle.robustness,
            notes: Vec::new(),
        };
        m.notes = m.describe();
        m.notes.extend(cheap.geometry.note());
        m.notes.extend(cycle.notes);
        m
    }

    fn describe(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for s in Sphere::BOTH {
            let name = s.name();
            let r = self.rates.get(s);
            if let Some(mu) = r.mu {
                if mu.rate.is_zero() {
                    notes.push(format!(
                        "{name}: exact error rate 0, so there is no error set, no d(E) and no bound; such a point is left out of figures and readings"
                    ));
                } else if mu.rate.underflows() {
                    notes.push(format!(
                        "{name}: error rate {} ({}) is below the smallest double; it is kept as ln mu = {:.1}, and the bounds are taken there",
                        sci_from_ln(mu.rate.ln_mu),
                        mu.source.describe(),
                        mu.rate.ln_mu
                    ));
                } else if mu.source == RateSource::UpperBound {
                    let from = if r.rare.as_ref().is_some_and(|e| mu.hi == e.hi) {
                        "the rare-event estimate's 95% upper bound"
                    } else {
                        "the one-sided 95% upper bound of sampling"
                    };
                    notes.push(format!(
                        "{name}: no error in {} sampled points, so mu is {from}; the true rate is lower and its bound higher",
                        r.sampled.samples
                    ));
                }
            }
            if let Some(e) = &r.rare {
                notes.push(format!("rare-event estimate, {}", e.summary()));
            }
            if let Some(d) = self.d_e.get(s) {
                if d.mean().is_some() {
                    notes.push(format!(
                        "{name} d(E): {}; an upper estimate of d(E), so a value above the cap bound can be the attack's looseness rather than the theorem failing",
                        d.label()
                    ));
                } else {
                    notes.push(format!("{name} d(E): {}", d.label()));
                }
                if let (Some(exact), Some(bias)) = (d.exact_mean, d.bias()) {
                    notes.push(format!(
                        "{name} d(E): the exact d(x, E) over the same starts averages {exact:.4}{}, so the attack's bias on this model is {:+.2}%",
                        d.exact_se
                            .map_or_else(String::new, |se| format!(" ± {:.4} (2 se)", 2.0 * se)),
                        100.0 * bias
                    ));
                }
                if d.mean().is_some() && d.unfound_fraction() > MAX_UNFOUND {
                    notes.push(format!(
                        "{name} d(E): {:.0}% of starts found no error of their own; their bounds come from other starts' errors and run high",
                        100.0 * d.unfound_fraction()
                    ));
                }
            }
        }
        if self.d_e.inner.is_some() || self.d_e.outer.is_some() {
            notes.push(
                "starts, Monte Carlo points and robustness points are functions of the seed: every measurement of a run (each checkpoint) uses the same ones, so checkpoints are not independent samples and differences between them are more precise than their separate errors suggest".into(),
            );
        }
        if let Some(q) = &self.quad
            && !q.band_applies
        {
            notes.push(format!(
                "quadratic net in the {} regime (b >= 0): the band [1/R^2, 1] is not its zero-error condition, so no bad-alpha count is given",
                q.regime
            ));
        }
        if let Some(r) = &self.robustness {
            notes.push(format!(
                "robustness: every PGD eps and the minimal-norm search stay below the margin (R - 1)/2 = {:.3}, so a perturbed point's true label is the sphere it came from; noisy points take the label of the nearest sphere; corollary fractions are lower estimates (built from upper bounds on distance)",
                r.margin
            ));
        }
        notes
    }

    /// A d(E) reading with a usable estimate on `sphere`.
    pub fn distance(&self, sphere: Sphere) -> Option<&DistanceReading> {
        self.d_e.get(sphere).as_ref()
    }
}
