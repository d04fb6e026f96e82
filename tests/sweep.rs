//! A tiny sweep end to end through the binary: the files it leaves, the
//! report drawn from them, the bound it must respect, and resumption.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SWEEP: &[&str] = &[
    "--sizes",
    "200,online",
    "--steps",
    "60",
    "--checkpoints",
    "2",
    "--set",
    "data.n=10",
    "--set",
    "model.width=16",
    "--set",
    "model.hidden=12",
    "--set",
    "eval.samples=20000",
    "--set",
    "attack.starts=12",
    "--set",
    "attack.steps=300",
    "--threads",
    "1",
];

fn spheres(args: &[&str], out: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    text
}

fn sweep(out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["sweep"];
    args.extend_from_slice(SWEEP);
    args.extend_from_slice(extra);
    spheres(&args, out)
}

fn report(dir: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_spheres"))
        .arg("report")
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(dir.join("report.md")).unwrap()
}

fn checkpoints(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let metrics = entry.unwrap().path().join("metrics.jsonl");
        let Ok(text) = std::fs::read_to_string(&metrics) else {
            continue;
        };
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["kind"] == "Checkpoint" {
                out.push(v);
            }
        }
    }
    out
}

/// The newest Checkpoint record of a point.
fn last_checkpoint(point: &Path) -> Value {
    let text = std::fs::read_to_string(point.join("metrics.jsonl")).unwrap();
    text.lines()
        .rev()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["kind"] == "Checkpoint")
        .expect("a checkpoint record")
}

/// A record without its throughput figures, which differ run to run.
fn without_timings(mut v: Value) -> Value {
    for sphere in ["inner", "outer"] {
        if let Some(d) = v["measurement"]["d_e"][sphere].as_object_mut() {
            d.remove("searches_per_s");
        }
    }
    v
}

fn assert_png(path: &Path, size: (u32, u32)) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!((be(16), be(20)), size, "{}", path.display());
}

fn assert_svg(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
        "{}",
        path.display()
    );
    assert_eq!(text.matches("<svg").count(), text.matches("</svg>").count());
}

fn size_label(size: u64) -> String {
    match size {
        0 => "online".into(),
        s => s.to_string(),
    }
}

#[test]
fn tiny_sweep_reports_its_own_numbers_respects_the_bound_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");

    // One point alone first, as a job-array task would run it.
    let first = sweep(&dir, &["--point", "1"]);
    assert!(
        first.contains("point 1 relu-online: trained 60 steps"),
        "{first}"
    );
    let listed = sweep(&dir, &["--list"]);
    assert_eq!(listed.lines().count(), 7, "{listed}");
    assert!(listed.lines().nth(1).unwrap().contains("done"), "{listed}");
    assert!(
        listed.lines().next().unwrap().contains("pending"),
        "{listed}"
    );

    let all = sweep(&dir, &[]);
    assert!(
        all.contains("6 point(s) trained") && all.contains("1 skipped"),
        "{all}"
    );

    let md = report(&dir);
    let figures = dir.join("figures");
    for (name, size) in [
        ("central", (1000, 700)),
        ("alphas", (1000, 560)),
        ("perfect-init", (1000, 700)),
        ("slices", (1500, 560)),
    ] {
        assert_svg(&figures.join(format!("{name}.svg")));
        assert_png(&figures.join(format!("{name}.png")), size);
        assert!(
            md.contains(&format!("figures/{name}.png")),
            "{name} missing from report"
        );
    }

    let points = checkpoints(&dir);
    // 3 models x 2 sizes x 2 checkpoints
    assert_eq!(points.len(), 12);
    let mut measured = 0;
    for c in &points {
        let prefix = format!(
            "| {} | {} | {} | {} / {} |",
            c["model"].as_str().unwrap(),
            size_label(c["train_size"].as_u64().unwrap()),
            c["step"],
            c["measurement"]["inner"]["errors"],
            c["measurement"]["inner"]["samples"]
        );
        let row = md.lines().find(|l| l.starts_with(&prefix));
        let row = row.unwrap_or_else(|| panic!("no table row {prefix}"));
        let m = &c["measurement"];
        let inner = &m["d_e"]["inner"];
        if inner.is_null() {
            // Only a net whose exact inner error rate is 0 skips the search.
            assert_eq!(m["inner"]["exact"], 0.0, "{c}");
            continue;
        }
        // Every start is counted: one bound per start whenever any found.
        let starts = inner["starts"].as_u64().unwrap() as usize;
        let Some(d) = inner["mean"].as_f64() else {
            assert!(row.contains("none found"), "{row}");
            continue;
        };
        assert_eq!(inner["distances"].as_array().unwrap().len(), starts);
        measured += 1;
        let se = inner["se"].as_f64().unwrap_or(0.0);
        assert!(
            row.contains(&format!("{d:.4} ± {:.4}", 2.0 * se)),
            "{row} vs {d}"
        );
        if let Some(b) = m["bound"]["inner"]["cap"].as_f64() {
            assert!(row.contains(&format!("{b:.4}")), "{row} vs bound {b}");
        }
        // Quadratic nets are placed at their exact rate.
        if c["model"] == "quad" {
            assert_eq!(m["inner"]["mu"]["source"], "exact", "{c}");
        }
        let bound = inner["bound_at_lo"]["cap"]
            .as_f64()
            .unwrap_or(f64::INFINITY);
        let allowed = bound + 2.0 * se + inner["resolution"].as_f64().unwrap();
        // An upper estimate may exceed the bound through the attack's
        // looseness; at this size it does not.
        assert!(
            d <= allowed,
            "d(E) {d} above the cap bound {bound} beyond noise: {c}"
        );
    }
    assert!(
        measured >= 6,
        "only {measured} checkpoints had a d(E) estimate"
    );
    assert!(
        md.contains("beyond their estimation uncertainty") && md.contains("**0**"),
        "{md}"
    );

    // Done points are skipped and left as they were.
    let before = std::fs::read(dir.join("quad-online/metrics.jsonl")).unwrap();
    let again = sweep(&dir, &[]);
    assert!(
        again.contains("0 point(s) trained (0 steps), 7 skipped"),
        "{again}"
    );
    // A point interrupted after its last snapshot resumes there: no step
    // is trained twice and no record is written twice.
    std::fs::remove_file(dir.join("quad-online/done")).unwrap();
    let resumed = sweep(&dir, &[]);
    assert!(
        resumed.contains("quad-online: trained 0 steps"),
        "{resumed}"
    );
    assert!(resumed.contains("6 skipped"), "{resumed}");
    assert_eq!(
        std::fs::read(dir.join("quad-online/metrics.jsonl")).unwrap(),
        before
    );

    // Interrupted mid-point: back to the first checkpoint's snapshot. The
    // resumed training must measure exactly what the uninterrupted one did.
    let point = dir.join("relu-online");
    let original = last_checkpoint(&point);
    let snaps = point.join("snapshots");
    let mut names: Vec<String> = std::fs::read_dir(&snaps)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    std::fs::remove_file(snaps.join(&names[1])).unwrap();
    std::fs::write(snaps.join("latest"), format!("{}\n", names[0])).unwrap();
    std::fs::remove_file(point.join("done")).unwrap();
    let resumed = sweep(&dir, &[]);
    assert!(
        resumed.contains("relu-online: trained 30 steps"),
        "{resumed}"
    );
    let again = last_checkpoint(&point);
    let original = without_timings(original);
    for field in ["step", "measurement", "train_loss"] {
        assert_eq!(
            without_timings(again.clone())[field],
            original[field],
            "{field}"
        );
    }

    // The same directory with another plan is refused, naming the file.
    let args: Vec<&str> = std::iter::once("sweep")
        .chain(SWEEP.iter().map(|a| if *a == "60" { "61" } else { a }))
        .collect();
    let o = Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(&args)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("sweep.toml"), "{err}");
}

/// One small point, long enough that a signal lands mid-training.
const LONG: &[&str] = &[
    "sweep",
    "--models",
    "relu",
    "--sizes",
    "online",
    "--steps",
    "120000",
    "--checkpoints",
    "2",
    "--set",
    "data.n=10",
    "--set",
    "model.width=16",
    "--set",
    "eval.samples=4096",
    "--set",
    "attack.starts=8",
    "--set",
    "attack.steps=100",
    "--set",
    "run.autosave_min=0",
    "--threads",
    "1",
];

#[test]
fn sigterm_mid_training_saves_exits_143_and_resumes_exactly() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let tmp = tempfile::tempdir().unwrap();
    let (reference, cut) = (tmp.path().join("reference"), tmp.path().join("cut"));
    spheres(LONG, &reference);

    let mut child = Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(LONG)
        .arg("--out")
        .arg(&cut)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let point = cut.join("relu-online");
    let started = Instant::now();
    // The first checkpoint (step 60000) is logged: training is half done.
    let logged = || {
        std::fs::read_to_string(point.join("metrics.jsonl"))
            .is_ok_and(|t| t.contains("\"kind\":\"Checkpoint\""))
    };
    while !logged() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no checkpoint logged"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "no exit within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(exit.code(), Some(143), "{err}");
    assert!(
        err.contains("SIGTERM") && err.contains("snapshot saved"),
        "{err}"
    );
    assert!(!point.join("done").exists());

    // The snapshot is at the last logged step, mid-training.
    let text = std::fs::read_to_string(point.join("metrics.jsonl")).unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "Progress", "{last}");
    let latest = std::fs::read_to_string(point.join("snapshots/latest")).unwrap();
    let snap_step: u64 = latest.trim().trim_end_matches(".snap").parse().unwrap();
    assert_eq!(Some(snap_step), last["step"].as_u64());
    assert!(snap_step > 60_000 && snap_step < 120_000, "{snap_step}");

    // Rerunning resumes it and records exactly what the uninterrupted run did.
    let resumed = spheres(LONG, &cut);
    assert!(
        resumed.contains(&format!("trained {} steps", 120_000 - snap_step)),
        "{resumed}"
    );
    let want = without_timings(last_checkpoint(&reference.join("relu-online")));
    let got = without_timings(last_checkpoint(&point));
    for field in ["step", "measurement", "train_loss"] {
        assert_eq!(got[field], want[field], "{field}");
    }
    // A different training thread count would change the numbers: refused.
    let args: Vec<&str> = LONG
        .iter()
        .map(|a| if *a == "1" { "2" } else { a })
        .collect();
    let o = Command::new(env!("CARGO_BIN_EXE_spheres"))
        .args(&args)
        .arg("--out")
        .arg(&cut)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("--threads 1"), "{err}");
}
