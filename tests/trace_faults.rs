//! `threadlanes trace` under faults, floods and hang-ups: a program that starts more
//! processes over its life than descriptors allow, a viewer that never drains, a line with
//! no end, a stop that must be quick, and threadlanes killed under its program. Nothing is
//! lost that can be kept, nothing is left running, and what could not be kept is said.
//! Waits are on conditions with generous deadlines, never on fixed sleeps.

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
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(')').next().unwrap_or("").split_whitespace().next();
    !matches!(state, None | Some("Z"))
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
                pid,
                op: Op::Start,
                ..
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
    eprintln!("stop took {took:?}");
    assert!(took < Duration::from_millis(500), "stop took {took:?}");
    for pid in pids {
        assert!(!runs(pid), "process {pid} still runs");
    }
}
