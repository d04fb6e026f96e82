//! Where large buffers start within a 4 KiB page.
//!
//! A load that follows a store to another address with the same low 12 bits
//! waits as if it read what the store wrote (4K aliasing): the core compares
//! only those bits before the full address is known. Every buffer of more
//! than about 128 KiB comes from mmap and starts 16 bytes into a page, so a
//! loop over several such buffers that stores into one and then loads the
//! same index of the next (the fused Adam update stores m before it loads v
//! and p) stalls on every element. Buffers here start at chosen page offsets
//! instead, spread round the page for the streams one loop sweeps together.

use std::ops::{Deref, DerefMut};

use ndarray::{ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const PAGE: usize = 4096;

/// Byte offset of `p` within its page.
pub fn page_offset<T>(p: *const T) -> usize {
    p as usize % PAGE
}

/// How far apart two page offsets are, the shorter way round the page.
pub fn page_distance(a: usize, b: usize) -> usize {
    let d = (a + PAGE - b % PAGE) % PAGE;
    d.min(PAGE - d)
}

/// The page offset of stream `k` of `count` swept together with a stream
/// that starts at page offset `lead`: evenly spread round the page, so every
/// pair is `PAGE / count` bytes or more apart and all keep `lead`'s
/// alignment to 32 bytes (one vector alignment fixes every stream).
pub fn spread(lead: usize, k: usize, count: usize) -> usize {
    (lead + k * (PAGE / count.max(1))) % PAGE
}

/// Page offset of workspace buffer `lane`: eight lanes 512 bytes apart, each
/// on a cache-line boundary.
pub const fn lane(lane: usize) -> usize {
    (lane % 8) * (PAGE / 8)
}

/// A run of f32 that starts at a chosen byte offset within a page: one
/// allocation with a page of slack, the data placed inside it.
pub struct Placed {
    raw: Vec<f32>,
    start: usize,
    len: usize,
    offset: usize,
}

impl Placed {
    /// `len` zeros starting at page offset `offset` (rounded down to a
    /// multiple of 4). An empty buffer allocates nothing.
    pub fn zeros(len: usize, offset: usize) -> Self {
        let raw = if len == 0 {
            Vec::new()
        } else {
            vec![0.0; len + PAGE / size_of::<f32>()]
        };
        let mut p = Self {
            raw,
            start: 0,
            len,
            offset: (offset % PAGE) & !3,
        };
        p.start = p.start_for(p.offset);
        p
    }

    /// A copy of `data` starting at page offset `offset`.
    pub fn from_slice(data: &[f32], offset: usize) -> Self {
        let mut p = Self::zeros(data.len(), offset);
        p.copy_from_slice(data);
        p
    }

    /// The page offset the data starts at.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Moves the data to start at page offset `offset`, inside the same
    /// allocation: nothing is allocated and every value is kept.
    pub fn place(&mut self, offset: usize) {
        let offset = (offset % PAGE) & !3;
        if offset == self.offset {
            return;
        }
        let to = self.start_for(offset);
        self.raw.copy_within(self.start..self.start + self.len, to);
        self.start = to;
        self.offset = offset;
    }

    /// Index into `raw` whose address lies at page offset `offset`.
    fn start_for(&self, offset: usize) -> usize {
        if self.raw.is_empty() {
            return 0;
        }
        let base = page_offset(self.raw.as_ptr());
        (offset + PAGE - base) % PAGE / size_of::<f32>()
    }
}

impl Deref for Placed {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        &self.raw[self.start..self.start + self.len]
    }
}

impl DerefMut for Placed {
    fn deref_mut(&mut self) -> &mut [f32] {
        &mut self.raw[self.start..self.start + self.len]
    }
}

/// A clone is a new allocation, placed at the same page offset.
impl Clone for Placed {
    fn clone(&self) -> Self {
        Self::from_slice(self, self.offset)
    }
}

impl std::fmt::Debug for Placed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Placed {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// Serialised exactly as a `Vec<f32>`: snapshots do not see the placement.
impl Serialize for Placed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Placed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_slice(&Vec::<f32>::deserialize(d)?, 0))
    }
}

/// A row-major matrix in a [`Placed`] buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedMatrix {
    data: Placed,
    rows: usize,
    cols: usize,
}

impl PlacedMatrix {
    pub fn zeros(rows: usize, cols: usize, offset: usize) -> Self {
        Self {
            data: Placed::zeros(rows * cols, offset),
            rows,
            cols,
        }
    }

    pub fn view(&self) -> ArrayView2<'_, f32> {
        ArrayView2::from_shape((self.rows, self.cols), &self.data).expect("rows x cols values")
    }

    pub fn view_mut(&mut self) -> ArrayViewMut2<'_, f32> {
        ArrayViewMut2::from_shape((self.rows, self.cols), &mut self.data)
            .expect("rows x cols values")
    }

    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    pub fn as_slice_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    pub fn offset(&self) -> usize {
        self.data.offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_starts_where_asked_and_survives_moves() {
        for offset in [0, 16, 1040, 4092] {
            let mut p = Placed::zeros(1000, offset);
            assert_eq!(page_offset(p.as_ptr()), offset);
            p.iter_mut().enumerate().for_each(|(i, v)| *v = i as f32);
            for to in [3072, 16, 2048, 4, 0] {
                p.place(to);
                assert_eq!(
                    (page_offset(p.as_ptr()), p.offset(), p.len()),
                    (to, to, 1000)
                );
                assert!(p.iter().enumerate().all(|(i, v)| *v == i as f32), "{to}");
            }
            let q = p.clone();
            assert_eq!((page_offset(q.as_ptr()), &q), (p.offset(), &p));
        }
        assert!(Placed::zeros(0, 512).is_empty());
    }

    #[test]
    fn serialises_as_a_plain_vector() {
        let v: Vec<f32> = (0..300).map(|i| i as f32 * 0.5).collect();
        let p = Placed::from_slice(&v, 2048);
        let bytes = postcard::to_stdvec(&p).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&v).unwrap());
        let back: Placed = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(&*back, &v[..]);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
    }

    #[test]
    fn spread_streams_are_a_quarter_page_apart() {
        for lead in [0, 16, 1000, 4080] {
            let o: Vec<usize> = (0..4).map(|k| spread(lead, k, 4)).collect();
            for i in 0..4 {
                assert_eq!(o[i] % 32, lead % 32);
                for j in 0..i {
                    assert_eq!(page_distance(o[i], o[j]), 1024 * (i - j).min(4 - (i - j)));
                }
            }
        }
        assert_eq!(page_distance(16, 4080), 32);
        assert_eq!(page_distance(4080, 16), 32);
    }
}
