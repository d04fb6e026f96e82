//! External tools some tests drive (Python with numpy and safetensors,
//! tmux). One rule for all of them: where a tool is missing the test is
//! skipped with a message that bypasses the test harness's capture, so it
//! shows even among passing tests; with `SPHERES_REQUIRE_TOOLS=1` (which
//! `.ci/run` sets) the test fails instead, so CI never passes by skipping.

// Each test binary uses the helpers it needs.
#![allow(dead_code)]

use std::io::Write;

pub mod runs;
pub mod tmux;

pub const REQUIRE_ENV: &str = "SPHERES_REQUIRE_TOOLS";

/// Whether a test may go on: `probe` is `Ok` when `what` is usable, else
/// the reason it is not; `install` says how to get it.
pub fn available(what: &str, probe: Result<(), String>, install: &str) -> bool {
    let Err(why) = probe else {
        return true;
    };
    let message = format!("{what} is not available ({why}); to run this test: {install}");
    if std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1") {
        panic!("{message} [{REQUIRE_ENV}=1: a missing tool fails the test]");
    }
    // Written to the process's stderr directly: `eprintln!` would be
    // captured and hidden for a test that returns normally.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {message} [set {REQUIRE_ENV}=1 to make this a failure]"
    );
    false
}
