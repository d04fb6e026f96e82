//! Exports as the libraries people use read them: Hugging Face's
//! `safetensors` package and numpy, in the interpreter `SPHERES_PYTHON`
//! names (default `python3`). `.ci/run` installs both in a venv; where they
//! are missing, `tools::available` decides between skipping and failing.

mod tools;
mod trained;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use spheres::run::export::{Tensor, Values, metrics_csv, write_npy, write_safetensors};
use spheres::run::import::{TensorData, parse_npy};
use trained::{Net, QUAD, RELU_BN, RELU_PLAIN, STEPS, arg, logits, model_of, points, spheres_ok};

const PYTHON_ENV: &str = "SPHERES_PYTHON";
const INSTALL: &str = "python3 -m venv target/py-venv && target/py-venv/bin/pip install safetensors numpy, \
     then SPHERES_PYTHON=target/py-venv/bin/python cargo test --release (.ci/run does this)";

/// The interpreter, once it has been seen to import numpy and safetensors.
fn python() -> Option<PathBuf> {
    let exe = std::env::var_os(PYTHON_ENV).map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let probe = match Command::new(&exe)
        .args(["-c", "import numpy, safetensors.numpy"])
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr)
            .lines()
            .last()
            .unwrap_or("import failed")
            .to_string()),
        Err(e) => Err(format!("cannot run it: {e}")),
    };
    let what = format!("{} with numpy and safetensors", exe.display());
    tools::available(&what, probe, INSTALL).then_some(exe)
}

/// Runs `script` with `args`; returns its stdout.
fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What PyTorch's `state_dict()` of the docs/spheres_model.py model of
/// the same shape holds, as (name, numpy dtype, shape).
type Golden = &'static [(&'static str, &'static str, &'static [usize])];

/// `relu_net(10, 16, 2)`: [Linear, BatchNorm1d, ReLU] * 2 + [Linear].
const RELU_BN_KEYS: Golden = &[
    ("0.weight", "float32", &[16, 10]),
    ("0.bias", "float32", &[16]),
    ("1.weight", "float32", &[16]),
    ("1.bias", "float32", &[16]),
    ("1.running_mean", "float32", &[16]),
    ("1.running_var", "float32", &[16]),
    ("1.num_batches_tracked", "int64", &[]),
    ("3.weight", "float32", &[16, 16]),
    ("3.bias", "float32", &[16]),
    ("4.weight", "float32", &[16]),
    ("4.bias", "float32", &[16]),
    ("4.running_mean", "float32", &[16]),
    ("4.running_var", "float32", &[16]),
    ("4.num_batches_tracked", "int64", &[]),
    ("6.weight", "float32", &[1, 16]),
    ("6.bias", "float32", &[1]),
];

/// `relu_net(10, 16, 2, batch_norm=False)`: [Linear, ReLU] * 2 + [Linear].
const RELU_PLAIN_KEYS: Golden = &[
    ("0.weight", "float32", &[16, 10]),
    ("0.bias", "float32", &[16]),
    ("2.weight", "float32", &[16, 16]),
    ("2.bias", "float32", &[16]),
    ("4.weight", "float32", &[1, 16]),
    ("4.bias", "float32", &[1]),
];

/// `QuadNet(10, 12)`.
const QUAD_KEYS: Golden = &[
    ("W.weight", "float32", &[12, 10]),
    ("w", "float32", &[1]),
    ("b", "float32", &[1]),
];

type Described = BTreeMap<String, (String, Vec<usize>)>;

fn golden(keys: Golden) -> Described {
    keys.iter()
        .map(|(k, d, s)| (k.to_string(), (d.to_string(), s.to_vec())))
        .collect()
}

const DESCRIBE: &str = r#"
import json, os, sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file
st = load_file(sys.argv[1])
with safe_open(sys.argv[1], framework="np") as f:
    metadata = f.metadata()
npy = {f[:-4]: np.load(os.path.join(sys.argv[2], f)) for f in os.listdir(sys.argv[2]) if f.endswith(".npy")}
describe = lambda d: {k: [str(v.dtype), list(v.shape)] for k, v in d.items()}
counters = sorted({int(v) for d in (st, npy) for k, v in d.items() if k.endswith("num_batches_tracked")})
print(json.dumps({"safetensors": describe(st), "npy": describe(npy), "metadata": metadata, "counters": counters}))
"#;

/// Both export formats of a trained run, as the Python libraries see them.
fn exported(python: &Path, base: &Path, net: Net) -> (PathBuf, serde_json::Value) {
    let run = net.trained_run(base);
    let npy = run.join("npy");
    spheres_ok(base, &["export", arg(&run), "--format", "safetensors"]);
    spheres_ok(
        base,
        &["export", arg(&run), "--format", "npy", "--out", arg(&npy)],
    );
    let st = run.join("export/model.safetensors");
    let seen = run_python(python, DESCRIBE, &[arg(&st), arg(&npy)]);
    (st, serde_json::from_str(&seen).unwrap())
}

fn described(v: &serde_json::Value) -> Described {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn exported_keys_and_dtypes_are_pytorchs_state_dict() {
    let Some(python) = python() else { return };
    let base = tempfile::tempdir().unwrap();
    for (net, keys, kind) in [
        (RELU_BN, RELU_BN_KEYS, "relu"),
        (RELU_PLAIN, RELU_PLAIN_KEYS, "relu"),
        (QUAD, QUAD_KEYS, "quad"),
    ] {
        let (_, seen) = exported(&python, base.path(), net);
        let want = golden(keys);
        assert_eq!(described(&seen["safetensors"]), want, "{}", net.label);
        assert_eq!(described(&seen["npy"]), want, "{} as .npy", net.label);
        assert_eq!(seen["metadata"]["model"], kind, "{seen}");
        assert_eq!(seen["metadata"]["step"], STEPS.to_string(), "{seen}");
        let counters = if keys.iter().any(|k| k.1 == "int64") {
            serde_json::json!([STEPS])
        } else {
            serde_json::json!([])
        };
        assert_eq!(seen["counters"], counters, "{}", net.label);
    }
}

/// The forward pass written out in numpy (float64) from the loaded
/// weights alone, with PyTorch's batch-norm formula (eps 1e-5).
const FORWARD: &str = r#"
import sys
import numpy as np
from safetensors.numpy import load_file
w = {k: v.astype(np.float64) for k, v in load_file(sys.argv[1]).items()}
x = np.load(sys.argv[2]).astype(np.float64)
if "W.weight" in w:
    y = w["w"].reshape(()) * ((x @ w["W.weight"].T) ** 2).sum(1) + w["b"].reshape(())
else:
    linears = sorted({int(k.split(".")[0]) for k in w if k.endswith(".bias") and k[:-5] + ".running_mean" not in w})
    h = x
    for i in linears[:-1]:
        h = h @ w[f"{i}.weight"].T + w[f"{i}.bias"]
        if f"{i + 1}.running_mean" in w:
            bn = lambda s: w[f"{i + 1}.{s}"]
            h = (h - bn("running_mean")) / np.sqrt(bn("running_var") + 1e-5) * bn("weight") + bn("bias")
        h = np.maximum(h, 0.0)
    o = linears[-1]
    y = (h @ w[f"{o}.weight"].T + w[f"{o}.bias"])[:, 0]
np.save(sys.argv[3], y)
"#;

/// numpy's logits of the model in `safetensors` on `x`.
fn numpy_logits(
    python: &Path,
    safetensors: &Path,
    x: &ndarray::Array2<f32>,
    dir: &Path,
) -> Vec<f64> {
    let points = dir.join("points.npy");
    let out = dir.join("logits.npy");
    write_npy(
        &points,
        &[x.nrows(), x.ncols()],
        Values::F32(x.as_slice().unwrap()),
    )
    .unwrap();
    run_python(
        python,
        FORWARD,
        &[arg(safetensors), arg(&points), arg(&out)],
    );
    let bytes = std::fs::read(&out).unwrap();
    match parse_npy(&bytes, &out, "logits").unwrap().data {
        TensorData::F64(v) => v,
        other => panic!("numpy wrote {}", other.dtype()),
    }
}

/// Largest |a - b| / (1 + |b|): f32 arithmetic against float64.
fn worst_gap(spheres: &[f32], numpy: &[f64]) -> f64 {
    assert_eq!(spheres.len(), numpy.len());
    spheres
        .iter()
        .zip(numpy)
        .map(|(&a, &b)| (f64::from(a) - b).abs() / (1.0 + b.abs()))
        .fold(0.0, f64::max)
}

/// f32 rounding in these 16-wide nets gives gaps of at most 4e-7 here; a
/// wrong formula, weight or batch-norm eps is off by far more.
const TOLERANCE: f64 = 1e-5;

#[test]
fn a_numpy_forward_pass_over_the_export_equals_spheres_logits() {
    let Some(python) = python() else { return };
    let base = tempfile::tempdir().unwrap();
    for net in [RELU_BN, RELU_PLAIN, QUAD] {
        let (st, _) = exported(&python, base.path(), net);
        let model = model_of(&base.path().join(net.label));
        let x = points(10, 256);
        let ours = logits(&model, &x);
        let theirs = numpy_logits(&python, &st, &x, base.path());
        let gap = worst_gap(&ours, &theirs);
        assert!(gap < TOLERANCE, "{}: logits differ by {gap:e}", net.label);
        let spread = theirs.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(
            spread > 1e-3,
            "{}: logits all near zero, a weak check",
            net.label
        );
    }
}

/// Weights made in numpy, saved by the reference writers: safetensors'
/// `save_file` (with F64 for one tensor) and `np.save` (one array in
/// Fortran order), with PyTorch's I64 batch counters.
const MAKE_FOREIGN: &str = r#"
import os, sys
import numpy as np
from safetensors.numpy import save_file
rng = np.random.default_rng(7)
shapes = {"0.weight": (16, 10), "0.bias": (16,), "1.weight": (16,), "1.bias": (16,),
          "1.running_mean": (16,), "1.running_var": (16,), "3.weight": (16, 16), "3.bias": (16,),
          "4.weight": (16,), "4.bias": (16,), "4.running_mean": (16,), "4.running_var": (16,),
          "6.weight": (1, 16), "6.bias": (1,)}
sd = {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}
for k in ("1.running_var", "4.running_var"):
    sd[k] = rng.uniform(0.2, 3.0, size=16).astype(np.float32)
sd["3.weight"] = sd["3.weight"].astype(np.float64)
for k in ("1.num_batches_tracked", "4.num_batches_tracked"):
    sd[k] = np.array(123, dtype=np.int64)
save_file(sd, sys.argv[1])
os.makedirs(sys.argv[2])
for k, v in sd.items():
    np.save(os.path.join(sys.argv[2], k + ".npy"), np.asfortranarray(v) if k == "0.weight" else v)
assert np.load(os.path.join(sys.argv[2], "0.weight.npy")).flags.f_contiguous
"#;

#[test]
fn weights_saved_by_numpy_and_safetensors_import_as_the_same_function() {
    let Some(python) = python() else { return };
    let base = tempfile::tempdir().unwrap();
    let st = base.path().join("foreign.safetensors");
    let npy = base.path().join("foreign-npy");
    run_python(&python, MAKE_FOREIGN, &[arg(&st), arg(&npy)]);
    let x = points(10, 256);
    let theirs = numpy_logits(&python, &st, &x, base.path());
    for (source, label) in [(&st, "from-safetensors"), (&npy, "from-npy")] {
        let out = base.path().join(label);
        let mut args = vec!["import", arg(source), "--out", arg(&out)];
        let net = RELU_BN.args();
        args.extend(net.iter().map(String::as_str));
        let said = spheres_ok(base.path(), &args);
        assert!(
            said.contains("converted from F64 to F32: 3.weight"),
            "{said}"
        );
        let gap = worst_gap(&logits(&model_of(&out), &x), &theirs);
        assert!(gap < TOLERANCE, "{label}: logits differ by {gap:e}");
    }
}

#[test]
fn pytorch_loads_the_export_strictly_where_it_is_installed() {
    let Some(python) = python() else { return };
    let has_torch = Command::new(&python)
        .args(["-c", "import torch, safetensors.torch"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_torch {
        // CI installs no torch (it is large); the key-list and numpy tests
        // above cover what a strict load checks.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: torch is not installed: strict load_state_dict of docs/spheres_model.py not run"
        );
        return;
    }
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let script = r#"
import sys
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
from spheres_model import QuadNet, relu_net
from safetensors.torch import load_file
model = QuadNet(10, 12) if sys.argv[2] == "quad" else relu_net(10, 16, 2, batch_norm=sys.argv[2] == "relu-bn")
model.load_state_dict(load_file(sys.argv[3]))
model.eval()
with torch.no_grad():
    y = model(torch.from_numpy(np.load(sys.argv[4])))
np.save(sys.argv[5], y.double().numpy()[:, 0])
"#;
    let base = tempfile::tempdir().unwrap();
    for net in [RELU_BN, RELU_PLAIN, QUAD] {
        let (st, _) = exported(&python, base.path(), net);
        let x = points(10, 64);
        let points_path = base.path().join("points.npy");
        let out = base.path().join("torch.npy");
        write_npy(&points_path, &[64, 10], Values::F32(x.as_slice().unwrap())).unwrap();
        run_python(
            &python,
            script,
            &[
                arg(&docs),
                net.label,
                arg(&st),
                arg(&points_path),
                arg(&out),
            ],
        );
        let TensorData::F64(theirs) = parse_npy(&std::fs::read(&out).unwrap(), &out, "y")
            .unwrap()
            .data
        else {
            panic!("torch wrote another dtype")
        };
        let ours = logits(&model_of(&base.path().join(net.label)), &x);
        let gap = worst_gap(&ours, &theirs);
        assert!(
            gap < TOLERANCE,
            "{}: torch's logits differ by {gap:e}",
            net.label
        );
    }
}

#[test]
fn numpy_reads_npy_and_safetensors_files() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("w.npy");
    let vec1 = dir.path().join("v.npy");
    let st = dir.path().join("m.safetensors");
    let w: Vec<f32> = (0..12).map(|i| i as f32 * 0.5 - 3.0).collect();
    let b = [f32::MIN_POSITIVE, -0.0, 1e30];
    write_npy(&npy, &[3, 4], Values::F32(&w)).unwrap();
    write_npy(&vec1, &[3], Values::F32(&b)).unwrap();
    let count = [-5i64];
    write_safetensors(
        &st,
        &[
            Tensor {
                name: "layer0.w",
                shape: &[3, 4],
                values: Values::F32(&w),
            },
            Tensor {
                name: "layer0.b",
                shape: &[3],
                values: Values::F32(&b),
            },
            Tensor {
                name: "count",
                shape: &[],
                values: Values::I64(&count),
            },
        ],
        &[("step", "17")],
    )
    .unwrap();
    let script = r#"
import sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file
w = np.arange(12, dtype=np.float32).reshape(3, 4) * np.float32(0.5) - np.float32(3)
b = np.array([np.finfo(np.float32).tiny, -0.0, 1e30], dtype=np.float32)
a = np.load(sys.argv[1])
assert a.dtype == np.dtype('<f4') and a.shape == (3, 4), (a.dtype, a.shape)
assert np.array_equal(a, w), a
v = np.load(sys.argv[2])
assert v.shape == (3,) and np.array_equal(v, b) and np.signbit(v[1]), v
t = load_file(sys.argv[3])
assert sorted(t) == ['count', 'layer0.b', 'layer0.w'], sorted(t)
assert np.array_equal(t['layer0.w'], w) and np.array_equal(t['layer0.b'], b), t
assert t['count'].dtype == np.int64 and t['count'].shape == () and t['count'] == -5, t['count']
with safe_open(sys.argv[3], framework='np') as f:
    assert f.metadata() == {'step': '17'}, f.metadata()
"#;
    run_python(&python, script, &[arg(&npy), arg(&vec1), arg(&st)]);
}

#[test]
fn csv_of_the_metrics_log_parses_back_with_numpy() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("metrics.jsonl");
    let csv = dir.path().join("metrics.csv");
    std::fs::write(
        &jsonl,
        "{\"wall\":1.0,\"kind\":\"Step\",\"step\":1,\"loss\":0.25}\n{\"wall\":2.0,\"kind\":\"Step\",\"step\":2,\"loss\":0.125}\n",
    )
    .unwrap();
    assert_eq!(metrics_csv(&jsonl, &csv).unwrap(), 2);
    let script = r#"
import sys
import numpy as np
t = np.genfromtxt(sys.argv[1], delimiter=',', names=True, dtype=None, encoding='utf-8')
assert list(t.dtype.names) == ['wall', 'kind', 'loss', 'step'], t.dtype.names
assert list(t['loss']) == [0.25, 0.125] and list(t['step']) == [1, 2], t
"#;
    run_python(&python, script, &[arg(&csv)]);
}
