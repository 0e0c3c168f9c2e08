//! `threadlanes trace`: every Python program in tests/python runs under
//! `trace --headless --json`; its stream must read cleanly, keep the primitives' rules (the
//! same Checker as the scenarios), and show the lesson; its output and exit status must be
//! the program's own. And the TUI shows a traced program's lanes and objects.

#[path = "common/procs.rs"]
#[allow(dead_code)] // this binary uses wait_gone only
mod procs;
#[path = "common/state.rs"]
mod state;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::process::Command;
use std::time::{Duration, Instant};
use threadlanes::event::{Event, ExitHow, MapHow, Num, ObjectKind, Op, WorkerKind};
use threadlanes::model::check::Checker;
use threadlanes::wire;

struct Traced {
    events: Vec<Event>,
    /// The program's stdout and stderr, then our summary (all on stderr with --json).
    stderr: String,
    code: i32,
}

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

/// The program run untraced: its stdout and stderr (it must succeed).
fn plain(name: &str) -> (String, String) {
    let out = Command::new("python3")
        .arg(script(name))
        .output()
        .expect("python3 runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name} untraced\n{err}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), err)
}

fn trace(name: &str) -> Traced {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script(name))
        .output()
        .expect("threadlanes runs");
    let mut events = Vec::new();
    for r in wire::read_stream(&out.stdout[..]) {
        events.push(r.unwrap_or_else(|e| panic!("{name}: our own output has a bad line: {e}")));
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut checker = Checker::new();
    for e in &events {
        checker.check(e);
    }
    assert!(
        checker.violations.is_empty(),
        "{name}: {:?}\n{stderr}",
        checker.violations
    );
    Traced {
        events,
        stderr,
        code: out.status.code().unwrap_or(-1),
    }
}

impl Traced {
    fn ok(self, name: &str, output: &[&str]) -> Traced {
        assert_eq!(self.code, 0, "{name} exit status\n{}", self.stderr);
        for line in output {
            assert!(
                self.stderr.contains(line),
                "{name} printed no {line:?}\n{}",
                self.stderr
            );
        }
        self
    }
    fn count(&self, f: impl Fn(&Op) -> bool) -> usize {
        self.events.iter().filter(|e| f(&e.op)).count()
    }
    fn object(&self, name: &str) -> (u32, ObjectKind, Option<u64>) {
        self.events
            .iter()
            .find_map(|e| match &e.op {
                Op::Object {
                    o,
                    name: n,
                    kind,
                    capacity,
                } if n == name => Some((*o, *kind, *capacity)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no object named {name}"))
    }
    fn worker(&self, name: &str) -> u32 {
        self.events
            .iter()
            .find_map(|e| match &e.op {
                Op::Worker { name: n, .. } if n == name || n.ends_with(&format!(":{name}")) => {
                    Some(e.w)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no worker named {name}"))
    }
    /// Names of every object, or every worker, in declaration order.
    fn names(&self, objects: bool) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.op {
                Op::Object { name, .. } if objects => Some(name.clone()),
                Op::Worker { name, .. } if !objects => Some(name.clone()),
                _ => None,
            })
            .collect()
    }
    fn exit_of(&self, w: u32) -> ExitHow {
        self.events
            .iter()
            .find_map(|e| match e.op {
                Op::Exit { how, .. } if e.w == w => Some(how),
                _ => None,
            })
            .unwrap_or_else(|| panic!("worker {w} never exits"))
    }
    fn index(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().position(f).expect("the event is there")
    }
    fn said(&self, text: &str) -> usize {
        self.index(|e| matches!(&e.op, Op::Say { text: t } if t.contains(text)))
    }
    fn pids(&self, f: impl Fn(&Op) -> bool) -> usize {
        let mut p: Vec<_> = self
            .events
            .iter()
            .filter(|e| f(&e.op))
            .map(|e| e.pid)
            .collect();
        p.sort_unstable();
        p.dedup();
        p.len()
    }
}

#[test]
fn join_main_says_done_after_the_worker_ends() {
    let t = trace("join").ok("join", &["worker finished", "all done"]);
    let w = t.worker("worker");
    let exit = t.index(|e| e.w == w && matches!(e.op, Op::Exit { .. }));
    assert!(t.said("all done") > exit);
    assert_eq!(
        t.count(|op| matches!(op, Op::JoinEnd { target, ok: true } if *target == w)),
        1
    );
}

#[test]
fn daemon_thread_dies_with_the_program() {
    let t = trace("daemon").ok("daemon", &["main returns", "ordinary thread done"]);
    assert_eq!(t.exit_of(t.worker("background")), ExitHow::Killed);
    assert_eq!(t.exit_of(t.worker("ordinary")), ExitHow::Ok);
    assert!(
        t.events.iter().any(
            |e| matches!(&e.op, Op::Worker { name, daemon: true, .. } if name == "background")
        )
    );
}

#[test]
fn race_is_fixed_by_the_lock_both_threads_take() {
    let t = trace("race").ok("race", &["balance 0"]);
    let (o, kind, _) = t.object("guard");
    assert_eq!(kind, ObjectKind::Lock);
    let holders: std::collections::HashSet<_> = t
        .events
        .iter()
        .filter(|e| matches!(e.op, Op::AcquireEnd { o: x, ok: true, .. } if x == o))
        .map(|e| e.w)
        .collect();
    assert_eq!(holders.len(), 2);
}

#[test]
fn lock_try_and_timeout_fail_while_held() {
    let t = trace("lock").ok("lock", &["job1 total 5", "job10 total 55", "final 55"]);
    let (o, ..) = t.object("total_lock");
    assert_eq!(
        t.count(|op| matches!(op, Op::AcquireEnd { o: x, ok: false, .. } if *x == o)),
        2
    );
}

#[test]
fn rlock_depth_and_condition_wait() {
    let t = trace("rlock").ok("rlock", &["paid True"]);
    let (o, kind, _) = t.object("account");
    assert_eq!(kind, ObjectKind::RLock);
    assert!(
        t.count(|op| matches!(op, Op::AcquireEnd { o: x, depth: Some(2), .. } if *x == o)) >= 2
    );
    let (c, kind, _) = t.object("ready");
    assert_eq!(kind, ObjectKind::Condition);
    assert_eq!(
        t.count(|op| matches!(op, Op::Notify { o, .. } if *o == c)),
        1
    );
}

#[test]
fn semaphore_lets_three_in() {
    let t = trace("semaphore").ok(
        "semaphore",
        &["most inside at once: 3", "refuses an extra release"],
    );
    let (_, kind, cap) = t.object("slots");
    assert_eq!((kind, cap), (ObjectKind::BoundedSemaphore, Some(3)));
}

#[test]
fn traffic_light_cars_wait_for_green() {
    let t = trace("traffic_light").ok("traffic_light", &["car-0 drives", "gives up: False"]);
    let (o, kind, _) = t.object("light");
    assert_eq!(kind, ObjectKind::Event);
    let set = t.index(|e| matches!(e.op, Op::Set { o: x } if x == o));
    let drives = t.index(|e| matches!(e.op, Op::WaitEnd { o: x, ok: true } if x == o));
    assert!(drives > set);
    assert_eq!(
        t.count(|op| matches!(op, Op::WaitEnd { o: x, ok: false } if *x == o)),
        1
    );
}

#[test]
fn queue_kinds_each_in_its_order() {
    let t = trace("queue_kinds").ok(
        "queue_kinds",
        &[
            "fifo: ['a', 'b', 'c']",
            "lifo: ['c', 'b', 'a']",
            "priority: ['urgent', 'normal', 'low']",
        ],
    );
    assert_eq!(t.object("fifo").1, ObjectKind::Queue);
    assert_eq!(t.object("lifo").1, ObjectKind::LifoQueue);
    assert_eq!(t.object("by_priority").1, ObjectKind::PriorityQueue);
    assert_eq!(t.object("by_priority").2, Some(5));
    assert_eq!(t.count(|op| matches!(op, Op::GetEnd { ok: false, .. })), 1);
}

#[test]
fn producer_consumer_tasks_done_and_joined() {
    let t = trace("producer_consumer").ok("producer_consumer", &["consumed 6"]);
    let (o, _, cap) = t.object("jobs");
    assert_eq!(cap, Some(2));
    assert_eq!(
        t.names(true),
        ["jobs", "done_lock"],
        "the locks and conditions inside the Queue and the Threads are not shown"
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::TaskDone { o: x, .. } if *x == o)),
        6
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::QueueJoinEnd { o: x } if *x == o)),
        1
    );
}

#[test]
fn thread_pool_workers_run_every_task() {
    let t = trace("thread_pool").ok(
        "thread_pool",
        &["map: [0.03, 0.01, 0.02]", "as_completed: [0.01, 0.03]"],
    );
    let (o, kind, cap) = t.object("pool");
    assert_eq!((kind, cap), (ObjectKind::Pool, Some(2)));
    assert_eq!(
        t.names(true),
        ["pool"],
        "the executor's own queue and locks are not shown"
    );
    let workers = t.names(false);
    assert!(
        workers
            .iter()
            .filter(|n| n.starts_with("ThreadPoolExecutor"))
            .count()
            == 2,
        "{workers:?}"
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::Submit { o: x, .. } if *x == o)),
        6
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::TaskEnd { o: x, .. } if *x == o)),
        6
    );
}

#[test]
fn condition_and_barrier() {
    let t = trace("condition_barrier").ok(
        "condition_barrier",
        &["got parcel", "all through the barrier", "times out: False"],
    );
    let (c, ..) = t.object("changed");
    assert_eq!(
        t.count(|op| matches!(op, Op::WaitEnd { o, ok: false } if *o == c)),
        1,
        "the wait that timed out"
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::NotifyAll { o } if *o == c)),
        1
    );
    // notify_all is notify(every waiter) inside Python: one call, one event.
    assert_eq!(
        t.count(|op| matches!(op, Op::Notify { o, .. } if *o == c)),
        0,
        "the notify inside notify_all is not another"
    );
    let (b, kind, cap) = t.object("gate");
    assert_eq!((kind, cap), (ObjectKind::Barrier, Some(3)));
    assert_eq!(
        t.count(|op| matches!(op, Op::WaitEnd { o, ok: true } if *o == b)),
        3
    );
}

#[test]
fn processes_report_with_their_own_pids() {
    let t = trace("processes").ok(
        "processes",
        &[
            "answers: [(0, True), (1, True)]",
            "parents are us: True",
            "visits: 2",
        ],
    );
    let kids = t.count(|op| matches!(op, Op::Worker { kind: WorkerKind::Process, name, .. } if name.contains("child-")));
    assert_eq!(kids, 2);
    // Only the program's own: no queue feeder threads, no manager server threads, no
    // resource tracker.
    let workers = t.names(false);
    assert_eq!(
        workers.len(),
        4,
        "main, the manager, two children: {workers:?}"
    );
    assert_eq!(
        t.names(true),
        ["answers", "guard", "visits"],
        "a Manager's dict is not an object here"
    );
    assert!(
        t.pids(|op| matches!(op, Op::Worker { .. })) >= 3,
        "main, two children (and the manager)"
    );
    let (g, kind, _) = t.object("guard");
    assert_eq!(
        kind,
        ObjectKind::Lock,
        "a Manager's Lock, through its proxies"
    );
    assert_eq!(
        t.pids(|op| matches!(op, Op::AcquireEnd { o, .. } if *o == g)),
        2
    );
    let (v, ..) = t.object("visits");
    assert_eq!(
        t.count(|op| matches!(op, Op::Write { o, value: Num::Int(2), index: None } if *o == v)),
        1
    );
    let (q, ..) = t.object("answers");
    assert_eq!(
        t.pids(|op| matches!(op, Op::PutEnd { o, .. } if *o == q)),
        2
    );
}

#[test]
fn pool_processes_run_the_tasks() {
    let t = trace("pool").ok(
        "pool",
        &[
            "map: [1, 4, 9, 16]",
            "starmap: [8, 9]",
            "callback got: [25]",
        ],
    );
    let (o, kind, cap) = t.object("pool");
    assert_eq!((kind, cap), (ObjectKind::Pool, Some(2)));
    assert_eq!(
        t.count(|op| matches!(op, Op::Submit { o: x, .. } if *x == o)),
        7
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::TaskEnd { o: x, .. } if *x == o)),
        7
    );
    let main_pid = t.events[0].pid;
    assert!(
        t.events
            .iter()
            .filter(|e| matches!(e.op, Op::TaskBegin { .. }))
            .all(|e| e.pid != main_pid)
    );
    // map's caller waits on the pool for its results, and is woken with them.
    let waits = |ok: bool| {
        t.events
            .iter()
            .filter(|e| e.pid == main_pid)
            .filter(|e| match e.op {
                Op::WaitBegin { o: x } => !ok && x == o,
                Op::WaitEnd { o: x, ok: true } => ok && x == o,
                _ => false,
            })
            .count()
    };
    assert!(waits(false) >= 1, "main waits for map's results");
    assert_eq!(waits(false), waits(true), "each wait ends with its results");
}

#[test]
fn pipe_carries_a_message_each_way() {
    let t = trace("pipe").ok("pipe", &["reply: HELLO"]);
    let (o, kind, _) = t.object("parent_end/child_end");
    assert_eq!(kind, ObjectKind::Pipe);
    assert_eq!(
        t.pids(|op| matches!(op, Op::Send { o: x, .. } if *x == o)),
        2
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::RecvEnd { o: x, ok: true, .. } if *x == o)),
        2
    );
}

#[test]
fn shared_value_loses_nothing_under_the_process_lock() {
    let t = trace("shared_value").ok("shared_value", &["counter: 60"]);
    let (v, ..) = t.object("counter");
    assert_eq!(
        t.pids(|op| matches!(op, Op::Write { o, .. } if *o == v)),
        4,
        "main's first value and three adders"
    );
    let last = t.events.iter().rev().find_map(|e| match e.op {
        Op::Read { o, value, .. } if o == v => Some(value),
        _ => None,
    });
    assert_eq!(last, Some(Num::Int(60)));
}

#[test]
fn spawned_children_share_the_same_objects() {
    let t = trace("spawn").ok("spawn", &["got: [1, 2] total: 3"]);
    t.worker("spawned-1");
    t.worker("spawned-2");
    let (l, ..) = t.object("lock");
    assert_eq!(
        t.pids(|op| matches!(op, Op::AcquireEnd { o, .. } if *o == l)),
        2
    );
}

#[test]
fn exit_status_and_a_thread_panic() {
    let t = trace("exit_status");
    assert_eq!(t.code, 3, "{}", t.stderr);
    assert!(t.stderr.contains("RuntimeError: boom") && t.stderr.contains("to stderr too"));
    assert_eq!(t.exit_of(t.worker("broken")), ExitHow::Panic);
    assert_eq!(t.exit_of(t.worker("quiet")), ExitHow::Ok);
    for said in [
        "sys.exit(4) -> 4",
        "os._exit(5) -> 5",
        "subprocess -> 6",
        "raise SystemExit(8) -> 8",
        "subprocess -> 10",
        "subprocess -> 11",
        "subprocess -> 0",
        "os._exit refused a str",
    ] {
        assert!(t.stderr.contains(said), "{said}\n{}", t.stderr);
    }
    // Each process's main thread ends with its status, not as done.
    let mut ends: Vec<String> = t
        .events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Exit {
                how: ExitHow::Panic,
                msg: Some(m),
            } if m.starts_with("exit code") => Some(m.clone()),
            _ => None,
        })
        .collect();
    ends.sort();
    assert_eq!(
        ends,
        [
            "exit code 10",
            "exit code 11",
            "exit code 3",
            "exit code 4",
            "exit code 5",
            "exit code 6",
            "exit code 8"
        ]
    );
    // The child that left by sys.exit(0) ended well: four `python -c` children, three
    // with a status above.
    let children: Vec<_> = t
        .events
        .iter()
        .filter(|e| matches!(&e.op, Op::Worker { name, .. } if name.ends_with(":python -c")))
        .map(|e| e.w)
        .collect();
    assert_eq!(children.len(), 4, "{children:?}");
    let ok = children.iter().filter(|w| t.exit_of(**w) == ExitHow::Ok);
    assert_eq!(ok.count(), 1);
}

#[test]
fn malformed_lines_are_reported_and_the_rest_kept() {
    let t = trace("malformed").ok(
        "malformed",
        &["still here", "not JSON", "unknown op \"fly\""],
    );
    let (o, ..) = t.object("lock");
    assert_eq!(
        t.count(|op| matches!(op, Op::Release { o: x, .. } if *x == o)),
        1
    );
}

/// The TUI's own path: an App whose source is a traced program, pumped until the program
/// ends, drawn into a test terminal: its lanes and objects are on screen.
#[test]
fn the_tui_shows_a_traced_programs_lanes_and_objects() {
    use threadlanes::source::traced::{Options, Output, TracedSource};
    static ABOUT: threadlanes::scenarios::Info = threadlanes::scenarios::Info {
        name: "trace",
        title: "python3 producer_consumer.py",
        lesson: "",
        explain: "",
        variants: &[],
        params: &[],
    };
    let argv = vec!["python3".to_string(), script("producer_consumer")];
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: true,
    };
    let source = TracedSource::start(&argv, &opts).expect("starts");
    let mut app = threadlanes::app::App::watching(Box::new(source), &ABOUT, 1.0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.status.run != state::RunState::Finished {
        assert!(Instant::now() < deadline, "the traced program never ended");
        app.pump();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(app.source().and_then(|s| s.exit_status()), Some(0));
    let mut term = Terminal::new(TestBackend::new(120, 36)).expect("a test terminal");
    term.draw(|f| app.draw(f)).expect("draws");
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    for text in [
        "bread",
        "milk",
        "consumer-0",
        "consumer-1",
        "main ",
        "jobs",
        "done_lock",
        "says: consumed 6",
    ] {
        assert!(
            screen.contains(text),
            "no {text:?} on screen:\n{}",
            lines(&term)
        );
    }
}

fn lines(term: &Terminal<TestBackend>) -> String {
    let b = term.backend().buffer();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

/// q in the TUI (the source's stop) ends the program and every process it started; input()
/// under the TUI says what to do instead of waiting for keys it will never get.
#[test]
fn stopping_ends_the_program_and_its_children() {
    use threadlanes::source::traced::{Options, Output, TracedSource};
    use threadlanes::source::{Item, Source};
    let argv = vec!["python3".to_string(), script("forever")];
    let opts = Options {
        speed: 1.0,
        output: Output::Capture,
        tui: true,
    };
    let mut source = TracedSource::start(&argv, &opts).expect("starts");
    assert!(!source.controls().pause && source.controls().signals);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut pids = Vec::new();
    let (mut told, mut printed) = (false, false);
    // The print after input() is waited for too: its line is in the pipe before its say.
    while pids.len() < 2 || !told || !printed {
        assert!(
            Instant::now() < deadline,
            "never saw both processes and the input() note"
        );
        source.wait(Duration::from_millis(100), &mut |item| match item {
            Item::Event(Event {
                pid,
                op: Op::Worker { .. },
                ..
            }) if !pids.contains(&pid) => pids.push(pid),
            Item::Event(Event {
                op: Op::Say { text },
                ..
            }) if text.contains("--headless") => told = true,
            Item::Event(Event {
                op: Op::Say { text },
                ..
            }) if text.contains("no keyboard here") => printed = true,
            _ => {}
        });
    }
    assert!(source.stop(Duration::from_secs(2)));
    let (out, err) = source.trace().captured();
    assert!(String::from_utf8_lossy(&out).contains("no keyboard here"));
    assert!(String::from_utf8_lossy(&err).contains("run `threadlanes trace --headless"));
    // Killed whole by stop(); a killed process is gone (or a zombie) as soon as the kernel
    // has run its exit, well within the quit budget of 500 ms.
    let left = procs::wait_gone(&pids, Duration::from_millis(500));
    assert!(
        left.is_empty(),
        "processes {left:?} still run 500 ms after stop"
    );
}

/// --speed scales time.sleep and nothing else: a 50 ms sleep at half speed takes 100 ms and
/// still says it asked for 50.
#[test]
fn speed_scales_the_programs_sleeps() {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args([
            "trace",
            "--headless",
            "--json",
            "--speed",
            "0.5",
            "--",
            "python3",
        ])
        .arg(script("join"))
        .output()
        .expect("threadlanes runs");
    assert!(out.status.success());
    let evs: Vec<Event> = wire::read_stream(&out.stdout[..])
        .map(|r| r.expect("good line"))
        .collect();
    let begin = evs
        .iter()
        .find(|e| matches!(e.op, Op::SleepBegin { ms: 50 }))
        .expect("a 50 ms sleep");
    let end = evs
        .iter()
        .find(|e| e.w == begin.w && e.op == Op::SleepEnd)
        .expect("it ends");
    assert!(
        end.t - begin.t >= 100_000_000,
        "slept {} ns",
        end.t - begin.t
    );
}

#[test]
fn replacements_pickle_as_the_originals() {
    trace("pickling").ok(
        "pickling",
        &[
            "printed by a spawned pool worker",
            "manager value 7",
            "pickles fine",
        ],
    );
}

/// Every check in unchanged.py holds run plain and traced.
#[test]
fn the_program_sees_no_difference() {
    plain("unchanged");
    trace("unchanged").ok("unchanged", &["semantics unchanged"]);
}

/// Traced headless prints the same log as a scenario's: who woke whom ("woke: lighter set
/// light") and, in the summary, each problem (here: the lines that were not events).
#[test]
fn traced_headless_prints_causes_and_problems_like_a_scenario() {
    let text = |name: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
            .args(["trace", "--headless", "--", "python3"])
            .arg(script(name))
            .output()
            .expect("threadlanes runs");
        assert!(out.status.success(), "{name}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let light = text("traffic_light");
    assert!(light.contains(" woke: "), "{light}");
    let bad = text("malformed");
    assert!(
        bad.contains("\nproblem: traced program, connection ")
            && bad.contains("not JSON")
            && bad.contains("unknown op \"fly\""),
        "{bad}"
    );
}

/// time.sleep inside a coroutine: the log says the thread's sleep blocks the loop, in the
/// task that called it (the task is seen running first, though it made no traced step).
#[test]
fn a_blocking_call_in_a_coroutine_is_said_to_block_the_loop() {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--", "python3"])
        .arg(script("asyncio_blocking"))
        .output()
        .expect("threadlanes runs");
    let log = String::from_utf8_lossy(&out.stdout);
    let said: Vec<_> = log
        .lines()
        .filter(|l| l.contains("blocks the loop"))
        .collect();
    assert_eq!(said.len(), 1, "{log}");
    assert!(
        said[0].contains("sleeps 0.3s in fetch-1 (blocks the loop)"),
        "{log}"
    );
}

/// Daemon threads busy with a lock as the program ends: each is said killed, and none of
/// their operations comes after that (the checker, in `trace`, finds no event after an
/// exit; three runs, as the race it guards against was lost about one run in three).
#[test]
fn daemons_busy_at_the_end_say_nothing_after_they_are_killed() {
    for _ in 0..3 {
        let t = trace("daemons_at_exit").ok("daemons_at_exit", &["main ends"]);
        for name in ["d0", "d1", "d2"] {
            assert_eq!(t.exit_of(t.worker(name)), ExitHow::Killed, "{name}");
        }
    }
}

/// asyncio: each task a lane of kind task under its loop's thread, named as the program
/// named it; its awaited sleeps as sleeps, its asyncio.Lock an object it acquires and
/// releases; asyncio's own tasks hidden; output and exit status the program's own.
#[test]
fn asyncio_tasks_are_lanes_under_their_thread() {
    let (plain_out, _) = plain("asyncio_tasks");
    let t = trace("asyncio_tasks");
    let lines: Vec<&str> = plain_out.lines().collect();
    let t = t.ok("asyncio_tasks", &lines);
    let main = t
        .events
        .iter()
        .find(|e| {
            matches!(
                e.op,
                Op::Worker {
                    kind: WorkerKind::Main,
                    ..
                }
            )
        })
        .expect("the main thread")
        .w;
    let tasks: Vec<(u32, String)> = t
        .events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Worker {
                kind: WorkerKind::Task,
                name,
                thread,
                ..
            } => {
                assert_eq!(*thread, Some(main), "{name} runs on the main thread");
                Some((e.w, name.clone()))
            }
            _ => None,
        })
        .collect();
    for name in ["main-1", "fetch-0", "fetch-1", "fetch-2"] {
        assert!(
            tasks.iter().any(|(_, n)| n == name),
            "no task {name}: {tasks:?}"
        );
    }
    let fetch0 = tasks
        .iter()
        .rfind(|(_, n)| n == "fetch-0")
        .expect("fetch-0")
        .0;
    let by_fetch0 = |f: &dyn Fn(&Op) -> bool| t.events.iter().any(|e| e.w == fetch0 && f(&e.op));
    assert!(by_fetch0(&|op| matches!(op, Op::SleepBegin { ms: 300 })));
    assert!(by_fetch0(&|op| matches!(
        op,
        Op::AcquireEnd { ok: true, .. }
    )));
    assert!(by_fetch0(
        &|op| matches!(op, Op::Say { text } if text == "fetch-0 done")
    ));
    assert!(by_fetch0(&|op| matches!(
        op,
        Op::Exit {
            how: ExitHow::Ok,
            ..
        }
    )));
    let (_, kind, _) = t.object("lock");
    assert_eq!(kind, ObjectKind::Lock);
    // main-1 (main()) and the three fetches; asyncio.run's own clean-up tasks are not shown.
    assert_eq!(
        tasks
            .iter()
            .map(|(w, _)| *w)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "{tasks:?}"
    );
}

/// asyncio's Queue, Event and Semaphore as objects; a task that raises is failed, one
/// cancelled is cancelled, and asyncio's warning for an exception never retrieved is
/// still the program's.
#[test]
fn asyncio_objects_and_a_tasks_ends() {
    let (out, plain_err) = plain("asyncio_faults");
    assert!(
        plain_err.contains("Task exception was never retrieved"),
        "{plain_err}"
    );
    let mut expect: Vec<&str> = out.lines().collect();
    expect.push("Task exception was never retrieved");
    let t = trace("asyncio_faults").ok("asyncio_faults", &expect);
    assert_eq!(t.object("q").1, ObjectKind::Queue);
    assert_eq!(t.object("q").2, Some(2));
    assert_eq!(t.object("gate").1, ObjectKind::Event);
    assert_eq!(t.object("slots").1, ObjectKind::Semaphore);
    let end = |name: &str| {
        let w = t
            .events
            .iter()
            .rfind(|e| matches!(&e.op, Op::Worker { name: n, .. } if n == name))
            .unwrap_or_else(|| panic!("no task {name}"))
            .w;
        t.events
            .iter()
            .find_map(|e| match &e.op {
                Op::Exit { how, msg } if e.w == w => Some((*how, msg.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name} never ends"))
    };
    assert_eq!(end("sleeper").0, ExitHow::Cancelled);
    let (how, msg) = end("doomed");
    assert_eq!(how, ExitHow::Panic);
    assert!(msg.is_some_and(|m| m.contains("boom")));
    assert_eq!(end("unretrieved").0, ExitHow::Panic);
    assert_eq!(end("consumer").0, ExitHow::Ok);
    assert!(t.count(|op| matches!(op, Op::Set { .. })) == 1);
}

/// asyncio's waits, each shown as what it is: a Condition with its lock, waits and notifies;
/// gather's caller and a TaskGroup's owner joining their children; wait_for's timeout as a join that timed out;
/// run_in_executor's work on the executor's thread while the task waits on the pool; a task
/// never awaited runs to its end; a task left pending when its loop closed ends there. The
/// program's output, its warnings and its exit status are the untraced run's.
#[test]
fn asyncio_waits_each_shown_as_what_it_is() {
    let (out, err) = plain("asyncio_waits");
    let mut expect: Vec<&str> = out.lines().collect();
    // Python's own warnings, word for word (a task's repr shows none of our callbacks).
    expect.extend(err.lines().filter(|l| !l.trim().is_empty()));
    assert!(err.contains("was never awaited"), "{err}");
    assert!(
        err.contains("Task was destroyed but it is pending!"),
        "{err}"
    );
    let t = trace("asyncio_waits").ok("asyncio_waits", &expect);

    let (cond, kind, _) = t.object("cond");
    assert_eq!(kind, ObjectKind::Condition);
    assert_eq!(t.object("cond.lock").1, ObjectKind::Lock);
    let on = |o: u32, f: &dyn Fn(&Op) -> bool| {
        t.events
            .iter()
            .filter(|e| e.op.object() == Some(o) && f(&e.op))
            .count()
    };
    assert_eq!(on(cond, &|op| matches!(op, Op::Notify { n: 1, .. })), 2);
    assert!(on(cond, &|op| matches!(op, Op::WaitEnd { ok: true, .. })) >= 2);

    let main = t.worker("main-1");
    let joins = |ok: bool| -> Vec<u32> {
        t.events
            .iter()
            .filter_map(|e| match e.op {
                Op::JoinEnd { target, ok: k } if e.w == main && k == ok => Some(target),
                _ => None,
            })
            .collect()
    };
    // gather: main-1 joined the first consumer (and more); wait_for: one join timed out,
    // on the task wait_for made, which ended cancelled.
    assert!(joins(true).contains(&t.worker("consumer-2")));
    // A TaskGroup's end: main-1 joins the tasks made in it.
    assert!(joins(true).contains(&t.worker("grouped-1")));
    // A plain `await task`: seen once the awaited task takes the thread.
    assert!(joins(true).contains(&t.worker("direct")));
    let timed_out = joins(false);
    assert_eq!(timed_out.len(), 1, "{timed_out:?}");
    assert_eq!(t.exit_of(timed_out[0]), ExitHow::Cancelled);

    let (pool, kind, _) = t.object("executor");
    assert_eq!(kind, ObjectKind::Pool);
    let ran = t.index(|e| matches!(e.op, Op::TaskBegin { o, .. } if o == pool));
    assert_ne!(
        t.events[ran].w, main,
        "the work runs on the executor's thread"
    );
    let waits = t.index(|e| e.w == main && matches!(e.op, Op::WaitBegin { o } if o == pool));
    let woke = t.index(|e| e.w == main && matches!(e.op, Op::WaitEnd { o, ok: true } if o == pool));
    let done = t.index(|e| matches!(e.op, Op::TaskEnd { o, .. } if o == pool));
    assert!(waits < done && done < woke);

    assert_eq!(t.exit_of(t.worker("forgotten")), ExitHow::Ok);
    let stuck = t.worker("stuck");
    assert!(t.events.iter().any(|e| e.w == stuck
        && matches!(&e.op, Op::Exit { how: ExitHow::Killed, msg: Some(m) } if m.contains("loop closed"))));
    // asyncio's own helper thread (shutting the default executor down) is not a lane.
    assert!(!t.names(false).iter().any(|n| n.contains("_do_shutdown")));
}

/// Two tasks awaiting each other's asyncio lock: a wait-for cycle while it lasts, and the
/// lock order named as a possible deadlock; main's wait_for around their gather is a join
/// that times out, and the timeout cancels both.
#[test]
fn asyncio_tasks_deadlock_as_threads_do() {
    let t = trace("asyncio_deadlock").ok("asyncio_deadlock", &["deadlocked: wait_for gave up"]);
    let mut world = threadlanes::model::World::default();
    let mut cycle = None;
    for e in &t.events {
        world.apply(e);
        cycle = cycle.or_else(|| world.deadlock.clone());
    }
    let cycle = cycle.expect("the two tasks wait for each other");
    let names: Vec<&str> = cycle.iter().map(|&w| world.worker_name(w)).collect();
    assert!(
        names.contains(&"left-2") && names.contains(&"right-3"),
        "{names:?}"
    );
    assert!(
        t.stderr
            .contains("possible deadlock: left-2 takes first then second")
    );
    let main = t.worker("main-1");
    assert!(t.events.iter().any(|e| e.w == main
        && matches!(e.op, Op::JoinEnd { ok: false, target } if target == t.worker("left-2"))));
    assert_eq!(t.exit_of(t.worker("right-3")), ExitHow::Cancelled);
}

/// Objects made two to a line take their own targets' names (`l1, l2 = Lock(), Lock()`:
/// l1 and l2, not "l1/l2" and "l1/l2-2"), each time the line runs; one object for two
/// targets (`a, b = Pipe()`) is still named for both (pipe_carries_a_message_each_way).
#[test]
fn two_objects_made_on_one_line_take_their_own_names() {
    let (plain_out, _) = plain("tuple_names");
    let t = trace("tuple_names").ok("tuple_names", &["both held", "done"]);
    assert_eq!(plain_out, "both held\ndone\n");
    assert_eq!(t.names(true), ["l1", "l2", "a", "b", "a-2", "b-2"]);
}

/// multiprocessing's Semaphore, BoundedSemaphore and Event are objects shared by the
/// processes: declared once under the names their line gives (three made on one line),
/// every child's acquires and releases on them (the checker holds: never more holders than
/// slots), the set in a child and the parent's wait.
#[test]
fn multiprocessing_semaphores_and_events_are_shared_objects() {
    let t = trace("mp_sync").ok("mp_sync", &["set: True", "too many:"]);
    assert_eq!(t.names(true), ["slots", "cond", "done", "bounded"]);
    let (slots, kind, cap) = t.object("slots");
    assert_eq!((kind, cap), (ObjectKind::Semaphore, Some(2)));
    let (bounded, kind, cap) = t.object("bounded");
    assert_eq!((kind, cap), (ObjectKind::BoundedSemaphore, Some(1)));
    let (done, kind, _) = t.object("done");
    assert_eq!(kind, ObjectKind::Event);
    let on = |o: u32| t.pids(|op| matches!(op, Op::AcquireEnd { o: x, ok: true, .. } if *x == o));
    assert_eq!(on(slots), 3, "each child took a slot, in its own process");
    assert_eq!(on(bounded), 3);
    // The release too many raised and released nothing: three releases, not four.
    let released = t.count(|op| matches!(op, Op::Release { o, .. } if *o == bounded));
    assert_eq!(released, 3);
    assert_eq!(t.count(|op| matches!(op, Op::Set { o } if *o == done)), 1);
    assert_eq!(
        t.count(|op| matches!(op, Op::WaitEnd { o, ok: true } if *o == done)),
        1
    );
}

/// A ProcessPoolExecutor (forked and spawned) is a pool shared by processes: every task is
/// submitted in the parent and begins and ends in a worker process, failed ones included.
#[test]
fn process_pool_executor_tasks_run_in_their_workers() {
    let t = trace("process_pool_executor").ok(
        "process_pool_executor",
        &["fork [0, 1, 4] [0, 1, 4]", "spawn raised no 7"],
    );
    assert_eq!(t.names(true), ["pool", "pool-2"]);
    let main_pid = t.events[0].pid;
    let tasks = |f: fn(&Op) -> bool| {
        let evs: Vec<&Event> = t.events.iter().filter(|e| f(&e.op)).collect();
        (evs.len(), evs.iter().all(|e| e.pid != main_pid))
    };
    assert_eq!(tasks(|op| matches!(op, Op::Submit { .. })).0, 14);
    assert_eq!(tasks(|op| matches!(op, Op::TaskBegin { .. })), (14, true));
    assert_eq!(tasks(|op| matches!(op, Op::TaskEnd { .. })), (14, true));
    assert_eq!(
        t.count(|op| matches!(op, Op::TaskEnd { result: Some(r), .. } if r == "error")),
        2,
        "the two failed tasks"
    );
}

/// multiprocessing's Condition and Barrier (forked and spawned children): the condition's
/// waits and its one notify_all (not also the notify it makes inside), and the barrier's
/// two waits per run, from both processes.
#[test]
fn multiprocessing_conditions_and_barriers_are_shared_objects() {
    let t = trace("mp_condition_barrier").ok("mp_condition_barrier", &["fork True", "spawn True"]);
    assert_eq!(
        t.names(true),
        [
            "lock",
            "cond",
            "bar",
            "box",
            "box.get_lock()",
            "lock-2",
            "cond-2",
            "bar-2",
            "box-2",
            "box-2.get_lock()"
        ]
    );
    for (cond, bar) in [("cond", "bar"), ("cond-2", "bar-2")] {
        let (c, kind, _) = t.object(cond);
        assert_eq!(kind, ObjectKind::Condition);
        let (b, kind, parties) = t.object(bar);
        assert_eq!((kind, parties), (ObjectKind::Barrier, Some(2)));
        assert_eq!(
            t.count(|op| matches!(op, Op::NotifyAll { o } if *o == c)),
            1
        );
        assert_eq!(
            t.count(|op| matches!(op, Op::Notify { o, .. } if *o == c)),
            0
        );
        let woke = t.count(|op| matches!(op, Op::WaitEnd { o, ok: true } if *o == c));
        assert!(woke >= 1, "the parent woke from {cond}");
        assert_eq!(
            t.pids(|op| matches!(op, Op::WaitEnd { o, ok: true } if *o == b)),
            2
        );
        // The child's notify_all tries the condition's semaphore without blocking: no wait.
        assert_eq!(t.pids(|op| matches!(op, Op::WaitBegin { o } if *o == c)), 1);
        assert_eq!(
            t.count(|op| matches!(op, Op::WaitEnd { o, ok: false } if *o == c)),
            0
        );
    }
}

/// A shared memory block is one object, whichever process maps it (by name, inherited
/// through a fork, handed to a spawned child): every mapping, close and unlink is said by
/// the process that did it, and the program's output is its own (the writes land in the
/// block: 20 after four adders). A name used again after its unlink is another block.
#[test]
fn shared_memory_is_one_object_mapped_by_each_process() {
    let t = trace("mp_shared_memory").ok(
        "mp_shared_memory",
        &["total 20 size True", "unlinked", "reused"],
    );
    let blocks: Vec<_> = t
        .events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Object {
                o,
                kind: ObjectKind::SharedMemory,
                name,
                capacity,
            } => Some((*o, name.clone(), *capacity)),
            _ => None,
        })
        .collect();
    assert_eq!(blocks.len(), 3, "each block declared once: {blocks:?}");
    let (shm, name, size) = blocks[0].clone();
    assert!(name.starts_with("psm_"), "named as the block is: {name}");
    assert_eq!(size, Some(16));
    // main creates it; adder-1 and adder-2 inherit it (fork) and map it by name; forked
    // inherits it only; spawned is handed it.
    assert_eq!(
        t.pids(|op| matches!(op, Op::Attach { o, .. } if *o == shm)),
        5
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::Attach { o, .. } if *o == shm)),
        7
    );
    // How each came to map it: main made it; three inherited it through a fork; two
    // opened it by name, and the spawned child opened the one it was handed.
    let how =
        |h: MapHow| t.count(|op| matches!(op, Op::Attach { o, how } if *o == shm && *how == h));
    assert_eq!(
        [MapHow::Created, MapHow::Inherited, MapHow::Opened].map(how),
        [1, 3, 3]
    );
    assert_eq!(t.pids(|op| matches!(op, Op::Detach { o } if *o == shm)), 4);
    assert_eq!(t.count(|op| matches!(op, Op::Unlink { o } if *o == shm)), 1);
    let reused: Vec<_> = blocks[1..]
        .iter()
        .map(|(_, n, c)| (n == &blocks[1].1, *c))
        .collect();
    assert_eq!(reused, [(true, Some(16)), (true, Some(4096))]);
}

#[test]
fn an_mp_array_shows_each_cell_and_a_float_value_its_floats() {
    let t = trace("mp_array").ok(
        "mp_array",
        &[
            "cells: [10, 20, 30, 40] progress: 1.0",
            "seeds: [7, 0, -1] last: -1",
            "IndexError: invalid index",
            "TypeError: 'str' object cannot be interpreted as an integer",
        ],
    );
    let (cells, kind, cap) = t.object("cells");
    assert_eq!((kind, cap), (ObjectKind::Value, Some(4)));
    // Each filler wrote its own cell, from its own process.
    for k in 0..4u32 {
        let want = Num::Int(i64::from(k + 1) * 10);
        assert_eq!(
            t.pids(|op| matches!(op, Op::Write { o, value, index: Some(i) }
                if *o == cells && *i == k && *value == want)),
            1,
            "cell {k}"
        );
    }
    // `with progress.get_lock():` is the value's own lock, shown as an object of its own.
    let (own, kind, _) = t.object("progress.get_lock()");
    assert_eq!(kind, ObjectKind::RLock);
    assert_eq!(
        t.pids(|op| matches!(op, Op::AcquireEnd { o, .. } if *o == own)),
        5,
        "main's reads and each filler's +="
    );
    let (progress, ..) = t.object("progress");
    let floats: Vec<Num> = t
        .events
        .iter()
        .filter_map(|e| match e.op {
            Op::Write { o, value, .. } if o == progress => Some(value),
            _ => None,
        })
        .collect();
    assert_eq!(floats.first(), Some(&Num::Real(0.0)));
    let mut later = floats[1..].to_vec();
    later.sort_by_key(Num::to_string);
    let want = [0.25, 0.5, 0.75, 1.0].map(Num::Real);
    assert_eq!(later, want, "every update kept, under the value's lock");
    // An initializer's cells are said (zeros are what a new array holds), a negative index
    // as the cell it names, and a failed write not at all.
    let (seeds, ..) = t.object("seeds");
    let writes: Vec<(u32, Num)> = t
        .events
        .iter()
        .filter_map(|e| match e.op {
            Op::Write {
                o,
                value,
                index: Some(i),
            } if o == seeds => Some((i, value)),
            _ => None,
        })
        .collect();
    assert_eq!(
        writes,
        [(0, Num::Int(7)), (2, Num::Int(9)), (2, Num::Int(-1))]
    );
    assert_eq!(
        t.count(|op| matches!(op, Op::Write { o, index: Some(4), .. } if *o == cells)),
        0
    );
}
