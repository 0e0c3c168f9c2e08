//! Child processes: real and distinct pids, streams that pass the semantic checks, the
//! shared-value outcome, a crash and a kill, and no child left behind — also when threadlanes
//! is stopped by `--for` or killed with SIGTERM.

mod common;

use common::headless::{Out, exit_of, exits, outcome, run, says, worker};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use threadlanes::event::{ExitHow, Op, WorkerKind};
use threadlanes::model::check::check_all;

/// Pids of the process lanes, from their declarations.
fn process_pids(o: &Out) -> Vec<(u32, u32)> {
    o.events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Worker {
                kind: WorkerKind::Process,
                ..
            } => Some((e.w, e.pid)),
            _ => None,
        })
        .collect()
}

#[test]
fn child_pids_are_real_distinct_and_children_of_main() {
    let o = run(&["processes", "--set", "processes=4", "--speed", "20"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let main_pid = o.events[0].pid;
    let kids = process_pids(&o);
    assert_eq!(kids.len(), 4);
    let pids: HashSet<u32> = kids.iter().map(|k| k.1).collect();
    assert_eq!(pids.len(), 4, "distinct: {kids:?}");
    assert!(!pids.contains(&main_pid));
    // Each lane's events come from its own process, and each child found, by asking the
    // OS, the pid its lane shows and main's pid as its parent.
    for (w, pid) in &kids {
        assert!(o.events.iter().filter(|e| e.w == *w).all(|e| e.pid == *pid));
        let told = format!("pid {pid}, parent pid {main_pid}");
        assert!(says(&o).iter().any(|s| s.contains(&told)), "{told}");
    }
    assert!(outcome(&o).1);
}

#[test]
fn every_process_scenario_streams_valid_semantics() {
    for args in [
        &["process-pool", "--set", "tasks=6"][..],
        &["process-queue"],
        &["pipe"],
        &["manager", "--set", "processes=4"],
        &[
            "shared-value",
            "--variant",
            "with-lock",
            "--set",
            "burst=50",
        ],
    ] {
        let mut all = args.to_vec();
        all.extend(["--speed", "20"]);
        let o = run(&all);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        assert!(
            check_all(&o.events).is_empty(),
            "{args:?}: {:?}",
            check_all(&o.events)
        );
        assert!(outcome(&o).1, "{args:?}: {:?}", outcome(&o));
    }
}

#[test]
fn shared_value_loses_updates_without_the_lock_and_none_with_it() {
    // Each process rests between its read and its write, and both start together: their
    // windows overlap, so some writes overwrite the other's (as in `race`).
    let o = run(&["shared-value", "--speed", "10", "--set", "burst=0"]);
    let (text, ok) = outcome(&o);
    let lost: i64 = text
        .split(": ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!ok && lost > 0, "{text}");
    assert_eq!(o.code, 1);
    let o = run(&["shared-value", "--variant", "with-lock", "--speed", "10"]);
    let (text, ok) = outcome(&o);
    assert!(
        ok && text.contains(": 0 updates lost") && text.contains("(0 lost)"),
        "{text}"
    );
    assert!(
        check_all(&o.events).is_empty(),
        "{:?}",
        check_all(&o.events)
    );
}

#[test]
fn a_killed_holder_abandons_the_lock_and_a_panicking_one_releases_it() {
    let o = run(&[
        "shared-value",
        "--variant",
        "holder-killed",
        "--speed",
        "10",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        check_all(&o.events).is_empty(),
        "{:?}",
        check_all(&o.events)
    );
    let s = says(&o);
    assert!(
        s.iter().any(|t| t.contains("died holding lock: ABANDONED")),
        "{s:?}"
    );
    assert!(s.iter().any(|t| t.contains("EOWNERDEAD")), "{s:?}");
    let killed = o.events.iter().any(|e| {
        matches!(&e.op, Op::Exit { how: ExitHow::Killed, msg: Some(m) } if m.contains("SIGKILL"))
    });
    assert!(killed, "p1's lane ends as killed, with its exit status");

    let o = run(&[
        "shared-value",
        "--variant",
        "holder-panics",
        "--speed",
        "10",
    ]);
    assert_eq!(o.code, 3, "a panic is an error exit: {}", o.stderr);
    assert!(
        check_all(&o.events).is_empty(),
        "{:?}",
        check_all(&o.events)
    );
    assert!(
        says(&o)
            .iter()
            .any(|t| t.contains("RELEASED, not abandoned"))
    );
    assert!(outcome(&o).1, "p2 goes on: {:?}", outcome(&o));
}

#[test]
fn a_terminated_reader_shows_as_killed() {
    let o = run(&["process-queue", "--speed", "20"]);
    let end = exit_of(&o, worker(&o, "reader"));
    assert!(
        matches!(end, Op::Exit { how: ExitHow::Killed, msg: Some(m) } if m.contains("SIGTERM")),
        "{end:?}"
    );
}

/// True while `pid` exists and is not a zombie.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

fn all_gone(pids: &[u32]) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if pids.iter().all(|p| !alive(*p)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Starts a long process scenario, reads its stream until `n` children are declared.
fn start_with_children(extra: &[&str], n: usize) -> (std::process::Child, Vec<u32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args([
            "run",
            "processes",
            "--set",
            "processes=3",
            "--headless",
            "--json",
        ])
        .args(["--speed", "0.2"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pids = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while pids.len() < n {
        let line = lines.next().expect("a line").unwrap();
        let ev = threadlanes::wire::decode(&line).unwrap();
        if let Op::Worker {
            kind: WorkerKind::Process,
            ..
        } = ev.op
        {
            pids.push(ev.pid);
        }
    }
    assert!(pids.iter().all(|p| alive(*p)), "{pids:?} run");
    // Keep reading so a full pipe never blocks it.
    std::thread::spawn(move || lines.for_each(drop));
    (child, pids)
}

#[test]
fn no_child_outlives_threadlanes_killed_with_sigterm() {
    let (mut child, pids) = start_with_children(&[], 3);
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    child.wait().unwrap();
    assert!(all_gone(&pids), "children left: {pids:?}");
}

#[test]
fn no_child_outlives_a_run_stopped_by_for() {
    let (mut child, pids) = start_with_children(&["--for", "0.5"], 3);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "cut by --for");
    assert!(all_gone(&pids), "children left: {pids:?}");
}

#[test]
fn a_crashed_or_killed_child_shows_its_exit_status_and_the_rest_go_on() {
    for (v, how, words, code) in [
        ("crash", ExitHow::Panic, "crashed: signal 6 (SIGABRT)", 3),
        (
            "kill-9",
            ExitHow::Killed,
            "killed -9 by its parent: signal 9 (SIGKILL)",
            0,
        ),
    ] {
        let o = run(&["processes", "--variant", v, "--speed", "20"]);
        assert_eq!(o.code, code, "{v}: {}", o.stderr);
        assert!(
            check_all(&o.events).is_empty(),
            "{v}: {:?}",
            check_all(&o.events)
        );
        let end = exit_of(&o, worker(&o, "proc-2"));
        assert!(
            matches!(end, Op::Exit { how: h, msg: Some(m) } if *h == how && m.contains(words)),
            "{v}: {end:?}"
        );
        // The others end normally, after it.
        let ok_exits = exits(&o, ExitHow::Ok);
        assert_eq!(ok_exits, 3, "{v}: main, proc-1 and proc-3 end normally");
        assert!(outcome(&o).1, "{v}: {:?}", outcome(&o));
    }
}

#[test]
fn a_malformed_line_from_a_child_is_reported_and_its_stream_still_read() {
    let o = run(&["processes", "--variant", "bad-line", "--speed", "20"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = says(&o);
    let report = s
        .iter()
        .find(|t| t.starts_with("malformed line from child proc-2 (pid "))
        .unwrap_or_else(|| panic!("{s:?}"));
    assert!(report.contains(" line 6: not JSON"), "{report}");
    assert!(
        s.iter().any(|t| t == "proc-2 done"),
        "read on after it: {s:?}"
    );
}

/// Pids of the live processes whose parent is `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": the fields after the last ')'.
        let rest: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if rest.first() != Some(&"Z") && rest.get(1).and_then(|x| x.parse().ok()) == Some(pid) {
            out.push(p);
        }
    }
    out
}

/// The TUI with three long-lived children on screen; their pids.
fn tui_with_children() -> (common::Tui, Vec<u32>) {
    let args = ["run", "processes", "--set", "processes=3", "--speed", "0.2"];
    let t = common::Tui::start(&args, 120, 36);
    t.wait_for("proc-3");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let kids = children_of(t.pid());
        if kids.len() == 3 {
            return (t, kids);
        }
        assert!(Instant::now() < deadline, "children of the TUI: {kids:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn restart_and_quit_in_the_tui_leave_no_child_behind() {
    let _s = common::serial();
    let (mut t, first) = tui_with_children();
    assert!(t.screen().contains("proc "), "lanes tagged proc PID/PPID");
    t.keys("r");
    assert!(all_gone(&first), "after restart: {first:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let second = loop {
        let kids = children_of(t.pid());
        if kids.len() == 3 && kids.iter().all(|k| !first.contains(k)) {
            break kids;
        }
        assert!(Instant::now() < deadline, "new children: {kids:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    t.quit_within("q", Duration::from_millis(500));
    assert!(all_gone(&second), "after quit: {second:?}");
}

#[test]
fn sigterm_to_the_tui_leaves_no_child_behind() {
    let _s = common::serial();
    let (mut t, kids) = tui_with_children();
    t.signal(libc::SIGTERM);
    t.wait_exit();
    assert!(all_gone(&kids), "after SIGTERM: {kids:?}");
}

#[test]
fn pause_reaches_the_children() {
    let _s = common::serial();
    // proc-1 sleeps 0.5 s of virtual time after its greeting: 5 s of real time here, so
    // the pause has seconds to reach it even on a loaded machine; then the test waits longer
    // than the whole sleep, so a child that did not pause would have ended.
    let args = ["run", "processes", "--set", "processes=1", "--speed", "0.1"];
    let mut t = common::Tui::start(&args, 120, 36);
    // proc-1's own lane (the legend says "sleeping" too, at this width).
    t.wait_until("proc-1 sleeping", |s| {
        s.lines()
            .any(|l| l.contains("proc-1") && l.contains("sleeping"))
    });
    t.keys(" ");
    t.wait_for("paused");
    std::thread::sleep(Duration::from_secs(6));
    let s = t.screen();
    assert!(
        s.contains("2/2 alive"),
        "paused, the child has not gone on: {s}"
    );
    t.keys(" ");
    t.wait_for("finished");
    t.quit_within("q", Duration::from_millis(500));
}
