//! Known-answer tests for the estimators and attacks.

mod fixtures;
mod manifold;
mod nearest;
