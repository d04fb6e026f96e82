//! What the evaluation thread measured: the newest of each result, and the
//! histories the charts draw.

use crate::attack::{DecisionSlice, McEstimate};
use crate::data::Sphere;
use crate::measure::{DistanceReading, Rates, Robustness};
use crate::session::messages::{Event, QuadReport, Stamped};

use super::series::Series;
use super::training::RUN_POINTS;

#[derive(Debug, Clone)]
pub struct Measures {
    pub estimate: Option<Stamped<McEstimate>>,
    /// Both spheres' rates, the one chosen for each and the bounds there.
    pub rates: Option<Stamped<Rates>>,
    /// d(E) on the inner sphere, and on the outer.
    pub nearest: Option<Stamped<DistanceReading>>,
    pub nearest_outer: Option<Stamped<DistanceReading>>,
    pub robustness: Option<Stamped<Robustness>>,
    /// (log10 mu, d(E)) for every nearest-error search of the run.
    pub tradeoff: Series,
    pub quad: Option<Stamped<QuadReport>>,
    pub slice: Option<Stamped<DecisionSlice>>,
    /// (step, loss) after a worst-case manifold attack and before it.
    pub worst_loss: Series,
    pub mean_loss: Series,
}

impl Default for Measures {
    fn default() -> Self {
        Self {
            estimate: None,
            rates: None,
            nearest: None,
            nearest_outer: None,
            robustness: None,
            tradeoff: Series::new(RUN_POINTS),
            quad: None,
            slice: None,
            worst_loss: Series::new(RUN_POINTS),
            mean_loss: Series::new(RUN_POINTS),
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
                let mu = n.value.mu.map(|m| m.rate).filter(|r| r.mu > 0.0);
                if let (Some(mu), Some(d)) = (mu, n.value.mean()) {
                    self.tradeoff.push(mu.log10(), d);
                }
                self.nearest = Some(n.clone());
            }
            Event::Rates(r) => self.rates = Some(r.clone()),
            Event::Robustness(r) => self.robustness = Some(r.clone()),
            Event::QuadReport(q) => self.quad = Some(q.clone()),
            Event::DecisionSlice(s) => self.slice = Some(s.clone()),
            Event::WorstCase(w) => {
                self.worst_loss.push(w.step as f64, w.value.worst_loss);
                self.mean_loss.push(w.step as f64, w.value.mean_loss);
            }
            _ => {}
        }
    }
}
