//! The Rust examples (`examples/`) traced as a user would trace them: headless, their
//! stream checked like a scenario's (a mutex never has two holders, a bounded channel never
//! deeper than its capacity, FIFO order, every end after its begin); their output the same
//! traced as untraced; and one on screen in the TUI.

mod common;
mod rust_examples;

use rust_examples::example;
use std::process::Command;
use threadlanes::event::{Event, ObjectKind, Op};
use threadlanes::model::check::check_all;
use threadlanes::wire;

struct Traced {
    events: Vec<Event>,
    /// The program's own stdout (headless --json passes it to stderr).
    stderr: String,
}

fn trace(name: &str, args: &[&str]) -> Traced {
    trace_ending(name, args, 0)
}

/// `trace`, for a program that ends with status `code`.
fn trace_ending(name: &str, args: &[&str], code: i32) -> Traced {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--"])
        .arg(example(name))
        .args(args)
        .output()
        .expect("threadlanes runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
    let events: Vec<Event> = wire::read_stream(&out.stdout[..])
        .map(|r| r.unwrap_or_else(|e| panic!("{name}: a bad line: {e}")))
        .collect();
    let violations = check_all(&events);
    assert!(violations.is_empty(), "{name}: {violations:?}\n{stderr}");
    assert!(
        !stderr.contains("problem") && !stderr.contains("dropped"),
        "{name}: {stderr}"
    );
    Traced { events, stderr }
}

impl Traced {
    fn workers(&self) -> Vec<&str> {
        self.events
            .iter()
            .filter_map(|e| match &e.op {
                Op::Worker { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    fn objects(&self) -> Vec<(&str, ObjectKind, Option<u64>)> {
        self.events
            .iter()
            .filter_map(|e| match &e.op {
                Op::Object {
                    name,
                    kind,
                    capacity,
                    ..
                } => Some((name.as_str(), *kind, *capacity)),
                _ => None,
            })
            .collect()
    }

    fn count(&self, pred: impl Fn(&Op) -> bool) -> usize {
        self.events.iter().filter(|e| pred(&e.op)).count()
    }
}

#[test]
fn bank_traced_shows_its_tellers_and_accounts_and_never_two_holders() {
    let t = trace("bank", &[]);
    let ws = t.workers();
    for w in ["atm-1", "atm-2", "teller-1", "teller-2", "teller-3"] {
        assert!(ws.contains(&w), "{w} in {ws:?}");
    }
    let objs = t.objects();
    assert!(
        objs.contains(&("alice", ObjectKind::Lock, None)),
        "{objs:?}"
    );
    assert!(objs.contains(&("bob", ObjectKind::Lock, None)), "{objs:?}");
    assert!(t.stderr.contains("withdrawals paid: 1 of 2; alice has 200"));
    let joins = t.count(|op| matches!(op, Op::JoinEnd { .. }));
    assert_eq!(joins, 5, "main joins every thread");
}

/// A threadlanes::sync program started by a traced Python program is traced too (the shim
/// hands its variables to a child with threadlanes::sync in it, and to no other program
/// that is not Python): its tellers and accounts are seen beside the Python main thread.
#[test]
fn a_rust_program_a_traced_python_program_starts_is_traced() {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--", "python3", "-c"])
        .arg("import subprocess, sys; subprocess.run([sys.argv[1]], check=True)")
        .arg(example("bank"))
        .output()
        .expect("threadlanes runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let events: Vec<Event> = wire::read_stream(&out.stdout[..])
        .map(|r| r.expect("good lines"))
        .collect();
    let violations = check_all(&events);
    assert!(violations.is_empty(), "{violations:?}\n{stderr}");
    let mut pids: Vec<u32> = events
        .iter()
        .filter(|e| matches!(e.op, Op::Worker { .. }))
        .map(|e| e.pid)
        .collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 2, "Python's and the Rust program's: {pids:?}");
    let bank = Traced {
        events,
        stderr: stderr.into_owned(),
    };
    let tellers = bank
        .workers()
        .iter()
        .filter(|w| w.ends_with(":teller-1"))
        .count();
    assert_eq!(tellers, 1, "{:?}", bank.workers());
    assert!(bank.objects().contains(&("alice", ObjectKind::Lock, None)));
}

#[test]
fn bank_race_overdraws_and_still_never_has_two_holders() {
    let t = trace_ending("bank", &["--race"], 1);
    assert!(t.stderr.contains("overdrawn"), "{}", t.stderr);
    // Its main thread ends as the process did: std::process::exit(1).
    let main_end = t.events.iter().find_map(|e| match &e.op {
        Op::Exit { msg, .. } if e.w == 0 => Some(msg.clone()),
        _ => None,
    });
    assert_eq!(main_end, Some(Some("exit code 1".into())), "{}", t.stderr);
}

#[test]
fn pipeline_traced_keeps_its_channels_within_capacity_and_in_order() {
    let t = trace("pipeline", &[]);
    let objs = t.objects();
    assert!(
        objs.contains(&("numbers", ObjectKind::Queue, Some(2))),
        "{objs:?}"
    );
    assert!(
        objs.contains(&("squares", ObjectKind::Queue, Some(2))),
        "{objs:?}"
    );
    let gets = t.count(|op| matches!(op, Op::GetEnd { ok: true, .. }));
    assert_eq!(gets, 24, "twelve numbers and twelve squares taken");
    let labels: Vec<_> = t
        .events
        .iter()
        .filter_map(|e| match &e.op {
            Op::PutEnd { item, ok: true, .. } => Some(item.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        labels[..3],
        ["1", "2", "3"],
        "items show their Debug (opted in)"
    );
    assert!(t.stderr.contains("sum of the squares of 1..=12: 650"));
}

#[test]
fn condvar_queue_traced_shows_its_condvars_waits_and_notifies() {
    let t = trace("condvar_queue", &[]);
    let objs = t.objects();
    for (name, kind) in [
        ("queue", ObjectKind::Lock),
        ("not_empty", ObjectKind::Condition),
        ("not_full", ObjectKind::Condition),
    ] {
        assert!(
            objs.iter().any(|(n, k, _)| *n == name && *k == kind),
            "{name} in {objs:?}"
        );
    }
    assert!(t.count(|op| matches!(op, Op::Notify { .. })) >= 20);
    assert!(t.stderr.contains("consumed 20 jobs, sum 3110"));
}

/// The example run with a viewer's socket in its environment (this test listening on it):
/// its stdout, and how many bytes of events it sent.
fn run_watched(name: &str) -> (String, usize) {
    use std::io::Read;
    let dir = std::env::temp_dir().join(format!("threadlanes-ex-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("events.sock");
    let _ = std::fs::remove_file(&sock);
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut all = Vec::new();
        conn.read_to_end(&mut all).unwrap();
        all.len()
    });
    let out = Command::new(example(name))
        .env("THREADLANES_SOCKET", &sock)
        .output()
        .expect("the example runs");
    assert!(out.status.success(), "{name} traced");
    let sent = reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (String::from_utf8_lossy(&out.stdout).into_owned(), sent)
}

#[test]
fn an_examples_output_is_the_same_traced_and_untraced() {
    for name in ["bank", "pipeline", "condvar_queue", "config"] {
        let plain = Command::new(example(name))
            .env_remove("THREADLANES_SOCKET")
            .output()
            .expect("the example runs");
        assert!(plain.status.success());
        let plain = String::from_utf8_lossy(&plain.stdout).into_owned();
        let (traced, sent) = run_watched(name);
        assert!(!plain.is_empty());
        assert!(sent > 1000, "{name} sent its events ({sent} bytes)");
        assert_eq!(plain, traced, "{name}: stdout untraced and traced");
    }
}

#[test]
fn a_traced_rust_example_on_screen() {
    let _one = common::serial();
    let bank = example("bank");
    let bank = bank.to_str().expect("a UTF-8 path");
    let mut t = common::Tui::start(&["trace", "--", bank, "--race"], 120, 36);
    t.wait_for("teller-3");
    t.wait_for("alice");
    // Its println! lines are in the log as they come (nothing in a Rust program says them
    // as events, as a Python program's prints are).
    t.wait_for("withdrawals paid");
    t.wait_for("exit status 1"); // the audit found alice overdrawn
    t.wait_for("exit code 1"); // and the main lane says so
    t.keys("q");
    let (_, status) = t.wait_exit_status();
    assert_eq!(
        status.exit_code(),
        1,
        "threadlanes exits as the program did"
    );
    t.assert_restored();
}

#[test]
fn config_traced_shows_readers_together_and_a_rendezvous() {
    let t = trace("config", &[]);
    let objs = t.objects();
    assert!(
        objs.contains(&("config", ObjectKind::RwLock, None)),
        "{objs:?}"
    );
    assert!(
        objs.contains(&("versions", ObjectKind::Rendezvous, None)),
        "a zero-capacity channel is a rendezvous: {objs:?}"
    );
    // The barrier holds all three readers in the lock at once; the checker (run by
    // `trace`) has seen no writer among them.
    let mut reading = 0;
    let mut most = 0;
    for e in &t.events {
        match e.op {
            Op::AcquireSharedEnd { ok: true, .. } => reading += 1,
            Op::ReleaseShared { .. } => reading -= 1,
            _ => {}
        }
        most = most.max(reading);
    }
    assert_eq!(most, 3, "three readers hold it together");
    assert!(
        t.stderr.contains("reader-3 read version 1, then 2"),
        "{}",
        t.stderr
    );
    assert!(t.stderr.contains("logged versions [2]"), "{}", t.stderr);
}

#[test]
fn lost_update_traced_loses_updates_yet_never_has_two_holders() {
    let t = trace("lost_update", &[]);
    let acquired = t.count(|op| matches!(op, Op::AcquireEnd { ok: true, .. }));
    assert_eq!(
        acquired, 9,
        "each thread takes the lock four times, main once"
    );
    assert!(t.stderr.contains("balance "), "{}", t.stderr);
}
