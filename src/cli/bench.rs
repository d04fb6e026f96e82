//! `spheres bench`: training throughput on the paper's models, data
//! generation included, as medians over repeated timed windows.

use std::time::Instant;

use anyhow::bail;

use super::args::BenchArgs;
use crate::attack::{ErrorEstimator, ManifoldParams, Mode, inner_starts, manifold_attack};
use crate::config::preset;
use crate::stats::median;
use crate::train::Trainer;

/// One measurement. `samples_per_s` counts training samples (train),
/// evaluated points (eval) or attack gradient steps (attack); `batch` is 0
/// where it does not apply.
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

/// Monte Carlo evaluation (forward only, large chunks) of relu-paper:
/// points per second.
fn measure_eval(threads: usize, repeats: usize, seconds: f64) -> anyhow::Result<BenchResult> {
    let c = preset("relu-paper")?.config;
    let t = Trainer::new(c.clone(), "relu-paper");
    let mut est = ErrorEstimator::new(c.seed, c.data.radius as f32);
    est.run(&t.model, 0, 0, 20_000, threads)?;
    let runs = (0..repeats.max(1))
        .map(|r| {
            // A new version per repeat restarts the estimator's count.
            let start = Instant::now();
            while start.elapsed().as_secs_f64() < seconds {
                est.run(&t.model, 1 + r as u64, 0, 50_000, threads)?;
            }
            Ok(est.samples() as f64 / start.elapsed().as_secs_f64())
        })
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(BenchResult {
        work: "eval",
        model: "relu".into(),
        batch: 0,
        threads,
        samples_per_s: median(&runs),
        repeats: runs,
    })
}

/// Manifold attack on relu-paper: gradient steps per second, every start
/// spending its whole budget (worst-case mode). A nearest-error search of
/// the paper's budget (1000 steps) costs at most 1000 of them.
fn measure_attack(threads: usize, repeats: usize) -> anyhow::Result<BenchResult> {
    let c = preset("relu-paper")?.config;
    let t = Trainer::new(c.clone(), "relu-paper");
    let starts = inner_starts(c.seed, c.data.n, 32);
    let labels = vec![0.0; 32];
    let params = ManifoldParams {
        max_steps: 50,
        mode: Mode::WorstCase,
        ..ManifoldParams::default()
    };
    let runs = (0..repeats.max(1))
        .map(|_| {
            let start = Instant::now();
            manifold_attack(&t.model, starts.view(), &labels, &params, threads)?;
            Ok((32 * params.max_steps) as f64 / start.elapsed().as_secs_f64())
        })
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(BenchResult {
        work: "attack",
        model: "relu".into(),
        batch: 0,
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
    let works = or(&a.work, &["train", "eval", "attack"]);
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
    let print = |r: &BenchResult| -> anyhow::Result<()> {
        if a.json {
            println!("{}", serde_json::to_string(r)?);
        } else {
            let reps: Vec<String> = r.repeats.iter().map(|v| format!("{v:.0}")).collect();
            let batch = if r.batch == 0 {
                "-".to_string()
            } else {
                r.batch.to_string()
            };
            println!(
                "{:<7} {:<6} {:>6} {:>8} {:>14.0}   {}",
                r.work,
                r.model,
                batch,
                r.threads,
                r.samples_per_s,
                reps.join(" ")
            );
        }
        Ok(())
    };
    if !a.json {
        println!(
            "{:<7} {:<6} {:>6} {:>8} {:>14}   repeats",
            "work", "model", "batch", "threads", "per second"
        );
    }
    for work in &works {
        match work.as_str() {
            "train" => {
                for m in &models {
                    for &b in &batches {
                        for &th in &threads {
                            print(&measure(m, b, th, a.repeats, a.seconds)?)?;
                        }
                    }
                }
            }
            // Evaluation and attacks are measured on relu-paper, the model
            // whose error rate sampling cannot see.
            "eval" if models.iter().any(|m| m == "relu") => {
                for &th in &threads {
                    print(&measure_eval(th, a.repeats, a.seconds)?)?;
                }
            }
            "attack" if models.iter().any(|m| m == "relu") => {
                for &th in &threads {
                    print(&measure_attack(th, a.repeats)?)?;
                }
            }
            "eval" | "attack" => {}
            // Rare-event estimates: shifted ReLU nets and n = 500 coverage;
            // `--repeats` is the number of seeds per coverage case.
            "rare" => super::bench_rare::bench_rare(&models, &a.threads, a.repeats, a.json)?,
            other => bail!("unknown --work {other}: expected train, eval, attack or rare"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_model_is_refused_by_name() {
        let e = measure("cnn", 50, 1, 1, 0.01).unwrap_err().to_string();
        assert!(e.contains("cnn") && e.contains("relu"), "{e}");
    }
}
