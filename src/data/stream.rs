//! The training data stream: online (a fresh point every sample) or a fixed
//! set of N points visited in a new random order every epoch.

use ndarray::ArrayViewMut2;
use rand::RngExt;

use super::fill_points;
use crate::rng::{Stream, rng_for};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingSet {
    Online,
    Fixed(u64),
}

/// Where the trainer is in its data. The whole state is `consumed`: the
/// permutation of a fixed set is re-derived from the seed and epoch.
#[derive(Debug, Clone)]
pub struct DataStream {
    seed: u64,
    radius: f32,
    set: TrainingSet,
    consumed: u64,
    order: Vec<u32>,
    order_epoch: u64,
}

impl DataStream {
    pub fn new(seed: u64, radius: f32, set: TrainingSet, consumed: u64) -> Self {
        Self {
            seed,
            radius,
            set,
            consumed,
            order: Vec::new(),
            order_epoch: u64::MAX,
        }
    }

    /// Samples handed out so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Fills the next batch (as many rows as `x` has).
    pub fn next_batch(&mut self, x: ArrayViewMut2<'_, f32>, y: &mut [f32]) {
        let start = self.consumed;
        let rows = x.nrows() as u64;
        match self.set {
            TrainingSet::Online => fill_points(self.seed, Stream::Train, self.radius, x, y, |i| {
                start + i as u64
            }),
            TrainingSet::Fixed(size) => {
                // A batch may straddle an epoch boundary: look up each row's
                // index before filling, so the fill itself stays parallel.
                let first_epoch = start / size;
                let last_epoch = (start + rows - 1) / size;
                if first_epoch == last_epoch {
                    self.ensure_order(first_epoch, size);
                    let order = &self.order;
                    fill_points(self.seed, Stream::Train, self.radius, x, y, |i| {
                        order[((start + i as u64) % size) as usize] as u64
                    });
                } else {
                    let mut idx = Vec::with_capacity(rows as usize);
                    for k in start..start + rows {
                        self.ensure_order(k / size, size);
                        idx.push(self.order[(k % size) as usize] as u64);
                    }
                    fill_points(self.seed, Stream::Train, self.radius, x, y, |i| idx[i]);
                }
            }
        }
        self.consumed += rows;
    }

    fn ensure_order(&mut self, epoch: u64, size: u64) {
        if self.order_epoch == epoch {
            return;
        }
        let mut rng = rng_for(self.seed, Stream::Shuffle, epoch);
        self.order.clear();
        self.order.extend(0..size as u32);
        for i in (1..self.order.len()).rev() {
            let j = rng.random_range(0..=i);
            self.order.swap(i, j);
        }
        self.order_epoch = epoch;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn batches(set: TrainingSet, sizes: &[usize], start: u64) -> Vec<Vec<f32>> {
        let mut s = DataStream::new(3, 1.3, set, start);
        sizes
            .iter()
            .map(|&b| {
                let mut x = Array2::zeros((b, 4));
                let mut y = vec![0.0; b];
                s.next_batch(x.view_mut(), &mut y);
                x.into_raw_vec_and_offset().0
            })
            .collect()
    }

    #[test]
    fn resuming_from_a_count_continues_the_same_stream() {
        for set in [TrainingSet::Online, TrainingSet::Fixed(7)] {
            let straight = batches(set, &[5, 5, 5], 0).concat();
            let resumed = batches(set, &[5, 5], 5).concat();
            assert_eq!(straight[5 * 4..], resumed[..]);
        }
    }

    #[test]
    fn fixed_set_visits_every_point_once_per_epoch() {
        let rows = batches(TrainingSet::Fixed(6), &[4, 2, 6], 0).concat();
        let key = |r: &[f32]| r.iter().map(|v| v.to_bits() as u64).sum::<u64>();
        let mut e1: Vec<u64> = rows[..24].chunks(4).map(key).collect();
        let mut e2: Vec<u64> = rows[24..].chunks(4).map(key).collect();
        assert_ne!(e1, e2, "a new epoch is reshuffled");
        e1.sort();
        e2.sort();
        assert_eq!(e1, e2, "both epochs hold the same six points");
        e1.dedup();
        assert_eq!(e1.len(), 6);
    }
}
