//! spheres: a terminal laboratory for the "Adversarial Spheres" experiments.

pub mod attack;
pub mod cli;
pub mod config;
pub mod data;
pub mod gemm;
pub mod history;
pub mod measure;
pub mod nn;
pub mod remote;
pub mod report;
pub mod rng;
pub mod run;
pub mod serde_nan;
pub mod serve;
pub mod session;
pub mod signals;
pub mod stats;
pub mod train;
pub mod tui;
