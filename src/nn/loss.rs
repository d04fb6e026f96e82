//! Sigmoid cross-entropy on logits, in the form that never overflows:
//! l(z, y) = max(z, 0) - z y + log(1 + exp(-|z|)).

/// Mean loss over the batch and the count of correct predictions; writes
/// dL/dz (for the mean) into `dlogits`. A non-finite logit yields a
/// non-finite loss, which the trainer treats as divergence.
pub fn bce_with_logits(logits: &[f32], labels: &[f32], dlogits: &mut [f32]) -> (f32, usize) {
    let b = logits.len() as f32;
    let mut total = 0.0f64;
    let mut correct = 0;
    for ((z, y), d) in logits.iter().zip(labels).zip(dlogits.iter_mut()) {
        total += (z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()) as f64;
        *d = (sigmoid(*z) - y) / b;
        correct += usize::from((*z > 0.0) == (*y > 0.5));
    }
    ((total / b as f64) as f32, correct)
}

pub fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_naive_formula_and_stays_finite() {
        let mut d = [0.0; 4];
        let (loss, correct) =
            bce_with_logits(&[0.3, -2.0, 100.0, -100.0], &[1.0, 1.0, 0.0, 0.0], &mut d);
        let naive = |z: f32, y: f32| -(y * sigmoid(z).ln() + (1.0 - y) * (1.0 - sigmoid(z)).ln());
        let want = (naive(0.3, 1.0) + naive(-2.0, 1.0) + 100.0 + 0.0) / 4.0;
        assert!((loss - want).abs() < 1e-5, "{loss} vs {want}");
        assert_eq!(correct, 2);
        assert!((d[0] - (sigmoid(0.3) - 1.0) / 4.0).abs() < 1e-7);
        assert!((d[2] - 0.25).abs() < 1e-7 && d[3].abs() < 1e-7);
    }
}
