//! GFLOP/s of faer, the gemm crate and matrixmultiply on the matrix products
//! of relu-paper (n = 500, width 1000), one thread, with the strides spheres
//! passes: C = A B, C row-major, A and B row-major or transposed views of
//! row-major storage. Rows: 16 (an attack chunk), 50 and 512 (training
//! batches), 256 (an evaluation chunk, forward products only matter there).

use std::time::Instant;

struct Shape {
    name: &'static str,
    m: usize,
    k: usize,
    n: usize,
    /// A is the transpose of a row-major k x m matrix.
    a_t: bool,
    /// B is the transpose of a row-major n x k matrix.
    b_t: bool,
}

fn shapes(b: usize) -> Vec<Shape> {
    let s = |name, m, k, n, a_t, b_t| Shape { name, m, k, n, a_t, b_t };
    vec![
        s("fwd0 x W0^T", b, 500, 1000, false, true),
        s("fwd1 a W1^T", b, 1000, 1000, false, true),
        s("dW1 g^T a", 1000, b, 1000, true, false),
        s("dx1 g W1", b, 1000, 1000, false, false),
        s("dW0 g^T x", 1000, b, 500, true, false),
    ]
}

/// Median GFLOP/s over 5 windows of 0.2 s.
fn time(flops: f64, mut f: impl FnMut()) -> f64 {
    f();
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let mut k = 0;
            while k == 0 || t.elapsed().as_secs_f64() < 0.2 {
                f();
                k += 1;
            }
            flops * k as f64 / t.elapsed().as_secs_f64() / 1e9
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn main() {
    println!("{:<5} {:<12} {:>5} {:>5} {:>5} {:>8} {:>8} {:>8}", "batch", "product", "m", "k", "n", "faer", "gemm", "mm");
    for batch in [16, 50, 256, 512] {
        for s in shapes(batch) {
            let (m, k, n) = (s.m, s.k, s.n);
            let a: Vec<f32> = (0..m * k).map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.01).collect();
            let b: Vec<f32> = (0..k * n).map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.01).collect();
            let mut c = vec![0.0f32; m * n];
            // Row and column strides of the logical A (m x k) and B (k x n).
            let (ars, acs) = if s.a_t { (1, m as isize) } else { (k as isize, 1) };
            let (brs, bcs) = if s.b_t { (1, k as isize) } else { (n as isize, 1) };
            let flops = 2.0 * (m * k * n) as f64;
            let faer = time(flops, || {
                let av = unsafe { faer::MatRef::from_raw_parts(a.as_ptr(), m, k, ars, acs) };
                let bv = unsafe { faer::MatRef::from_raw_parts(b.as_ptr(), k, n, brs, bcs) };
                let cv = unsafe { faer::MatMut::from_raw_parts_mut(c.as_mut_ptr(), m, n, n as isize, 1) };
                faer::linalg::matmul::matmul(cv, faer::Accum::Replace, av, bv, 1.0f32, faer::Par::Seq);
            });
            let gemm = time(flops, || unsafe {
                gemm::gemm(
                    m, n, k, c.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), acs, ars, b.as_ptr(), bcs,
                    brs, 0.0f32, 1.0f32, false, false, false, gemm::Parallelism::None,
                )
            });
            let mm = time(flops, || unsafe {
                matrixmultiply::sgemm(
                    m, k, n, 1.0, a.as_ptr(), ars, acs, b.as_ptr(), brs, bcs, 0.0, c.as_mut_ptr(),
                    n as isize, 1,
                )
            });
            println!("{batch:<5} {:<12} {m:>5} {k:>5} {n:>5} {faer:>8.1} {gemm:>8.1} {mm:>8.1}", s.name);
        }
    }
}
