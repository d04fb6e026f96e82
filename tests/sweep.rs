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
            c["inner"]["errors"],
            c["inner"]["samples"]
        );
        let row = md.lines().find(|l| l.starts_with(&prefix));
        let row = row.unwrap_or_else(|| panic!("no table row {prefix}"));
        let Some(d) = c["mean_distance"].as_f64() else {
            assert!(row.contains("none found"), "{row}");
            continue;
        };
        measured += 1;
        let se = c["distance_se"].as_f64().unwrap_or(0.0);
        assert!(
            row.contains(&format!("{d:.4} ± {:.4}", 2.0 * se)),
            "{row} vs {d}"
        );
        if let Some(b) = c["bound_cap"].as_f64() {
            assert!(row.contains(&format!("{b:.4}")), "{row} vs bound {b}");
        }
        let bound = c["bound_cap_exact"]
            .as_f64()
            .or(c["bound_cap_at_lo"].as_f64())
            .unwrap_or(f64::INFINITY);
        let allowed = bound + 2.0 * se + c["resolution"].as_f64().unwrap();
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
    let last = |text: &str| -> Value {
        let line = text.lines().last().unwrap();
        serde_json::from_str(line).unwrap()
    };
    let original = last(&std::fs::read_to_string(point.join("metrics.jsonl")).unwrap());
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
    let again = last(&std::fs::read_to_string(point.join("metrics.jsonl")).unwrap());
    for field in [
        "step",
        "inner",
        "mean_distance",
        "distance_se",
        "train_loss",
    ] {
        assert_eq!(again[field], original[field], "{field}");
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
