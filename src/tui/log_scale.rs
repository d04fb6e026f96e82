//! Axis helpers: ratatui charts are linear only, so log axes plot log10 of
//! the values and label their ticks by hand.

/// How values map onto a chart axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

impl Scale {
    /// The plotted coordinate, or None when a log axis cannot show it.
    pub fn to_axis(self, v: f64) -> Option<f64> {
        match self {
            Scale::Linear => v.is_finite().then_some(v),
            Scale::Log => (v > 0.0 && v.is_finite()).then(|| v.log10()),
        }
    }

    pub fn map_points(self, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
        points
            .iter()
            .filter_map(|&(x, y)| self.to_axis(y).map(|y| (x, y)))
            .collect()
    }

    /// Axis bounds covering `values` (already mapped): whole decades for
    /// log axes, a little headroom for linear ones.
    pub fn bounds(self, values: impl Iterator<Item = f64>) -> [f64; 2] {
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if lo > hi {
            return [0.0, 1.0];
        }
        match self {
            Scale::Log => {
                let (lo, hi) = (lo.floor(), hi.ceil());
                if hi > lo { [lo, hi] } else { [lo, lo + 1.0] }
            }
            Scale::Linear => {
                let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.05).max(1e-12);
                [(lo - pad).min(if lo >= 0.0 { 0.0 } else { lo }), hi + pad]
            }
        }
    }

    /// Labels for the two ends and the middle of an axis.
    pub fn labels(self, bounds: [f64; 2]) -> Vec<String> {
        let mid = (bounds[0] + bounds[1]) / 2.0;
        [bounds[0], mid, bounds[1]]
            .iter()
            .map(|&v| match self {
                Scale::Log => decade_label(v),
                Scale::Linear => super::format::value(v),
            })
            .collect()
    }
}

/// "1e-3" for whole decades, otherwise the value in scientific notation.
pub fn decade_label(exponent: f64) -> String {
    if (exponent - exponent.round()).abs() < 1e-9 {
        format!("1e{}", exponent.round() as i64)
    } else {
        super::format::sci(10f64.powf(exponent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_spans_whole_decades() {
        let b = Scale::Log.bounds([0.0032f64.log10(), 0.7f64.log10()].into_iter());
        assert_eq!(b, [-3.0, 0.0]);
        assert_eq!(Scale::Log.labels(b), vec!["1e-3", "3.2e-2", "1e0"]);
    }

    #[test]
    fn log_axis_drops_non_positive_values() {
        assert_eq!(Scale::Log.to_axis(0.0), None);
        assert_eq!(Scale::Log.to_axis(100.0), Some(2.0));
        assert_eq!(Scale::Linear.to_axis(0.0), Some(0.0));
    }

    #[test]
    fn empty_data_gets_a_default_range() {
        assert_eq!(Scale::Linear.bounds(std::iter::empty()), [0.0, 1.0]);
    }
}
