//! Step mode for a traced Python program, through the `Source` API alone: every thread of
//! the program waits at its gate before each traced operation, `step(w)` lets exactly one
//! operation of `w` through, a thread that cannot go says so, and the order the steps choose
//! decides the program's result (the lost update, on demand).

use std::time::{Duration, Instant};
use threadlanes::runner::Mode;
use threadlanes::source::traced::{Options, Output, Strategy};
use threadlanes::source::{Source, TracedSource};

mod stepped;

use stepped::{Stepped, pump_until, stepped_app};

/// Quiet this long after a step: the events it made have come through the ingest's hold.
const SETTLE: Duration = Duration::from_millis(250);

/// `tests/python/NAME.py` started in step mode for the TUI.
fn tui_stepped(name: &str) -> TracedSource {
    let script = format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"));
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: true,
    };
    TracedSource::start_stepped(&["python3".into(), script], &opts).expect("python3 starts")
}

/// `tests/python/NAME.py` started in step mode.
fn start(name: &str) -> Stepped {
    let script = format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"));
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: false,
    };
    let src =
        TracedSource::start_stepped(&["python3".into(), script], &opts).expect("python3 starts");
    Stepped::new(src, SETTLE)
}

/// Runs lost_update.py with the two threads let through in `order`, then main to its end;
/// its output and the schedule it followed.
fn run(order: &[&str]) -> (String, String) {
    let mut s = start("lost_update");
    s.settle(|s| ["main", "t1", "t2"].iter().all(|n| s.is_parked(n)));
    let parked = s.src.parked();
    let at = |n: &str| parked.iter().find(|p| p.w == s.w(n)).expect("parked");
    // Each thread says what it will do, and where in the program.
    assert_eq!(at("t1").next.op, "sleep");
    assert_eq!(at("t1").at.as_deref(), Some("lost_update.py:13"));
    assert_eq!(at("main").next.op, "join");
    assert!(!at("main").ready, "main joins t1, which has not ended");
    assert!(
        s.src.step(s.w("main")).is_err(),
        "a thread that cannot go is refused"
    );
    for name in order {
        let ops = s.step(name);
        // One operation a step: the sleep (its begin and end), then it runs to its next gate.
        assert_eq!(ops[..2], ["sleep_begin", "sleep_end"], "{name}: {ops:?}");
        assert!(ops[2..].iter().all(|op| *op == "exit"), "{name}: {ops:?}");
    }
    for _ in 0..2 {
        let ops = s.step("main");
        assert_eq!(ops[..2], ["join_begin", "join_end"], "{ops:?}");
    }
    let out = s.output();
    (out, s.src.schedule().expect("a stepped run has a schedule"))
}

#[test]
fn each_step_lets_one_operation_through_and_the_order_decides_the_result() {
    // A switch between each read and its write: both read the same balance, updates lost.
    let (out, _) = run(&["t1", "t2", "t1", "t2", "t1", "t2", "t1", "t2"]);
    assert!(out.contains("balance 20"), "{out}");
    // Each thread whole, one after the other: nothing lost.
    let (out, _) = run(&["t1", "t1", "t1", "t1", "t2", "t2", "t2", "t2"]);
    assert!(out.contains("balance 22"), "{out}");
}

/// The schedule a stepped run prints, replayed seeded, does what the steps did.
#[test]
fn a_stepped_runs_schedule_replays_it() {
    for (order, balance) in [
        (
            ["t1", "t1", "t1", "t1", "t2", "t2", "t2", "t2"],
            "balance 22",
        ),
        (
            ["t2", "t1", "t2", "t1", "t2", "t1", "t2", "t1"],
            "balance 2 ",
        ),
    ] {
        let (out, schedule) = run(&order);
        assert!(out.contains(balance), "{out}");
        let opts = Options {
            speed: 1.0,
            output: Output::Capture,
            tui: false,
        };
        let script = format!("{}/tests/python/lost_update.py", env!("CARGO_MANIFEST_DIR"));
        let strategy = Strategy::Replay(schedule.parse().expect("the schedule parses"));
        let mut src = TracedSource::start_in(
            &["python3".into(), script],
            &opts,
            Mode::Seeded,
            Some(strategy),
        )
        .expect("python3 starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !src.is_finished() {
            assert!(Instant::now() < deadline, "the replay never ended");
            src.wait(Duration::from_millis(20), &mut |_| {});
        }
        let again = String::from_utf8_lossy(&src.captured().0).into_owned();
        assert!(again.contains(balance), "{schedule}: {again}");
        assert_eq!(src.misfits(), 0, "{schedule}");
    }
}

#[test]
fn free_mode_lets_every_parked_thread_go() {
    let mut s = start("lost_update");
    s.settle(|s| ["main", "t1", "t2"].iter().all(|n| s.is_parked(n)));
    s.src.set_mode(threadlanes::runner::Mode::Free);
    assert!(s.output().contains("balance"));
    assert_eq!(s.src.exit_status(), Some(0));
}

/// The TUI in step mode over a traced program: each lane says what its thread will do next
/// and where, and the step key lets the selected thread through.
#[test]
fn the_lanes_say_what_each_thread_does_next_and_the_step_key_lets_one_go() {
    use threadlanes::keys::Action;
    let mut app = stepped_app(tui_stepped("lost_update"));
    let until = pump_until;
    let sleeping_at = |line: u32| {
        move |app: &threadlanes::app::App| {
            let want = format!("next: sleep  lost_update.py:{line}");
            app.next_ops().iter().filter(|n| n.text == want).count()
        }
    };
    // The gates come at once; the lanes once the events have been held in time order.
    until(&mut app, &|app| {
        sleeping_at(13)(app) == 2 && app.shown_world().workers.len() == 3
    });
    let joins = app
        .next_ops()
        .iter()
        .find(|n| n.w == 0)
        .expect("main parked");
    assert!(
        !joins.ready && joins.text.starts_with("can't go"),
        "{joins:?}"
    );
    // Lanes: main, t1, t2. main cannot go, so the selection has moved to t1 by itself (`.`
    // on main would be refused). Let t1 through once: it sleeps and reads, then waits at its
    // second sleep.
    app.update(Action::Step);
    assert_eq!(app.flash_text(), None, "the step was refused");
    until(&mut app, &|app| sleeping_at(15)(app) == 1);
    assert_eq!(sleeping_at(13)(&app), 1, "t2 has not moved");
}

/// A thread waiting for real (main in `changed.wait()`) is at no gate: `.` on it says what
/// it waits for, and the selection moves to the thread that can go (maker, to notify).
#[test]
fn a_thread_waiting_on_a_condition_is_not_stepped_and_the_selection_moves_on() {
    use threadlanes::keys::Action;
    let mut app = stepped_app(tui_stepped("condition_barrier"));
    let until = pump_until;
    let waiting = |app: &threadlanes::app::App| {
        let w = app.shown_world();
        w.worker(0).is_some_and(|m| m.blocked_on().is_some())
            && app.next_ops().iter().any(|n| n.ready)
    };
    // Step main until it waits on the condition (maker is then parked, ready to notify).
    until(&mut app, &|app| {
        app.next_ops().iter().any(|n| n.w == 0 && n.ready) || waiting(app)
    });
    while !waiting(&app) {
        app.view.selected = 0;
        app.update(Action::Step);
        until(&mut app, &|app| {
            waiting(app) || app.next_ops().iter().any(|n| n.w == 0 && n.ready)
        });
    }
    app.view.selected = 0;
    app.update(Action::Step);
    let said = app.flash_text().unwrap_or_default();
    assert!(
        said.contains("waits on condition changed") && said.contains("goes on when woken"),
        "{said}"
    );
    until(&mut app, &|app| app.view.selected != 0);
    let maker = &app.shown_world().workers[app.view.selected];
    assert_eq!(maker.name, "maker");
}

/// Every lesson program, stepped to its end by always letting the first thread that can go
/// through: the gate holds whatever the program does (locks, queues, events, conditions,
/// pools, processes) and never holds it for good. Its output is its own.
#[test]
fn lesson_programs_stepped_to_their_end() {
    for name in [
        "race",
        "lock",
        "rlock",
        "semaphore",
        "traffic_light",
        "queue_kinds",
        "producer_consumer",
        "condition_barrier",
        "thread_pool",
        "processes",
    ] {
        let mut s = start(name);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut steps = 0;
        while !s.src.is_finished() {
            assert!(
                Instant::now() < deadline,
                "{name}: never ended after {steps} steps"
            );
            s.src.wait(Duration::from_millis(5), &mut |_| {});
            if let Some(p) = s.src.parked().into_iter().find(|p| p.ready)
                && s.src.step(p.w).is_ok()
            {
                steps += 1;
            }
        }
        assert_eq!(s.src.exit_status(), Some(0), "{name}");
        // multiprocessing's own operations are not gated yet: processes.py runs through.
        assert!(
            steps > 0 || name == "processes",
            "{name}: nothing was stepped"
        );
    }
}
