//! `spheres eval` on a quadratic net: exact rates and exact d(E) beside the
//! attack's, and with `--rare` the rare-event estimate of both spheres, in
//! JSON and in text.

use std::process::{Command, Output};

fn spheres(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(args)
        .output()
        .unwrap()
}

/// A quadratic net at n = 16 trained here for 300 steps: both spheres keep
/// errors at rates of about 1e-2..1e-1, so every estimate is quick.
const QUAD: &[&str] = &[
    "eval",
    "--preset",
    "quad-paper",
    "--set",
    "data.n=16",
    "--set",
    "model.hidden=32",
    "--set",
    "train.lr=3e-3",
    "--steps",
    "300",
    "--samples",
    "20000",
    "--starts",
    "24",
    "--threads",
    "2",
];

fn run(extra: &[&str]) -> String {
    let o = spheres(&[QUAD, extra].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn eval_json_carries_the_exact_d_e_and_with_rare_the_rare_event_estimates() {
    let v: serde_json::Value = serde_json::from_str(&run(&["--json"])).expect("one JSON object");
    for sphere in ["inner", "outer"] {
        let r = &v[sphere];
        assert!(r["exact"].is_number() && r["ln_exact"].is_number(), "{r}");
        assert_eq!(r["mu"]["source"], "exact");
        // Without --rare no estimate ran: the key is there, null.
        assert!(r.get("rare").is_some_and(|x| x.is_null()), "{r}");
        let d = &v["d_e"][sphere];
        let (mean, exact) = (
            d["mean"].as_f64().unwrap(),
            d["exact_mean"].as_f64().unwrap(),
        );
        assert!(d["exact_se"].as_f64().unwrap() > 0.0, "{d}");
        // Each start's value bounds its exact distance from above.
        assert!(
            mean >= exact - 1e-4,
            "{sphere}: attack {mean} below exact {exact}"
        );
    }
    assert!(v["quad"]["exact_worst_loss_inner"].is_number());
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("attack's bias"))
    );

    let v: serde_json::Value =
        serde_json::from_str(&run(&["--json", "--rare"])).expect("one JSON object");
    for sphere in ["inner", "outer"] {
        let rare = &v[sphere]["rare"];
        for key in ["rate", "lo", "hi", "method", "evaluations", "outcome"] {
            assert!(rare.get(key).is_some(), "{sphere}.rare.{key}: {rare}");
        }
        assert_eq!(rare["method"], "AMS");
        assert_eq!(rare["outcome"]["kind"], "estimate", "{rare}");
        // The exact rate lies in the estimate's interval here, and it still
        // ranks first in the rate choice.
        let exact = v[sphere]["exact"].as_f64().unwrap();
        let (lo, hi) = (rare["lo"].as_f64().unwrap(), rare["hi"].as_f64().unwrap());
        assert!(
            lo <= exact && exact <= hi,
            "{sphere}: {exact} not in [{lo}, {hi}]"
        );
        assert_eq!(v[sphere]["mu"]["source"], "exact");
    }
}

#[test]
fn eval_text_names_the_method_the_interval_and_the_outcome() {
    let text = run(&["--rare"]);
    for needle in [
        "rare-event estimate: inner error rate",
        "rare-event estimate: outer error rate",
        "(95%, AMS)",
        "evaluations",
        "exact over the same starts",
        "attack bias",
        "worst-case loss, exact (closed form): inner",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}
