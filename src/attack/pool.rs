//! Thread pools of the requested sizes, built once each and kept. Every
//! parallel loop in this module splits work into fixed chunks whose results
//! do not depend on which thread ran them, so the pool size only changes
//! speed.
//!
//! Kept, because callers come back in small units (a Monte Carlo round, 32
//! nearest-error starts, one rare-event repeat): a pool built per call
//! spawned its threads each time and ran every unit on cold threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::ThreadPool;

/// Runs `f` on the pool of `threads` threads (at least one); falls back to
/// the calling thread if the pool cannot be built.
pub(crate) fn install<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    match pool(threads.max(1)) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

fn pool(threads: usize) -> Option<Arc<ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(p) = pools.get(&threads) {
        return Some(Arc::clone(p));
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |i| format!("spheres-attack-{threads}-{i}"))
            .build()
            .ok()?,
    );
    pools.insert(threads, Arc::clone(&p));
    Some(p)
}
