//! Every scenario's `--headless --json` stream, checked against the primitives' semantics,
//! and each scenario's outcome. These run the real binary on real threads; nothing here
//! depends on timing beyond what the scenario itself guarantees.

use std::process::Command;
use threadlanes::event::{Event, Op};
use threadlanes::model::check::check_all;
use threadlanes::wire;

struct Out {
    events: Vec<Event>,
    stderr: String,
    code: i32,
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_threadlanes"))
}

fn run(args: &[&str]) -> Out {
    run_at(args, "500")
}

/// At `speed`: races need the virtual windows to stay long next to a thread's start-up.
fn run_at(args: &[&str], speed: &str) -> Out {
    let out = bin()
        .args(["run"])
        .args(args)
        .args(["--headless", "--json", "--speed", speed, "--for", "60"])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let events = stdout
        .lines()
        .enumerate()
        .map(|(i, l)| wire::decode(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1)))
        .collect();
    Out {
        events,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().expect("exited, not killed"),
    }
}

fn outcome(o: &Out) -> (String, bool) {
    o.events
        .iter()
        .find_map(|e| match &e.op {
            Op::Outcome { text, ok } => Some((text.clone(), *ok)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no outcome in the stream; stderr: {}", o.stderr))
}

fn says(o: &Out) -> Vec<String> {
    o.events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Say { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn scenario_names() -> Vec<String> {
    let out = bin().arg("list").output().expect("list runs");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn every_scenario_and_variant_streams_valid_semantics() {
    let names = scenario_names();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        let variants = threadlanes::scenarios::find(&name).unwrap().info.variants;
        let mut vs: Vec<Option<&str>> = variants.iter().map(|v| Some(v.name)).collect();
        if vs.is_empty() {
            vs.push(None);
        }
        for v in vs {
            let mut args = vec![name.as_str()];
            if let Some(v) = v {
                args.extend(["--variant", v]);
            }
            let o = run(&args);
            assert!(o.events.len() > 5, "{name} {v:?}: {}", o.stderr);
            let violations = check_all(&o.events);
            assert!(violations.is_empty(), "{name} {v:?}: {violations:?}");
            assert!(
                o.code == 0 || o.code == 1,
                "{name} {v:?} exit {}: {}",
                o.code,
                o.stderr
            );
            // Every worker declared ends, and nothing follows main's end but others' ends.
            let declared = o
                .events
                .iter()
                .filter(|e| matches!(e.op, Op::Worker { .. }));
            let exited = o.events.iter().filter(|e| matches!(e.op, Op::Exit { .. }));
            assert_eq!(declared.count(), exited.count(), "{name} {v:?}");
        }
    }
}

#[test]
fn race_without_lock_loses_updates_and_with_lock_does_not() {
    let o = run_at(&["race"], "10");
    let (text, ok) = outcome(&o);
    assert!(!ok && text.contains("lost"), "{text}");
    assert_eq!(o.code, 1);
    let o = run(&["race", "--variant", "with-lock"]);
    assert_eq!(outcome(&o), ("balance = 0; no update lost".into(), true));
    assert_eq!(o.code, 0);
}

#[test]
fn deadlocks_are_detected_and_the_run_ends() {
    for v in ["two-locks", "self"] {
        let o = run(&["deadlock", "--variant", v]);
        assert_eq!(o.code, 1, "{v}: {}", o.stderr);
        assert!(o.stderr.contains("DEADLOCK"), "{v}: {}", o.stderr);
    }
    let o = run(&["rlock", "--variant", "lock"]);
    assert!(o.stderr.contains("held by itself"), "{}", o.stderr);
    let o = run(&["deadlock", "--variant", "ordered"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn join_orders_all_done_after_the_workers() {
    let o = run(&["join", "--variant", "join"]);
    let s = says(&o);
    let pos = |t: &str| s.iter().position(|x| x == t).unwrap();
    assert!(pos("all done") > pos("T1 finish"), "{s:?}");
    assert!(outcome(&o).1);
    let o = run(&["join", "--variant", "no-join"]);
    let s = says(&o);
    let pos = |t: &str| s.iter().position(|x| x == t).unwrap();
    assert!(pos("all done") < pos("T1 finish"), "{s:?}");
}

#[test]
fn semaphore_never_has_more_holders_than_slots() {
    let o = run(&["semaphore", "--set", "slots=3", "--set", "workers=12"]);
    assert!(check_all(&o.events).is_empty());
    let (text, ok) = outcome(&o);
    assert!(ok, "{text}");
    assert!(text.starts_with("at most 3 of 12"), "{text}");
}

#[test]
fn producer_consumer_consumes_everything_and_kills_the_daemons() {
    let o = run(&[
        "producer-consumer",
        "--set",
        "items=6",
        "--set",
        "maxsize=2",
    ]);
    assert_eq!(
        outcome(&o),
        ("6 materials became 6 products, all consumed".into(), true)
    );
    let killed = o
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.op,
                Op::Exit {
                    how: threadlanes::event::ExitHow::Killed,
                    ..
                }
            )
        })
        .count();
    assert_eq!(killed, 2, "both daemon consumers are killed when main ends");
}

#[test]
fn bad_input_gets_a_clear_message_and_a_nonzero_exit() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "nosuch", "--headless"],
            "valid scenarios: join, race",
        ),
        (
            &["run", "race", "--headless", "--variant", "x"],
            "valid: no-lock, with-lock",
        ),
        (
            &["run", "race", "--headless", "--set", "rounds=0"],
            "between 1 and",
        ),
        (
            &["run", "race", "--headless", "--set", "speed=2"],
            "valid: rounds",
        ),
        (
            &["run", "race", "--headless", "--speed", "0"],
            "out of range",
        ),
        (&["run", "race", "--bogus"], "unexpected argument"),
        (&["run", "race"], "not a terminal"),
    ];
    for (args, want) in cases {
        let out = bin().args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
