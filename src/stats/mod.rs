//! Special functions, estimators and the isoperimetric bound.
//!
//! * `normal`: standard normal cdf, survival function and their inverses,
//!   accurate to the smallest doubles.
//! * `beta`: log-gamma, the regularised incomplete beta and its inverse.
//! * `quadrature`: adaptive Gauss-Kronrod integration, infinite ends allowed.
//! * `interval`: Clopper-Pearson intervals for Monte Carlo error rates.
//! * `cap`: spherical caps and the exact average distance to them (the
//!   paper's bound), beside the "optimal (estimated)" curve.
//! * `chisq`: tails of weighted sums of chi-square(1) variables.
//! * `double_cap`: a known answer whose error set is not a cap.
//! * `quadnet`: exact and CLT error rates of a quadratic net, its exact
//!   nearest errors and d(E), and its worst-case losses.
//! * `report`: text for the `bound` calculator.
//! * `spread`: means with standard errors, alone and paired.
//!
//! Everything returns `Result` with a message naming the offending value,
//! except `interval`, whose functions are total by design.

pub mod beta;
pub mod cap;
pub mod chisq;
pub mod double_cap;
pub mod error;
pub mod interval;
pub mod median;
pub mod normal;
pub mod quadnet;
pub mod quadrature;
pub mod report;
pub mod spread;

pub use error::{Result, StatsError};
pub use interval::{RateEstimate, clopper_pearson, rate_estimate};
pub use median::median;
pub use quadnet::{QuadAnalysis, QuadGeometry, analyse, analyse_alphas};
