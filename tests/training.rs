//! The training loop end to end: reproducible, exactly resumable, and
//! good enough on the quick preset.

use spheres::attack::ErrorEstimator;
use spheres::config::{Config, preset};
use spheres::train::{Trainer, TrainerState};

fn config(name: &str, edits: &[(&str, &str)]) -> Config {
    let mut c = preset(name).unwrap().config;
    for (k, v) in edits {
        c.set(k, v).unwrap();
    }
    c
}

fn train(c: &Config, steps: u64) -> Trainer {
    let mut t = Trainer::new(c.clone(), "test");
    for _ in 0..steps {
        assert!(t.step().is_finite());
    }
    t
}

/// Small versions of each model kind, so the test suite stays quick.
fn small_configs() -> Vec<(&'static str, Config)> {
    vec![
        (
            "relu+bn",
            config("quick", &[("data.n", "20"), ("model.width", "32")]),
        ),
        (
            "relu",
            config(
                "quick",
                &[
                    ("data.n", "20"),
                    ("model.width", "32"),
                    ("model.batch_norm", "false"),
                ],
            ),
        ),
        (
            "quad",
            config(
                "quad-paper",
                &[
                    ("data.n", "20"),
                    ("model.hidden", "40"),
                    ("train.lr", "1e-3"),
                ],
            ),
        ),
        (
            "quad fixed set, sgd",
            config(
                "quad-100k",
                &[
                    ("data.n", "20"),
                    ("model.hidden", "40"),
                    ("data.train_size", "300"),
                    ("train.optimizer", "sgd"),
                ],
            ),
        ),
        (
            "quad perfect init",
            config(
                "quad-perfect-init",
                &[("data.n", "20"), ("model.hidden", "20")],
            ),
        ),
    ]
}

#[test]
fn the_same_seed_gives_identical_weights() {
    for (name, c) in small_configs() {
        let a = train(&c, 40);
        let b = train(&c, 40);
        assert_eq!(a.model.params, b.model.params, "{name}");
        assert_eq!(a.model.buffers, b.model.buffers, "{name}");
        let mut other = c.clone();
        other.seed += 1;
        assert_ne!(
            train(&other, 40).model.params,
            a.model.params,
            "{name}: the seed must matter"
        );
    }
}

#[test]
fn resume_is_exact_for_every_model_kind() {
    for (name, c) in small_configs() {
        let straight = train(&c, 70);
        let first = train(&c, 30);
        // Through the serialised form, as a snapshot would carry it.
        let bytes = postcard::to_stdvec(&first.state(1.0)).unwrap();
        let state: TrainerState = postcard::from_bytes(&bytes).unwrap();
        let mut resumed = Trainer::from_state(state).unwrap();
        for _ in 0..40 {
            resumed.step();
        }
        assert_eq!(resumed.step, 70, "{name}");
        assert_eq!(resumed.samples(), straight.samples(), "{name}");
        assert_eq!(
            resumed.model.params, straight.model.params,
            "{name}: parameters differ after resume"
        );
        assert_eq!(
            resumed.model.buffers, straight.model.buffers,
            "{name}: buffers differ after resume"
        );
        assert_eq!(
            resumed.optimizer, straight.optimizer,
            "{name}: optimizer state differs after resume"
        );
    }
}

#[test]
fn a_snapshot_whose_tensors_do_not_fit_its_config_is_refused() {
    let c = small_configs().remove(0).1;
    let mut state = train(&c, 1).state(0.0);
    state.params.pop();
    let err = Trainer::from_state(state).err().expect("must be refused");
    assert!(err.contains("parameters"), "{err}");
}

#[test]
fn live_edits_apply_between_steps_and_bad_ones_change_nothing() {
    let c = small_configs().remove(0).1;
    let mut t = train(&c, 5);
    t.apply("train.batch", "17").unwrap();
    assert_eq!(t.step().batch, 17);
    t.apply("train.lr", "0.5").unwrap();
    assert_eq!(t.optimizer.lr, 0.5);
    let before = t.config.clone();
    assert!(t.apply("train.lr", "-3").is_err());
    assert!(
        t.apply("data.n", "30").is_err(),
        "input dimension is not live"
    );
    assert_eq!(t.config, before);
    assert!(t.step().is_finite());
}

/// The quick preset's promise (README): under 0.1% test error on fresh
/// points. Trained here at its full length with its own seed.
#[test]
fn the_quick_preset_reaches_its_stated_test_error() {
    let c = preset("quick").unwrap().config;
    let t = train(&c, c.steps);
    let e = ErrorEstimator::new(c.seed, c.data.radius as f32)
        .run(&t.model, 0, 200_000, 1)
        .unwrap();
    let (ie, i, oe, o) = (
        e.inner.errors,
        e.inner.samples,
        e.outer.errors,
        e.outer.samples,
    );
    let rate = (ie + oe) as f64 / (i + o) as f64;
    assert!(
        rate < 1e-3,
        "quick preset test error {rate:.2e} ({ie}/{i} inner, {oe}/{o} outer)"
    );
}

#[test]
fn a_diverging_step_leaves_the_model_as_it_was() {
    let c = small_configs().remove(0).1;
    let mut t = train(&c, 3);
    // Output weights so large that the logits overflow to infinity.
    let out = t.model.layout().get("6.weight").unwrap().range();
    for v in &mut t.model.params[out] {
        *v = 1e38;
    }
    let (params, buffers, step) = (t.model.params.clone(), t.model.buffers.clone(), t.step);
    let outcome = t.step();
    assert!(!outcome.is_finite(), "loss {}", outcome.loss);
    assert_eq!(t.step, step, "a failed step is not counted");
    assert_eq!(t.model.params, params);
    assert_eq!(
        t.model.buffers, buffers,
        "batch-norm statistics are rolled back"
    );
    // Repaired by the user, training continues.
    t = Trainer::from_state(train(&c, 3).state(0.0)).unwrap();
    assert!(t.step().is_finite());
}
