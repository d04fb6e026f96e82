//! What the evaluation thread measured: the newest of each result, and the
//! histories the charts draw.

use crate::attack::{DecisionSlice, McEstimate, RareEstimate};
use crate::data::Sphere;
use crate::measure::{DistanceReading, PerSphere, Rates, Robustness};
use crate::session::messages::{Event, QuadReport, Stamped};

use super::series::Series;
use super::training::RUN_POINTS;

#[derive(Debug, Clone)]
pub struct Measures {
    pub estimate: Option<Stamped<McEstimate>>,
    /// Both spheres' rates, the one chosen for each and the bounds there,
    /// of the newest model measured (a slow cycle's rates for an older
    /// model, sent when its rare-event estimate ends, do not replace them).
    pub rates: Option<Stamped<Rates>>,
    /// The newest rare-event estimate of each sphere, of whichever model
    /// its slow cycle measured.
    pub rare: PerSphere<Option<Stamped<RareEstimate>>>,
    /// d(E) on the inner sphere, and on the outer.
    pub nearest: Option<Stamped<DistanceReading>>,
    pub nearest_outer: Option<Stamped<DistanceReading>>,
    pub robustness: Option<Stamped<Robustness>>,
    /// (log10 mu, d(E)) for every inner nearest-error search of the run,
    /// at the rate it was compared at (exact rates below the smallest
    /// double included).
    pub tradeoff: Series,
    pub quad: Option<Stamped<QuadReport>>,
    pub slice: Option<Stamped<DecisionSlice>>,
    /// (step, loss) after a worst-case manifold attack and before it.
    pub worst_loss: Series,
    pub mean_loss: Series,
    /// (step, exact largest loss over both spheres), from every
    /// quadratic-net report.
    pub exact_worst: Series,
}

impl Default for Measures {
    fn default() -> Self {
        Self {
            estimate: None,
            rates: None,
            rare: PerSphere::default(),
            nearest: None,
            nearest_outer: None,
            robustness: None,
            tradeoff: Series::new(RUN_POINTS),
            quad: None,
            slice: None,
            worst_loss: Series::new(RUN_POINTS),
            mean_loss: Series::new(RUN_POINTS),
            exact_worst: Series::new(RUN_POINTS),
        }
    }
}

impl Measures {
    pub fn update(&mut self, event: &Event) {
        match event {
            Event::ErrorEstimate(e) => self.estimate = Some(e.clone()),
            Event::NearestError(n) if n.value.nearest.sphere == Sphere::Outer => {
                self.nearest_outer = Some(n.clone());
            }
            Event::NearestError(n) => {
                let mu = n.value.mu.map(|m| m.rate).filter(|r| r.ln_mu.is_finite());
                if let (Some(mu), Some(d)) = (mu, n.value.mean()) {
                    self.tradeoff.push(mu.log10(), d);
                }
                self.nearest = Some(n.clone());
            }
            Event::Rates(r) => {
                for s in Sphere::BOTH {
                    if let Some(e) = &r.value.get(s).rare {
                        let newer = self
                            .rare
                            .get(s)
                            .as_ref()
                            .is_none_or(|o| o.version <= r.version);
                        if newer {
                            *self.rare.get_mut(s) =
                                Some(Stamped::new(r.version, r.step, e.as_ref().clone()));
                        }
                    }
                }
                if self.rates.as_ref().is_none_or(|o| o.version <= r.version) {
                    self.rates = Some(r.clone());
                }
            }
            Event::Robustness(r) => self.robustness = Some(r.clone()),
            Event::QuadReport(q) => {
                if let (Some(i), Some(o)) = (q.value.worst_loss_inner, q.value.worst_loss_outer) {
                    self.exact_worst.push(q.step as f64, i.max(o));
                }
                self.quad = Some(q.clone());
            }
            Event::DecisionSlice(s) => self.slice = Some(s.clone()),
            Event::WorstCase(w) => {
                self.worst_loss.push(w.step as f64, w.value.worst_loss);
                self.mean_loss.push(w.step as f64, w.value.mean_loss);
            }
            _ => {}
        }
    }

    /// The d(E) reading of `sphere`.
    pub fn distance(&self, sphere: Sphere) -> Option<&Stamped<DistanceReading>> {
        match sphere {
            Sphere::Inner => self.nearest.as_ref(),
            Sphere::Outer => self.nearest_outer.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attack::RareOutcome;
    use crate::measure::rate::tests::rare;
    use crate::measure::{Rate, choose};
    use crate::stats::rate_estimate;

    fn rates(version: u64, with_rare: bool) -> Event {
        let est = with_rare.then(|| {
            rare(
                RareOutcome::Estimate { target_met: true },
                Some(3e-9),
                2e-9,
                4.5e-9,
            )
        });
        let mc = McEstimate {
            inner: rate_estimate(0, 50_000),
            outer: rate_estimate(3, 50_000),
            samples_per_s: 1.0,
        };
        let r = Rates::choose(
            500,
            1.3,
            Some(&mc),
            None,
            &PerSphere {
                inner: est,
                outer: None,
            },
        );
        Event::Rates(Stamped::new(version, 100 * version, r))
    }

    #[test]
    fn an_older_cycle_keeps_its_rare_estimate_without_replacing_newer_rates() {
        let mut m = Measures::default();
        m.update(&rates(2, false));
        // The cycle of model 1 ends its rare-event estimate after model 2
        // was measured cheaply.
        m.update(&rates(1, true));
        assert_eq!(m.rates.as_ref().unwrap().version, 2);
        let r = m.rare.inner.as_ref().unwrap();
        assert_eq!((r.version, r.value.rate), (1, Some(3e-9)));
        assert!(m.rare.outer.is_none());
        m.update(&rates(3, false));
        assert_eq!(m.rare.inner.as_ref().unwrap().version, 1);
    }

    #[test]
    fn exact_rates_below_the_smallest_double_still_reach_the_scatter() {
        let mut m = Measures::default();
        let mut n = crate::tui::fixtures::nearest(50, 50);
        n.value.mu = choose(Some(Rate::from_log10(-400.0)), None, None);
        m.update(&Event::NearestError(n));
        let p = m.tradeoff.points();
        assert_eq!(p.len(), 1);
        assert!((p[0].0 + 400.0).abs() < 1e-9, "{p:?}");
    }
}
