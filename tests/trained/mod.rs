//! Small trained runs made in process, the models' own logits on fixed
//! points, and the binary run from a scratch directory: shared by the
//! import and interop tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ndarray::Array2;
use spheres::config::preset;
use spheres::data::sample_point;
use spheres::gemm::Parallelism;
use spheres::nn::Model;
use spheres::rng::Stream;
use spheres::run::RunDir;
use spheres::train::{Trainer, TrainerState};

/// A model small enough to train in milliseconds, as the command line
/// names it: preset plus `--set` pairs.
#[derive(Debug, Clone, Copy)]
pub struct Net {
    pub label: &'static str,
    pub preset: &'static str,
    pub sets: &'static [(&'static str, &'static str)],
}

pub const RELU_BN: Net = Net {
    label: "relu-bn",
    preset: "quick",
    sets: &[("data.n", "10"), ("model.width", "16")],
};

pub const RELU_PLAIN: Net = Net {
    label: "relu-plain",
    preset: "quick",
    sets: &[
        ("data.n", "10"),
        ("model.width", "16"),
        ("model.batch_norm", "false"),
    ],
};

pub const QUAD: Net = Net {
    label: "quad",
    preset: "quad-paper",
    sets: &[("data.n", "10"), ("model.hidden", "12")],
};

/// Steps of training before a run is saved: enough to move batch norm's
/// running statistics away from their initial values.
pub const STEPS: u64 = 40;

impl Net {
    /// `--preset P --set K=V ...` for the command line.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--preset".to_string(), self.preset.to_string()];
        for (k, v) in self.sets {
            args.push("--set".into());
            args.push(format!("{k}={v}"));
        }
        args
    }

    pub fn trainer(&self) -> Trainer {
        let mut config = preset(self.preset).unwrap().config;
        for (k, v) in self.sets {
            config.set(k, v).unwrap();
        }
        Trainer::new(config, self.preset)
    }

    /// Trains `STEPS` steps and saves the run at `base/<label>`.
    pub fn trained_run(&self, base: &Path) -> PathBuf {
        let mut t = self.trainer();
        for _ in 0..STEPS {
            assert!(t.step().is_finite(), "{} diverged", self.label);
        }
        let out = base.join(self.label);
        let run = RunDir::create(base, self.preset, Some(&out)).unwrap();
        run.write_config(&t.config.to_toml()).unwrap();
        run.save_snapshot(t.step, &t.state(0.0), 2).unwrap();
        out
    }
}

/// The newest snapshot of a run directory.
pub fn snapshot_of(run: &Path) -> TrainerState {
    RunDir::open(run).unwrap().load_latest().unwrap().value
}

pub fn model_of(run: &Path) -> Model {
    Trainer::from_state(snapshot_of(run)).unwrap().model
}

/// Points on both spheres (radius 1 and 1.3) in dimension `n`.
pub fn points(n: usize, count: usize) -> Array2<f32> {
    let mut x = Array2::zeros((count, n));
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        sample_point(11, Stream::Eval, i as u64, 1.3, row.as_slice_mut().unwrap());
    }
    x
}

/// The model's inference-mode logits.
pub fn logits(model: &Model, x: &Array2<f32>) -> Vec<f32> {
    let mut ws = model.workspace(x.nrows(), Parallelism(1));
    model.forward_eval(x.view(), &mut ws);
    ws.logits().to_vec()
}

/// The binary, run in `cwd` so that a default `runs/` would land there.
pub fn spheres(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spheres"))
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

/// Runs the binary and insists that it succeeds; returns its stdout.
pub fn spheres_ok(cwd: &Path, args: &[&str]) -> String {
    let o = spheres(cwd, args);
    assert!(
        o.status.success(),
        "spheres {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Makes a path an argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A snapshot's weights, parameters then buffers, as bits.
pub fn weight_bits(state: &TrainerState) -> Vec<u32> {
    state
        .params
        .iter()
        .chain(&state.buffers)
        .map(|v| v.to_bits())
        .collect()
}
