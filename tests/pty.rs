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
    // Chosen in the picker, Esc goes back there (the footer says so); q would quit.
    t.wait_for("esc list");
    t.keys("\x1b");
    t.wait_until("the picker again", |s| {
        s.contains("▸ race") && !s.contains("value balance")
    });
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

const TAB: &str = "\t";
const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const LEFT: &str = "\x1b[D";
const RIGHT: &str = "\x1b[C";

/// The lane of `name` on `screen`: its row, from the name on (`▸ ` before it if selected).
fn lane<'a>(screen: &'a str, name: &str) -> Option<&'a str> {
    screen.lines().find_map(|l| {
        let row = l.strip_prefix('│')?;
        let rest = row.strip_prefix("▸ ").or_else(|| row.strip_prefix("  "))?;
        rest.strip_prefix(name)
            .filter(|r| r.starts_with(' '))
            .map(|_| row)
    })
}

/// Waits until `name`'s lane holds `what`.
fn wait_lane(t: &Tui, name: &str, what: &str) -> String {
    t.wait_until(&format!("lane {name} with {what:?}"), |s| {
        lane(s, name).is_some_and(|l| l.contains(what))
    })
}

/// Presses `key` and waits until `name`'s lane is the selected one.
fn select(t: &mut Tui, key: &str, name: &str) {
    t.keys(key);
    t.wait_until(&format!("{name} selected"), |s| {
        lane(s, name).is_some_and(|l| l.starts_with('▸'))
    });
}

/// Presses `.` and waits for the log to show `done` and `name`'s lane `next`: the step is
/// over, the worker back at the gate.
fn step(t: &mut Tui, name: &str, done: &str, next: &str) {
    t.keys(".");
    t.wait_for(done);
    wait_lane(t, name, next);
}

/// The first line of the screen: the status line, with the flash.
fn status(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// README, "Walkthrough: make the race happen on purpose", key by key at 80×24: each step's
/// keys, then what the README says the screen shows.
#[test]
fn the_readme_walkthrough_works_as_written() {
    let mut t = Tui::start(&["run", "race", "--step"], 80, 24);
    // 1. Nothing moves: main has set up and waits to join; t1 and t2 wait at the gate.
    wait_lane(&t, "main", "next: join");
    wait_lane(&t, "t1", "next: read value balance");
    wait_lane(&t, "t2", "next: read value balance");
    t.wait_until("STEP MODE", |s| status(s).contains("STEP MODE"));
    // 2. tab selects t1, . : it reads 0, and will sleep next.
    select(&mut t, TAB, "t1");
    step(&mut t, "t1", "t1    read value balance = 0", "next: sleep");
    // 3. tab selects t2, . : it reads 0 too.
    select(&mut t, TAB, "t2");
    step(&mut t, "t2", "t2    read value balance = 0", "next: sleep");
    // 4. t1 (↑): its sleep, then its write; t2 (↓): the same. t1 writes 8, t2 10.
    for (key, name, n) in [(UP, "t1", 8), (DOWN, "t2", 10)] {
        select(&mut t, key, name);
        step(
            &mut t,
            name,
            &format!("{name}    wakes"),
            "next: write value balan",
        );
        let wrote = format!("{name}    wrote value balance = {n}");
        step(&mut t, name, &wrote, "next: read value balance");
    }
    // 5. ← four times: back before t1's write, the balance as it was then, each lane saying
    // what its thread did next; → four times: now again.
    for _ in 0..4 {
        t.keys(LEFT);
    }
    let s = t.wait_until("the moment after t1 woke", |s| {
        status(s).contains("⏪") && status(s).contains("t1 wakes")
    });
    let balance = s
        .lines()
        .find(|l| l.contains("value balance"))
        .unwrap_or("");
    assert!(balance.contains("= 0"), "the balance then:\n{s}");
    // In step mode the words have room for the whole of it at 80 columns.
    wait_lane(&t, "t1", "then: wrote value balance = 8");
    wait_lane(&t, "t2", "then: sleeps");
    for _ in 0..4 {
        t.keys(RIGHT);
    }
    t.wait_until("now again", |s| {
        !status(s).contains("⏪") && status(s).contains("STEP MODE")
    });
    wait_lane(&t, "t1", "next: read value balance");
    // 6. s: it runs free to its end, the screen with it (the scrub left behind); the
    // outcome says where the balance ended and how many updates were lost.
    t.keys("s");
    t.wait_for("finished");
    t.wait_for("lost");
    // Tab outside step mode says what to press.
    t.keys(TAB);
    t.wait_for("tab picks who goes in step mode: press s first");
    // 7. s, then v: the version with the lock from the start, in step mode.
    t.keys("s");
    t.wait_until("step mode", |s| status(s).contains("step mode"));
    t.keys("v");
    t.wait_for("with lock");
    wait_lane(&t, "t1", "next: acquire lock");
    wait_lane(&t, "t2", "next: acquire lock");
    select(&mut t, TAB, "t1");
    step(&mut t, "t1", "held by t1", "next: read value balance");
    select(&mut t, TAB, "t2");
    step(
        &mut t,
        "t2",
        "t2    acquire lock",
        "can't go: t1 holds lock",
    );
    // t2 cannot go: the selection moves on to the next that can, main.
    t.wait_until("main selected", |s| {
        lane(s, "main").is_some_and(|l| l.starts_with('▸'))
    });
    select(&mut t, DOWN, "t1");
    select(&mut t, DOWN, "t2");
    t.keys(".");
    let s = t.wait_until("why t2 cannot go", |s| {
        status(s).contains("t2 can't go: waiting for lock (held by t1)")
    });
    assert!(s.lines().all(|l| l.chars().count() <= 80));
    // Until t1 releases it: its read, sleep, write and release; then t2 can go.
    select(&mut t, UP, "t1");
    let steps = [
        ("read value", "next: sleep"),
        ("wakes", "next: write"),
        ("wrote value", "next: release"),
        ("released lock", "next: acquire lock"),
    ];
    for (done, next) in steps {
        step(&mut t, "t1", &format!("t1    {done}"), next);
    }
    wait_lane(&t, "t2", "next: acquire lock");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}

#[test]
fn the_picker_opens_and_closes_its_help() {
    let mut t = Tui::start(&[], 80, 24);
    t.wait_for("▸ join");
    t.wait_for("? help");
    t.keys("?");
    t.wait_for("? or esc closes this");
    t.wait_for("run scenario");
    t.keys("\x1b");
    t.wait_until("the help closed", |s| !s.contains("closes this"));
    t.wait_for("▸ join");
    t.keys("?");
    t.wait_for("closes this");
    t.keys("?");
    t.wait_until("the help closed", |s| !s.contains("closes this"));
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
