//! Realistic runs for the tests: a paper-sized ReLU run and a quadratic net,
//! built from the same events the workers send.

use std::path::PathBuf;

use crate::attack::{DecisionSlice, McEstimate, NearestError, NoiseRate, SliceKind, WorstCase};
use crate::data::Sphere;
use crate::measure::corollary::Corollary;
use crate::measure::{
    Bounds, DistanceReading, PerSphere, Rate, RateChoice, RateSource, Rates, Robustness,
};
use crate::session::messages::{
    BoundPoint, Control, Event, QuadReport, RunInfo, RunState, Stamped, StepMetrics,
};
use crate::stats::RateEstimate;

use super::app::App;

pub const N: usize = 500;

fn control(key: &str, value: &str, help: &str) -> Control {
    Control {
        key: key.into(),
        value: value.into(),
        help: help.into(),
    }
}

/// Standard normal cdf (Abramowitz-Stegun 7.1.26, plenty for a fixture).
fn phi_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

fn phi_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Phi^{-1}(1 - mu) for the grid below, from tables.
const QUANTILES: [(f64, f64); 11] = [
    (1e-8, 5.612),
    (1e-7, 5.199),
    (1e-6, 4.753),
    (1e-5, 4.265),
    (1e-4, 3.719),
    (1e-3, 3.090),
    (1e-2, 2.326),
    (0.05, 1.645),
    (0.1, 1.2816),
    (0.2, 0.8416),
    (0.5, 0.0),
];

pub fn bound_curve() -> Vec<BoundPoint> {
    let root_n = (N as f64).sqrt();
    QUANTILES
        .iter()
        .map(|&(mu, z)| BoundPoint {
            mu,
            optimal: z / root_n,
            cap: (z * phi_cdf(z) + phi_pdf(z)) / root_n,
        })
        .collect()
}

pub fn run_info(model: &str) -> RunInfo {
    RunInfo {
        preset: format!("{model}-paper"),
        model: model.into(),
        n: N,
        radius: 1.3,
        total_steps: 1_000_000,
        start_step: 0,
        train_threads: 1,
        eval_threads: 1,
        controls: vec![
            control("train.lr", "1e-4", "Adam learning rate"),
            control("train.batch", "50", "samples per step"),
            control("train.beta1", "0.9", "Adam first-moment decay"),
            control("train.beta2", "0.999", "Adam second-moment decay"),
            control(
                "train.publish_every",
                "500",
                "steps between model copies for attacks",
            ),
            control(
                "attack.step",
                "0.01",
                "normalised gradient step on the sphere",
            ),
            control("attack.steps", "1000", "attack step budget"),
            control("attack.starts", "50", "nearest-error searches per round"),
            control("eval.samples", "100000", "Monte Carlo samples per estimate"),
            control("train.threads", "1", "cores for training"),
            control("eval.threads", "1", "cores for evaluation and attacks"),
            control("run.autosave_min", "10", "minutes between autosaves"),
        ],
        bound_curve: bound_curve(),
    }
}

pub fn step(step: u64, loss: f32) -> StepMetrics {
    StepMetrics {
        step,
        samples: step * 50,
        loss,
        accuracy: 0.99,
        samples_per_s: 40_000.0,
        lr: 1e-4,
        batch: 50,
        elapsed_s: step as f64 / 800.0,
    }
}

/// Version and step of the fixture run's latest measurements.
fn stamp<T>(value: T) -> Stamped<T> {
    Stamped::new(24, 12_000, value)
}

pub fn nearest(starts: usize, found: usize) -> Stamped<DistanceReading> {
    let z: f64 = 3.414;
    let root_n = (N as f64).sqrt();
    let bound = Bounds {
        optimal: z / root_n,
        cap: (z * phi_cdf(z) + phi_pdf(z)) / root_n,
    };
    let distances: Vec<f64> = if found == 0 {
        Vec::new()
    } else {
        (0..starts)
            .map(|i| 0.0931 + 0.02 * ((i as f64 * 0.77).sin()))
            .collect()
    };
    stamp(DistanceReading {
        nearest: NearestError {
            sphere: Sphere::Inner,
            starts,
            found,
            mean_distance: if found == 0 { f64::NAN } else { 0.0931 },
            se: 0.003,
            distances,
            searches_per_s: 3.5,
            every_start: true,
        },
        mu: Some(RateChoice {
            source: RateSource::Sampled,
            rate: Rate::from_mu(3.2e-4),
            lo: 2.19e-4,
            hi: 4.52e-4,
        }),
        bound: Some(bound),
        bound_at_lo: Some(bound),
        exact_mean: None,
        exact_se: None,
        resolution: 2e-6,
    })
}

pub fn estimate() -> Stamped<McEstimate> {
    stamp(McEstimate {
        inner: RateEstimate {
            errors: 32,
            samples: 100_000,
            rate: 3.2e-4,
            lo: 2.19e-4,
            hi: 4.52e-4,
        },
        outer: RateEstimate {
            errors: 0,
            samples: 3000,
            rate: 0.0,
            lo: 0.0,
            hi: 9.9e-4,
        },
        samples_per_s: 250_000.0,
    })
}

pub fn quad_report() -> Stamped<QuadReport> {
    let alphas = (0..N)
        .map(|i| 0.35 + 0.95 * ((i as f64 * 0.618_034).fract()))
        .collect::<Vec<f64>>();
    let low = 1.0 / (1.3f64 * 1.3);
    stamp(QuadReport {
        bad_low: alphas.iter().filter(|&&a| a < low).count(),
        bad_high: alphas.iter().filter(|&&a| a > 1.0).count(),
        band_applies: Some(true),
        alphas,
        inner_exact: 1.2e-11,
        outer_exact: 4.0e-13,
        inner_clt: 3.4e-9,
        outer_clt: 2.5e-10,
        worst_loss_inner: Some(1.61),
        worst_loss_outer: Some(0.002),
    })
}

/// The outer sphere's d(E), compared at a rare-event rate (sampling saw
/// no outer error).
pub fn nearest_outer(model: &str) -> Stamped<DistanceReading> {
    let r = rates(model).value;
    let (mu, bound) = (r.outer.mu, r.bound.outer);
    stamp(DistanceReading {
        nearest: NearestError {
            sphere: Sphere::Outer,
            starts: 50,
            found: 50,
            mean_distance: 0.2412,
            se: 0.004,
            distances: (0..50)
                .map(|i| 0.2412 + 0.02 * (i as f64 * 0.3).cos())
                .collect(),
            searches_per_s: 3.5,
            every_start: true,
        },
        mu,
        bound,
        bound_at_lo: bound,
        exact_mean: None,
        exact_se: None,
        resolution: 2.6e-6,
    })
}

/// The rates of the fixture run: the inner sphere at its Monte Carlo
/// estimate (a quadratic net: exactly), the outer one at a rare-event
/// estimate where sampling saw nothing.
pub fn rates(model: &str) -> Stamped<Rates> {
    let mc = estimate().value;
    let rare = crate::measure::rate::tests::rare(
        crate::attack::RareOutcome::Estimate { target_met: true },
        Some(3.1e-9),
        2.0e-9,
        4.8e-9,
    );
    let quad = (model == "quad").then(|| {
        let mut alphas = vec![1.05; 3];
        alphas.extend(vec![0.8; 97]);
        let mut q = crate::stats::analyse_alphas(&alphas, 1.3).unwrap();
        (q.inner_exact, q.ln_inner_exact) = (1.2e-11, (1.2e-11f64).ln());
        (q.outer_exact, q.ln_outer_exact) = (4.0e-13, (4.0e-13f64).ln());
        q
    });
    let rare = PerSphere {
        inner: None,
        outer: (model != "quad").then(|| {
            let mut r = rare;
            r.sphere = Sphere::Outer;
            r
        }),
    };
    stamp(Rates::choose(N, 1.3, Some(&mc), quad.as_ref(), &rare))
}

pub fn robustness() -> Stamped<Robustness> {
    let margin = 0.15;
    let eps: Vec<f64> = [0.1, 0.2, 0.4, 0.6, 0.8, 0.95]
        .iter()
        .map(|f| f * margin)
        .collect();
    let corollary = |sphere, within: [f64; 7], cap: [f64; 7]| Corollary {
        sphere,
        unit: "cap bound".into(),
        eps: crate::measure::corollary::EPS_MULTIPLES
            .iter()
            .map(|m| m * 0.1527)
            .collect(),
        within: within.to_vec(),
        cap_expansion: cap.iter().map(|c| Some(*c)).collect(),
    };
    stamp(Robustness {
        points: 25,
        margin,
        clean_accuracy: 1.0,
        eps,
        robust_accuracy: vec![1.0, 0.98, 0.88, 0.58, 0.3, 0.24],
        median_min_l2: Some(0.0971),
        min_l2_found: 19,
        max_eps: 0.95 * margin,
        noise: [0.25, 0.5, 1.0, 2.0]
            .iter()
            .zip([0, 12, 30, 540])
            .map(|(f, errors)| NoiseRate {
                sigma: f * margin / (N as f64).sqrt(),
                rate: crate::stats::rate_estimate(errors, 50_000),
            })
            .collect(),
        corollary: vec![
            corollary(
                Sphere::Inner,
                [0.02, 0.15, 0.5, 0.87, 0.97, 1.0, 1.0],
                [0.01, 0.08, 0.25, 0.499, 0.75, 0.9, 0.99],
            ),
            corollary(
                Sphere::Outer,
                [0.0, 0.1, 0.4, 0.91, 0.98, 1.0, 1.0],
                [0.005, 0.06, 0.22, 0.5, 0.74, 0.9, 0.99],
            ),
        ],
    })
}

pub fn slice(points: usize) -> Stamped<DecisionSlice> {
    let axis: Vec<f64> = (0..points)
        .map(|i| -1.6 + 3.2 * i as f64 / (points - 1) as f64)
        .collect();
    let inner = axis
        .iter()
        .map(|y| {
            axis.iter()
                .map(|x| {
                    let angle = y.atan2(*x);
                    (x * x + y * y).sqrt() < 1.15 + 0.08 * (5.0 * angle).sin()
                })
                .collect()
        })
        .collect();
    stamp(DecisionSlice {
        kind: SliceKind::RandomAdversarial,
        xs: axis.clone(),
        ys: axis,
        inner,
        radius: 1.3,
    })
}

/// A run 12,000 steps in, with every kind of event seen at least once.
pub fn events(model: &str) -> Vec<Event> {
    let mut out = Vec::new();
    for i in 1..=12_000u64 {
        let wobble = 0.15 * ((i as f32) * 0.37).sin();
        let loss = 0.69 * (-(i as f32) / 2500.0).exp() * (1.0 + wobble) + 2e-3;
        let mut m = step(i, loss);
        m.samples_per_s = 40_000.0 + 4_000.0 * ((i as f64) / 700.0).sin();
        out.push(Event::StepMetrics(m));
        if i % 500 == 0 {
            out.push(Event::Published {
                version: i / 500,
                step: i,
            });
        }
        if i % 1000 == 0 {
            let mu = 0.2 * (i as f64 / 1000.0 * -0.55).exp();
            let mut n = nearest(50, 50);
            n.version = i / 500;
            n.step = i;
            if let Some(m) = n.value.mu.as_mut() {
                m.rate = Rate::from_mu(mu);
            }
            n.value.nearest.mean_distance = 0.9
                * QUANTILES
                    .iter()
                    .min_by(|a, b| (a.0 - mu).abs().total_cmp(&(b.0 - mu).abs()))
                    .map_or(0.1, |q| q.1 / (N as f64).sqrt());
            out.push(Event::NearestError(n));
            if model == "quad" {
                let mut q = quad_report();
                (q.version, q.step) = (i / 500, i);
                q.value.worst_loss_inner = Some(0.08 * (i as f64 / 4000.0).exp());
                q.value.worst_loss_outer = Some(0.002);
                out.push(Event::QuadReport(q));
            }
            out.push(Event::WorstCase(Stamped::new(
                i / 500,
                i,
                WorstCase {
                    worst_loss: 0.05 * (i as f64 / 4000.0).exp(),
                    mean_final_loss: 0.03 * (i as f64 / 4000.0).exp(),
                    mean_loss: 0.02 * (-(i as f64) / 6000.0).exp(),
                    worst_loss_inner: Some(0.05 * (i as f64 / 4000.0).exp()),
                    worst_loss_outer: None,
                    starts: 13,
                },
            )));
        }
        if i == 6000 {
            out.push(Event::Saved {
                path: PathBuf::from("runs/relu-paper/snapshots/000006000.snap"),
                step: 6000,
            });
            out.push(Event::Applied {
                key: "train.lr".into(),
                value: "3e-4".into(),
                step: 6000,
            });
        }
        if i == 9000 {
            out.push(Event::Applied {
                key: "attack.starts".into(),
                value: "64".into(),
                step: 9000,
            });
        }
    }
    let mut last = nearest(50, 48);
    if model == "quad" {
        // A quadratic net's d(E) is compared at its exact rate, with the
        // exact mean over the same starts beside it.
        let r = rates(model).value;
        (last.value.mu, last.value.bound) = (r.inner.mu, r.bound.inner);
        last.value.bound_at_lo = r.bound.inner;
        (last.value.exact_mean, last.value.exact_se) = (Some(0.0902), Some(0.0028));
    }
    out.push(Event::NearestError(last));
    out.push(Event::ErrorEstimate(estimate()));
    out.push(Event::Rates(rates(model)));
    out.push(Event::NearestError(nearest_outer(model)));
    out.push(Event::Robustness(robustness()));
    out.push(Event::DecisionSlice(slice(64)));
    if model == "quad" {
        out.push(Event::QuadReport(quad_report()));
    }
    out.push(Event::State {
        state: RunState::Running,
    });
    out
}

pub fn app(model: &str) -> App {
    let mut app = App::new(run_info(model));
    for e in events(model) {
        app.update(e);
    }
    app
}
