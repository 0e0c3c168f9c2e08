//! The real binary in a pseudo-terminal: keys in, screen parsed with a terminal emulator.
//! Waits are on what the screen shows (with a generous deadline), never on fixed sleeps.

mod common;

use common::{Tui, procs, serial};
use std::time::{Duration, Instant};

/// The run's clock on the status line, in seconds ("t=1.2s").
fn clock_secs(screen: &str) -> Option<f64> {
    let line = screen.lines().next()?;
    let t = line
        .split(" · ")
        .find_map(|p| p.trim().strip_prefix("t="))?;
    t.trim_end_matches('s').parse().ok()
}

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

/// Ctrl-Z (a key in raw mode) and SIGTSTP from outside suspend the TUI as full-screen
/// programs do: the terminal given back (cooked, the main screen), the process stopped and
/// the run's clock with it; on continue, raw mode and a whole screen again, and q quits at
/// once.
#[test]
fn suspend_gives_the_terminal_back_and_continue_takes_it_again() {
    let _s = serial();
    for (how, key) in [("ctrl-z", Some("\u{1a}")), ("SIGTSTP", None)] {
        let mut t = Tui::start(&["run", "stress", "--set", "workers=4"], 100, 30);
        t.wait_for("running");
        t.wait_until("the clock past 0.5 s", |s| {
            clock_secs(s).is_some_and(|c| c > 0.5)
        });
        let before = clock_secs(&t.screen()).unwrap();
        match key {
            Some(k) => t.keys(k),
            None => t.signal(libc::SIGTSTP),
        }
        assert!(
            procs::wait_state(t.pid(), 'T', common::DEADLINE),
            "{how}: not stopped: state {:?}",
            procs::state(t.pid())
        );
        t.assert_restored();
        t.assert_cooked();
        // Stopped for a while: the run's clock stands still meanwhile.
        std::thread::sleep(Duration::from_millis(1500));
        let left = t.output().len();
        let start = Instant::now();
        t.signal(libc::SIGCONT);
        let s = t.wait_until("a whole screen again", |s| {
            s.starts_with(" threadlanes · stress") && s.contains("w3") && s.contains("quit")
        });
        eprintln!("{how}: redrawn {:?} after SIGCONT", start.elapsed());
        assert!(
            t.output()[left..].contains("\x1b[?1049h"),
            "{how}: no alternate screen"
        );
        t.assert_raw();
        let after = clock_secs(&s).unwrap();
        assert!(
            after - before < 1.0,
            "{how}: the clock ran on while stopped: {before} s → {after} s"
        );
        t.quit_within("q", Duration::from_millis(500));
        t.assert_terminal_back();
    }
}
