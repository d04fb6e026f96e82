//! spheres: a terminal laboratory for the "Adversarial Spheres" experiments.

pub mod run;
pub mod session;
pub mod stats;
