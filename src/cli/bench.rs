//! `spheres bench`: training throughput on the paper's models, data
//! generation included, as medians over repeated timed windows.

use std::time::Instant;

use anyhow::Context;
use clap::ValueEnum;

use super::args::{BenchArgs, BenchModel, BenchWork, value_name};
use crate::attack::estimator::CHUNK;
use crate::attack::{ErrorEstimator, ManifoldParams, Mode, inner_starts, manifold_attack};
use crate::config::preset;
use crate::data::Sphere;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};
use crate::stats::median;
use crate::stats::quadnet::QuadGeometry;
use crate::train::Trainer;

/// One measurement. `samples_per_s` counts training samples (train),
/// evaluated points (eval), attack gradient steps (attack), quadratic-net
/// eigendecompositions (eigen) or exact nearest-error distances (exact);
/// `batch` is 0 where it does not apply.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchResult {
    pub work: BenchWork,
    pub model: String,
    pub batch: usize,
    pub threads: usize,
    pub samples_per_s: f64,
    /// Every repeat, so a reader can judge the noise.
    pub repeats: Vec<f64>,
}

fn measure(
    model: BenchModel,
    batch: usize,
    threads: usize,
    repeats: usize,
    seconds: f64,
) -> anyhow::Result<BenchResult> {
    let name = match model {
        BenchModel::Relu => "relu-paper",
        BenchModel::Quad => "quad-paper",
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
        work: BenchWork::Train,
        model: value_name(&model),
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
    est.run(&t.model, 0, 20_000, threads)?;
    let runs = (0..repeats.max(1))
        .map(|r| {
            // A new version per repeat restarts the estimator's count.
            // Calls of 40 chunks end a window within a fraction of a
            // second of `seconds`.
            let start = Instant::now();
            while start.elapsed().as_secs_f64() < seconds {
                est.run(&t.model, 1 + r as u64, 40 * CHUNK as u64, threads)?;
            }
            Ok(est.samples() as f64 / start.elapsed().as_secs_f64())
        })
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(BenchResult {
        work: BenchWork::Eval,
        model: "relu".into(),
        batch: 0,
        threads,
        samples_per_s: median(&runs),
        repeats: runs,
    })
}

/// Manifold attack on relu-paper: gradient steps per second, every start
/// spending its whole budget (worst-case mode), attacks of 50 steps from
/// 32 starts repeated for `seconds` per repeat after one untimed attack. A
/// nearest-error search of the paper's budget (1000 steps) costs at most
/// 1000 of them.
fn measure_attack(threads: usize, repeats: usize, seconds: f64) -> anyhow::Result<BenchResult> {
    let c = preset("relu-paper")?.config;
    let t = Trainer::new(c.clone(), "relu-paper");
    let starts = inner_starts(c.seed, c.data.n, 32);
    let labels = vec![0.0; 32];
    let params = ManifoldParams {
        max_steps: 50,
        mode: Mode::WorstCase,
        ..ManifoldParams::default()
    };
    manifold_attack(&t.model, starts.view(), &labels, &params, threads)?;
    let runs = (0..repeats.max(1))
        .map(|_| {
            let start = Instant::now();
            let mut attacks = 0;
            while attacks == 0 || start.elapsed().as_secs_f64() < seconds {
                manifold_attack(&t.model, starts.view(), &labels, &params, threads)?;
                attacks += 1;
            }
            Ok((attacks * 32 * params.max_steps) as f64 / start.elapsed().as_secs_f64())
        })
        .collect::<anyhow::Result<Vec<f64>>>()?;
    Ok(BenchResult {
        work: BenchWork::Attack,
        model: "relu".into(),
        batch: 0,
        threads,
        samples_per_s: median(&runs),
        repeats: runs,
    })
}

/// Exact geometry of a quadratic net at the paper's size (n = 500,
/// h = 1000): one eigendecomposition of W^T W with its vectors (the Gram
/// product included), per second; then the exact d(E) over 1000 inner
/// points (the attack's starting points), in points per second.
fn measure_exact(threads: usize, repeats: usize) -> anyhow::Result<[BenchResult; 2]> {
    let (n, h, points) = (500, 1000, 1000);
    // A few alphas beyond 1 and below 1/R^2: small error rates on both
    // spheres, so every point needs the secular solve.
    let alphas: Vec<f64> = (0..n)
        .map(|i| match i {
            0..5 => 1.05 + 0.05 * i as f64,
            5..10 => 0.3 + 0.05 * i as f64,
            _ => 0.65 + 0.3 * i as f64 / n as f64,
        })
        .collect();
    let model = Model::quad_with_alphas(&alphas, h, &mut rng_for(1, Stream::Init, 0));
    let x = inner_starts(1, n, points);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let (mut eig, mut exact) = (Vec::new(), Vec::new());
    pool.install(|| -> anyhow::Result<()> {
        for _ in 0..repeats.max(1) {
            let start = Instant::now();
            let g = QuadGeometry::from_model(&model, 1.3)?.context("a quadratic net")?;
            eig.push(1.0 / start.elapsed().as_secs_f64());
            let start = Instant::now();
            g.mean_distance_to_errors(Sphere::Inner, x.view())?;
            exact.push(points as f64 / start.elapsed().as_secs_f64());
        }
        Ok(())
    })?;
    let result = |model: &str, runs: Vec<f64>| BenchResult {
        work: BenchWork::Exact,
        model: model.into(),
        batch: 0,
        threads,
        samples_per_s: median(&runs),
        repeats: runs,
    };
    // The two stages are told apart by the model column: the decomposition,
    // then the points.
    Ok([result("quad-eigen", eig), result("quad", exact)])
}

/// The values given, or every value when none was.
fn or_all<T: ValueEnum + Clone>(given: &[T]) -> Vec<T> {
    if given.is_empty() {
        T::value_variants().to_vec()
    } else {
        given.to_vec()
    }
}

pub fn bench(a: BenchArgs) -> anyhow::Result<()> {
    let models = or_all(&a.model);
    // The rare-event benchmark trains relu-paper for minutes first: only
    // when asked for.
    let works: Vec<BenchWork> = if a.work.is_empty() {
        or_all::<BenchWork>(&[])
            .into_iter()
            .filter(|w| *w != BenchWork::Rare)
            .collect()
    } else {
        a.work.clone()
    };
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
                value_name(&r.work),
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
    // Evaluation and attacks are measured on relu-paper, the model whose
    // error rate sampling cannot see.
    let relu = models.contains(&BenchModel::Relu);
    for work in works {
        match work {
            BenchWork::Train => {
                for &m in &models {
                    for &b in &batches {
                        for &th in &threads {
                            print(&measure(m, b, th, a.repeats, a.seconds)?)?;
                        }
                    }
                }
            }
            BenchWork::Eval if relu => {
                for &th in &threads {
                    print(&measure_eval(th, a.repeats, a.seconds)?)?;
                }
            }
            BenchWork::Attack if relu => {
                for &th in &threads {
                    print(&measure_attack(th, a.repeats, a.seconds)?)?;
                }
            }
            // The exact geometry exists for quadratic nets only.
            BenchWork::Exact if models.contains(&BenchModel::Quad) => {
                for &th in &threads {
                    for r in measure_exact(th, a.repeats)? {
                        print(&r)?;
                    }
                }
            }
            // Rare-event estimates: shifted ReLU nets and n = 500 coverage;
            // `--repeats` is the number of seeds per coverage case.
            BenchWork::Rare => {
                let models: Vec<String> = models.iter().map(value_name).collect();
                super::bench_rare::bench_rare(&models, &a.threads, a.repeats, a.json)?
            }
            BenchWork::Eval | BenchWork::Attack | BenchWork::Exact => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_choice_means_every_value() {
        assert_eq!(
            or_all::<BenchWork>(&[])[..4],
            [
                BenchWork::Train,
                BenchWork::Eval,
                BenchWork::Attack,
                BenchWork::Exact
            ]
        );
        assert_eq!(or_all(&[BenchModel::Quad]), [BenchModel::Quad]);
    }

    #[test]
    fn results_name_their_work_as_the_command_line_does() {
        let r = BenchResult {
            work: BenchWork::Attack,
            model: value_name(&BenchModel::Relu),
            batch: 0,
            threads: 1,
            samples_per_s: 1.0,
            repeats: vec![1.0],
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            (v["work"].as_str(), v["model"].as_str()),
            (Some("attack"), Some("relu"))
        );
    }

    #[test]
    fn the_exact_work_measures_both_stages() {
        let [eigen, exact] = measure_exact(1, 1).unwrap();
        assert_eq!(
            (eigen.work, exact.work),
            (BenchWork::Exact, BenchWork::Exact)
        );
        assert_eq!(
            (eigen.model.as_str(), exact.model.as_str()),
            ("quad-eigen", "quad")
        );
        assert!(eigen.samples_per_s > 0.0 && exact.samples_per_s > 0.0);
        assert_eq!((eigen.repeats.len(), exact.repeats.len()), (1, 1));
    }
}
