//! Known answers and failure modes of the whole estimator.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::*;
use crate::rng::{Stream, rng_for};
use crate::stats::beta::ln_beta_inc;

/// Small and quick: enough for the paths, not for precision.
fn quick() -> RareParams {
    RareParams {
        particles: 100,
        target: 0.5,
        ..RareParams::default()
    }
}

/// Exact P(x_1 > t) for x uniform on the unit sphere in R^n:
/// (x_1 + 1) / 2 ~ Beta((n - 1) / 2, (n - 1) / 2).
fn cap_rate(n: usize, t: f64) -> f64 {
    let a = 0.5 * (n as f64 - 1.0);
    ln_beta_inc(a, a, 0.5 * (1.0 - t)).unwrap().exp()
}

#[test]
fn cap_net_rate_lies_in_the_interval() {
    let (n, t) = (50, 0.75);
    let exact = cap_rate(n, t);
    assert!(exact > 1e-12 && exact < 1e-6, "{exact}");
    let model = Model::cap(n, t as f32, 1.3);
    let e = estimate_rare(&model, Sphere::Inner, 1.3, &quick(), 3, 2, &Cancel::never()).unwrap();
    assert_eq!(
        e.outcome,
        RareOutcome::Estimate { target_met: true },
        "{}",
        e.summary()
    );
    let rate = e.rate.unwrap();
    assert!(
        e.lo <= exact && exact <= e.hi,
        "exact {exact:.3e}: {}",
        e.summary()
    );
    assert!((e.hi - e.lo) / (2.0 * rate) <= 0.5);
    assert!((e.ln_rate.unwrap() - rate.ln()).abs() < 1e-9);
    assert!(e.mixing.passed && e.mixing.correlation < 0.5);
    // Cost accounting: initial particles plus (N - K) copies x steps per level.
    let p = quick();
    let per_level = ((p.particles - p.kept()) * p.steps) as f64;
    let expected = e.repeats as f64 * (p.particles as f64 + e.levels * per_level);
    assert!(
        (e.evaluations as f64 - expected).abs() <= 0.01 * expected,
        "{} vs {expected}",
        e.evaluations
    );
}

#[test]
fn the_thread_count_changes_no_number() {
    let model = Model::cap(30, 0.6, 1.3);
    let run = |threads| {
        estimate_rare(
            &model,
            Sphere::Inner,
            1.3,
            &quick(),
            9,
            threads,
            &Cancel::never(),
        )
        .unwrap()
    };
    let a = run(1);
    assert_eq!(a, run(2));
    assert_eq!(a, run(3));
    assert_ne!(
        a,
        estimate_rare(
            &model,
            Sphere::Inner,
            1.3,
            &quick(),
            10,
            2,
            &Cancel::never()
        )
        .unwrap()
    );
}

#[test]
fn units_of_any_size_give_the_numbers_of_one_call() {
    // Target 0.1 needs extension rounds, so units straddle round ends.
    let params = RareParams {
        target: 0.1,
        ..quick()
    };
    let model = Model::cap(30, 0.6, 1.3);
    let whole = estimate_rare(&model, Sphere::Inner, 1.3, &params, 9, 2, &Cancel::never()).unwrap();
    assert!(whole.repeats > params.min_repeats, "{}", whole.summary());
    for per_unit in [1, 3] {
        let mut run = RareRun::new(Sphere::Inner, 1.3, &params, 9).unwrap();
        let mut units = 0;
        let e = loop {
            units += 1;
            if let Some(e) = run.advance(&model, per_unit, 1, &Cancel::never()).unwrap() {
                break e;
            }
        };
        assert_eq!(e, whole, "{per_unit} repeats per unit");
        assert!(units >= whole.repeats.div_ceil(per_unit));
    }
    // A cancelled unit changes nothing: the run continues as before.
    let mut run = RareRun::new(Sphere::Inner, 1.3, &params, 9).unwrap();
    run.advance(&model, 4, 1, &Cancel::never()).unwrap();
    let stop = Cancel::on(Arc::new(AtomicBool::new(true)));
    assert!(run.advance(&model, 4, 1, &stop).is_err());
    assert_eq!(run.repeats_done(), 4);
    let e = loop {
        if let Some(e) = run.advance(&model, 4, 2, &Cancel::never()).unwrap() {
            break e;
        }
    };
    assert_eq!(e, whole);
}

#[test]
fn a_perfect_quadratic_net_stalls_with_a_bound() {
    // Every alpha inside [1/R^2, 1]: the exact rate is 0 and the highest
    // inner score is max(alpha) - 1 < 0.
    let mut rng = rng_for(11, Stream::Init, 0);
    let alphas: Vec<f64> = (0..40).map(|i| 0.7 + 0.2 * i as f64 / 39.0).collect();
    let model = Model::quad_with_alphas(&alphas, 40, &mut rng);
    let params = RareParams {
        floor: 1e-20,
        ..quick()
    };
    let e = estimate_rare(&model, Sphere::Inner, 1.3, &params, 1, 2, &Cancel::never()).unwrap();
    let RareOutcome::Stalled {
        max_score,
        level,
        cause,
    } = e.outcome
    else {
        panic!("{}", e.summary());
    };
    assert_eq!(cause, StallCause::Floor);
    assert!(e.rate.is_none() && e.ln_rate.is_none() && e.lo == 0.0);
    assert!(e.hi > 0.0 && e.hi < 1e-18, "{}", e.hi);
    assert!(level < max_score && max_score < 0.0, "{level} {max_score}");
    // The score cannot exceed 0.9 - 1 = -0.1 (up to f32 rounding).
    assert!(max_score <= -0.1 + 1e-4, "{max_score}");
    assert!(e.summary().contains("upper bound"));
}

#[test]
fn too_few_moves_are_reported_as_not_mixing() {
    let model = Model::cap(50, 0.75, 1.3);
    let params = RareParams {
        steps: 1,
        ..quick()
    };
    let e = estimate_rare(&model, Sphere::Inner, 1.3, &params, 3, 2, &Cancel::never()).unwrap();
    assert!(
        matches!(e.outcome, RareOutcome::NotMixed { .. }),
        "{}",
        e.summary()
    );
    assert!(!e.mixing.passed && e.mixing.correlation > params.max_correlation);
    assert!(e.rate.is_none() && (e.lo, e.hi) == (0.0, 1.0));
    assert!(e.summary().contains("did not mix"));
}

#[test]
fn a_small_budget_stops_with_a_bound_or_a_wider_interval() {
    let model = Model::cap(50, 0.75, 1.3);
    // Enough for the initial particles and a few levels, not for 1e-9.
    let params = RareParams {
        budget: 60_000,
        ..quick()
    };
    let e = estimate_rare(&model, Sphere::Inner, 1.3, &params, 3, 2, &Cancel::never()).unwrap();
    assert!(e.evaluations <= params.budget, "{}", e.evaluations);
    match e.outcome {
        RareOutcome::Stalled { cause, .. } => assert_eq!(cause, StallCause::Budget),
        RareOutcome::Estimate { target_met } => assert!(!target_met),
        _ => panic!("{}", e.summary()),
    }
}

#[test]
fn outer_errors_of_a_quadratic_net_are_found() {
    // A few alphas below 1/R^2: outer points err where sum R^2 alpha z^2 < 1.
    let mut alphas = vec![0.8; 30];
    alphas[..3].fill(0.3);
    let an = crate::stats::analyse_alphas(&alphas, 1.3).unwrap();
    let model = Model::quad_with_alphas(&alphas, 30, &mut rng_for(2, Stream::Init, 0));
    let e = estimate_rare(&model, Sphere::Outer, 1.3, &quick(), 5, 2, &Cancel::never()).unwrap();
    assert!(
        e.lo <= an.outer_exact && an.outer_exact <= e.hi,
        "exact {:.3e}: {}",
        an.outer_exact,
        e.summary()
    );
}

#[test]
fn bad_input_and_cancellation_are_errors() {
    let model = Model::cap(10, 0.5, 1.3);
    let never = Cancel::never();
    let e = estimate_rare(&model, Sphere::Inner, 1.0, &quick(), 1, 1, &never).unwrap_err();
    assert!(e.to_string().contains("radius"), "{e}");
    let bad = RareParams {
        particles: 1,
        ..quick()
    };
    assert!(matches!(
        estimate_rare(&model, Sphere::Inner, 1.3, &bad, 1, 1, &never),
        Err(AttackError::Param(_))
    ));
    let mut broken = Model::quad(10, 10, &mut rng_for(1, Stream::Init, 0));
    broken.params[0] = f32::NAN;
    assert_eq!(
        estimate_rare(&broken, Sphere::Inner, 1.3, &quick(), 1, 1, &never).unwrap_err(),
        AttackError::NonFiniteModel
    );
    let cancel = Cancel::on(Arc::new(AtomicBool::new(true)));
    assert_eq!(
        estimate_rare(&model, Sphere::Inner, 1.3, &quick(), 1, 1, &cancel).unwrap_err(),
        AttackError::Cancelled
    );
}

#[test]
fn the_result_round_trips_through_json() {
    let model = Model::cap(30, 0.6, 1.3);
    let e = estimate_rare(&model, Sphere::Inner, 1.3, &quick(), 2, 2, &Cancel::never()).unwrap();
    let text = serde_json::to_string(&e).unwrap();
    assert!(
        text.contains("\"method\":\"AMS\"") && text.contains("\"kind\":\"estimate\""),
        "{text}"
    );
    let back: RareEstimate = serde_json::from_str(&text).unwrap();
    // serde_json parses floats to within an ulp, not always exactly.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * b.abs();
    assert!(
        close(back.rate.unwrap(), e.rate.unwrap()) && close(back.hi, e.hi) && close(back.lo, e.lo)
    );
    assert_eq!(
        (back.outcome, back.evaluations, back.repeats, back.sphere),
        (e.outcome, e.evaluations, e.repeats, e.sphere)
    );
}

#[test]
fn a_constant_model_stalls_on_ties_and_says_so() {
    // Every alpha 0: W = 0 and the logit is b = -1 everywhere, so every
    // particle ties at the first level.
    let model = Model::quad_with_alphas(&[0.0; 12], 12, &mut rng_for(1, Stream::Init, 0));
    let e = estimate_rare(&model, Sphere::Inner, 1.3, &quick(), 1, 2, &Cancel::never()).unwrap();
    assert_eq!(
        e.outcome,
        RareOutcome::Stalled {
            level: -1.0,
            max_score: -1.0,
            cause: StallCause::Ties
        },
        "{}",
        e.summary()
    );
    // Nothing was learnt beyond the trivial bound.
    assert!(e.rate.is_none() && e.hi == 1.0);
    let back: RareEstimate = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back.outcome, e.outcome);
}
