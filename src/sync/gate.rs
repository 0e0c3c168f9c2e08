//! Step mode for a traced Rust program, the program's side of the gate protocol the Python
//! shim speaks (docs/wire-format.md, "Step mode"): in step mode each traced operation of a
//! thread first writes a gate line saying what it will do and where
//! (`{"gate":1,"pid":4242,"next":"acquire","o":3,"at":"src/bank.rs:14"}`) and waits until
//! the viewer writes `{"go":1}` back on the same connection. `{"mode":"step"|"seeded"|
//! "free"}` turns the waiting on or off; `THREADLANES_STEP=1` starts in step mode. A gate
//! line goes after every event made before it (the writer's rings are written out first),
//! as the shim's does. It says what the viewer needs to schedule the thread: a sleep's
//! `ms`, `timed` for a try or a wait with a timeout, `read`/`write` for an rwlock; in seeded
//! mode `{"go":1,"skip":1}` tells a sleeper its time passed on the viewer's logical clock,
//! and it does not sleep. Only the program's first process is seeded (as the shim's).
//!
//! In free mode an operation reads one relaxed flag here and nothing else. Only a program's
//! own threads wait at a gate, never while holding anything of ours (a channel's lock, the
//! writer's), and never for good: the end of the connection lets every waiting thread go.

use super::emit;
use crate::event::{ObjectId, WorkerId};
use parking_lot::{Condvar, Mutex};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};

/// Step mode is on: traced operations wait at their gate.
static GATED: AtomicBool = AtomicBool::new(false);
/// The workers waiting at their gate now; the listener takes one out for its `go`.
static PARKED: Mutex<Option<HashSet<WorkerId>>> = Mutex::new(None);
/// The workers whose `go` said `skip` (a seeded sleep), until they read it.
static SKIPPED: Mutex<Option<HashSet<WorkerId>>> = Mutex::new(None);
static LET_GO: Condvar = Condvar::new();
/// Not the program's first process: a seeded run lets its threads run free.
static CHILD: AtomicBool = AtomicBool::new(false);

/// What a thread is about to do, in the gate line's words (`next`).
#[derive(Clone, Copy)]
pub(crate) enum Next {
    Acquire,
    Release,
    Wait,
    Notify,
    NotifyAll,
    Join,
    Put,
    Get,
    Sleep,
}

impl Next {
    fn word(self) -> &'static str {
        match self {
            Next::Acquire => "acquire",
            Next::Release => "release",
            Next::Wait => "wait",
            Next::Notify => "notify",
            Next::NotifyAll => "notify_all",
            Next::Join => "join",
            Next::Put => "put",
            Next::Get => "get",
            Next::Sleep => "sleep",
        }
    }
}

/// Whether an rwlock's acquire reads (shared) or writes (alone).
#[derive(Clone, Copy)]
pub(crate) enum Access {
    Read,
    Write,
}

/// What a gate line says beside `next` and `at`: the object, the thread a join waits for,
/// a sleep's length, whether the operation may give up (a try, a timeout), and an rwlock's
/// access.
#[derive(Clone, Copy, Default)]
pub(crate) struct Ask {
    pub o: Option<ObjectId>,
    pub target: Option<WorkerId>,
    pub ms: Option<u64>,
    pub timed: bool,
    pub access: Option<Access>,
}

impl Ask {
    pub(crate) fn on(o: ObjectId) -> Ask {
        Ask {
            o: Some(o),
            ..Ask::default()
        }
    }

    pub(crate) fn timed(self, timed: bool) -> Ask {
        Ask { timed, ..self }
    }

    pub(crate) fn access(self, access: Access) -> Ask {
        Ask {
            access: Some(access),
            ..self
        }
    }
}

/// The connection is made: the mode the viewer started the program in, and a thread that
/// reads what the viewer writes back. A seeded run schedules only the program's first
/// process (`THREADLANES_ROOT_PID`, set by the shim for a Python parent's children): this
/// one's threads run free if it is a child.
pub(super) fn start(stream: &UnixStream) {
    let env = |k: &str| std::env::var(k).ok();
    let step = env("THREADLANES_STEP").is_some_and(|v| v == "1");
    let seeded = env("THREADLANES_SEEDED").is_some_and(|v| v == "1");
    let child = env("THREADLANES_ROOT_PID").is_some_and(|p| p != std::process::id().to_string());
    CHILD.store(child, Ordering::SeqCst);
    GATED.store(step && !(seeded && child), Ordering::SeqCst);
    let Ok(read) = stream.try_clone() else {
        GATED.store(false, Ordering::SeqCst);
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("threadlanes-gate".into())
        .spawn(move || listen(read));
    if spawned.is_err() {
        GATED.store(false, Ordering::SeqCst);
    }
}

/// True while traced operations wait at their gate (one relaxed load).
#[inline]
pub(crate) fn gated() -> bool {
    GATED.load(Ordering::Relaxed)
}

/// In step mode, says what the calling thread will do next and waits for the viewer's go.
/// `o`: the object's id; `target`: the worker a join waits for; `at`: where in the program.
#[inline]
pub(crate) fn pass(
    next: Next,
    o: Option<ObjectId>,
    target: Option<WorkerId>,
    at: Option<&Location>,
) {
    if gated() {
        wait_for_go(
            next,
            Ask {
                o,
                target,
                ..Ask::default()
            },
            at,
        );
    }
}

/// [`pass`] with all a gate line can say; true when the go said to skip (a seeded sleep:
/// its time passed on the viewer's logical clock).
#[inline]
pub(crate) fn ask(next: Next, ask: Ask, at: Option<&Location>) -> bool {
    gated() && wait_for_go(next, ask, at)
}

#[cold]
fn wait_for_go(next: Next, ask: Ask, at: Option<&Location>) -> bool {
    let w = emit::current_worker();
    let line = gate_line(w, next, ask, at);
    let mut parked = PARKED.lock();
    // Checked under the lock the listener opens the gates with: no thread parks after.
    if !gated() {
        return false;
    }
    if let Some(s) = SKIPPED.lock().as_mut() {
        s.remove(&w);
    }
    parked.get_or_insert_with(HashSet::new).insert(w);
    if !emit::send_line(&line) {
        // The line could not be sent: nobody will say go, so the thread goes now.
        if let Some(p) = parked.as_mut() {
            p.remove(&w);
        }
        return false;
    }
    while gated() && parked.as_ref().is_some_and(|p| p.contains(&w)) {
        LET_GO.wait(&mut parked);
    }
    if let Some(p) = parked.as_mut() {
        p.remove(&w);
    }
    SKIPPED.lock().as_mut().is_some_and(|s| s.remove(&w))
}

fn gate_line(w: WorkerId, next: Next, ask: Ask, at: Option<&Location>) -> String {
    use std::fmt::Write;
    let mut line = format!(
        "{{\"gate\":{w},\"pid\":{},\"next\":\"{}\"",
        std::process::id(),
        next.word()
    );
    if let Some(o) = ask.o {
        let _ = write!(line, ",\"o\":{o}");
    }
    if let Some(t) = ask.target {
        let _ = write!(line, ",\"target\":{t}");
    }
    if let Some(ms) = ask.ms {
        let _ = write!(line, ",\"ms\":{ms}");
    }
    if ask.timed {
        line.push_str(",\"timed\":1");
    }
    match ask.access {
        Some(Access::Read) => line.push_str(",\"read\":1"),
        Some(Access::Write) => line.push_str(",\"write\":1"),
        None => {}
    }
    let at = at.map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()));
    let _ = writeln!(line, ",\"at\":{}}}", serde_json::Value::String(at));
    line
}

/// Reads the viewer's lines until the connection ends; then every thread goes, for good.
fn listen(stream: UnixStream) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if let Some(w) = msg.get("go").and_then(serde_json::Value::as_u64) {
            go(w, msg.get("skip").is_some());
        } else {
            match msg.get("mode").and_then(serde_json::Value::as_str) {
                Some("step") => set_gated(true),
                Some("seeded") => set_gated(!CHILD.load(Ordering::SeqCst)),
                Some("free") => set_gated(false),
                _ => {}
            }
        }
    }
    set_gated(false);
}

fn go(w: u64, skip: bool) {
    let Ok(w) = WorkerId::try_from(w) else { return };
    let mut parked = PARKED.lock();
    if skip && parked.as_ref().is_some_and(|p| p.contains(&w)) {
        SKIPPED.lock().get_or_insert_with(HashSet::new).insert(w);
    }
    if parked.as_mut().is_some_and(|p| p.remove(&w)) {
        LET_GO.notify_all();
    }
}

/// Under the parked threads' lock, so no thread parks after the gates were opened.
fn set_gated(on: bool) {
    let mut parked = PARKED.lock();
    GATED.store(on, Ordering::SeqCst);
    if !on {
        if let Some(p) = parked.as_mut() {
            p.clear();
        }
        LET_GO.notify_all();
    }
}
