//! `spheres bench`: training throughput on the paper's models, data
//! generation included, as medians over repeated timed windows.

use std::time::Instant;

use anyhow::bail;

use super::args::BenchArgs;
use crate::config::preset;
use crate::train::Trainer;

#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchResult {
    pub work: &'static str,
    pub model: String,
    pub batch: usize,
    pub threads: usize,
    pub samples_per_s: f64,
    /// Every repeat, so a reader can judge the noise.
    pub repeats: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

fn measure(
    model: &str,
    batch: usize,
    threads: usize,
    repeats: usize,
    seconds: f64,
) -> anyhow::Result<BenchResult> {
    let name = match model {
        "relu" => "relu-paper",
        "quad" => "quad-paper",
        other => bail!("unknown --model {other}: expected relu or quad"),
    };
    let mut c = preset(name)?.config;
    c.set("train.batch", &batch.to_string())?;
    c.set("train.threads", &threads.to_string())?;
    let mut t = Trainer::new(c, name);
    let warmup = Instant::now();
    while warmup.elapsed().as_secs_f64() < seconds.min(1.0) {
        t.step();
    }
    let runs = (0..repeats.max(1))
        .map(|_| {
            let start = Instant::now();
            let mut steps = 0u64;
            while start.elapsed().as_secs_f64() < seconds {
                t.step();
                steps += 1;
            }
            (steps * batch as u64) as f64 / start.elapsed().as_secs_f64()
        })
        .collect::<Vec<_>>();
    Ok(BenchResult {
        work: "train",
        model: model.into(),
        batch,
        threads,
        samples_per_s: median(&runs),
        repeats: runs,
    })
}

pub fn bench(a: BenchArgs) -> anyhow::Result<()> {
    let or = |v: &Vec<String>, d: &[&str]| {
        if v.is_empty() {
            d.iter().map(|s| s.to_string()).collect()
        } else {
            v.clone()
        }
    };
    let models = or(&a.model, &["relu", "quad"]);
    let batches = if a.batch.is_empty() {
        vec![50, 512]
    } else {
        a.batch.clone()
    };
    let threads = if a.threads.is_empty() {
        vec![1, 2]
    } else {
        a.threads.clone()
    };
    if !a.json {
        println!(
            "{:<6} {:>6} {:>8} {:>14}   repeats (samples/s)",
            "model", "batch", "threads", "samples/s"
        );
    }
    for m in &models {
        for &b in &batches {
            for &th in &threads {
                let r = measure(m, b, th, a.repeats, a.seconds)?;
                if a.json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    let reps: Vec<String> = r.repeats.iter().map(|v| format!("{v:.0}")).collect();
                    println!(
                        "{:<6} {:>6} {:>8} {:>14.0}   {}",
                        r.model,
                        r.batch,
                        r.threads,
                        r.samples_per_s,
                        reps.join(" ")
                    );
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn an_unknown_model_is_refused_by_name() {
        let e = measure("cnn", 50, 1, 1, 0.01).unwrap_err().to_string();
        assert!(e.contains("cnn") && e.contains("relu"), "{e}");
    }
}
