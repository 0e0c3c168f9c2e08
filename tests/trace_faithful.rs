//! A traced program behaves as it does untraced: each program of `tests/python/faithful_*`
//! is run plain and under `threadlanes trace --headless --json`, and its output (written to
//! stderr, where a traced program's output goes with --json), exit status and stream are
//! compared. Each is a situation where the tracer once changed what the program did.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use threadlanes::event::{Event, ExitHow, Op};
use threadlanes::wire;

/// Longer than any of these programs takes on a loaded machine; a hang fails the test.
const DEADLINE: Duration = Duration::from_secs(60);

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}.py", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cmd` to its end, or kills it at the deadline (a deadlocked program fails here).
fn run(mut cmd: Command, what: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("it starts");
    let start = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().expect("killed");
            panic!(
                "{what} did not end in {DEADLINE:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("ended")
}

struct Compared {
    events: Vec<Event>,
    /// What threadlanes said after the program's output: the summary and its problems.
    summary: String,
}

/// Runs `name` plain and traced; asserts the same output and exit status.
fn compare(name: &str) -> Compared {
    compare_with(name, &[])
}

/// As [`compare`], with `env` set for the traced run.
fn compare_with(name: &str, env: &[(&str, &str)]) -> Compared {
    compare_in(name, &[], env)
}

/// As [`compare`], with `both` set for both runs and `traced` for the traced one.
fn compare_in(name: &str, both: &[(&str, &str)], env: &[(&str, &str)]) -> Compared {
    let mut plain = Command::new("python3");
    plain.arg(script(name)).envs(both.iter().copied());
    let plain = run(plain, "the plain run");
    let mut traced = Command::new(env!("CARGO_BIN_EXE_threadlanes"));
    traced
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script(name))
        .envs(both.iter().copied())
        .envs(env.iter().copied());
    let traced = run(traced, "the traced run");
    let err = String::from_utf8_lossy(&traced.stderr).into_owned();
    let program = err.split("\n── summary ──").next().unwrap_or_default();
    let plain_out = String::from_utf8_lossy(&plain.stdout);
    let plain_err = String::from_utf8_lossy(&plain.stderr);
    assert_eq!(plain_out, "", "{name}: these programs write to stderr only");
    let (want, got): (Vec<_>, Vec<_>) = (plain_err.lines().collect(), program.lines().collect());
    assert_eq!(
        got, want,
        "{name}: the traced program's output differs\n{err}"
    );
    assert_eq!(
        traced.status.code(),
        plain.status.code(),
        "{name}: exit status\n{err}"
    );
    let events = String::from_utf8_lossy(&traced.stdout)
        .lines()
        .map(|l| wire::decode(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
        .collect();
    let summary = err[program.len()..].to_string();
    Compared { events, summary }
}

impl Compared {
    fn exit_of_main(&self) -> ExitHow {
        self.events
            .iter()
            .find_map(|e| match &e.op {
                Op::Exit { how, .. } if e.w == 0 => Some(*how),
                _ => None,
            })
            .expect("the main thread's exit")
    }

    fn count(&self, op: &str) -> usize {
        self.events.iter().filter(|e| e.op.name() == op).count()
    }

    fn items(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.op {
                Op::PutEnd { item, .. } => Some(item.clone()),
                _ => None,
            })
            .collect()
    }
}

/// No frame of the tracer in a thread's traceback (printed, or counted by the program);
/// Python's own RuntimeError for a Thread whose __init__ was skipped; sys.excepthook is
/// Python's. The failing thread still ends as failed.
#[test]
fn a_failing_thread_prints_the_same_traceback() {
    let c = compare("faithful_thread_error");
    let panics = c
        .events
        .iter()
        .filter(|e| matches!(&e.op, Op::Exit { how: ExitHow::Panic, msg: Some(m) } if m.contains("boom")))
        .count();
    assert_eq!(panics, 2, "{:?}", c.events);
}

/// The program's own excepthook runs, the exit status is Python's, and the main thread
/// that died of the exception ends as failed.
#[test]
fn the_programs_own_excepthook_runs_and_the_crash_is_seen() {
    let c = compare("faithful_own_excepthook");
    assert_eq!(c.exit_of_main(), ExitHow::Panic);
}

/// Labelling a queue item runs none of the program's code (its __repr__ takes a lock the
/// putting thread holds), and a 4 MB item is cut before it is written.
#[test]
fn labelling_an_item_runs_none_of_the_programs_code() {
    let c = compare("faithful_repr_lock");
    let items = c.items();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0], "Job");
    assert!(
        items[1].starts_with("b'xxx") && items[1].len() <= 60,
        "{items:?}"
    );
}

/// After os.closerange the tracer's descriptor number may be the program's new socket:
/// nothing of the tracer's is written into it.
#[test]
fn a_reused_descriptor_is_never_written() {
    compare("faithful_closerange");
}

/// print makes the program's own writes (a stdout that records them sees the same ones),
/// and a forked child closes the tracer's inherited connection quietly (no ResourceWarning
/// where warnings are shown).
#[test]
fn print_writes_and_a_forked_child_are_as_untraced() {
    compare("faithful_print_writes");
}

/// `python3 -I`, `-S` or `-E` would run the program with nothing of it traced: trace says
/// so and does not start it.
#[test]
fn an_interpreter_option_that_keeps_the_shim_out_is_refused() {
    for flag in ["-I", "-S", "-E"] {
        let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
            .args(["trace", "--headless", "--", "python3", flag])
            .arg(script("faithful_own_excepthook"))
            .output()
            .expect("threadlanes runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{flag}: {err}");
        assert!(
            err.contains(&format!("python {flag} keeps")) && !err.contains("my hook"),
            "{flag}: {err}"
        );
    }
}

/// The forkserver start method: a Process with a Queue, a Pool and a ProcessPoolExecutor
/// work as untraced, and the processes the forkserver forks are traced (each says who it is
/// as a spawned one does; the forkserver itself has no lane).
#[test]
fn forkserver_children_are_traced_and_work_as_untraced() {
    let c = compare("faithful_forkserver");
    // main, a Process, the pool's two workers, and the executor's (it starts them as it
    // needs them: one or two).
    let workers = c.count("worker");
    assert!(
        (5..=6).contains(&workers),
        "{workers} workers: {:?}",
        c.events
    );
    assert_eq!((c.count("put_end"), c.count("get_end")), (1, 1));
    assert_eq!(c.count("task_begin"), c.count("submit"));
    assert_eq!(c.count("task_end"), 10);
}

/// Queue subclasses through the documented hooks: an item through a subclass's own _put and
/// _get is seen going in and coming out, once even where the subclass calls Queue's own.
#[test]
fn queue_subclass_hooks_are_seen_once() {
    let c = compare("faithful_queue_hooks");
    assert_eq!(
        (c.count("put_end"), c.count("get_end")),
        (10, 10),
        "{:?}",
        c.events
    );
    assert!(!c.summary.contains("violation"), "{}", c.summary);
}

/// A multiprocessing JoinableQueue (its own put, its own pickled state) between processes,
/// fork and spawn: every put is seen, so the checker finds no get from an empty queue, and
/// every task_done, each said before a join it ends can end.
#[test]
fn joinable_queue_puts_task_dones_and_joins_are_seen() {
    let c = compare("faithful_joinable");
    assert_eq!(c.count("put_end"), 14, "{:?}", c.events);
    // Each run's four task_done, and the parent's join, ended after the last of them.
    assert_eq!(c.count("task_done"), 8, "{:?}", c.events);
    assert_eq!((c.count("join_begin"), c.count("join_end")), (4, 4));
    let last_done = c
        .events
        .iter()
        .rposition(|e| matches!(e.op, Op::TaskDone { unfinished: 0, .. }));
    let last_join = c
        .events
        .iter()
        .rposition(|e| matches!(e.op, Op::QueueJoinEnd { .. }));
    assert!(last_done < last_join, "{:?}", c.events);
    assert!(!c.summary.contains("violation"), "{}", c.summary);
}

/// A preexec_fn's fork is not a lane of its own: the child is the program it execs.
#[test]
fn a_preexec_fork_is_no_lane_of_its_own() {
    let c = compare("faithful_preexec");
    let names: Vec<_> = c
        .events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Worker { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with("fork")), "{names:?}");
}

/// queue.SimpleQueue (a C type) is traced as a queue, and the program sees a SimpleQueue.
#[test]
fn simple_queue_is_a_queue() {
    let c = compare("faithful_simple_queue");
    assert_eq!(
        (c.count("put_end"), c.count("get_end")),
        (4, 5),
        "{:?}",
        c.events
    );
    assert!(!c.summary.contains("violation"), "{}", c.summary);
}

/// A directory of the test's own, removed with everything in it when the test ends.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("threadlanes-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a scratch directory");
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A process the program starts and does not wait for runs on after the program (and the
/// trace) ended, and does its work, as untraced.
#[test]
fn a_background_process_runs_on_after_the_program() {
    let dir = Scratch::new("background");
    let file = dir.0.join("written");
    let mut traced = Command::new(env!("CARGO_BIN_EXE_threadlanes"));
    traced
        .args(["trace", "--headless", "--json", "--", "python3"])
        .arg(script("faithful_background"))
        .arg(&file);
    let out = run(traced, "the traced run");
    assert_eq!(out.status.code(), Some(0));
    let deadline = Instant::now() + DEADLINE;
    while std::fs::read_to_string(&file).ok().as_deref() != Some("done") {
        assert!(
            Instant::now() < deadline,
            "the background process never wrote its file: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// sys.path is the program's own (the shim's directory, on PYTHONPATH to load it, leaves it).
#[test]
fn sys_path_is_the_programs_own() {
    compare("faithful_sys_path");
}

/// A Lock's and an RLock's every observable (results, errors and their words, timeouts,
/// weak references, a release from another thread, Conditions over them, a fork) is
/// Python's on both of the tracer's paths: the native core's (the default where it loads)
/// and the pure-Python one it falls back to. Both paths send the same stream.
#[test]
fn lock_semantics_are_pythons_on_both_paths() {
    let native = compare("faithful_lock_semantics");
    let python = compare_with("faithful_lock_semantics", &[("THREADLANES_NATIVE", "0")]);
    // Each worker's own sequence: how two threads' events interleave is the run's.
    let shape = |c: &Compared| -> Vec<String> {
        let mut v: Vec<(u32, String)> = c
            .events
            .iter()
            .filter(|e| !matches!(e.op, Op::Worker { .. }))
            .map(|e| (e.w, format!("{} {:?}", e.w, e.op)))
            .collect();
        v.sort_by_key(|(w, _)| *w); // stable: each worker's order is kept
        v.into_iter().map(|(_, s)| s).collect()
    };
    assert_eq!(shape(&native), shape(&python));
    assert!(native.count("acquire_end") >= 20, "{:?}", native.events);
    assert!(!native.summary.contains("violation"), "{}", native.summary);
}

/// The native core is what a traced program's locks run on, where this build carries it
/// (a build that could not make it falls back, and says so when it is built).
#[test]
fn the_native_core_is_loaded_where_it_was_built() {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--", "python3", "-c"])
        .arg(concat!(
            "import threading, sys; t = type(threading.Lock()); ",
            "print(t.__mro__[-2].__name__, repr(t), '_threadlanes_native' in sys.modules)"
        ))
        .output()
        .expect("threadlanes runs");
    let said = String::from_utf8_lossy(&out.stdout);
    // Native: a final class of the native module's (its base is `object`), named as the
    // real lock type is; otherwise the shim's Python class.
    let want = if threadlanes::trace::has_native() {
        "says: lock <class '_thread.lock'> True"
    } else {
        "says: _PyLockCore <class '_threadlanes_shim._TracedLock'> False"
    };
    assert!(said.contains(want), "{said}");
}

/// Tracebacks out of what the tracer wraps (a pool's task through its future, a queue's
/// timed-out get, a broken barrier, a lock released unheld, ...) carry no frame of the
/// tracer's, on both of its paths (by hand on 3.8-3.13: before 3.11 through the handled
/// exception the shim sets; see `_unshim`).
#[test]
fn tracebacks_carry_no_frame_of_the_tracer() {
    compare("faithful_tracebacks");
    compare_with("faithful_tracebacks", &[("THREADLANES_NATIVE", "0")]);
}

/// The program's environment is its own (no THREADLANES_*, no tracer's directory in
/// PYTHONPATH), in it, in every program it starts that is not Python (the whole
/// environment `env` prints, however it is started), and in its Python children however they
/// are given their environment; those children are traced all the same, one started by
/// os.system or through a shell too.
#[test]
fn the_environment_is_the_programs_own_and_children_are_still_traced() {
    let c = compare("faithful_env");
    let workers: Vec<(&str, Option<u32>)> = c
        .events
        .iter()
        .filter_map(|e| match &e.op {
            Op::Worker { name, parent, .. } => Some((name.as_str(), *parent)),
            _ => None,
        })
        .collect();
    for tag in [
        "as it is",
        "a copy",
        "its own",
        "execve",
        "os.system",
        "through a shell",
    ] {
        // Each under the main thread that started it (a fork that exec'd: the fork's).
        let under_main =
            |(n, p): &(&str, Option<u32>)| n.ends_with(&format!("-c {tag}")) && *p == Some(0);
        assert!(
            workers.iter().any(under_main),
            "the child '{tag}' is traced, main its parent: {workers:?}"
        );
    }
    assert_eq!(c.count("object"), 6, "each Python child's lock");
    // A fork that execs a program that is not Python ends its lane saying so (execv,
    // execvp, execve; an fexecve names no file, and its lane ends with the run).
    let execs = c
        .events
        .iter()
        .filter(|e| {
            matches!(&e.op, Op::Exit { how: ExitHow::Ok, msg: Some(m) } if m == "execs env (not traced)")
        })
        .count();
    assert_eq!(execs, 3, "{}", c.summary);
}

/// Python's development mode (`-X dev`, here PYTHONDEVMODE=1 for both runs) shows every
/// ResourceWarning and DeprecationWarning: forked, spawned and forkserver children, and a
/// fork of the program's own, warn no more traced than untraced (no socket of the tracer's
/// left unclosed in a child, no warning about the tracer's threads).
#[test]
fn development_mode_warns_no_more_than_untraced() {
    for name in [
        "faithful_forkserver",
        "faithful_lock_semantics",
        "faithful_env",
    ] {
        compare_in(name, &[("PYTHONDEVMODE", "1")], &[]);
    }
}

/// The TUI runs the program unbuffered (PYTHONUNBUFFERED, with THREADLANES_UNBUFFERED to
/// say it was the TUI's): the program and its Python children do not see it, and a child
/// the program gives a PYTHONUNBUFFERED of its own sees that one.
#[test]
fn the_tuis_unbuffered_is_hidden_and_a_childs_own_is_kept() {
    let program = concat!(
        "import os, subprocess, sys\n",
        "see = 'import os, sys; print(sys.argv[1], os.environ.get(\"PYTHONUNBUFFERED\"))'\n",
        "print('mine', os.environ.get('PYTHONUNBUFFERED'), flush=True)\n",
        "subprocess.run([sys.executable, '-c', see, 'given'],\n",
        "               env=dict(os.environ, PYTHONUNBUFFERED='x'))\n",
        "subprocess.run([sys.executable, '-c', see, 'inherits'])\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_threadlanes"))
        .args(["trace", "--headless", "--", "python3", "-c", program])
        .env_remove("PYTHONUNBUFFERED")
        .envs([("PYTHONUNBUFFERED", "1"), ("THREADLANES_UNBUFFERED", "1")])
        .stdin(Stdio::null())
        .output()
        .expect("threadlanes runs");
    let said = String::from_utf8_lossy(&out.stdout);
    for line in ["mine None", "given x", "inherits None"] {
        assert!(said.contains(line), "{line}:\n{said}");
    }
}
