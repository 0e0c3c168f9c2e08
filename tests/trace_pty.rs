//! `threadlanes trace` in a real pseudo-terminal: the traced program's lanes and objects on
//! screen, its output on the terminal after q, its exit status ours; Ctrl-C ends a program
//! that would run for a minute, and the terminal is restored.

mod common;

use common::Tui;

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_traced_program_on_screen_then_its_output() {
    let s = script("producer_consumer");
    let mut t = Tui::start(&["trace", "--", "python3", &s], 120, 36);
    t.wait_for("consumer-1");
    t.wait_for("queue jobs");
    t.wait_for("says: consumed 6");
    t.wait_for("exit status 0");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
    assert!(after_tui(&t).contains("consumed 6"), "{:?}", after_tui(&t));
}

/// What was written after the TUI left the alternate screen: the program's own output.
fn after_tui(t: &Tui) -> String {
    let out = t.output();
    out.rsplit("\u{1b}[?1049l").next().unwrap_or("").to_string()
}

#[test]
fn ctrl_c_ends_a_long_program_and_reports_how() {
    let s = script("forever");
    let mut t = Tui::start(&["trace", "--", "python3", &s], 120, 36);
    t.wait_for("sleeper");
    t.keys("\u{3}");
    let (took, status) = t.wait_exit_status();
    assert!(took.as_secs() < 5, "quit took {took:?}");
    assert_eq!(
        status.exit_code(),
        128 + 15,
        "ended by SIGTERM, as the status says"
    );
    t.assert_restored();
    let after = after_tui(&t);
    assert!(
        after.contains("no keyboard here") && after.contains("--headless"),
        "{after:?}"
    );
}
