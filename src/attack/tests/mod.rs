//! Known-answer tests for the estimators and attacks.

mod estimator;
mod fixtures;
mod manifold;
mod nearest;
mod offmanifold;
