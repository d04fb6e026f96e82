//! Known-answer tests for the estimators and attacks.

mod determinism;
mod estimator;
mod fixtures;
mod manifold;
mod nearest;
mod offmanifold;
mod slice;
mod throughput;
