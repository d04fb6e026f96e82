//! Events as metrics-log records: one JSON object per line with a `kind`.

use std::path::Path;

use serde::Serialize;

use super::messages::{
    ErrorEstimate, Event, NearestError, QuadReport, RunState, StepMetrics, WorstCase,
};

#[derive(Serialize)]
#[serde(tag = "kind")]
pub enum Record<'a> {
    StepMetrics(&'a StepMetrics),
    ErrorEstimate(&'a ErrorEstimate),
    NearestError(&'a NearestError),
    QuadReport(&'a QuadReport),
    WorstCase(&'a WorstCase),
    Applied {
        key: &'a str,
        value: &'a str,
        step: u64,
    },
    Refused {
        key: &'a str,
        value: &'a str,
        reason: &'a str,
    },
    Saved {
        path: &'a Path,
        step: u64,
    },
    State {
        state: RunState,
    },
    Warning {
        message: &'a str,
    },
    Error {
        message: &'a str,
    },
}

/// The record for an event, if it belongs in the log (decision slices are
/// pictures for the screen; publications are bookkeeping).
pub fn record(e: &Event) -> Option<Record<'_>> {
    Some(match e {
        Event::Step(m) => Record::StepMetrics(m),
        Event::Estimate(x) => Record::ErrorEstimate(x),
        Event::Nearest(x) => Record::NearestError(x),
        Event::Quad(x) => Record::QuadReport(x),
        Event::WorstCase(x) => Record::WorstCase(x),
        Event::Applied { key, value, step } => Record::Applied {
            key,
            value,
            step: *step,
        },
        Event::Refused { key, value, reason } => Record::Refused { key, value, reason },
        Event::Saved { path, step } => Record::Saved { path, step: *step },
        Event::State(state) => Record::State { state: *state },
        Event::Warning(m) => Record::Warning { message: m },
        Event::Error(m) => Record::Error { message: m },
        Event::Slice(_) | Event::Published { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_objects_with_a_kind() {
        let e = Event::Applied {
            key: "train.lr".into(),
            value: "0.01".into(),
            step: 7,
        };
        let v = serde_json::to_value(record(&e).unwrap()).unwrap();
        assert_eq!(v["kind"], "Applied");
        assert_eq!(v["step"], 7);
        let m = StepMetrics {
            step: 3,
            samples: 150,
            loss: 0.5,
            accuracy: 0.9,
            samples_per_s: 1.0,
            lr: 1e-3,
            batch: 50,
            elapsed_s: 1.0,
        };
        let v = serde_json::to_value(record(&Event::Step(m)).unwrap()).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["samples"].as_u64()),
            (Some("StepMetrics"), Some(150))
        );
        assert!(
            record(&Event::Published {
                version: 1,
                step: 1
            })
            .is_none()
        );
    }
}
