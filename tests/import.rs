//! `spheres import` as a user meets it: an export imported back is the same
//! model, and every refusal names the tensor and writes nothing.

mod trained;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use spheres::run::export::{Tensor, Values, npy_bytes, safetensors_bytes};
use spheres::run::import::{parse_npy, parse_safetensors};
use trained::{Net, QUAD, RELU_BN, arg, snapshot_of, spheres, spheres_ok, weight_bits};

/// The run's evaluation with what may differ between a run and its import
/// blanked: the step the snapshot was taken at, and throughputs. When
/// `eval --json` exists, this is the place to switch to it.
fn evaluation(cwd: &Path, run: &Path) -> String {
    let text = spheres_ok(
        cwd,
        &[
            "eval",
            arg(run),
            "--samples",
            "20000",
            "--starts",
            "8",
            "--threads",
            "1",
        ],
    );
    text.lines()
        .map(|line| {
            let line = match line.rfind(", step ") {
                Some(at) if line.contains(" parameters), n = ") => &line[..at],
                _ => line,
            };
            match (line.find(" ("), line.find(" points/s)")) {
                (Some(open), Some(_)) => format!("{} (... points/s):", &line[..open]),
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn import_args<'a>(source: &'a Path, net: &'a [String], out: Option<&'a Path>) -> Vec<&'a str> {
    let mut args = vec!["import", arg(source)];
    if let Some(out) = out {
        args.extend(["--out", arg(out)]);
    }
    args.extend(net.iter().map(String::as_str));
    args
}

#[test]
fn export_then_import_gives_the_same_weights_and_evaluation() {
    let base = tempfile::tempdir().unwrap();
    let base = base.path();
    for net in [RELU_BN, QUAD] {
        let run = net.trained_run(base);
        let npy = run.join("npy");
        spheres_ok(base, &["export", arg(&run), "--format", "safetensors"]);
        spheres_ok(
            base,
            &["export", arg(&run), "--format", "npy", "--out", arg(&npy)],
        );
        let original = snapshot_of(&run);
        let want = evaluation(base, &run);
        assert!(want.contains("inner sphere"), "{want}");
        let args = net.args();
        for (source, label) in [(run.join("export/model.safetensors"), "st"), (npy, "npy")] {
            let out = base.join(format!("{}-from-{label}", net.label));
            let said = spheres_ok(base, &import_args(&source, &args, Some(&out)));
            assert!(said.contains("as a step-0 snapshot of preset"), "{said}");
            assert!(
                said.contains("optimiser state is fresh (Adam moments at zero)"),
                "{said}"
            );
            let imported = snapshot_of(&out);
            assert_eq!(weight_bits(&imported), weight_bits(&original), "{label}");
            assert_eq!((imported.step, imported.samples), (0, 0));
            assert_eq!(
                imported.optimizer,
                net.trainer().optimizer,
                "not a fresh optimiser"
            );
            assert_eq!(
                std::fs::read_to_string(out.join("config.toml")).unwrap(),
                std::fs::read_to_string(run.join("config.toml")).unwrap()
            );
            assert_eq!(evaluation(base, &out), want, "{} from {label}", net.label);
        }
    }
}

#[test]
fn an_imported_run_resumes_exports_and_records_its_source() {
    let base = tempfile::tempdir().unwrap();
    let base = base.path();
    let run = RELU_BN.trained_run(base);
    spheres_ok(base, &["export", arg(&run), "--format", "safetensors"]);
    let args = RELU_BN.args();
    let source = run.join("export/model.safetensors");
    // Without --out the run lands in runs/ under the working directory.
    spheres_ok(base, &import_args(&source, &args, None));
    let runs: Vec<PathBuf> = std::fs::read_dir(base.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let [imported] = &runs[..] else {
        panic!("{runs:?}")
    };
    let name = imported.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("quick-import-20"), "{name}");
    let o = spheres(
        base,
        &["resume", arg(imported), "--headless", "--steps", "20"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("loaded step 0"));
    assert_eq!(snapshot_of(imported).step, 20);
    spheres_ok(base, &["export", arg(imported), "--format", "npy"]);
    let csv = std::fs::read_to_string(imported.join("export/metrics.csv")).unwrap();
    let first = csv.lines().nth(1).unwrap();
    assert!(first.contains(",Imported,"), "{csv}");
    assert!(first.contains(arg(&source)), "{first}");
    assert!(imported.join("export/4.num_batches_tracked.npy").exists());
}

/// A tensor list to write, editable per test.
enum Data {
    F32(Vec<f32>),
    I64(Vec<i64>),
}

type Tensors = Vec<(String, Vec<usize>, Data)>;

fn tensors_of(net: Net) -> Tensors {
    net.trainer()
        .model
        .tensors()
        .into_iter()
        .map(|(name, shape, data)| (name, shape, Data::F32(data.to_vec())))
        .collect()
}

fn write(path: &Path, tensors: &Tensors) {
    let list: Vec<Tensor> = tensors
        .iter()
        .map(|(name, shape, data)| Tensor {
            name,
            shape,
            values: match data {
                Data::F32(v) => Values::F32(v),
                Data::I64(v) => Values::I64(v),
            },
        })
        .collect();
    std::fs::write(path, safetensors_bytes(path, &list, &[]).unwrap()).unwrap();
}

/// Imports `tensors` with `net`'s config, once into runs/ and once into
/// --out: both must fail and leave nothing behind. Returns the message.
fn refused(tensors: &Tensors, net: &[String]) -> String {
    let base = tempfile::tempdir().unwrap();
    let base = base.path();
    let file = base.join("model.safetensors");
    write(&file, tensors);
    let out = base.join("out");
    let mut messages = Vec::new();
    for target in [None, Some(out.as_path())] {
        let o = spheres(base, &import_args(&file, net, target));
        assert!(!o.status.success(), "{target:?} was accepted");
        messages.push(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    assert!(
        !base.join("runs").exists() && !out.exists(),
        "a refused import wrote a run"
    );
    assert_eq!(messages[0], messages[1]);
    assert!(!messages[0].contains("panicked"), "{}", messages[0]);
    messages.remove(0)
}

fn with(name: &str, tensors: &mut Tensors, edit: impl FnOnce(&mut (String, Vec<usize>, Data))) {
    edit(tensors.iter_mut().find(|t| t.0 == name).unwrap());
}

#[test]
fn a_missing_tensor_is_refused_by_name() {
    let mut t = tensors_of(RELU_BN);
    t.retain(|t| t.0 != "4.running_var");
    let msg = refused(&t, &RELU_BN.args());
    assert!(
        msg.contains("tensor `4.running_var` is missing (the model needs shape [16])"),
        "{msg}"
    );
}

#[test]
fn an_unknown_tensor_is_refused_by_name() {
    let mut t = tensors_of(RELU_BN);
    t.push(("7.weight".into(), vec![1, 16], Data::F32(vec![0.0; 16])));
    let msg = refused(&t, &RELU_BN.args());
    assert!(
        msg.contains("unknown tensor `7.weight`; this model's tensors are 0.weight, 0.bias"),
        "{msg}"
    );
}

#[test]
fn a_shape_that_does_not_fit_the_config_is_refused_with_both_shapes() {
    let mut args = RELU_BN.args();
    args.extend(["--set".into(), "model.width=32".into()]);
    let msg = refused(&tensors_of(RELU_BN), &args);
    assert!(
        msg.contains("tensor `0.weight` has shape [16, 10], the configured model needs [32, 10]"),
        "{msg}"
    );
}

#[test]
fn an_integer_weight_is_refused_by_dtype() {
    let mut t = tensors_of(RELU_BN);
    with("3.bias", &mut t, |t| t.2 = Data::I64(vec![0; 16]));
    let msg = refused(&t, &RELU_BN.args());
    assert!(
        msg.contains("tensor `3.bias` is I64; weights are read as F32 or F64"),
        "{msg}"
    );
}

#[test]
fn a_non_finite_weight_is_refused_with_its_place() {
    let mut t = tensors_of(QUAD);
    with("W.weight", &mut t, |t| {
        if let Data::F32(v) = &mut t.2 {
            v[3] = f32::INFINITY;
        }
    });
    let msg = refused(&t, &QUAD.args());
    assert!(
        msg.contains("tensor `W.weight` holds inf at flat index 3"),
        "{msg}"
    );
}

#[test]
fn a_damaged_file_is_refused_by_name() {
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("model.safetensors");
    write(&file, &tensors_of(QUAD));
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 3]).unwrap();
    let o = spheres(base.path(), &import_args(&file, &QUAD.args(), None));
    let msg = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        msg.contains(&format!(
            "{}: not a readable safetensors file",
            file.display()
        )),
        "{msg}"
    );
    assert!(!base.path().join("runs").exists());
}

fn good_safetensors() -> Vec<u8> {
    let t = tensors_of(RELU_BN);
    let list: Vec<Tensor> = t
        .iter()
        .map(|(name, shape, data)| Tensor {
            name,
            shape,
            values: match data {
                Data::F32(v) => Values::F32(v),
                Data::I64(v) => Values::I64(v),
            },
        })
        .collect();
    safetensors_bytes(Path::new("m.safetensors"), &list, &[("step", "3")]).unwrap()
}

fn good_npy() -> Vec<u8> {
    let w: Vec<f32> = (0..24).map(|i| i as f32 / 7.0).collect();
    npy_bytes(Path::new("w.npy"), &[4, 6], Values::F32(&w)).unwrap()
}

#[test]
fn every_truncation_is_refused_naming_the_file() {
    let st = good_safetensors();
    for len in 0..st.len() {
        let err = parse_safetensors(&st[..len], Path::new("cut.safetensors")).unwrap_err();
        assert!(
            err.to_string().starts_with("cut.safetensors: "),
            "{len}: {err}"
        );
    }
    let npy = good_npy();
    for len in 0..npy.len() {
        let err = parse_npy(&npy[..len], Path::new("cut.npy"), "w").unwrap_err();
        assert!(err.to_string().starts_with("cut.npy: "), "{len}: {err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Flipped bits and cuts anywhere: an error naming the file, or a
    /// reading whose tensors match their declared shapes; never a panic.
    #[test]
    fn damaged_bytes_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..6),
        cut in any::<prop::sample::Index>(),
        npy in any::<bool>(),
    ) {
        let mut bytes = if npy { good_npy() } else { good_safetensors() };
        for (at, bit) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        let keep = cut.index(bytes.len() + 1).max(bytes.len() * 3 / 4);
        bytes.truncate(keep);
        let name = if npy { "x.npy" } else { "x.safetensors" };
        let read = if npy {
            parse_npy(&bytes, Path::new(name), "w").map(|t| vec![t])
        } else {
            parse_safetensors(&bytes, Path::new(name))
        };
        match read {
            Ok(tensors) => {
                for t in tensors {
                    let count: usize = t.shape.iter().product();
                    prop_assert_eq!(t.data.count().unwrap_or(count), count);
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with(name), "{}", e),
        }
    }
}
