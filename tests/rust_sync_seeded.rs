//! Seeded runs of a traced Rust program (`threadlanes::sync`), as of a Python one: the same
//! seed does the same sequence of traced operations every run, its schedule replays it,
//! `thread::sleep` passes on the logical clock (the run does not sleep), and `explore` finds
//! the bugs of the examples: the lost update of `clerks`, the AB/BA deadlock of `ab_ba`.

mod rust_examples;
mod seeded_runs;

use rust_examples::example;
use seeded_runs::{Ran, assert_ab_ba_cycle, explore_failing, seeded_run};
use std::time::Duration;
use threadlanes::explore;
use threadlanes::source::traced::Strategy;

fn argv(name: &str) -> Vec<String> {
    let exe = example(name);
    vec![exe.to_str().expect("a UTF-8 path").to_string()]
}

fn seeded(name: &str, strategy: Strategy) -> Ran {
    seeded_run(&argv(name), strategy)
}

#[test]
fn the_same_seed_does_the_same_operations_skips_the_sleeps_and_replays() {
    for seed in [2, 5] {
        let a = seeded("clerks", Strategy::Random(seed));
        let b = seeded("clerks", Strategy::Random(seed));
        assert_eq!(a.ops, b.ops, "seed {seed}: two runs differ");
        assert_eq!((&a.schedule, &a.stdout), (&b.schedule, &b.stdout));
        assert!(a.ops.iter().any(|(_, op)| op == "sleep_begin"));
        // Bob walks for three seconds: on the logical clock, no time at all.
        assert!(a.took < Duration::from_millis(2500), "took {:?}", a.took);
        let schedule = a.schedule.parse().expect("the schedule printed parses");
        let c = seeded("clerks", Strategy::Replay(schedule));
        assert_eq!(
            a.ops, c.ops,
            "seed {seed}: the replay of {} differs",
            a.schedule
        );
        assert_eq!(a.stdout, c.stdout);
    }
}

fn explore(name: &str) -> explore::Found {
    explore_failing(argv(name))
}

#[test]
fn explore_finds_the_ab_ba_deadlock_of_a_rust_program() {
    let f = explore("ab_ba");
    assert_ab_ba_cycle(&f);
    let report = explore::report(&f, &argv("ab_ba"));
    assert!(report.contains("trace --replay"), "{report}");
    // Replayed headless, the run is stuck with both threads at their gates, before either
    // began its acquire: the outcome still names the cycle.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--replay", &f.schedule, "--"])
        .args(argv("ab_ba"))
        .output()
        .expect("threadlanes runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "outcome: DEADLOCK: t1 waits for lock b held by t2; t2 waits for lock a held by t1"
        ),
        "{text}"
    );
}

#[test]
fn explore_finds_the_lost_update_of_a_rust_program_and_its_schedule_replays_it() {
    let f = explore("clerks");
    let why = f.outcome.failure.clone().unwrap_or_default();
    assert!(why.contains("lost an update"), "{why}");
    assert!(
        why.starts_with("panic in main:"),
        "a Rust panic is called one: {why}"
    );
    let again = seeded(
        "clerks",
        Strategy::Replay(f.schedule.parse().expect("parses")),
    );
    assert!(!again.stdout.contains("balance 150"), "{}", again.stdout);
}
