//! Exponential moving average smoothing of noisy curves.

/// Smoothing weights selectable with `+`/`-`; 0 shows the raw curve.
pub const LEVELS: [f64; 6] = [0.0, 0.6, 0.8, 0.9, 0.95, 0.99];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Smoothing {
    level: usize,
}

impl Smoothing {
    pub fn weight(self) -> f64 {
        LEVELS[self.level.min(LEVELS.len() - 1)]
    }

    pub fn more(&mut self) -> bool {
        let before = self.level;
        self.level = (self.level + 1).min(LEVELS.len() - 1);
        before != self.level
    }

    pub fn less(&mut self) -> bool {
        let before = self.level;
        self.level = self.level.saturating_sub(1);
        before != self.level
    }
}

/// Debiased EMA over the y values (as TensorBoard does), so the start of the
/// curve is not dragged towards zero.
pub fn smooth(points: &[(f64, f64)], weight: f64) -> Vec<(f64, f64)> {
    if weight <= 0.0 {
        return points.to_vec();
    }
    let mut ema = 0.0;
    let mut correction = 1.0;
    points
        .iter()
        .map(|&(x, y)| {
            ema = weight * ema + (1.0 - weight) * y;
            correction *= weight;
            (x, ema / (1.0 - correction))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_curve_stays_constant() {
        let pts: Vec<_> = (0..20).map(|i| (i as f64, 0.5)).collect();
        for y in smooth(&pts, 0.9).iter().map(|p| p.1) {
            assert!((y - 0.5).abs() < 1e-12);
        }
    }

    #[test]
    fn smoothing_damps_a_spike() {
        let mut pts: Vec<_> = (0..20).map(|i| (i as f64, 1.0)).collect();
        pts[10].1 = 11.0;
        let s = smooth(&pts, 0.9);
        assert!(s[10].1 < 3.0);
        assert!(s[10].1 > 1.0);
    }

    #[test]
    fn levels_saturate() {
        let mut s = Smoothing::default();
        assert!(!s.less());
        for _ in 0..10 {
            s.more();
        }
        assert_eq!(s.weight(), 0.99);
    }
}
