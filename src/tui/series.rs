//! A bounded history of (x, y) points for a whole run.

/// Keeps at most `capacity` points however long the run: when full, adjacent
/// pairs are averaged and every later point stands for twice as many raw
/// samples, so a week-long run costs the same memory as a minute-long one.
/// The very first sample is kept as it was, so a curve still starts where
/// the run did (step 1, the initial loss) after any amount of merging.
#[derive(Debug, Clone)]
pub struct Series {
    capacity: usize,
    first: Option<(f64, f64)>,
    points: Vec<(f64, f64)>,
    /// Raw samples folded into each stored point.
    stride: u64,
    bucket: (f64, f64),
    bucket_len: u64,
}

impl Series {
    pub fn new(capacity: usize) -> Self {
        // Pair merging needs an even count of at least two.
        let capacity = capacity.max(2) & !1;
        Self {
            capacity,
            first: None,
            points: Vec::with_capacity(capacity),
            stride: 1,
            bucket: (0.0, 0.0),
            bucket_len: 0,
        }
    }

    /// Non-finite values are dropped: one NaN would poison every merged
    /// average after it.
    pub fn push(&mut self, x: f64, y: f64) {
        if !x.is_finite() || !y.is_finite() {
            return;
        }
        if self.first.is_none() {
            self.first = Some((x, y));
            return;
        }
        self.bucket.0 += x;
        self.bucket.1 += y;
        self.bucket_len += 1;
        if self.bucket_len < self.stride {
            return;
        }
        let n = self.bucket_len as f64;
        self.points.push((self.bucket.0 / n, self.bucket.1 / n));
        self.bucket = (0.0, 0.0);
        self.bucket_len = 0;
        if self.points.len() >= self.capacity {
            self.halve();
        }
    }

    fn halve(&mut self) {
        let merged: Vec<(f64, f64)> = self
            .points
            .chunks(2)
            .map(|pair| {
                let n = pair.len() as f64;
                let (sx, sy) = pair
                    .iter()
                    .fold((0.0, 0.0), |(ax, ay), (x, y)| (ax + x, ay + y));
                (sx / n, sy / n)
            })
            .collect();
        self.points = merged;
        self.stride *= 2;
    }

    /// Stored points plus the partly filled bucket, so the newest data shows
    /// before a whole stride has arrived.
    pub fn points(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(self.points.len() + 2);
        out.extend(self.first);
        out.extend_from_slice(&self.points);
        if self.bucket_len > 0 {
            let n = self.bucket_len as f64;
            out.push((self.bucket.0 / n, self.bucket.1 / n));
        }
        out
    }

    pub fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.points.len() + usize::from(self.bucket_len > 0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn stride(&self) -> u64 {
        self.stride
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_over_a_million_points() {
        let mut s = Series::new(512);
        for i in 0..1_000_000u64 {
            s.push(i as f64, 1.0 / (1.0 + i as f64));
        }
        assert!(s.len() <= 512, "len {}", s.len());
        assert!(s.len() >= 256);
        assert!(s.stride() >= 1_000_000 / 512);
        let pts = s.points();
        assert!(pts.first().unwrap().0 < 2_000.0);
        assert!(pts.last().unwrap().0 > 990_000.0);
    }

    #[test]
    fn merging_averages_pairs_and_keeps_the_first_sample() {
        let mut s = Series::new(4);
        for (x, y) in [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0), (3.0, 7.0), (4.0, 9.0)] {
            s.push(x, y);
        }
        assert_eq!(s.points(), vec![(0.0, 1.0), (1.5, 4.0), (3.5, 8.0)]);
        assert_eq!(s.stride(), 2);
        s.push(5.0, 11.0);
        assert_eq!(s.points().last(), Some(&(5.0, 11.0)));
    }

    #[test]
    fn non_finite_values_are_skipped() {
        let mut s = Series::new(8);
        s.push(0.0, f64::NAN);
        s.push(1.0, 2.0);
        assert_eq!(s.points(), vec![(1.0, 2.0)]);
    }
}
