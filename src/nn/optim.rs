//! Optimisers over the flat parameter vector, with PyTorch's update rules
//! so learning rates and results carry over from the reference scripts.

use serde::{Deserialize, Serialize};

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
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Optimizer {
    pub fn new(rule: Rule, lr: f64, params: usize) -> Self {
        let v = if matches!(rule, Rule::Adam { .. }) {
            vec![0.0; params]
        } else {
            Vec::new()
        };
        Self {
            rule,
            lr,
            t: 0,
            m: vec![0.0; params],
            v,
        }
    }

    /// Switches the update rule, keeping what state still applies.
    pub fn set_rule(&mut self, rule: Rule) {
        if matches!(rule, Rule::Adam { .. }) && self.v.len() != self.m.len() {
            self.v = vec![0.0; self.m.len()];
        }
        self.rule = rule;
    }

    pub fn is_finite(&self) -> bool {
        self.m.iter().chain(&self.v).all(|x| x.is_finite())
    }

    pub fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        assert_eq!(
            params.len(),
            self.m.len(),
            "optimizer built for another model"
        );
        assert_eq!(grads.len(), self.m.len(), "gradient length differs");
        self.t += 1;
        match self.rule {
            Rule::Adam { beta1, beta2, eps } => {
                let t = self.t.min(i32::MAX as u64) as i32;
                let bc1 = 1.0 - (beta1 as f64).powi(t);
                let bc2 = 1.0 - (beta2 as f64).powi(t);
                let step = (self.lr / bc1) as f32;
                let inv_sqrt_bc2 = (1.0 / bc2.sqrt()) as f32;
                adam_update(
                    params,
                    grads,
                    &mut self.m,
                    &mut self.v,
                    beta1,
                    beta2,
                    eps,
                    step,
                    inv_sqrt_bc2,
                );
            }
            Rule::Sgd { momentum } => {
                let lr = self.lr as f32;
                let first = self.t == 1;
                for ((p, g), b) in params.iter_mut().zip(grads).zip(&mut self.m) {
                    *b = if first { *g } else { momentum * *b + g };
                    *p -= lr * *b;
                }
            }
        }
    }
}

/// One fused pass over parameters and both moments: memory traffic, not
/// arithmetic, bounds this loop, so it reads each array exactly once.
#[allow(clippy::too_many_arguments)]
fn adam_update(
    p: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    beta1: f32,
    beta2: f32,
    eps: f32,
    step: f32,
    inv_sqrt_bc2: f32,
) {
    let (c1, c2) = (1.0 - beta1, 1.0 - beta2);
    for (((p, g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = beta1 * *m + c1 * g;
        *v = beta2 * *v + c2 * g * g;
        *p -= step * *m / (v.sqrt() * inv_sqrt_bc2 + eps);
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
