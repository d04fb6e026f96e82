//! Finite-difference checks of every backward pass, parameters and input,
//! batch norm in training mode included.

use ndarray::Array2;
use rand::RngExt;

use super::Model;
use crate::gemm::Parallelism;
use crate::rng::{Stream, rng_for};

/// L = sum_i c_i logit_i, so dL/dlogit = c.
fn objective(model: &mut Model, x: &Array2<f32>, c: &Array2<f32>, train: bool) -> f64 {
    let mut ws = model.workspace(x.nrows(), Parallelism(1));
    if train {
        model.forward_train(x.view(), &mut ws);
    } else {
        model.forward_eval(x.view(), &mut ws);
    }
    ws.logits()
        .iter()
        .zip(c.iter())
        .map(|(l, c)| (*l as f64) * (*c as f64))
        .sum()
}

/// Finite difference of `f` at 0. ReLU nets are piecewise linear: when the
/// one-sided slopes disagree a kink lies within h (or exactly at 0), and
/// the coordinate says nothing about the backward pass. Returns the central
/// difference, or None at a kink.
fn finite_difference(mut f: impl FnMut(f32) -> f64) -> Option<f64> {
    let h = 1e-3f32;
    let (up, mid, down) = (f(h), f(0.0), f(-h));
    let (forward, backward) = ((up - mid) / h as f64, (mid - down) / h as f64);
    let central = (up - down) / (2.0 * h as f64);
    ((forward - backward).abs() <= 1e-2 * central.abs() + 1e-3).then_some(central)
}

/// Relative error of `got` against the finite differences `want`, measured
/// as ||got - want|| / ||want|| over coordinates away from kinks: a wrong
/// sign or a missing term gives O(1).
fn relative_error(got: &[f32], want: &[Option<f64>]) -> f64 {
    let kinks = want.iter().filter(|w| w.is_none()).count();
    assert!(
        kinks * 10 <= want.len(),
        "{kinks} of {} coordinates sit at kinks",
        want.len()
    );
    let pairs = got
        .iter()
        .zip(want)
        .filter_map(|(g, w)| w.map(|w| (*g as f64, w)));
    let (diff, norm) = pairs.fold((0.0, 0.0), |(d, n), (g, w)| {
        (d + (g - w).powi(2), n + w * w)
    });
    assert!(
        norm > 1e-12,
        "gradient is identically zero: the check would prove nothing"
    );
    (diff / norm).sqrt()
}

fn check(mut model: Model, batch: usize, train: bool, radius_scale: f32) {
    let n = model.dim();
    let mut rng = rng_for(11, Stream::Init, 99);
    let x =
        Array2::from_shape_simple_fn((batch, n), || rng.random_range(-1.0f32..1.0) * radius_scale);
    let c = Array2::from_shape_simple_fn((batch, 1), || rng.random_range(-1.0f32..1.0));

    let mut ws = model.workspace(batch, Parallelism(1));
    if train {
        model.forward_train(x.view(), &mut ws);
    } else {
        model.forward_eval(x.view(), &mut ws);
    }
    let mut grads = vec![f32::NAN; model.params.len()];
    let mut dx = Array2::from_elem((batch, n), f32::NAN);
    model.backward(
        x.view(),
        &mut ws,
        c.view(),
        Some(&mut grads),
        Some(dx.view_mut()),
    );

    let buffers = model.buffers.clone();
    let fd_params: Vec<Option<f64>> = (0..model.params.len())
        .map(|k| {
            let saved = model.params[k];
            let fd = finite_difference(|h| {
                model.params[k] = saved + h;
                model.buffers.copy_from_slice(&buffers);
                objective(&mut model, &x, &c, train)
            });
            model.params[k] = saved;
            fd
        })
        .collect();
    let fd_input: Vec<Option<f64>> = (0..x.len())
        .map(|k| {
            finite_difference(|h| {
                let mut xp = x.clone();
                xp.as_slice_mut().unwrap()[k] += h;
                objective(&mut model, &xp, &c, train)
            })
        })
        .collect();

    if !model.params.is_empty() {
        let e = relative_error(&grads, &fd_params);
        assert!(
            e < 5e-3,
            "{} parameter gradient off by {e:.2e} (train={train})",
            model.kind()
        );
    }
    let e = relative_error(dx.as_slice().unwrap(), &fd_input);
    assert!(
        e < 5e-3,
        "{} input gradient off by {e:.2e} (train={train})",
        model.kind()
    );
}

#[test]
fn relu_with_batch_norm_in_training_mode() {
    let mut rng = rng_for(1, Stream::Init, 0);
    check(Model::relu(4, 6, 2, true, &mut rng), 5, true, 1.0);
}

#[test]
fn relu_with_batch_norm_in_inference_mode() {
    let mut rng = rng_for(2, Stream::Init, 0);
    let mut model = Model::relu(4, 6, 2, true, &mut rng);
    // Non-trivial running statistics, so the eval path is really tested.
    let n = model.buffers.len() / 2;
    for (i, v) in model.buffers.iter_mut().enumerate() {
        *v = if (i / (n / 2)).is_multiple_of(2) {
            0.05 * (i % 6) as f32 - 0.1
        } else {
            0.5 + 0.05 * i as f32
        };
    }
    check(model, 5, false, 1.0);
}

#[test]
fn relu_without_batch_norm_three_layers() {
    let mut rng = rng_for(7, Stream::Init, 0);
    check(Model::relu(5, 7, 3, false, &mut rng), 4, true, 1.0);
}

#[test]
fn quadratic_net() {
    let mut rng = rng_for(4, Stream::Init, 0);
    let mut model = Model::quad(5, 8, &mut rng);
    model.params[40] = 0.7; // w != 1 so a dropped factor of w shows
    model.params[41] = -0.4;
    check(model, 6, true, 1.0);
}

#[test]
fn cap_classifier_input_gradient() {
    // Points of norm ~0.3-1.7: the radial term matters off the sphere.
    check(Model::cap(4, 0.2, 1.3), 12, false, 1.0);
}
