//! Milliseconds per fused Adam pass (the loop of spheres' optimiser, built
//! for AVX as spheres runs it) over four streams of 1,507,001 f32, placed:
//! - `separate`: four `vec!`s, wherever malloc puts them (from mmap, 16 bytes
//!   into a page, unless the malloc variables send them to the heap);
//! - `same`: one allocation, every stream 16 bytes into a page;
//! - `quarter`: one allocation, streams a quarter page apart (spheres' layout).
//! A 64 MiB sweep before every pass evicts the streams from cache, as a
//! training step's products do. Rounds alternate the layouts; medians and
//! ranges over rounds are printed.

use std::time::Instant;

const N: usize = 1_507_001;
const PAGE: usize = 1024; // f32 per page

#[target_feature(enable = "avx")]
fn adam(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    let (b1, b2, eps, step, inv) = (0.9f32, 0.999f32, 1e-8f32, 1e-4f32, 1.0f32);
    let (c1, c2) = (1.0 - b1, 1.0 - b2);
    for (((p, g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = b1 * *m + c1 * g;
        *v = b2 * *v + c2 * g * g;
        *p -= step * *m / (v.sqrt() * inv + eps);
    }
}

/// Four streams inside `big` at float offsets `skew[k]` past page-aligned
/// regions of their own.
fn streams(big: &mut [f32], skew: [usize; 4]) -> [&mut [f32]; 4] {
    let lead = (PAGE - big.as_ptr() as usize / 4 % PAGE) % PAGE;
    let region = (N / PAGE + 2) * PAGE;
    let mut rest = &mut big[lead..];
    let mut out = Vec::new();
    for s in skew {
        let (this, tail) = rest.split_at_mut(region);
        out.push(&mut this[s..s + N]);
        rest = tail;
    }
    out.try_into().unwrap_or_else(|_| unreachable!())
}

fn time(flush: &mut [f32], s: [&mut [f32]; 4]) -> f64 {
    let [p, g, m, v] = s;
    let mut total = 0.0;
    for _ in 0..20 {
        flush.iter_mut().for_each(|x| *x += 1.0);
        let t = Instant::now();
        // SAFETY: the machine has AVX (every x86-64 host spheres targets here).
        unsafe { adam(p, g, m, v) };
        total += t.elapsed().as_secs_f64();
    }
    total / 20.0 * 1e3
}

fn main() {
    assert!(std::arch::is_x86_feature_detected!("avx"));
    let mut flush = vec![0.0f32; 16 << 20];
    let mut big = vec![0.0f32; 4 * (N / PAGE + 2) * PAGE + PAGE];
    let mut sep: Vec<Vec<f32>> = (0..4).map(|_| vec![0.0f32; N]).collect();
    let offsets: Vec<usize> = sep.iter().map(|v| v.as_ptr() as usize % 4096).collect();
    let mut t: [Vec<f64>; 3] = Default::default();
    for _ in 0..15 {
        let [a, b, c, d] = &mut sep[..] else { unreachable!() };
        t[0].push(time(&mut flush, [a, b, c, d]));
        t[1].push(time(&mut flush, streams(&mut big, [4; 4])));
        t[2].push(time(&mut flush, streams(&mut big, [4, 260, 516, 772])));
    }
    for (name, mut v) in ["separate", "same", "quarter"].into_iter().zip(t) {
        v.sort_by(f64::total_cmp);
        println!("{name:<9} {:.3} ms (range {:.3}-{:.3})", v[v.len() / 2], v[0], v[v.len() - 1]);
    }
    println!("separate streams' page offsets: {offsets:?}");
}
