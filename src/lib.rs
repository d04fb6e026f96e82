//! spheres: a terminal laboratory for the "Adversarial Spheres" experiments.

pub mod data;
pub mod gemm;
pub mod nn;
pub mod rng;
pub mod run;
pub mod session;
pub mod stats;
pub mod tui;
