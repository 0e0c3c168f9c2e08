//! A program traced `--headless` on a real terminal has the terminal, as it would untraced:
//! its `input()` reads what is typed, and Ctrl-C reaches it.

mod common;

use common::{Tui, serial};

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn input_reads_the_keyboard_under_headless() {
    let _one = serial();
    let s = script("faithful_input");
    let mut t = Tui::start(&["trace", "--headless", "--", "python3", &s], 100, 30);
    t.wait_for("your name?");
    t.keys("bob\r");
    t.wait_for("hello bob");
    let (_, status) = t.wait_exit_status();
    assert!(status.success(), "{status:?}: {}", t.output());
}

#[test]
fn ctrl_c_reaches_a_program_waiting_for_input() {
    let _one = serial();
    let s = script("faithful_input");
    let mut t = Tui::start(&["trace", "--headless", "--", "python3", &s], 100, 30);
    t.wait_for("your name?");
    t.keys("\u{3}");
    t.wait_for("KeyboardInterrupt");
    let (_, status) = t.wait_exit_status();
    assert!(!status.success(), "{status:?}: {}", t.output());
    // The traceback is Python's own: no frame of the tracer's.
    assert!(!t.output().contains("_threadlanes_shim"), "{}", t.output());
}
