//! The real binary in a pseudo-terminal: keys in, screen parsed with a terminal emulator.
//! Waits are on what the screen shows (with a generous deadline), never on fixed sleeps.

mod common;

use common::Tui;
use std::time::Duration;

#[test]
fn lanes_and_objects_appear_and_keys_work() {
    let mut t = Tui::start(&["run", "producer-consumer"], 120, 36);
    t.wait_for("producer-1");
    t.wait_for("consumer-2");
    t.wait_for("queue products");
    t.keys(" ");
    t.wait_for("paused");
    // Paused: virtual time holds still. (Read from the status line, which is whole in any
    // capture, rather than the whole screen, which a capture may catch mid-frame.)
    let clock = |s: String| {
        s.lines().next().and_then(|l| {
            l.split(" · ")
                .find(|p| p.starts_with("t="))
                .map(str::to_string)
        })
    };
    let a = clock(t.screen());
    std::thread::sleep(Duration::from_millis(300));
    assert!(a.is_some(), "the status line shows the time");
    assert_eq!(a, clock(t.screen()), "paused: virtual time does not move");
    t.keys(" ");
    t.wait_for("running");
    t.keys("+");
    t.wait_for("×2");
    t.keys("n");
    t.wait_for("threadlanes · thread-pool");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
    t.assert_cooked();
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in [libc::SIGTERM, libc::SIGHUP] {
        let mut t = Tui::start(&["run", "semaphore"], 100, 30);
        t.wait_for("slots");
        t.signal(sig);
        t.wait_exit();
        t.assert_restored();
        t.assert_cooked();
    }
}

#[test]
fn the_picker_starts_a_scenario() {
    let mut t = Tui::start(&[], 100, 30);
    t.wait_for("▸ join");
    for _ in 0..30 {
        if t.screen().contains("▸ race") {
            break;
        }
        t.keys("\x1b[B"); // down
        std::thread::sleep(Duration::from_millis(30));
    }
    t.wait_for("▸ race");
    t.keys("\r");
    t.wait_for("threadlanes · race");
    t.wait_for("value balance");
    t.keys("\x03"); // Ctrl-C
    t.wait_exit();
    t.assert_restored();
}

#[test]
fn quit_in_a_deadlock_is_prompt() {
    let mut t = Tui::start(&["run", "deadlock"], 100, 30);
    t.wait_for("DEADLOCK");
    t.keys("q");
    let took = t.wait_exit();
    assert!(took < Duration::from_millis(500), "quit took {took:?}");
    t.assert_restored();
}

#[test]
fn a_terminal_too_small_says_so() {
    let mut t = Tui::start(&["run", "lock"], 60, 20);
    t.wait_for("too small");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}
