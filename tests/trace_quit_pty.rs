//! Quitting `threadlanes trace` in a real pseudo-terminal has a scenario's budget: q ends
//! the program and every process it started, and the terminal is back, within 500 ms.

mod common;

use common::Tui;
use std::time::{Duration, Instant};

#[test]
fn q_ends_a_traced_program_of_several_processes_within_500ms() {
    let _one = common::serial();
    let s = format!("{}/tests/python/sleepers.py", env!("CARGO_MANIFEST_DIR"));
    let mut t = Tui::start(&["trace", "--", "python3", &s], 120, 36);
    t.wait_for("sleeper-2");
    let start = Instant::now();
    t.keys("q");
    let (_, status) = t.wait_exit_status();
    let took = start.elapsed();
    eprintln!("quit took {took:?}");
    assert!(took < Duration::from_millis(500), "quit took {took:?}");
    // The program's own status: it ended on our SIGTERM.
    assert_eq!(status.exit_code(), 128 + 15);
    t.assert_gone();
    t.assert_restored();
}
