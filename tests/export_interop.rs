//! The exported files as NumPy reads them. Skipped, with the reason
//! printed, where python3 with numpy is not installed.

use std::path::Path;
use std::process::Command;

use spheres::run::export::{metrics_csv, write_npy, write_safetensors};

fn python_with_numpy() -> Option<()> {
    let probe = Command::new("python3")
        .args(["-c", "import numpy"])
        .output();
    match probe {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => {
            println!(
                "skipped: numpy not importable: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            None
        }
        Err(e) => {
            println!("skipped: python3 not runnable: {e}");
            None
        }
    }
}

fn run_python(script: &str, args: &[&Path]) {
    let out = Command::new("python3")
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
}

#[test]
fn numpy_reads_npy_and_safetensors_files() {
    if python_with_numpy().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("w.npy");
    let vec1 = dir.path().join("v.npy");
    let st = dir.path().join("m.safetensors");
    let w: Vec<f32> = (0..12).map(|i| i as f32 * 0.5 - 3.0).collect();
    let b = [f32::MIN_POSITIVE, -0.0, 1e30];
    write_npy(&npy, &[3, 4], &w).unwrap();
    write_npy(&vec1, &[3], &b).unwrap();
    write_safetensors(
        &st,
        &[("layer0.w", &[3, 4], &w), ("layer0.b", &[3], &b)],
        &[("step", "17")],
    )
    .unwrap();

    let script = r#"
import json, struct, sys
import numpy as np
w = np.arange(12, dtype=np.float32).reshape(3, 4) * np.float32(0.5) - np.float32(3)
b = np.array([np.finfo(np.float32).tiny, -0.0, 1e30], dtype=np.float32)
a = np.load(sys.argv[1])
assert a.dtype == np.dtype('<f4') and a.shape == (3, 4), (a.dtype, a.shape)
assert np.array_equal(a, w), a
v = np.load(sys.argv[2])
assert v.shape == (3,) and np.array_equal(v, b), v
raw = open(sys.argv[3], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
assert header['__metadata__'] == {'step': '17'}, header
data = raw[8 + n:]
for name, want in [('layer0.w', w), ('layer0.b', b)]:
    t = header[name]
    assert t['dtype'] == 'F32' and tuple(t['shape']) == want.shape, t
    lo, hi = t['data_offsets']
    got = np.frombuffer(data[lo:hi], dtype='<f4').reshape(t['shape'])
    assert np.array_equal(got, want), (name, got)
"#;
    run_python(script, &[&npy, &vec1, &st]);
}

#[test]
fn csv_of_the_metrics_log_parses_back_with_numpy() {
    if python_with_numpy().is_none() {
        return;
    }
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
    run_python(script, &[&csv]);
}
