//! `threadlanes trace` under faults, floods and hang-ups: a program that starts more
//! processes over its life than descriptors allow, a viewer that never drains, a line with
//! no end, a stop that must be quick, and threadlanes killed under its program. Nothing is
//! lost that can be kept, nothing is left running, and what could not be kept is said.
//! Waits are on conditions with generous deadlines, never on fixed sleeps.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use threadlanes::event::{Event, Op, WorkerKind};
use threadlanes::source::traced::{Options, Output, TracedSource};
use threadlanes::source::{Item, Source};
use threadlanes::wire;

const DEADLINE: Duration = Duration::from_secs(60);

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

fn tui_opts() -> Options {
    Options {
        speed: 1.0,
        output: Output::Capture,
        tui: true,
    }
}

/// A directory of this test's own, for TMPDIR: the trace's private directory goes there.
fn own_tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("threadlanes-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// True while `pid` runs (a zombie has ended: only its parent has not looked yet).
fn runs(pid: u32) -> bool {
    !common::procs::gone(pid)
}

fn trace_dirs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Waits until the source has shown `n` processes (by pid); returns their pids.
fn processes(source: &mut TracedSource, n: usize) -> Vec<u32> {
    let deadline = Instant::now() + DEADLINE;
    let mut pids = Vec::new();
    while pids.len() < n {
        assert!(Instant::now() < deadline, "saw only {pids:?}");
        source.wait(Duration::from_millis(50), &mut |item| {
            if let Item::Event(Event {
                pid, op: Op::Start, ..
            }) = item
                && !pids.contains(&pid)
            {
                pids.push(pid);
            }
        });
    }
    pids
}

/// Quitting a traced program has the same budget as quitting a scenario: stop() ends a
/// program of four processes, all of them, within 500 ms (each had its chance to end on
/// SIGTERM first).
#[test]
fn stopping_a_program_of_several_processes_takes_under_500ms() {
    let argv = vec!["python3".to_string(), script("sleepers")];
    let mut source = TracedSource::start(&argv, &tui_opts()).expect("starts");
    let pids = processes(&mut source, 4);
    let t = Instant::now();
    assert!(source.stop(Duration::from_secs(2)), "something was left");
    let took = t.elapsed();
    assert!(took < Duration::from_millis(500), "stop took {took:?}");
    // Killed, each is gone once the kernel has finished its exit (its connection closes
    // a moment before it becomes a zombie).
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| runs(*p)) {
        assert!(Instant::now() < deadline, "still running: {pids:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `threadlanes ARGS` under `bash -c PRELUDE` (a lowered `ulimit -n`, say), TMPDIR
/// set to `tmp`; kills it if it has not ended by the deadline. Returns (status, stdout,
/// stderr).
fn run_under(prelude: &str, tmp: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_threadlanes"))
        .args(args)
        .env("TMPDIR", tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let read = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut r) = r {
                let _ = r.read_to_string(&mut s);
            }
            s
        })
    };
    let out = read(child.stdout.take().map(|r| Box::new(r) as _));
    let err = read(child.stderr.take().map(|r| Box::new(r) as _));
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(st) = child.try_wait().expect("waits") {
            break st.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status,
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    )
}

fn events(json: &str) -> Vec<Event> {
    wire::read_stream(json.as_bytes())
        .map(|r| r.expect("our own output reads"))
        .collect()
}

/// A program may start any number of processes over its life: only live ones hold a
/// descriptor. 400 pool workers, one after another, under `ulimit -n 256`: every one is
/// shown, and the program ends.
#[test]
fn a_program_that_starts_more_processes_than_descriptors_allow_shows_every_one() {
    let tmp = own_tmp("fds");
    let s = script("many_workers");
    let (status, out, err) = run_under(
        "ulimit -n 256",
        &tmp,
        &["trace", "--headless", "--json", "--", "python3", &s, "400"],
    );
    assert_eq!(status, Some(0), "{err}");
    let ran: Vec<u32> = err
        .lines()
        .find_map(|l| l.strip_prefix("worker pids: "))
        .unwrap_or_else(|| panic!("the program said which processes ran: {err}"))
        .split_whitespace()
        .map(|p| p.parse().expect("a pid"))
        .collect();
    assert!(ran.len() >= 100, "only {} workers ran", ran.len());
    let shown: std::collections::HashSet<u32> = events(&out)
        .iter()
        .filter(|e| {
            matches!(
                e.op,
                Op::Worker {
                    kind: WorkerKind::Process,
                    ..
                }
            )
        })
        .map(|e| e.pid)
        .collect();
    let missing: Vec<_> = ran.iter().filter(|p| !shown.contains(p)).collect();
    assert!(
        missing.is_empty(),
        "{} workers not shown: {missing:?}",
        missing.len()
    );
    assert!(!err.contains("open files allowed"), "{err}");
    assert!(
        trace_dirs(&tmp).is_empty(),
        "left behind: {:?}",
        trace_dirs(&tmp)
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// More processes alive at once than descriptors allow: the user is told once (with the
/// limit), and no process waits for ever on a connection nobody reads (the program ends).
#[test]
fn out_of_descriptors_is_said_once_and_no_process_is_left_waiting() {
    let tmp = own_tmp("emfile");
    let s = script("many_alive");
    let (status, _, err) = run_under(
        "ulimit -Sn 64",
        &tmp,
        &["trace", "--headless", "--json", "--", "python3", &s, "100"],
    );
    assert_eq!(status, Some(0), "{err}");
    assert!(err.contains("all 100 ended"), "{err}");
    // Said once as it happens, and once more in the summary's problems.
    assert_eq!(
        err.matches("threadlanes: the program has more processes alive")
            .count(),
        1
    );
    assert_eq!(
        err.matches("problem: the program has more processes alive")
            .count(),
        1
    );
    assert!(err.contains("limit 64; see ulimit -n"), "{err}");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// SIGKILL of threadlanes: the program hangs up as it would when its terminal closes (its
/// processes end within seconds, not run on untraced for ever) and the private directory
/// goes with it.
#[test]
fn killing_threadlanes_ends_the_program_and_removes_its_directory() {
    let tmp = own_tmp("sigkill");
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script("sleepers"))
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("threadlanes runs");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(Event {
                pid, op: Op::Start, ..
            }) = wire::decode(&line)
            {
                let _ = tx.send(pid);
            }
        }
    });
    let mut pids = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while pids.len() < 4 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(pid) if !pids.contains(&pid) => pids.push(pid),
            Ok(_) => {}
            Err(_) => panic!("saw only {pids:?}"),
        }
    }
    assert_eq!(trace_dirs(&tmp).len(), 1, "the trace's private directory");
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left: Vec<_> = pids.iter().filter(|p| runs(**p)).collect();
        let dirs = trace_dirs(&tmp);
        if left.is_empty() && dirs.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still running: {left:?}; left behind: {dirs:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A viewer that never drains, under a flood of 300,000 events on a raw connection: the
/// source keeps at most its channel's bound, the program is never made to wait (it ends),
/// everything not kept is counted, and the viewer is told once.
#[test]
fn a_flood_into_a_viewer_that_never_drains_keeps_memory_bounded_and_counts_the_rest() {
    const SENT: u64 = 300_000;
    let argv: Vec<String> = ["python3", &script("raw_socket"), "flood", &SENT.to_string()]
        .map(String::from)
        .to_vec();
    let mut source = TracedSource::start(&argv, &tui_opts()).expect("starts");
    let deadline = Instant::now() + DEADLINE;
    while !source.trace().has_ended() {
        assert!(Instant::now() < deadline, "the program was made to wait");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kept = source.trace().items().len();
    let bound = source
        .trace()
        .items()
        .capacity()
        .expect("a bounded channel");
    assert!(kept <= bound, "{kept} items kept, bound {bound}");
    let dropped = source.dropped();
    assert!(dropped > 0, "nothing dropped");
    let (mut got, mut told) = (0u64, 0);
    while !source.is_finished() {
        assert!(Instant::now() < deadline, "never finished");
        source.wait(Duration::from_millis(50), &mut |item| match item {
            Item::Event(_) => got += 1,
            Item::Problem(p) if p.contains("could not keep up") => told += 1,
            _ => {}
        });
    }
    assert_eq!(told, 1, "told once");
    assert!(
        got + source.dropped() >= SENT,
        "{got} shown + {} dropped < {SENT} sent",
        source.dropped()
    );
}

/// 20 MiB without a newline, then a valid line: the long line is reported with its place
/// and length and skipped; the next line arrives (the bytes kept stay under the limit: see
/// the unit tests of the ingest's lines).
#[test]
fn a_line_past_the_limit_is_reported_and_the_next_line_arrives() {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script("raw_socket"))
        .args(["long", "20"])
        .output()
        .expect("threadlanes runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let evs = events(&String::from_utf8_lossy(&out.stdout));
    assert!(
        evs.iter()
            .any(|e| matches!(&e.op, Op::Say { text } if text == "after the long line")),
        "the line after the long one is lost\n{err}"
    );
    assert!(
        err.contains(", line 1: 20971520 bytes without a newline, longer than the 1 MiB"),
        "{err}"
    );
}

/// Headless keeps every event by making a fast program wait for it; once its stdout closes
/// (`| head -1`) it waits for nothing: the run ends at once, quietly, flood or not.
#[test]
fn a_closed_stdout_ends_a_flooding_traced_run_promptly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script("raw_socket"))
        .args(["flood", "100000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("threadlanes runs");
    let (_, status, took) = common::procs::first_line_then_close(&mut child);
    // Well under the 2 s a stop may take: the reader does not wait for room once stopped.
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert_eq!(status.code(), Some(128 + libc::SIGPIPE));
}

/// Headless loses nothing, and its program never waits for it: four threads make 300,000
/// events while nobody reads threadlanes' output (its printer is stuck on a full pipe), and
/// the program ends all the same (the reader keeps what the printer has no room for in its
/// backlog). Then every event is there, in an order that keeps the lock's rules.
#[test]
fn a_headless_printer_that_falls_behind_never_holds_up_the_program_and_loses_nothing() {
    const ROUNDS: usize = 25_000;
    let tmp = own_tmp("backlog");
    let done = tmp.join("done");
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script("hammer"))
        .arg(ROUNDS.to_string())
        .arg(&done)
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("threadlanes runs");
    let deadline = Instant::now() + DEADLINE;
    while !done.exists() {
        assert!(
            Instant::now() < deadline,
            "the program waited for a printer nobody drains"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let stdout = child.stdout.take().expect("piped");
    let events: Vec<Event> = wire::read_stream(BufReader::new(stdout))
        .map(|r| r.expect("our own output is valid"))
        .collect();
    assert!(child.wait().expect("ends").success());
    let mut checker = threadlanes::model::check::Checker::new();
    for e in &events {
        checker.check(e);
    }
    assert!(checker.violations.is_empty(), "{:?}", checker.violations);
    let count = |f: fn(&Op) -> bool| events.iter().filter(|e| f(&e.op)).count();
    assert_eq!(count(|o| matches!(o, Op::AcquireEnd { .. })), 4 * ROUNDS);
    assert_eq!(count(|o| matches!(o, Op::Release { .. })), 4 * ROUNDS);
    let _ = std::fs::remove_dir_all(&tmp);
}
