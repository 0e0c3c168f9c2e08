//! Every scenario's `--headless --json` stream, checked against the primitives' semantics,
//! and each scenario's outcome. These run the real binary on real threads; nothing here
//! depends on timing beyond what the scenario itself guarantees.

mod common;

use std::process::Command;
use threadlanes::event::Op;
use threadlanes::model::check::check_all;

use common::headless::{Out, exits, outcome, says};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_threadlanes"))
}

fn run(args: &[&str]) -> Out {
    run_at("500", args)
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
            // stress runs until stopped (exit 2 when --for cuts it); panic ends with a
            // panicked worker (exit 3); every other scenario ends with its outcome.
            let (o, codes): (Out, &[i32]) = match name.as_str() {
                "stress" => (run_for("500", "0.3", &args), &[2]),
                "panic" => (run(&args), &[3]),
                // A child process panics holding a lock (the point of that version).
                "shared-value" if v == Some("holder-panics") => (run(&args), &[3]),
                // A child process crashes (abort): an error exit, by design.
                "processes" if v == Some("crash") => (run(&args), &[3]),
                _ => (run(&args), &[0, 1]),
            };
            assert!(o.events.len() > 5, "{name} {v:?}: {}", o.stderr);
            let violations = check_all(&o.events);
            assert!(violations.is_empty(), "{name} {v:?}: {violations:?}");
            assert!(
                codes.contains(&o.code),
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
    let o = run_at("10", &["race"]);
    let (text, ok) = outcome(&o);
    assert!(!ok && text.contains("lost"), "{text}");
    assert_eq!(o.code, 1);
    let o = run(&["race", "--variant", "with-lock"]);
    assert_eq!(outcome(&o), ("balance = 0; no update lost".into(), true));
    assert_eq!(o.code, 0);
}

/// The lesson is in the balance itself, not only in a count: t1's 8s and t2's 10s lost do
/// not cancel, so the balance ends away from 0 (seeded, so the same on every run).
#[test]
fn race_without_lock_ends_with_a_wrong_balance() {
    for seed in ["1", "2", "3"] {
        let o = run(&["race", "--seed", seed]);
        let (text, ok) = outcome(&o);
        assert!(!ok, "{text}");
        assert!(
            !text.starts_with("balance = 0") && text.contains("expected 0"),
            "seed {seed}: {text}"
        );
    }
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

/// Like `run`, at a chosen speed: scenarios whose lesson rests on a gap between two sleeps
/// (a check and its act, main's end and a daemon's) run slow enough that the gap is tens of
/// real milliseconds even on a loaded two-core machine.
fn run_at(speed: &str, args: &[&str]) -> Out {
    run_for(speed, "60", args)
}

/// Like `run_at`, stopped by `--for` after `secs` real seconds.
fn run_for(speed: &str, secs: &str, args: &[&str]) -> Out {
    let mut all = args.to_vec();
    all.extend(["--speed", speed, "--for", secs]);
    common::headless::run(&all)
}

#[test]
fn bank_overdraws_without_a_lock_and_refuses_with_one() {
    let o = run_at("20", &["bank"]);
    let (text, ok) = outcome(&o);
    assert!(
        !ok && text.starts_with("balance = -600: both withdrawals passed the check"),
        "{text}"
    );
    assert_eq!(o.code, 1);
    let o = run_at("20", &["bank", "--variant", "with-lock"]);
    assert_eq!(
        outcome(&o),
        (
            "balance = 200; the second withdrawal was refused".into(),
            true
        )
    );
    assert_eq!(o.code, 0);
}

#[test]
fn lock_hold_serialises_threads_that_sleep_holding_the_lock() {
    let o = run(&["lock-hold", "--set", "threads=12", "--set", "hold_ms=200"]);
    let (text, ok) = outcome(&o);
    assert!(
        ok && text.contains("the lock serialised them") && text.ends_with("num = 12"),
        "{text}"
    );
    // From the stream itself: first acquire to last release spans every hold, end to end.
    let t = |f: fn(&Op) -> bool| o.events.iter().filter(move |e| f(&e.op)).map(|e| e.t);
    let first = t(|op| matches!(op, Op::AcquireBegin { .. })).min().unwrap();
    let last = t(|op| matches!(op, Op::Release { .. })).max().unwrap();
    assert!(last - first >= 12 * 200_000_000, "{} ns", last - first);
    let o = run(&["lock-hold", "--variant", "outside", "--set", "threads=12"]);
    let (text, ok) = outcome(&o);
    assert!(ok && text.ends_with("num = 12"), "{text}");
}

#[test]
fn stop_flag_worker_ends_by_itself_with_exit_ok() {
    for v in ["flag", "event"] {
        let o = run(&["stop-flag", "--variant", v]);
        let (text, ok) = outcome(&o);
        assert!(ok && text.contains("returned by itself"), "{v}: {text}");
        let worker_exit = o.events.iter().find_map(|e| match &e.op {
            Op::Exit { how, .. } if e.w != 0 => Some(*how),
            _ => None,
        });
        assert_eq!(worker_exit, Some(threadlanes::event::ExitHow::Ok), "{v}");
        assert!(says(&o).contains(&"thread stopped".to_string()), "{v}");
    }
}

#[test]
fn daemon_workers_are_killed_and_ordinary_ones_are_waited_for() {
    use threadlanes::event::ExitHow;
    let o = run_at("20", &["daemon", "--set", "workers=4"]);
    assert_eq!(exits(&o, ExitHow::Killed), 4, "{:?}", outcome(&o));
    assert!(!says(&o).iter().any(|s| s.ends_with("task done")));
    assert!(outcome(&o).1);
    let o = run_at(
        "20",
        &["daemon", "--variant", "non-daemon", "--set", "workers=4"],
    );
    assert_eq!(exits(&o, ExitHow::Killed), 0);
    assert_eq!(
        says(&o).iter().filter(|s| s.ends_with("task done")).count(),
        4
    );
    assert!(outcome(&o).1);
    // The reader dies with whichever of main (5 s) and the writer ends last.
    for (q_at, last) in [("7", "writer typed q"), ("3", "main ended")] {
        let set = format!("q_at={q_at}");
        let o = run_at(
            "20",
            &["daemon", "--variant", "reader-writer", "--set", &set],
        );
        assert_eq!(exits(&o, ExitHow::Killed), 1);
        let (text, ok) = outcome(&o);
        assert!(ok && text.contains(last), "{text}");
    }
}

#[test]
fn queue_results_come_back_complete() {
    for v in ["join-first", "as-they-come"] {
        let o = run(&["queue-results", "--variant", v]);
        let (text, ok) = outcome(&o);
        assert!(
            ok && text.contains("job-0: [1, 4, 9, 16, 25]"),
            "{v}: {text}"
        );
    }
}

#[test]
fn queue_kinds_give_their_orders() {
    let o = run(&["queue-kinds"]);
    assert_eq!(
        outcome(&o),
        (
            "FIFO gave 1 2 3 4 5; LIFO gave 5 4 3 2 1; priority gave 4 2 5 1 3 (lowest priority number first)"
                .into(),
            true
        )
    );
}

/// The tasks in the order the pool reported them finished (`task_end`), and main's received
/// order from its "main got N" lines.
fn pool_orders(o: &Out) -> (Vec<u64>, Vec<u64>) {
    let finished = o
        .events
        .iter()
        .filter_map(|e| match e.op {
            Op::TaskEnd { task, .. } => Some(task),
            _ => None,
        })
        .collect();
    let got = says(o)
        .iter()
        .filter_map(|s| s.strip_prefix("main got ")?.parse().ok())
        .collect();
    (finished, got)
}

#[test]
fn thread_pool_as_completed_follows_completion_and_map_follows_submission() {
    let o = run(&["thread-pool", "--variant", "as-completed"]);
    let (finished, got) = pool_orders(&o);
    assert_eq!(finished.len(), 10);
    assert_eq!(
        got, finished,
        "as_completed hands results back as they finish"
    );
    assert!(outcome(&o).1, "{:?}", outcome(&o));
    for v in ["map", "submit"] {
        let o = run(&["thread-pool", "--variant", v, "--set", "workers=10"]);
        let (finished, got) = pool_orders(&o);
        assert_eq!(got, (0..10).collect::<Vec<_>>(), "{v}");
        assert_eq!(finished.len(), 10, "{v}");
        let (text, ok) = outcome(&o);
        assert!(
            ok && text.contains("gave 0 1 2 3 4 5 6 7 8 9: submission order"),
            "{text}"
        );
    }
}

#[test]
fn a_run_cut_while_main_waits_on_a_future_ends_every_pool_worker() {
    // At speed 1, task 0 sleeps 2.5 s: after 1 s main is still waiting for its result.
    let o = run_for("1", "1", &["thread-pool", "--variant", "submit"]);
    assert_eq!(o.code, 2, "cut by --for: {}", o.stderr);
    let declared = o
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::Worker { .. }))
        .count();
    assert_eq!(declared, 5, "main and four pool workers");
    let cancelled = exits(&o, threadlanes::event::ExitHow::Cancelled);
    assert_eq!(cancelled, 5, "{}", o.stderr);
    assert!(check_all(&o.events).is_empty());
}

#[test]
fn gil_compare_states_three_real_wall_times() {
    let o = run(&["gil", "--set", "chunks=2", "--set", "threads=3"]);
    let (text, ok) = outcome(&o);
    assert!(ok, "the three ways compute the same sum: {text}");
    // Each way is followed by its measured time in seconds.
    for way in [
        "sequential",
        "3 threads under the GIL",
        "3 threads without a GIL",
    ] {
        let rest = text
            .split_once(&format!("{way} "))
            .unwrap_or_else(|| panic!("{way} missing: {text}"))
            .1;
        let secs = rest.split_once(" s ").map(|(n, _)| n.parse::<f64>());
        assert!(matches!(secs, Some(Ok(t)) if t > 0.0), "{way}: {text}");
    }
    assert!(
        text.contains("GIL") && text.contains("(at most 1 computing at once, speed-up"),
        "{text}"
    );
    // The simulated GIL is a real lock: the lanes take turns holding it.
    let turns = o
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::AcquireEnd { ok: true, .. }) && e.w != 0)
        .count();
    assert_eq!(turns, 3 * 2, "every thread takes the GIL once per chunk");
}

/// The text log says a put once: a put that found room is one line ("put X into queue q
/// (depth n)"), not that line after "put X → queue q"; a put that blocked reads its begin
/// and its end (what woke it).
#[test]
fn the_log_says_a_put_that_did_not_block_once() {
    let text = |args: &[&str]| {
        let out = bin()
            .args(["run"])
            .args(args)
            .args(["--seed", "1", "--speed", "500", "--headless"])
            .output()
            .expect("the binary runs");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let results = text(&["queue-results"]);
    let puts: Vec<&str> = results.lines().filter(|l| l.contains(" put ")).collect();
    assert_eq!(puts.len(), 4, "one line per put:\n{results}");
    assert!(
        puts.iter().all(|l| l.contains("into queue results (depth")),
        "{puts:?}"
    );
    let pc = text(&[
        "producer-consumer",
        "--set",
        "items=6",
        "--set",
        "maxsize=2",
    ]);
    let lines: Vec<&str> = pc.lines().collect();
    let blocked = lines
        .iter()
        .position(|l| l.contains(" put ") && l.contains('→'))
        .unwrap_or_else(|| panic!("a put that blocks:\n{pc}"));
    let who = lines[blocked].split_whitespace().nth(1).unwrap();
    let end = lines[blocked + 1..]
        .iter()
        .find(|l| l.split_whitespace().nth(1) == Some(who) || l.contains(&format!(" {who} ")))
        .expect("the put ends");
    assert!(
        end.contains("woke:") && end.contains("into queue products"),
        "{end}"
    );
}
