//! The measuring pipeline: what a model's error rates, distances to error
//! and bounds are, decided once for the evaluation thread, `spheres eval`,
//! sweep checkpoints and the headless summary alike.
//!
//! * `rate`: which error rate every consumer uses (exact, rare-event,
//!   sampled, upper bound) - one decision;
//! * `bounds`: the cap bound and the optimal curve at a rate;
//! * `rates`: both spheres' rates, chosen, with their bounds;
//! * `distance`: d(E) as an upper estimate from every start, labelled;
//! * `quad`, `robustness`, `corollary`: the quadratic-net summary,
//!   off-manifold robustness and the measured isoperimetric corollary;
//! * `pipeline`: the steps in order, cheap ones and a slow cycle in units;
//! * `measurement`: everything together, as `spheres eval --json` prints it;
//! * `calibration`: the attack's bias on a model with a closed-form d(x, E).
//!
//! Two estimators outside this module plug in at one place each: a
//! quadratic net's eigendecomposition, once per model, for its alphas,
//! exact rates, closed-form worst case and exact per-start distances
//! (`exact_geometry`); and adaptive multilevel splitting for rates below
//! sampling (`rare_rate`).

pub mod bounds;
pub mod calibration;
pub mod corollary;
pub mod distance;
pub mod error;
pub mod exact_geometry;
pub mod measurement;
pub mod per_sphere;
pub mod pipeline;
pub mod quad;
pub mod rare_rate;
pub mod rate;
pub mod rates;
pub mod robustness;

pub use bounds::{Bounds, bounds_at, bounds_on};
pub use distance::{DistanceReading, MAX_UNFOUND};
pub use error::MeasureError;
pub use exact_geometry::{Geometry, MAX_EXACT_N};
pub use measurement::Measurement;
pub use per_sphere::PerSphere;
pub use pipeline::{
    Cheap, Exact, Finished, Settings, SlowCycle, cheap, cheap_after, measure, sample,
};
pub use rare_rate::RareWhen;
pub use rate::{Rate, RateChoice, RateSource, choose};
pub use rates::{RateReading, Rates};
pub use robustness::Robustness;
