//! A thread pool of the requested size per call. Every parallel loop in this
//! module splits work into fixed chunks whose results do not depend on which
//! thread ran them, so the pool size only changes speed.

/// Runs `f` on a pool of `threads` threads (at least one); falls back to the
/// calling thread if the pool cannot be built.
pub(crate) fn install<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}
