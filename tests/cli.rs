//! The command line as a user meets it: outputs, and errors that name the
//! problem.

use std::process::{Command, Output};

fn spheres(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn presets_lists_every_preset_with_its_description() {
    let o = spheres(&["presets"]);
    assert!(o.status.success());
    for name in [
        "quick",
        "relu-paper",
        "relu-deep",
        "quad-paper",
        "quad-100k",
        "quad-perfect-init",
    ] {
        assert!(
            stdout(&o)
                .lines()
                .any(|l| l.starts_with(name) && l.len() > name.len() + 10),
            "{name}"
        );
    }
}

#[test]
fn bound_prints_the_paper_values() {
    let o = spheres(&[
        "bound", "--n", "500", "--mu", "1e-6", "--mu", "1e-4", "--mu", "1e-2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let optimal: Vec<f64> = out
        .lines()
        .filter(|l| l.contains("optimal (estimated)"))
        .map(|l| l.split_whitespace().last().unwrap().parse().unwrap())
        .collect();
    for (got, want) in optimal.iter().zip([0.2126, 0.1663, 0.1040]) {
        assert!(
            (got - want).abs() < 5e-5,
            "{got} vs the paper's {want}:\n{out}"
        );
    }
    assert_eq!(optimal.len(), 3);
    assert!(out.contains("geodesic") && out.contains("Euclidean"));
}

#[test]
fn bound_with_alphas_reports_bad_alphas_and_both_rates() {
    let o = spheres(&["bound", "--alphas", "1.02*3,0.8*497"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("above 1: 3") && out.contains("in band: 497"),
        "{out}"
    );
    assert!(out.contains("exact") && out.contains("CLT"), "{out}");
}

#[test]
fn bad_input_is_refused_with_a_message_naming_it() {
    let cases: &[(&[&str], &str)] = &[
        (&["bound", "--n", "500", "--mu", "2"], "(0, 1)"),
        (&["bound", "--alphas", "1.2*x"], "'x'"),
        (&["run", "--headless", "--set", "train.lr=-1"], "train.lr"),
        (
            &["run", "--headless", "--set", "train.learnig_rate=1"],
            "unknown key `train.learnig_rate`",
        ),
        (&["run", "--headless", "--set", "lr"], "KEY=VALUE"),
        (&["run", "--headless", "--preset", "nope"], "relu-paper"),
        (&["resume", "/nonexistent/run"], "/nonexistent/run"),
        (&["run", "--fps", "0"], "frame rate"),
    ];
    for (args, want) in cases {
        let o = spheres(args);
        assert!(!o.status.success(), "{args:?} should fail");
        let err = stderr(&o);
        assert!(err.contains(want), "{args:?}: `{want}` not in: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

#[test]
fn a_headless_run_resumes_and_evaluates_from_its_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let d = dir.to_str().unwrap();
    let small = [
        "--set",
        "data.n=10",
        "--set",
        "model.width=16",
        "--set",
        "eval.test_samples=2000",
    ];
    let o = spheres(
        &[
            &["run", "--headless", "--steps", "300", "--out", d][..],
            &small,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("test error after 300 steps"),
        "{}",
        stdout(&o)
    );
    let o = spheres(&["resume", d, "--headless", "--steps", "500"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("loaded step 300"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("test error after 500 steps"),
        "{}",
        stdout(&o)
    );
    let o = spheres(&["eval", d, "--samples", "20000", "--starts", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "step 500",
        "inner sphere",
        "outer sphere",
        "cap bound",
        "off-manifold robustness",
        "notes:",
    ] {
        assert!(out.contains(want), "{want} missing from:\n{out}");
    }
    eval_json_has_every_number(d);
    eval_refuses_what_it_would_ignore(d);
    let o = spheres(&["export", d, "--format", "safetensors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        dir.join("export/model.safetensors").exists() && dir.join("export/metrics.csv").exists()
    );
}

#[test]
fn an_error_chain_prints_each_cause_once() {
    let o = spheres(&["export", "/nonexistent"]);
    assert!(!o.status.success());
    let reason = std::io::Error::from_raw_os_error(2);
    assert_eq!(
        stderr(&o),
        format!("error: cannot open /nonexistent: {reason}\n")
    );
}

fn eval_json_has_every_number(d: &str) {
    let o = spheres(&["eval", d, "--json", "--samples", "20000", "--starts", "16"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(
        (v["model"].as_str(), v["step"].as_u64()),
        (Some("relu"), Some(500))
    );
    for sphere in ["inner", "outer"] {
        let r = &v[sphere];
        for key in ["rate", "lo", "hi", "errors", "samples"] {
            assert!(r[key].is_number(), "{sphere}.{key}: {r}");
        }
        // A ReLU net has no exact rate: the keys are there, null.
        assert!(r["exact"].is_null() && r["ln_exact"].is_null(), "{r}");
        assert!(r["mu"]["source"].is_string(), "{r}");
        let d = &v["d_e"][sphere];
        for key in ["mean", "se", "found", "starts", "exact_mean", "exact_se"] {
            assert!(d.get(key).is_some(), "d_e.{sphere}.{key}: {d}");
        }
        assert_eq!(d["starts"], 16);
        assert!(d["exact_mean"].is_null() && d["exact_se"].is_null());
        assert!(v["bound"][sphere].is_object() || v["bound"][sphere].is_null());
    }
    assert!(v["bound"]["inner"]["cap"].is_number() && v["bound"]["inner"]["optimal"].is_number());
    assert!(v["quad"].is_null(), "a ReLU net has no quad section");
    let rob = &v["robustness"];
    assert_eq!(
        rob["eps"].as_array().unwrap().len(),
        rob["robust_accuracy"].as_array().unwrap().len()
    );
    assert!(rob.get("median_min_l2").is_some());
    assert!(
        rob["eps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.as_f64().unwrap() < 0.15)
    );
}

#[test]
fn value_enums_refuse_typos_and_list_the_values() {
    for (args, values) in [
        (
            &["bench", "--work", "trian"][..],
            "train, eval, attack, exact, rare",
        ),
        (&["bench", "--model", "cnn"][..], "relu, quad"),
        (
            &["sweep", "--models", "relu,qaud"][..],
            "relu, relu-deep, quad, quad-perfect-init",
        ),
    ] {
        let o = spheres(args);
        assert!(!o.status.success(), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("invalid value"), "{args:?}: {err}");
        assert!(
            err.contains(&format!("[possible values: {values}]")),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn completion_scripts_cover_subcommands_and_values() {
    for shell in ["bash", "zsh", "fish"] {
        let o = spheres(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for word in ["import", "completions", "quad-perfect-init", "safetensors"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script must at least parse.
    let script = stdout(&spheres(&["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spheres.bash");
    std::fs::write(&path, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(!spheres(&["completions", "tcsh"]).status.success());
}

#[test]
fn export_of_a_run_without_a_snapshot_writes_the_metrics_only() {
    let tmp = tempfile::tempdir().unwrap();
    let run = spheres::run::RunDir::create(tmp.path(), "p", Some(&tmp.path().join("run"))).unwrap();
    std::fs::write(
        run.metrics_path(),
        "{\"wall\":1.0,\"kind\":\"StepMetrics\",\"step\":1,\"loss\":0.5}\n",
    )
    .unwrap();
    let d = run.path().to_str().unwrap();
    let o = spheres(&["export", d, "--format", "safetensors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("has no snapshot yet: exporting the metrics only, no weights"),
        "{}",
        stdout(&o)
    );
    let files: Vec<_> = std::fs::read_dir(run.path().join("export"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["metrics.csv"]);
    std::fs::remove_file(run.metrics_path()).unwrap();
    let o = spheres(&["export", d]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no snapshot and no metrics log yet"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn eval_of_a_quadratic_net_reads_at_its_exact_rates() {
    let o = spheres(&[
        "eval",
        "--preset",
        "quad-paper",
        "--set",
        "data.n=10",
        "--set",
        "model.hidden=12",
        "--steps",
        "50",
        "--samples",
        "8192",
        "--starts",
        "8",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(v["model"], "quad");
    for sphere in ["inner", "outer"] {
        let r = &v[sphere];
        assert!(r["exact"].is_number(), "{r}");
        assert_eq!(r["mu"]["source"], "exact", "{r}");
        assert_eq!(r["mu"]["mu"], r["exact"], "{r}");
    }
    let q = &v["quad"];
    for key in [
        "bad_low",
        "bad_high",
        "worst_loss_inner",
        "worst_loss_outer",
    ] {
        assert!(q.get(key).is_some(), "quad.{key}: {q}");
    }
    assert_eq!(q["alphas"].as_array().unwrap().len(), 10);
}

fn eval_refuses_what_it_would_ignore(d: &str) {
    let refused: &[&[&str]] = &[
        &["--out", "/tmp/x"],
        &["--headless"],
        &["--every", "2"],
        &["--fps", "5"],
        &["--mouse"],
        &["--detach"],
        &["--preset", "quick"],
        &["--set", "train.lr=1e-3"],
        &["--steps", "10"],
    ];
    for extra in refused {
        let o = spheres(&[&["eval", d][..], extra].concat());
        let err = stderr(&o);
        assert!(!o.status.success(), "eval {extra:?} should be refused");
        assert!(
            err.contains(extra[0]) && !err.contains("panicked"),
            "{extra:?}: {err}"
        );
    }
}
