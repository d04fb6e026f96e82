//! Special functions, estimators and the isoperimetric bound.

pub mod beta;
pub mod cap;
pub mod chisq;
pub mod error;
pub mod interval;
pub mod normal;
pub mod quadnet;
pub mod quadrature;
pub mod report;

pub use error::{Result, StatsError};
