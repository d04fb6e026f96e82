//! What the evaluation thread measured: the newest of each result, and the
//! histories the charts draw.

use crate::attack::{DecisionSlice, McEstimate, NearestError};
use crate::session::messages::{Event, QuadReport, Stamped};

use super::series::Series;
use super::training::RUN_POINTS;

#[derive(Debug, Clone)]
pub struct Measures {
    pub estimate: Option<Stamped<McEstimate>>,
    pub nearest: Option<Stamped<NearestError>>,
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
            nearest: None,
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
            Event::NearestError(n) => {
                let v = &n.value;
                if v.mu > 0.0 && v.found > 0 {
                    self.tradeoff.push(v.mu.log10(), v.mean_distance);
                }
                self.nearest = Some(n.clone());
            }
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
