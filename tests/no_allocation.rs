//! A steady-state training step allocates nothing: counted by a global
//! allocator wrapper around the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use spheres::config::preset;
use spheres::train::Trainer;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Only the test's thread counts: idle pool threads of trainers built
    // earlier may still be exiting (and freeing their caches) meanwhile.
    static COUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    if COUNTED.with(|c| c.get()) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_per_step(name: &str, edits: &[(&str, &str)]) -> f64 {
    let mut c = preset(name).unwrap().config;
    for (k, v) in edits {
        c.set(k, v).unwrap();
    }
    let mut t = Trainer::new(c, name);
    for _ in 0..20 {
        t.step();
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..50 {
        t.step();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 50.0
}

#[test]
fn training_steps_do_not_allocate() {
    COUNTED.with(|c| c.set(true));
    // One test function: the counter is global, and tests in one binary
    // run in parallel.
    let small = [
        ("data.n", "40"),
        ("model.width", "64"),
        ("model.hidden", "64"),
    ];
    for name in ["quick", "quad-paper", "quad-100k"] {
        let a = allocations_per_step(name, &small);
        assert_eq!(a, 0.0, "{name}: {a} allocations per step");
    }
    // With two threads the work runs on pool threads, which this counter
    // does not see; rayon's job queue allocates a block now and then (about
    // once per 60 jobs) on the calling thread: amortised, far below one per
    // step.
    let two = [
        ("data.n", "40"),
        ("model.width", "64"),
        ("train.threads", "2"),
        ("train.batch", "128"),
    ];
    let a = allocations_per_step("quick", &two);
    assert!(a < 0.1, "quick on two threads: {a} allocations per step");
}
