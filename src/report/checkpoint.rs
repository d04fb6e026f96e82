//! The records a sweep point appends to its metrics log, shared by the
//! writer (`spheres sweep`) and the reader (`spheres report`).

use serde::{Deserialize, Serialize};

use crate::data::Sphere;
use crate::measure::{DistanceReading, Measurement, RateChoice};

/// One measurement of a sweep point: everything the measuring pipeline
/// found at that step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub step: u64,
    /// Sweep model name: "relu", "relu-deep" or "quad".
    pub model: String,
    /// Fixed training-set size, 0 for online data.
    pub train_size: u64,
    pub measurement: Measurement,
    /// Mean training loss since the previous checkpoint.
    pub train_loss: f64,
    /// Training seconds of this point so far.
    pub elapsed_s: f64,
}

impl Checkpoint {
    pub fn n(&self) -> usize {
        self.measurement.n
    }

    /// d(E) on `sphere`, when the search ran.
    pub fn distance(&self, sphere: Sphere) -> Option<&DistanceReading> {
        self.measurement.distance(sphere)
    }

    /// The rate d(E) on `sphere` is placed and bounded at.
    pub fn mu(&self, sphere: Sphere) -> Option<RateChoice> {
        self.measurement.rates.get(sphere).mu
    }
}

/// Worst-case against average loss and the alphas of a quadratic net
/// trained from a perfect initialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerfectInit {
    pub step: u64,
    /// Mean loss at the attack's starts before the attack.
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub mean_loss: f64,
    /// Largest loss over the starts after the worst-case attack: a lower
    /// estimate of the true worst case, kept as a check on the exact one.
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub worst_loss: f64,
    /// Mean loss over the starts after the attack.
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub mean_final_loss: f64,
    /// Alphas below 1/R^2 and above 1; None where the band does not apply
    /// (b >= 0).
    pub bad_low: Option<usize>,
    pub bad_high: Option<usize>,
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub exact_inner: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64")]
    pub exact_outer: f64,
    /// Mean training loss since the previous checkpoint (NaN at step 0).
    /// Absent, like the fields below, in records written before.
    #[serde(default = "nan", deserialize_with = "crate::serde_nan::f64")]
    pub train_loss: f64,
    /// The largest loss on each sphere, exact (closed form).
    #[serde(default)]
    pub exact_worst_inner: Option<f64>,
    #[serde(default)]
    pub exact_worst_outer: Option<f64>,
    /// The paper's CLT estimate of the inner error rate.
    #[serde(default = "nan", deserialize_with = "crate::serde_nan::f64")]
    pub inner_clt: f64,
}

fn nan() -> f64 {
    f64::NAN
}

impl PerfectInit {
    /// The exact largest loss over both spheres.
    pub fn exact_worst(&self) -> Option<f64> {
        Some(self.exact_worst_inner?.max(self.exact_worst_outer?))
    }

    /// Alphas outside the band, where it applies.
    pub fn bad(&self) -> Option<usize> {
        Some(self.bad_low? + self.bad_high?)
    }
}

/// Where training stood when a snapshot was written: the loss sums since
/// the last checkpoint, so a resumed point reports the same mean training
/// loss at its next checkpoint as an uninterrupted one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub step: u64,
    /// For people reading the log.
    pub loss_sum: f64,
    /// The same sum as its IEEE bits: restored exactly, whatever a JSON
    /// reader does with the last digit of a float.
    pub loss_sum_bits: u64,
    pub loss_count: u64,
    pub elapsed_s: f64,
}

impl Progress {
    pub fn new(step: u64, loss_sum: f64, loss_count: u64, elapsed_s: f64) -> Self {
        Self {
            step,
            loss_sum,
            loss_sum_bits: loss_sum.to_bits(),
            loss_count,
            elapsed_s,
        }
    }

    pub fn sum(&self) -> f64 {
        f64::from_bits(self.loss_sum_bits)
    }
}

/// What a sweep point appends, tagged so `read_all` can tell them apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum SweepRecord {
    Checkpoint(Box<Checkpoint>),
    PerfectInit(PerfectInit),
    Progress(Progress),
}
