//! Matrix products into caller-owned buffers.
//!
//! Two kernels, chosen by shape from `benches/gemm-compare` on this AVX2
//! host (docs/performance.md): faer's are fastest on the training step's
//! thin products (a batch of 50, an attack chunk of 16: 82-91 GFLOP/s
//! against the gemm crate's 71-87), the gemm crate's on products whose
//! every side is 256 or more (a batch of 512's weight gradients: 88 GFLOP/s
//! against faer's 74). The choice depends on the shape alone, so the same
//! inputs give the same bits. Writing into reused buffers avoids the
//! per-call allocation of ndarray's `.dot`.

use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayView2, ArrayViewMut2};

/// How many threads a product may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism(pub usize);

impl Parallelism {
    fn par(self) -> Par {
        if self.0 <= 1 {
            Par::Seq
        } else {
            Par::rayon(self.0)
        }
    }
}

fn view<'a>(a: ArrayView2<'a, f32>) -> MatRef<'a, f32> {
    let (r, c) = a.dim();
    let s = a.strides();
    // SAFETY: the pointer, dimensions and strides come from a live ndarray
    // view, which guarantees every index inside them is in bounds.
    unsafe { MatRef::from_raw_parts(a.as_ptr(), r, c, s[0], s[1]) }
}

fn view_mut<'a>(a: &'a mut ArrayViewMut2<'_, f32>) -> MatMut<'a, f32> {
    let (r, c) = a.dim();
    let s = [a.strides()[0], a.strides()[1]];
    // SAFETY: as above; the mutable borrow of the view is held for 'a.
    unsafe { MatMut::from_raw_parts_mut(a.as_mut_ptr(), r, c, s[0], s[1]) }
}

/// Products with every side at least this long go to the gemm crate.
const WIDE: usize = 256;

/// `dst = a * b` (or `dst += a * b` when `accumulate`). Transposes are free:
/// pass `x.t()`.
pub fn matmul(
    mut dst: ArrayViewMut2<'_, f32>,
    a: ArrayView2<'_, f32>,
    b: ArrayView2<'_, f32>,
    accumulate: bool,
    par: Parallelism,
) {
    assert_eq!(a.ncols(), b.nrows(), "inner dimensions differ");
    assert_eq!(dst.dim(), (a.nrows(), b.ncols()), "output shape differs");
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if m.min(k).min(n) >= WIDE {
        let parallelism = if par.0 <= 1 {
            gemm::Parallelism::None
        } else {
            gemm::Parallelism::Rayon(par.0)
        };
        let (ds, as_, bs) = (dst.strides().to_vec(), a.strides(), b.strides());
        // SAFETY: pointers, dimensions and strides come from live ndarray
        // views (the output borrowed mutably), so every index the kernel
        // touches is in bounds; `read_dst` is false unless accumulating,
        // so uninitialised output is never read.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                dst.as_mut_ptr(),
                ds[1],
                ds[0],
                accumulate,
                a.as_ptr(),
                as_[1],
                as_[0],
                b.as_ptr(),
                bs[1],
                bs[0],
                1.0f32,
                1.0f32,
                false,
                false,
                false,
                parallelism,
            );
        }
        return;
    }
    let accum = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    faer::linalg::matmul::matmul(
        view_mut(&mut dst),
        accum,
        view(a),
        view(b),
        1.0f32,
        par.par(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn naive(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
        let mut c = Array2::zeros((a.nrows(), b.ncols()));
        for i in 0..a.nrows() {
            for j in 0..b.ncols() {
                c[[i, j]] = (0..a.ncols()).map(|k| a[[i, k]] * b[[k, j]]).sum();
            }
        }
        c
    }

    #[test]
    fn matches_naive_product_with_transposes() {
        let a = Array2::from_shape_fn((7, 5), |(i, j)| (i * 5 + j) as f32 * 0.1 - 1.0);
        let b = Array2::from_shape_fn((3, 5), |(i, j)| (i as f32 - j as f32) * 0.3);
        let mut c = Array2::from_elem((7, 3), 9.0f32);
        matmul(c.view_mut(), a.view(), b.t(), false, Parallelism(1));
        let want = naive(a.view(), b.t());
        assert!(c.iter().zip(want.iter()).all(|(x, y)| (x - y).abs() < 1e-5));
        // Accumulate adds on top of what is there.
        matmul(c.view_mut(), a.view(), b.t(), true, Parallelism(1));
        assert!(
            c.iter()
                .zip(want.iter())
                .all(|(x, y)| (x - 2.0 * y).abs() < 1e-4)
        );
    }
}

#[cfg(test)]
mod wide_tests {
    use super::*;
    use ndarray::Array2;

    /// The gemm crate's path, with every transpose and accumulation,
    /// against faer's on the same inputs.
    #[test]
    fn wide_products_match_faer_with_transposes_and_accumulation() {
        let (m, k, n) = (WIDE + 3, WIDE + 17, WIDE + 1);
        let a = Array2::from_shape_fn((m, k), |(i, j)| (((i * 7 + j * 3) % 11) as f32 - 5.0) * 0.1);
        let b = Array2::from_shape_fn((k, n), |(i, j)| (((i * 2 + j * 5) % 13) as f32 - 6.0) * 0.1);
        let at = a.t().to_owned();
        let bt = b.t().to_owned();
        let mut want = Array2::zeros((m, n));
        faer::linalg::matmul::matmul(
            view_mut(&mut want.view_mut()),
            Accum::Replace,
            view(a.view()),
            view(b.view()),
            1.0f32,
            Par::Seq,
        );
        for (av, bv) in [
            (a.view(), b.view()),
            (at.t(), b.view()),
            (a.view(), bt.t()),
            (at.t(), bt.t()),
        ] {
            for par in [Parallelism(1), Parallelism(2)] {
                let mut c = Array2::from_elem((m, n), f32::NAN);
                matmul(c.view_mut(), av, bv, false, par);
                let close = |c: &Array2<f32>, scale: f32| {
                    c.iter()
                        .zip(want.iter())
                        .all(|(x, y)| (x - scale * y).abs() <= 1e-3 * (1.0 + y.abs()))
                };
                assert!(close(&c, 1.0), "replace, {par:?}");
                matmul(c.view_mut(), av, bv, true, par);
                assert!(close(&c, 2.0), "accumulate, {par:?}");
            }
        }
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn every_small_shape_and_transpose_matches_naive() {
        for m in 1..9 {
            for k in 1..9 {
                for n in 1..9 {
                    let a =
                        Array2::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 5) as f32 - 2.0);
                    let b =
                        Array2::from_shape_fn((k, n), |(i, j)| ((i * 2 + j * 5) % 7) as f32 - 3.0);
                    let want = a.dot(&b);
                    let at = a.t().to_owned();
                    let bt = b.t().to_owned();
                    for (av, bv) in [
                        (a.view(), b.view()),
                        (at.t(), b.view()),
                        (a.view(), bt.t()),
                        (at.t(), bt.t()),
                    ] {
                        let mut c = Array2::zeros((m, n));
                        matmul(c.view_mut(), av, bv, false, Parallelism(1));
                        assert_eq!(c, want, "m={m} k={k} n={n}");
                    }
                }
            }
        }
    }
}
