//! Optimisers over the flat parameter vector, with PyTorch's update rules
//! so learning rates and results carry over from the reference scripts.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::placement::{Placed, page_offset, spread};

/// Streams the update sweeps together: parameters, gradients and the two
/// moments, placed a quarter page apart (see `placement`).
const STREAMS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Rule {
    /// torch.optim.Adam: bias-corrected moments, eps added after the
    /// corrected square root.
    Adam { beta1: f32, beta2: f32, eps: f32 },
    /// torch.optim.SGD with momentum (no dampening, no Nesterov): the first
    /// step seeds the buffer with the gradient itself.
    Sgd { momentum: f32 },
}

/// Optimiser state. The learning rate and the rule's coefficients may change
/// between steps (live edits); the moments and step count carry over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Optimizer {
    pub rule: Rule,
    pub lr: f64,
    /// Steps taken, for Adam's bias correction.
    pub t: u64,
    m: Placed,
    v: Placed,
}

/// Page offsets of the gradients, first and second moments for parameters
/// that start where `params` does.
pub fn stream_offsets(params: &[f32]) -> [usize; 3] {
    let lead = page_offset(params.as_ptr());
    [1, 2, 3].map(|k| spread(lead, k, STREAMS))
}

impl Optimizer {
    pub fn new(rule: Rule, lr: f64, params: usize) -> Self {
        let v = if matches!(rule, Rule::Adam { .. }) {
            params
        } else {
            0
        };
        // Placed for real on the first step, once the parameters' address is
        // known.
        Self {
            rule,
            lr,
            t: 0,
            m: Placed::zeros(params, 0),
            v: Placed::zeros(v, 0),
        }
    }

    /// The first and second moments (the second is empty for SGD).
    pub fn moments(&self) -> (&[f32], &[f32]) {
        (&self.m, &self.v)
    }

    /// Moves the moments to their page offsets for `params` (see
    /// [`stream_offsets`]); a no-op unless the parameters moved.
    fn place_for(&mut self, params: &[f32]) {
        let [_, m, v] = stream_offsets(params);
        self.m.place(m);
        self.v.place(v);
    }

    /// Switches the update rule, keeping what state still applies.
    pub fn set_rule(&mut self, rule: Rule) {
        if matches!(rule, Rule::Adam { .. }) && self.v.len() != self.m.len() {
            self.v = Placed::zeros(self.m.len(), self.m.offset());
        }
        self.rule = rule;
    }

    pub fn is_finite(&self) -> bool {
        self.m.iter().chain(self.v.iter()).all(|x| x.is_finite())
    }

    pub fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            self.m.len(),
            "optimizer built for another model"
        );
        assert_eq!(grads.len(), self.m.len(), "gradient length differs");
        self.place_for(params);
        self.t += 1;
        match self.rule {
            Rule::Adam { beta1, beta2, eps } => {
                let t = self.t.min(i32::MAX as u64) as i32;
                let bc1 = 1.0 - (beta1 as f64).powi(t);
                let bc2 = 1.0 - (beta2 as f64).powi(t);
                let step = (self.lr / bc1) as f32;
                let inv_sqrt_bc2 = (1.0 / bc2.sqrt()) as f32;
                let c = AdamStep {
                    beta1,
                    beta2,
                    eps,
                    step,
                    inv_sqrt_bc2,
                };
                adam_update(params, grads, &mut self.m, &mut self.v, c);
            }
            Rule::Sgd { momentum } => {
                let lr = self.lr as f32;
                let first = self.t == 1;
                for ((p, g), b) in params.iter_mut().zip(grads).zip(self.m.iter_mut()) {
                    *b = if first { *g } else { momentum * *b + g };
                    *p -= lr * *b;
                }
            }
        }
    }
}

/// Adam's coefficients for one step.
#[derive(Clone, Copy)]
struct AdamStep {
    beta1: f32,
    beta2: f32,
    eps: f32,
    step: f32,
    inv_sqrt_bc2: f32,
}

/// Elements per parallel task: whole 64-byte lines, so every task keeps the
/// streams' alignment, and enough work that a task's cost vanishes.
const PAR_CHUNK: usize = 1 << 16;

/// One fused pass over parameters and both moments: memory traffic, not
/// arithmetic, bounds this loop, so it reads each array exactly once.
/// Inside a rayon pool of more than one thread the pass is split into
/// chunks; each element's update is the same whoever computes it, so the
/// result does not depend on the thread count.
fn adam_update(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], c: AdamStep) {
    if rayon::current_thread_index().is_some()
        && rayon::current_num_threads() > 1
        && p.len() > PAR_CHUNK
    {
        p.par_chunks_mut(PAR_CHUNK)
            .zip(g.par_chunks(PAR_CHUNK))
            .zip(m.par_chunks_mut(PAR_CHUNK))
            .zip(v.par_chunks_mut(PAR_CHUNK))
            .for_each(|(((p, g), m), v)| adam_block(p, g, m, v, c));
    } else {
        adam_block(p, g, m, v, c);
    }
}

/// The AVX build of the loop gives the same bits as the portable one: every
/// operation is correctly rounded and none is fused.
fn adam_block(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], c: AdamStep) {
    // Up to the first 32-byte boundary of `p` element by element: the other
    // streams are placed with the same alignment, so every vector access
    // after it is aligned.
    let head = ((32 - p.as_ptr() as usize % 32) % 32 / size_of::<f32>()).min(p.len());
    let (p0, p) = p.split_at_mut(head);
    let (g0, g) = g.split_at(head);
    let (m0, m) = m.split_at_mut(head);
    let (v0, v) = v.split_at_mut(head);
    adam_portable(p0, g0, m0, v0, c);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX, checked just above.
        return unsafe { adam_avx(p, g, m, v, c) };
    }
    adam_portable(p, g, m, v, c);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn adam_avx(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], c: AdamStep) {
    adam_portable(p, g, m, v, c);
}

#[inline(always)]
fn adam_portable(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], c: AdamStep) {
    let (c1, c2) = (1.0 - c.beta1, 1.0 - c.beta2);
    for (((p, g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = c.beta1 * *m + c1 * g;
        *v = c.beta2 * *v + c2 * g * g;
        *p -= c.step * *m / (v.sqrt() * c.inv_sqrt_bc2 + c.eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adam on f(p) = p^2 / 2 (gradient p) from p = 1, lr 0.1, computed by
    /// hand in f64 with torch's formulas.
    #[test]
    fn adam_matches_a_hand_computed_sequence() {
        let mut opt = Optimizer::new(
            Rule::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
            },
            0.1,
            1,
        );
        let mut p = [1.0f32];
        let (mut m, mut v, mut q) = (0.0f64, 0.0f64, 1.0f64);
        for t in 1..=5 {
            let g = q;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            let mhat = m / (1.0 - 0.9f64.powi(t));
            let denom = v.sqrt() / (1.0 - 0.999f64.powi(t)).sqrt() + 1e-8;
            q -= 0.1 * mhat / denom;
            let grad = [p[0]];
            opt.step(&mut p, &grad);
            assert!((p[0] as f64 - q).abs() < 1e-6, "step {t}: {} vs {q}", p[0]);
        }
        // The first Adam step moves every coordinate by lr, whatever the
        // gradient's scale: a check on the bias correction.
        let mut opt = Optimizer::new(
            Rule::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
            },
            0.01,
            2,
        );
        let mut p = [0.0f32, 0.0];
        opt.step(&mut p, &[1e-3, -50.0]);
        assert!(
            (p[0] + 0.01).abs() < 1e-6 && (p[1] - 0.01).abs() < 1e-6,
            "{p:?}"
        );
        // Hand values for p(1)=1, g=p: p after step 1 is 0.9 exactly.
        let mut opt = Optimizer::new(
            Rule::Adam {
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
            },
            0.1,
            1,
        );
        let mut p = [1.0f32];
        opt.step(&mut p, &[1.0]);
        assert!((p[0] - 0.9).abs() < 1e-6);
    }

    /// The vector build against the element-by-element loop, bit for bit,
    /// from every alignment of the parameters.
    #[test]
    fn the_vectorised_update_gives_the_scalar_bits() {
        let c = AdamStep {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            step: 3e-4,
            inv_sqrt_bc2: 1.7,
        };
        let n = 1037;
        let wave = |k: f32| (0..n).map(|i| (i as f32 * k).sin()).collect::<Vec<f32>>();
        for skip in 0..8 {
            let (mut p, g, mut m) = (wave(0.37), wave(1.3), wave(0.11));
            let mut v: Vec<f32> = wave(0.7).iter().map(|x| x * x).collect();
            let (mut p2, mut m2, mut v2) = (p.clone(), m.clone(), v.clone());
            adam_update(
                &mut p[skip..],
                &g[skip..],
                &mut m[skip..],
                &mut v[skip..],
                c,
            );
            adam_portable(
                &mut p2[skip..],
                &g[skip..],
                &mut m2[skip..],
                &mut v2[skip..],
                c,
            );
            let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&p), bits(&p2), "skip {skip}");
            assert_eq!((bits(&m), bits(&v)), (bits(&m2), bits(&v2)), "skip {skip}");
        }
        // Split over two threads: the same bits again.
        let n = 3 * PAR_CHUNK + 77;
        let wave = |k: f32| (0..n).map(|i| (i as f32 * k).sin()).collect::<Vec<f32>>();
        let (mut p, g, mut m) = (wave(0.37), wave(1.3), wave(0.11));
        let mut v: Vec<f32> = wave(0.7).iter().map(|x| x * x).collect();
        let (mut p2, mut m2, mut v2) = (p.clone(), m.clone(), v.clone());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| adam_update(&mut p, &g, &mut m, &mut v, c));
        adam_portable(&mut p2, &g, &mut m2, &mut v2, c);
        assert!(p.iter().zip(&p2).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(m == m2 && v.iter().zip(&v2).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn the_moments_sit_a_quarter_page_from_the_parameters() {
        use crate::nn::placement::{page_distance, page_offset};
        let rule = Rule::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        };
        let mut opt = Optimizer::new(rule, 1e-3, 5000);
        for skip in [0, 1, 5] {
            let mut p = vec![0.5f32; 5000 + skip];
            let grads = vec![0.25f32; 5000];
            let p = &mut p[skip..];
            opt.step(p, &grads);
            let (m, v) = opt.moments();
            let o = [p.as_ptr(), m.as_ptr(), v.as_ptr()].map(page_offset);
            assert_eq!(page_distance(o[0], o[1]), 2048, "{o:?}");
            assert_eq!(
                (page_distance(o[0], o[2]), page_distance(o[1], o[2])),
                (1024, 1024)
            );
            assert_eq!([o[1], o[2]], stream_offsets(p)[1..]);
        }
        // Moving the moments kept their values: every step saw the same
        // gradient, so every coordinate moved alike.
        let (m, _) = opt.moments();
        assert!(m.iter().all(|x| *x == m[0]) && m[0] > 0.0);
    }

    #[test]
    fn sgd_momentum_follows_torch() {
        let mut opt = Optimizer::new(Rule::Sgd { momentum: 0.5 }, 0.1, 1);
        let mut p = [1.0f32];
        opt.step(&mut p, &[2.0]); // buf = 2, p = 1 - 0.2
        assert!((p[0] - 0.8).abs() < 1e-7);
        opt.step(&mut p, &[1.0]); // buf = 0.5*2 + 1 = 2, p = 0.8 - 0.2
        assert!((p[0] - 0.6).abs() < 1e-7);
    }

    #[test]
    fn learning_rate_changes_take_effect_on_the_next_step() {
        let mut opt = Optimizer::new(Rule::Sgd { momentum: 0.0 }, 0.1, 1);
        let mut p = [0.0f32];
        opt.step(&mut p, &[1.0]);
        opt.lr = 1.0;
        opt.step(&mut p, &[1.0]);
        assert!((p[0] + 1.1).abs() < 1e-6);
    }
}
