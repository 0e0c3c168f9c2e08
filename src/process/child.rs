//! The child's side: child mode (`THREADLANES_CHILD` set), and what a role uses — its name
//! and arguments, its connections to the parent, lines written straight to the parent.
//!
//! The child runs its role as the main worker of a session of its own (free mode, the
//! parent's speed). A drain thread writes the session's events to stdout as JSON Lines;
//! `direct` writes a line at once, after everything emitted before it, and returns its line
//! number (what another process's line can be ordered after, `"after": [pid, line]`).

use super::CHILD_ENV;
use super::mailbox::{Mailbox, deliver, new_mailbox, recv};
use super::spawn::HAS_CHILD_MODE;
use crate::event::{Event, ExitHow, ObjectKind, Op, WorkerKind};
use crate::probe::Events;
use crate::probe::core::{Core, declare};
use crate::probe::schedule::Mode;
use crate::probe::session::{Res, Session, current_worker};
use crate::runner::clock::Clock;
use crate::runner::gate::Gate;
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::io::{BufRead, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A role: what a child runs, given its arguments.
pub type Role = fn(&Value) -> Res<()>;

/// Where a child finds its role: by the scenario's name and the role's. The program that has
/// a child mode gives it (the binary gives `scenarios::child_role`); the library never looks
/// it up itself.
pub type Roles = fn(scenario: &str, role: &str) -> Option<Role>;

/// What this process is and has when it runs as a child: its name, arguments and inherited
/// descriptors, its output to the parent and the messages the parent sent it.
struct ThisChild {
    name: String,
    args: Value,
    fds: Vec<i32>,
    to_parent: ToParent,
    inbox: Arc<Core<Mailbox>>,
}

static THIS_CHILD: OnceLock<ThisChild> = OnceLock::new();

fn this_child() -> &'static ThisChild {
    THIS_CHILD.get().expect("child API used outside child mode")
}

/// This child's name (its lane's).
pub fn name() -> &'static str {
    &this_child().name
}

/// The arguments the parent gave this child.
pub fn args() -> &'static Value {
    &this_child().args
}

/// The descriptors the parent passed (shared memory first).
pub fn fds() -> &'static [i32] {
    &this_child().fds
}

pub use super::mailbox::label;

/// The child's stdout: the session's events, and lines written straight.
struct ToParent {
    events: Events,
    out: Mutex<(BufWriter<Stdout>, u64)>,
    main_panicked: AtomicBool,
}

impl ToParent {
    fn flush_events(&self, out: &mut (BufWriter<Stdout>, u64)) {
        for ev in self.events.try_iter() {
            if ev.w == 0
                && let Op::Exit {
                    how: ExitHow::Panic,
                    ..
                } = ev.op
            {
                self.main_panicked.store(true, Ordering::SeqCst);
            }
            write_line(out, &crate::wire::encode(&ev));
        }
    }

    fn pump(&self) {
        let mut out = self.out.lock();
        self.flush_events(&mut out);
        if out.0.flush().is_err() {
            parent_gone();
        }
    }

    /// Writes everything emitted so far, then `line`; returns `line`'s number.
    fn direct(&self, line: &str) -> u64 {
        let mut out = self.out.lock();
        self.flush_events(&mut out);
        write_line(&mut out, line);
        if out.0.flush().is_err() {
            parent_gone();
        }
        out.1
    }
}

fn write_line(out: &mut (BufWriter<Stdout>, u64), line: &str) {
    if writeln!(out.0, "{line}").is_err() {
        parent_gone();
    }
    out.1 += 1;
}

/// Nobody reads us any more: the parent has gone. A child never outlives it.
fn parent_gone() -> ! {
    std::process::exit(1)
}

/// Writes an op of the current worker straight to the parent, ordered after line `after` of
/// process `pid` if given; returns the line's number.
pub fn direct(op: Op, after: Option<(u32, u64)>) -> u64 {
    direct_line(op, after.map(|(pid, n)| ("after", json!([pid, n]))))
}

/// The same, with one more field on the line.
fn direct_line(op: Op, extra: Option<(&str, Value)>) -> u64 {
    let me = current_worker();
    let ev = Event {
        t: me.now(),
        pid: std::process::id(),
        w: me.w(),
        op,
    };
    let mut line = crate::wire::encode(&ev);
    if let Some((k, v)) = extra {
        line.pop();
        line.push_str(&format!(",{}:{v}}}", json!(k)));
    }
    this_child().to_parent.direct(&line)
}

/// Writes out every event emitted so far (before something that may lose them: an abort).
pub fn flush() {
    this_child().to_parent.pump();
}

/// Writes `text` to the parent as a line of its own, whatever it is (to show how a malformed
/// line is reported).
pub fn raw_line(text: &str) {
    this_child().to_parent.direct(text);
}

/// The child's end of a connection to its parent (see `process::Conn`).
pub struct Conn {
    core: Arc<Core<()>>,
    name: String,
}

impl Conn {
    pub fn open(name: &str) -> Conn {
        Conn {
            core: declare(name, ObjectKind::Pipe, None, ()),
            name: name.to_string(),
        }
    }

    /// Sends `v`: the send and the message travel as one line, so the parent sees them
    /// together, in the order sends really happened.
    pub fn send(&self, v: Value) -> Res<()> {
        current_worker().gate("send", Some(self.core.id))?;
        let op = Op::Send {
            o: self.core.id,
            item: label(&v),
        };
        direct_line(op, Some(("data", json!({"conn": self.name, "v": v}))));
        Ok(())
    }

    /// The next message from the parent.
    pub fn recv(&self) -> Res<Value> {
        let v = recv(&this_child().inbox, self.core.id, &self.name, None)?;
        Ok(v.expect("a receive with no child to end waits for a message"))
    }
}

/// Child mode, if this process was started as a child: runs the role `roles` names for it
/// and returns the exit code. `None` when the binary was started normally.
///
/// Child mode is entered only with a spec our spawner wrote (a JSON object naming a role and
/// its parent). `THREADLANES_CHILD` set to anything else — exported by accident, left in a
/// shell — is said once on stderr, taken out of the environment (so our own children do
/// not inherit it), and the command runs as asked.
pub fn main_if_child(roles: Roles) -> Option<i32> {
    HAS_CHILD_MODE.store(true, Ordering::SeqCst);
    let raw = std::env::var_os(CHILD_ENV)?;
    match raw.to_str().and_then(child_spec) {
        Some(spec) => Some(run_child(&spec, roles)),
        None => {
            eprintln!(
                "threadlanes: ignoring {CHILD_ENV} in the environment: it is set only by \
                 threadlanes for its own child processes (unset it)"
            );
            // SAFETY: this runs first thing in main, before any other thread exists.
            unsafe { std::env::remove_var(CHILD_ENV) };
            None
        }
    }
}

/// The spec, if `text` is one our spawner wrote: an object with a role and a parent pid.
fn child_spec(text: &str) -> Option<Value> {
    let spec: Value = serde_json::from_str(text).ok()?;
    (spec["role"].is_string() && spec["ppid"].is_u64()).then_some(spec)
}

fn run_child(spec: &Value, roles: Roles) -> i32 {
    // The kernel kills us when the parent's spawner thread ends (the parent's exit);
    // if the parent is already gone, go now.
    // SAFETY: prctl and getppid take no pointers.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if spec["ppid"].as_u64() != Some(libc::getppid() as u64) {
            eprintln!("threadlanes child: the parent that started it is gone; exiting");
            return 1;
        }
    }
    let scenario = spec["scenario"].as_str().unwrap_or("");
    let role_name = spec["role"].as_str().unwrap_or("");
    let Some(role) = roles(scenario, role_name) else {
        eprintln!("threadlanes child: no role {role_name:?} in scenario {scenario:?}");
        return 2;
    };
    // The lane shows a panic; stderr would only repeat it.
    std::panic::set_hook(Box::new(|_| {}));
    let speed = spec["speed"].as_f64().unwrap_or(1.0);
    // When the parent's run is stepped or seeded its clock is logical: it moves only by
    // what sleeps take. So does ours then (our one worker, seeded, always goes next), and
    // the parent places our events at its time of our start plus ours.
    let logical = spec["logical"].as_bool().unwrap_or(false);
    let mode = if logical { Mode::Seeded } else { Mode::Free };
    let clock = Arc::new(Clock::starting(speed, false, logical));
    let gate = Arc::new(Gate::new(mode, false, 0));
    let (session, events) = Session::new(clock.clone(), gate.clone());
    let inbox = new_mailbox(&session);
    let fds = spec["fds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_i64())
                .map(|f| f as i32)
                .collect()
        })
        .unwrap_or_default();
    let _ = THIS_CHILD.set(ThisChild {
        name: spec["name"].as_str().unwrap_or("child").to_string(),
        args: spec["args"].clone(),
        fds,
        to_parent: ToParent {
            events,
            out: Mutex::new((BufWriter::new(std::io::stdout()), 0)),
            main_panicked: AtomicBool::new(false),
        },
        inbox: inbox.clone(),
    });
    read_stdin(inbox, clock, gate);
    let main =
        crate::probe::worker::spawn(&session, "main", WorkerKind::Main, false, None, move || {
            role(args())
        });
    let to_parent = &this_child().to_parent;
    while !main.is_done() {
        to_parent.pump();
        std::thread::sleep(Duration::from_millis(3));
    }
    session.join_threads();
    to_parent.pump();
    if to_parent.main_panicked.load(Ordering::SeqCst) {
        101
    } else {
        0
    }
}

/// Messages from the parent, by connection; EOF means the parent has gone: exit at once.
fn read_stdin(inbox: Arc<Core<Mailbox>>, clock: Arc<Clock>, gate: Arc<Gate>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            // The parent paused or resumed: so do we (clock and workers).
            if let Some(ctl) = v["ctl"].as_str() {
                let paused = ctl == "pause";
                clock.set_paused(paused);
                gate.set_held(paused);
                continue;
            }
            let conn = v["conn"].as_str().unwrap_or("").to_string();
            let msg = v.get("v").cloned().unwrap_or(Value::Null);
            deliver(&inbox, conn, msg);
            gate.poke();
        }
        parent_gone();
    });
}
