//! Faults without a terminal: a panicking worker (its exit says why, its lock is released by
//! the unwinding, the rest goes on), the stress scenario's streams, and every command line the
//! program refuses (listed once, in `common::bad_input`).

mod common;

use threadlanes::event::{Event, ExitHow, Op};
use threadlanes::model::check::check_all;

use common::headless::Out;

fn headless(args: &[&str]) -> Out {
    common::headless::run(args)
}

fn worker_id(o: &Out, name: &str) -> u32 {
    o.events
        .iter()
        .find_map(|e| match &e.op {
            Op::Worker { name: n, .. } if n == name => Some(e.w),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no worker {name}"))
}

fn object_id(o: &Out, name: &str) -> u32 {
    o.events
        .iter()
        .find_map(|e| match &e.op {
            Op::Object { o, name: n, .. } if n == name => Some(*o),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no object {name}"))
}

#[test]
fn a_panicking_worker_exits_with_its_message_and_unwinding_releases_its_lock() {
    let o = headless(&["panic", "--speed", "50", "--for", "60"]);
    assert_eq!(o.code, 3, "a panic exits 3: {}", o.stderr);
    let violations = check_all(&o.events);
    assert!(violations.is_empty(), "{violations:?}");
    let (doomed, patient, l) = (
        worker_id(&o, "doomed"),
        worker_id(&o, "patient"),
        object_id(&o, "L"),
    );
    // doomed's last two events: the release of L by the unwinding, then its panic exit.
    let mine: Vec<&Op> = o
        .events
        .iter()
        .filter(|e| e.w == doomed)
        .map(|e| &e.op)
        .collect();
    let [.., release, exit] = mine.as_slice() else {
        panic!("doomed did too little: {mine:?}")
    };
    assert!(
        matches!(release, Op::Release { o, .. } if *o == l),
        "{release:?}"
    );
    assert_eq!(
        **exit,
        Op::Exit {
            how: ExitHow::Panic,
            msg: Some("something went wrong while holding L".into())
        }
    );
    // patient was queued for L before the panic and got it after the release.
    let pos = |f: &dyn Fn(&Event) -> bool| o.events.iter().position(f).expect("the event");
    let asked = pos(&|e| e.w == patient && e.op == Op::AcquireBegin { o: l });
    let released = pos(&|e| e.w == doomed && matches!(e.op, Op::Release { o, .. } if o == l));
    let got =
        pos(&|e| e.w == patient && matches!(e.op, Op::AcquireEnd { o, ok: true, .. } if o == l));
    assert!(
        asked < released && released < got,
        "{asked} {released} {got}"
    );
    // The rest went on: patient and main ended normally, with the scenario's outcome.
    let ok_exits = o
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.op,
                Op::Exit {
                    how: ExitHow::Ok,
                    ..
                }
            )
        })
        .count();
    assert_eq!(ok_exits, 2, "patient and main");
    assert!(
        o.events
            .iter()
            .any(|e| matches!(&e.op, Op::Outcome { ok: true, .. })),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("failed: something went wrong"),
        "{}",
        o.stderr
    );
}

#[test]
fn stress_mixed_runs_until_cut_and_keeps_every_rule() {
    let o = headless(&[
        "stress",
        "--set",
        "workers=20",
        "--set",
        "objects=9",
        "--for",
        "0.3",
    ]);
    assert_eq!(o.code, 2, "cut by --for: {}", o.stderr);
    assert!(o.events.len() > 1000, "{} events", o.events.len());
    let violations = check_all(&o.events);
    assert!(violations.is_empty(), "{violations:?}");
    // Every kind of object was used, and every worker ended when the run was stopped.
    for op in ["acquire_end", "put_end", "get_end"] {
        assert!(o.events.iter().any(|e| e.op.name() == op), "no {op}");
    }
    let declared = o
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::Worker { .. }))
        .count();
    let cancelled = o
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.op,
                Op::Exit {
                    how: ExitHow::Cancelled,
                    ..
                }
            )
        })
        .count();
    assert_eq!(declared, 21, "main and 20 workers");
    assert_eq!(cancelled, declared, "{}", o.stderr);
}

#[test]
fn stress_one_lock_queues_every_worker_behind_the_holder() {
    let o = headless(&[
        "stress",
        "--variant",
        "one-lock",
        "--set",
        "workers=40",
        "--for",
        "3",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let l = object_id(&o, "the-lock");
    let holder = worker_id(&o, "holder");
    // Until the cut: stopping ends the workers one at a time, in order, so from the first
    // exit on the lock is released by the holder's unwinding and passed down the queue.
    let cut = o
        .events
        .iter()
        .position(|e| matches!(e.op, Op::Exit { .. }))
        .expect("the run was stopped");
    let before = &o.events[..cut];
    let granted: Vec<u32> = before
        .iter()
        .filter(|e| matches!(e.op, Op::AcquireEnd { o, ok: true, .. } if o == l))
        .map(|e| e.w)
        .collect();
    assert_eq!(granted, vec![holder], "only the holder ever has the lock");
    let queued = before
        .iter()
        .filter(|e| e.op == Op::AcquireBegin { o: l } && e.w != holder)
        .count();
    assert_eq!(queued, 40, "{}", o.stderr);
    assert!(check_all(&o.events).is_empty());
}

#[test]
fn stress_one_lock_seeded_is_stuck_the_same_way_every_time() {
    let args = [
        "stress",
        "--variant",
        "one-lock",
        "--set",
        "workers=15",
        "--seed",
        "4",
        "--speed",
        "1000",
        "--for",
        "60",
    ];
    let a = headless(&args);
    assert_eq!(a.code, 1, "stuck is a wrong end: {}", a.stderr);
    assert!(a.stderr.contains("STUCK"), "{}", a.stderr);
    let ops = |o: &Out| -> Vec<(u32, String)> {
        o.events
            .iter()
            .map(|e| (e.w, format!("{:?}", e.op)))
            .collect()
    };
    assert_eq!(ops(&a), ops(&headless(&args)));
}

#[test]
fn every_bad_command_line_is_refused_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("threadlanes-refused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    common::bad_input::assert_all_refused(&dir.join("never-written.cast"));
    // Empty, as a refused command line left it; removing it fails if anything was written.
    std::fs::remove_dir(&dir).expect("nothing written in the directory");
}

/// `run stress --headless --json | head -1`: once the reader has gone, the run ends at once
/// and quietly (as `cat` would: 128 + SIGPIPE, nothing on stderr), instead of running on.
#[test]
fn a_closed_stdout_ends_a_headless_run_promptly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["run", "stress", "--headless", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let (first, status, _) = common::procs::first_line_then_close(&mut child);
    assert!(first.contains("\"op\""), "{first}");
    assert_eq!(status.code(), Some(128 + libc::SIGPIPE));
    let mut err = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("a pipe"), &mut err);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_stray_child_variable_is_said_and_every_command_still_works() {
    use std::process::Command;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_threadlanes"))
            .args(args)
            .env("THREADLANES_CHILD", "1")
            .output()
            .expect("the binary runs")
    };
    let help = run(&["--help"]);
    assert!(help.status.success(), "{help:?}");
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage"));
    let err = String::from_utf8_lossy(&help.stderr);
    assert!(err.contains("ignoring THREADLANES_CHILD"), "{err}");
    // A process scenario still starts its own children, which get their own spec.
    let procs = run(&["run", "processes", "--headless", "--seed", "1"]);
    let out = String::from_utf8_lossy(&procs.stdout);
    assert_eq!(procs.status.code(), Some(0), "{out}");
    assert!(out.contains("proc-1"), "{out}");
}
