//! All of a model's parameters live in one flat vector; named, shaped views
//! into it are described by a `Layout`. One vector makes the optimiser a
//! single loop and snapshots/export a walk over the layout.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    pub name: String,
    pub shape: Vec<usize>,
    pub offset: usize,
}

impl Slot {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Layout {
    pub slots: Vec<Slot>,
    pub total: usize,
}

impl Layout {
    /// Appends a tensor and returns its offset.
    pub fn push(&mut self, name: impl Into<String>, shape: &[usize]) -> usize {
        let offset = self.total;
        let slot = Slot {
            name: name.into(),
            shape: shape.to_vec(),
            offset,
        };
        self.total += slot.len();
        self.slots.push(slot);
        offset
    }

    pub fn get(&self, name: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.name == name)
    }
}

/// A matrix stored at `offset` with `rows` x `cols` elements, row-major.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatSlot {
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
}

impl MatSlot {
    pub fn new(layout: &mut Layout, name: &str, rows: usize, cols: usize) -> Self {
        Self {
            offset: layout.push(name, &[rows, cols]),
            rows,
            cols,
        }
    }

    pub fn view<'a>(&self, p: &'a [f32]) -> ArrayView2<'a, f32> {
        let s = &p[self.offset..self.offset + self.rows * self.cols];
        ArrayView2::from_shape((self.rows, self.cols), s).expect("layout matches storage")
    }

    pub fn view_mut<'a>(&self, p: &'a mut [f32]) -> ArrayViewMut2<'a, f32> {
        let s = &mut p[self.offset..self.offset + self.rows * self.cols];
        ArrayViewMut2::from_shape((self.rows, self.cols), s).expect("layout matches storage")
    }
}

/// A vector stored at `offset` with `len` elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VecSlot {
    pub offset: usize,
    pub len: usize,
}

impl VecSlot {
    pub fn new(layout: &mut Layout, name: &str, len: usize) -> Self {
        Self {
            offset: layout.push(name, &[len]),
            len,
        }
    }

    pub fn slice<'a>(&self, p: &'a [f32]) -> &'a [f32] {
        &p[self.offset..self.offset + self.len]
    }

    pub fn slice_mut<'a>(&self, p: &'a mut [f32]) -> &'a mut [f32] {
        &mut p[self.offset..self.offset + self.len]
    }

    pub fn view<'a>(&self, p: &'a [f32]) -> ArrayView1<'a, f32> {
        ArrayView1::from(self.slice(p))
    }

    pub fn view_mut<'a>(&self, p: &'a mut [f32]) -> ArrayViewMut1<'a, f32> {
        ArrayViewMut1::from(self.slice_mut(p))
    }
}
