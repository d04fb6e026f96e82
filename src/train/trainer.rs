//! One optimisation step at a time, with every buffer allocated up front:
//! a steady-state step allocates nothing.

use ndarray::Array2;
use rayon::prelude::*;

use super::TrainerState;
use crate::config::{Config, ConfigError};
use crate::data::DataStream;
use crate::gemm::Parallelism;
use crate::nn::placement::{Placed, PlacedMatrix, lane};
use crate::nn::{Arch, Model, Optimizer, Workspace, bce_with_logits, stream_offsets};
use crate::rng::{Stream, rng_for};

pub struct Trainer {
    pub config: Config,
    pub preset: String,
    pub model: Model,
    pub optimizer: Optimizer,
    pub step: u64,
    data: DataStream,
    pool: rayon::ThreadPool,
    ws: Workspace,
    x: PlacedMatrix,
    y: Vec<f32>,
    dlogits: Array2<f32>,
    /// Placed for the optimiser's sweep beside the parameters.
    grads: Placed,
    /// Batch-norm running statistics before the current step, restored when
    /// the step fails (its forward pass already updated them).
    buffers_before: Vec<f32>,
    /// Training time of earlier processes (before a resume).
    pub elapsed_before_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepOutcome {
    pub loss: f32,
    pub correct: usize,
    pub batch: usize,
}

impl StepOutcome {
    /// A non-finite loss means the run diverged.
    pub fn is_finite(&self) -> bool {
        self.loss.is_finite()
    }
}

/// The batch's page lane: apart from the model workspace's lanes.
const INPUT_LANE: usize = lane(7);

fn build_model(config: &Config) -> Model {
    let mut rng = rng_for(config.seed, Stream::Init, 0);
    let (n, m) = (config.data.n, &config.model);
    let mut model = match (m.kind.as_str(), m.init.as_str()) {
        ("quad", "perfect") => {
            // Every alpha at 1 / ((1 + R) / 2)^2: the max-margin sphere.
            let alpha = 1.0 / ((1.0 + config.data.radius) / 2.0).powi(2);
            Model::quad_with_alphas(&vec![alpha; n], m.hidden, &mut rng)
        }
        ("quad", _) => Model::quad(n, m.hidden, &mut rng),
        _ => Model::relu(n, m.width, m.depth, m.batch_norm, &mut rng),
    };
    if let Arch::Quad(net) = &model.arch {
        // Scaling by 1 is exact: runs from before the field stay bit for bit.
        net.scale_output(&mut model.params, m.init_scale as f32);
    }
    model
}

/// True when no value is NaN or infinite; in chunks on every thread of the
/// pool it runs in (the answer is the same however they are split).
fn all_finite(v: &[f32]) -> bool {
    const CHUNK: usize = 1 << 16;
    if rayon::current_thread_index().is_some() && rayon::current_num_threads() > 1 {
        v.par_chunks(CHUNK).all(chunk_finite)
    } else {
        chunk_finite(v)
    }
}

/// Multiplying by zero turns NaN or an infinity into NaN and keeps every
/// other value at 0; lane-wise sums make the pass vectorise, unlike a
/// short-circuiting `all`.
fn chunk_finite(v: &[f32]) -> bool {
    const LANES: usize = 16;
    let mut acc = [0.0f32; LANES];
    let chunks = v.chunks_exact(LANES);
    let rest = chunks.remainder().iter().all(|x| x.is_finite());
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x * 0.0;
        }
    }
    rest && acc.iter().all(|a| *a == 0.0)
}

/// Runs `f` on `pool`. Handing work to a one-thread pool only costs a
/// queue push (and now and then an allocation in the queue): run it here.
fn on_pool<R: Send>(pool: &rayon::ThreadPool, f: impl FnOnce() -> R + Send) -> R {
    if pool.current_num_threads() > 1 {
        pool.install(f)
    } else {
        f()
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("train-{i}"))
        .build()
        .expect("a thread pool can be built")
}

impl Trainer {
    pub fn new(config: Config, preset: &str) -> Self {
        let model = build_model(&config);
        let optimizer = Optimizer::new(config.rule(), config.train.lr, model.params.len());
        let data = DataStream::new(
            config.seed,
            config.data.radius as f32,
            config.training_set(),
            0,
        );
        Self::assemble(config, preset, model, optimizer, data, 0, 0.0)
    }

    /// Rebuilds a trainer from a snapshot; refuses a state whose tensors do
    /// not fit the model its config describes.
    pub fn from_state(state: TrainerState) -> Result<Self, String> {
        let config =
            Config::from_toml(&state.config).map_err(|e| format!("snapshot config: {e}"))?;
        let mut model = build_model(&config);
        if state.params.len() != model.params.len() || state.buffers.len() != model.buffers.len() {
            return Err(format!(
                "snapshot holds {} parameters and {} buffers, its config describes {} and {}",
                state.params.len(),
                state.buffers.len(),
                model.params.len(),
                model.buffers.len()
            ));
        }
        model.params = state.params;
        model.buffers = state.buffers;
        let data = DataStream::new(
            config.seed,
            config.data.radius as f32,
            config.training_set(),
            state.samples,
        );
        Ok(Self::assemble(
            config,
            &state.preset,
            model,
            state.optimizer,
            data,
            state.step,
            state.elapsed_s,
        ))
    }

    fn assemble(
        config: Config,
        preset: &str,
        model: Model,
        optimizer: Optimizer,
        data: DataStream,
        step: u64,
        elapsed: f64,
    ) -> Self {
        let (batch, n, threads) = (config.train.batch, config.data.n, config.train.threads);
        Self {
            ws: model.workspace(batch, Parallelism(threads)),
            x: PlacedMatrix::zeros(batch, n, INPUT_LANE),
            y: vec![0.0; batch],
            dlogits: Array2::zeros((batch, 1)),
            grads: Placed::zeros(model.params.len(), stream_offsets(&model.params)[0]),
            buffers_before: model.buffers.clone(),
            pool: pool(threads),
            preset: preset.to_string(),
            config,
            model,
            optimizer,
            data,
            step,
            elapsed_before_s: elapsed,
        }
    }

    /// The gradients of the last step.
    pub fn grads(&self) -> &[f32] {
        &self.grads
    }

    pub fn samples(&self) -> u64 {
        self.data.consumed()
    }

    pub fn state(&self, elapsed_s: f64) -> TrainerState {
        TrainerState {
            config: self.config.to_toml(),
            preset: self.preset.clone(),
            step: self.step,
            samples: self.samples(),
            params: self.model.params.clone(),
            buffers: self.model.buffers.clone(),
            optimizer: self.optimizer.clone(),
            elapsed_s,
        }
    }

    /// One step on the next batch. On a non-finite loss or gradient the
    /// model is left exactly as it was before the step (the batch is still
    /// consumed), so the run can continue after the user lowers the
    /// learning rate.
    pub fn step(&mut self) -> StepOutcome {
        let Self {
            pool,
            data,
            model,
            ws,
            x,
            y,
            dlogits,
            grads,
            optimizer,
            buffers_before,
            ..
        } = self;
        let batch = y.len();
        // The parameters move when a snapshot or import replaces them.
        grads.place(stream_offsets(&model.params)[0]);
        buffers_before.copy_from_slice(&model.buffers);
        let outcome = on_pool(pool, || {
            data.next_batch(x.view_mut(), y);
            model.forward_train(x.view(), ws);
            let d = dlogits.as_slice_mut().expect("contiguous");
            let (loss, correct) = bce_with_logits(ws.logits(), y, d);
            StepOutcome {
                loss,
                correct,
                batch,
            }
        });
        if !outcome.is_finite() {
            model.buffers.copy_from_slice(buffers_before);
            return outcome;
        }
        on_pool(pool, || {
            model.backward(x.view(), ws, dlogits.view(), Some(&mut **grads), None)
        });
        if !on_pool(pool, || all_finite(grads)) {
            model.buffers.copy_from_slice(buffers_before);
            return StepOutcome {
                loss: f32::NAN,
                ..outcome
            };
        }
        on_pool(pool, || optimizer.step(&mut model.params, grads));
        self.step += 1;
        outcome
    }

    /// A live edit of `key`; the config is validated first, and nothing
    /// changes when it is refused.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let mut next = self.config.clone();
        next.set_live(key, value)?;
        self.optimizer.lr = next.train.lr;
        self.optimizer.set_rule(next.rule());
        if next.train.batch != self.config.train.batch {
            let (b, n) = (next.train.batch, next.data.n);
            self.x = PlacedMatrix::zeros(b, n, INPUT_LANE);
            self.y = vec![0.0; b];
            self.dlogits = Array2::zeros((b, 1));
            self.model.fit_workspace(&mut self.ws, b);
        }
        if next.train.threads != self.config.train.threads {
            self.pool = pool(next.train.threads);
            self.ws = self
                .model
                .workspace(next.train.batch, Parallelism(next.train.threads));
        }
        self.config = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{all_finite, build_model};
    use crate::config::{Config, preset};
    use crate::data::fill_points;
    use crate::gemm::Parallelism;
    use crate::nn::bce_with_logits;
    use crate::rng::Stream;
    use ndarray::Array2;

    /// Mean loss and correct count of a fresh model on `m` fresh points.
    fn initial_loss(c: &Config, m: usize) -> (f32, usize) {
        let model = build_model(c);
        let mut x = Array2::zeros((m, c.data.n));
        let mut y = vec![0.0; m];
        let r = c.data.radius as f32;
        fill_points(c.seed, Stream::Eval, r, x.view_mut(), &mut y, |i| i as u64);
        let mut ws = model.workspace(m, Parallelism(1));
        model.forward_eval(x.view(), &mut ws);
        let mut d = vec![0.0; m];
        bce_with_logits(ws.logits(), &y, &mut d)
    }

    #[test]
    fn the_perfect_init_preset_starts_at_confident_logits() {
        let c = preset("quad-perfect-init").unwrap().config;
        let (loss, correct) = initial_loss(&c, 2000);
        assert!(loss <= 0.01, "initial average loss {loss}");
        assert_eq!(correct, 2000);
        let model = build_model(&c);
        let a = crate::stats::quadnet::analyse_model(&model, c.data.radius)
            .unwrap()
            .unwrap();
        let want = 1.0 / ((1.0 + c.data.radius) / 2.0).powi(2);
        assert_eq!(a.alphas.len(), c.data.n);
        for alpha in &a.alphas {
            assert!(((alpha - want) / want).abs() < 1e-5, "{alpha} vs {want}");
        }
        assert_eq!((a.bad_low, a.bad_high), (0, 0));
        let worst = a.worst_loss.unwrap();
        assert!(worst.inner < 0.01 && worst.outer < 0.01, "{worst:?}");
        // The same ellipsoid at scale 1 starts near ln 2, as before.
        let mut unscaled = c.clone();
        unscaled.set("model.init_scale", "1").unwrap();
        let (loss, _) = initial_loss(&unscaled, 2000);
        assert!((0.5..0.7).contains(&loss), "{loss}");
    }

    #[test]
    fn all_finite_sees_every_position_on_two_threads() {
        let mut v = vec![1.5f32; 3 << 16];
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert!(pool.install(|| all_finite(&v)));
        for i in [0, 1 << 16, (3 << 16) - 1] {
            v[i] = f32::NAN;
            assert!(!pool.install(|| all_finite(&v)), "{i}");
            v[i] = 1.5;
        }
    }

    #[test]
    fn all_finite_sees_every_position() {
        let mut v = vec![1.5f32; 37];
        assert!(all_finite(&v));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in [0, 15, 16, 31, 32, 36] {
                let saved = v[i];
                v[i] = bad;
                assert!(!all_finite(&v), "{bad} at {i}");
                v[i] = saved;
            }
        }
    }
}
