//! A seeded run of a traced program as the tests look at it: its events as (worker, op) in
//! order, its schedule, its stdout and how long it took; and `explore`'s first failing run.
//! Shared by the Python and the Rust seeded tests.

use std::time::{Duration, Instant};
use threadlanes::event::Op;
use threadlanes::explore::{self, Settings, Verdict};
use threadlanes::runner::Mode;
use threadlanes::source::traced::{Options, Output, Strategy};
use threadlanes::source::{Item, Source, TracedSource};

/// What a seeded run did.
pub struct Ran {
    pub ops: Vec<(u32, String)>,
    pub schedule: String,
    pub stdout: String,
    pub took: Duration,
}

/// Runs `argv` seeded by `strategy` to its end (30 s at most).
pub fn seeded_run(argv: &[String], strategy: Strategy) -> Ran {
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: false,
    };
    let start = Instant::now();
    let mut src =
        TracedSource::start_in(argv, &opts, Mode::Seeded, Some(strategy)).expect("it starts");
    let mut ops = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !src.is_finished() {
        assert!(Instant::now() < deadline, "{argv:?} never ended");
        src.wait(Duration::from_millis(20), &mut |item| {
            if let Item::Event(ev) = item {
                // A lane's name carries its pid, which changes run to run.
                if !matches!(ev.op, Op::Worker { .. } | Op::Say { .. }) {
                    ops.push((ev.w, ev.op.name().to_string()));
                }
            }
        });
    }
    Ran {
        ops,
        schedule: src.schedule().expect("a seeded run has a schedule"),
        stdout: String::from_utf8_lossy(&src.captured().0).into_owned(),
        took: start.elapsed(),
    }
}

/// `explore` over `argv` (40 runs, seed 1, two at once): its failing run; a panic if none
/// failed.
pub fn explore_failing(argv: Vec<String>) -> explore::Found {
    let s = Settings {
        argv,
        runs: 40,
        time: None,
        seed: 1,
        jobs: 2,
        progress: false,
    };
    match explore::search(&s).expect("the program starts") {
        Verdict::Failed(f) => *f,
        Verdict::Passed { runs, .. } => panic!("{:?}: no failing run in {runs} runs", s.argv),
    }
}

/// The failure of an AB/BA deadlock names its cycle: t1 holds a and wants b, t2 the other
/// way round.
pub fn assert_ab_ba_cycle(found: &explore::Found) {
    let why = found.outcome.failure.clone().unwrap_or_default();
    assert!(
        why.contains("deadlock")
            && why.contains("t1 waits for lock b (held by t2)")
            && why.contains("t2 waits for lock a (held by t1)"),
        "{why}"
    );
}
