//! Step mode for a traced Rust program (`threadlanes::sync`), through the `Source` API as
//! for a Python one: each thread waits at its gate before each traced operation, saying
//! what it will do and where (`examples/lost_update.rs:17`, from `#[track_caller]`);
//! `step(w)` lets one operation through; the order chosen decides the result; free mode
//! lets every thread go; and the lanes say it on screen.

mod rust_examples;
mod stepped;

use rust_examples::example;
use std::time::{Duration, Instant};
use stepped::Stepped;
use threadlanes::source::traced::{Options, Output};
use threadlanes::source::{Source, TracedSource};

/// Quiet this long after a step: its events have come through the ingest's hold.
const SETTLE: Duration = Duration::from_millis(150);

/// `examples/lost_update.rs:N`, N the line of the example that holds `text`: where the
/// gates say a thread is.
fn line_of(text: &str) -> String {
    let path = format!("{}/examples/lost_update.rs", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(path).expect("the example's source");
    let n = src
        .lines()
        .position(|l| l.contains(text))
        .expect("the line")
        + 1;
    format!("examples/lost_update.rs:{n}")
}

fn sleep_before_read() -> String {
    line_of("a switch here is harmless")
}

fn options(tui: bool) -> Options {
    Options {
        speed: 1.0,
        output: Output::Capture,
        tui,
    }
}

fn argv() -> Vec<String> {
    argv_of("lost_update")
}

fn argv_of(name: &str) -> Vec<String> {
    let exe = example(name);
    vec![exe.to_str().expect("a UTF-8 path").to_string()]
}

/// The example `name` started in step mode.
fn start_example(name: &str) -> Stepped {
    let src = TracedSource::start_stepped(&argv_of(name), &options(false)).expect("it starts");
    Stepped::new(src, SETTLE)
}

fn start() -> Stepped {
    start_example("lost_update")
}

/// Runs lost_update with t1 and t2 let through as `pick` chooses among the ready ones
/// (given how many steps were taken), then main to its end; returns its output.
fn run(pick: impl Fn(usize) -> [&'static str; 2]) -> String {
    let mut s = start();
    s.settle(|s| ["main", "t1", "t2"].iter().all(|n| s.is_parked(n)));
    let mut steps = 0;
    let mut done = [false, false];
    while done != [true, true] {
        let name = pick(steps)
            .into_iter()
            .find(|n| !done[usize::from(*n == "t2")] && s.ready(n))
            .expect("a depositor can go");
        let ops = s.step(name);
        if ops.contains(&"exit") {
            done[usize::from(name == "t2")] = true;
        }
        steps += 1;
        assert!(steps < 100, "too many steps");
    }
    while !s.src.is_finished() {
        if s.ready("main") {
            s.step("main");
        } else {
            s.settle(|_| true);
        }
    }
    s.output()
}

#[test]
fn each_thread_says_what_it_will_do_and_where() {
    let mut s = start();
    s.settle(|s| ["main", "t1", "t2"].iter().all(|n| s.is_parked(n)));
    let parked = s.src.parked();
    let at = |n: &str| parked.iter().find(|p| p.w == s.w(n)).expect("parked");
    assert_eq!(at("t1").next.op, "sleep");
    assert_eq!(at("t1").at, Some(sleep_before_read()));
    assert_eq!(at("main").next.op, "join");
    assert!(!at("main").ready, "main joins t1, which has not ended");
    assert!(
        s.src.step(s.w("main")).is_err(),
        "a thread that cannot go is refused"
    );
    // One step: t1's sleep (its begin and end), then it waits to take the lock (declared
    // at its first use, before its gate).
    let ops = s.step("t1");
    assert_eq!(ops, ["sleep_begin", "sleep_end", "object"]);
    let parked = s.src.parked();
    let t1 = parked.iter().find(|p| p.w == s.w("t1")).expect("parked");
    assert_eq!(t1.next.op, "acquire");
    assert!(t1.next.o.is_some(), "the lock it wants");
    s.src.set_mode(threadlanes::runner::Mode::Free);
    assert!(s.output().contains("balance "), "free, it runs to its end");
    assert_eq!(s.src.exit_status(), Some(0));
}

#[test]
fn the_order_of_the_steps_decides_the_balance() {
    // Each depositor whole, one after the other: nothing lost.
    let out = run(|_| ["t1", "t2"]);
    assert!(out.contains("balance 22"), "{out}");
    // Turn about: both read before either writes, and updates are lost.
    let out = run(|n| {
        if n % 2 == 0 {
            ["t1", "t2"]
        } else {
            ["t2", "t1"]
        }
    });
    assert!(!out.contains("balance 22"), "{out}");
}

/// An rwlock's gate says read or write, so a writer cannot go while readers hold it, nor a
/// reader while the writer does; each says why (examples/config.rs: three readers hold it
/// together past a barrier, and the updater wants to write).
#[test]
fn a_writer_waits_for_the_readers_and_a_reader_for_the_writer() {
    use threadlanes::runner::StepError;
    let readers = ["reader-1", "reader-2", "reader-3"];
    let mut s = start_example("config");
    s.settle(|s| readers.iter().all(|n| s.is_parked(n)) && s.is_parked("updater"));
    for r in readers {
        assert!(s.ready(r), "{r} can read: nobody writes");
        assert_eq!(s.step(r), ["acquire_begin", "acquire_end"], "{r} reads");
    }
    // Each reader to the barrier (it waits there for real), then the updater: all go on.
    for r in readers.iter().chain(&["updater"]) {
        s.src.step(s.w(r)).expect("to the barrier");
        s.settle(|_| true);
    }
    s.settle(|s| s.is_parked("updater") && readers.iter().all(|n| s.is_parked(n)));
    let updater = s.w("updater");
    assert!(!s.ready("updater"), "three readers hold it");
    assert_eq!(s.src.step(updater), Err(StepError::Blocked));
    let why = s.src.waiting().join("; ");
    assert!(
        why.contains("updater waits for rwlock config (read by reader-1, reader-2, reader-3)"),
        "{why}"
    );
    // Each reader sleeps, then lets go; the updater may write once the last has.
    for r in readers {
        assert_eq!(s.step(r), ["sleep_begin", "sleep_end"]);
        assert!(!s.ready("updater"), "{r} still reads");
        assert_eq!(s.step(r), ["release"], "{r} lets go");
    }
    assert!(s.ready("updater"));
    assert_eq!(s.step("updater"), ["acquire_begin", "acquire_end"]);
    // A reader back for more waits while the updater writes.
    assert_eq!(s.step("reader-1"), ["sleep_begin", "sleep_end"]);
    assert!(!s.ready("reader-1"), "the updater writes");
    let why = s.src.waiting().join("; ");
    assert!(
        why.contains("reader-1 waits for rwlock config (held by updater)"),
        "{why}"
    );
    s.src.set_mode(threadlanes::runner::Mode::Free);
    assert!(
        s.output().contains("logged versions [2]"),
        "free, it runs to its end"
    );
}

/// The TUI over a stepped Rust program: each lane says what its thread will do next and
/// where in the program, and the step key lets the selected thread through.
#[test]
fn the_lanes_say_each_threads_next_operation_and_its_line() {
    use threadlanes::keys::Action;
    let src = TracedSource::start_stepped(&argv(), &options(true)).expect("it starts");
    let mut app = stepped::stepped_app(src);
    let until = stepped::pump_until;
    let sleeping = format!("next: sleep  {}", sleep_before_read());
    let acquiring = format!("next: acquire lock balance  {}", line_of("let seen"));
    let count = |app: &threadlanes::app::App, want: &str| {
        app.next_ops().iter().filter(|n| n.text == want).count()
    };
    until(&mut app, &|app| {
        count(app, &sleeping) == 2 && app.shown_world().workers.len() == 3
    });
    // Lanes: main, t1, t2. Select t1 and let it through: it sleeps, then wants the lock.
    app.update(Action::Down);
    app.update(Action::Step);
    assert_eq!(app.flash_text(), None, "the step was refused");
    until(&mut app, &|app| {
        app.next_ops().iter().any(|n| n.text == acquiring)
    });
    assert_eq!(count(&app, &sleeping), 1, "t2 has not moved");
}

/// Stepping a thread that has finished says so, not that it is "not waiting at the gate".
#[test]
fn stepping_a_finished_thread_says_it_has_finished() {
    use threadlanes::app::App;
    use threadlanes::keys::Action;
    let src = TracedSource::start_stepped(&argv(), &options(true)).expect("it starts");
    let mut app = stepped::stepped_app(src);
    let t1 = |app: &App| {
        let w = app.shown_world().workers.iter().find(|w| w.name == "t1")?;
        Some((w.id, w.is_done()))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    // t1 alone, one step whenever it waits at its gate and can go, until it has ended.
    while t1(&app).is_none_or(|(_, done)| !done) {
        assert!(
            Instant::now() < deadline,
            "t1 never ended: {:?}",
            app.next_ops()
        );
        app.pump();
        let Some((w, _)) = t1(&app) else { continue };
        let parked = app.source().expect("a run").parked();
        if parked.iter().any(|p| p.w == w && p.ready) {
            app.select_worker(w);
            app.update(Action::Step);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let (w, _) = t1(&app).expect("t1");
    app.select_worker(w);
    app.update(Action::Step);
    assert_eq!(app.flash_text(), Some("t1 has finished"));
}
