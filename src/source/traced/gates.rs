//! The gate of a traced program, on the viewer's side: in step mode each of the program's
//! threads says what it will do next (`{"gate":w,"next":"acquire","o":3,"at":"bank.py:14"}`)
//! and waits; `step` writes `{"go":w}` back on its process's connection, and a change of mode
//! (`{"mode":"step"|"free"}`) goes to every process. Whether a parked thread can go (the lock
//! it wants is free, the thread it joins has ended) is read from the events handed on.
//!
//! The pump fills it, the source asks it; it holds no thread and reads no clock. It must not
//! hold a connection open: it keeps weak references, the pump owns the connections.

use crate::event::{Event, ObjectId, ObjectKind, Op, WorkerId};
use crate::runner::gate::Next;
use crate::runner::{Mode, Parked, StepError};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, Weak};

/// One thread waiting at its gate.
struct Gated {
    /// Its id in its own process, as the "go" must name it.
    local: WorkerId,
    conn: Weak<UnixStream>,
    next: Next,
    /// The worker a join waits for.
    target: Option<WorkerId>,
    at: String,
}

#[derive(Default)]
struct Inner {
    step: bool,
    parked: BTreeMap<WorkerId, Gated>,
    conns: Vec<Weak<UnixStream>>,
    /// Locks and rlocks, and who holds each now (from the events handed on).
    locks: HashSet<ObjectId>,
    owners: HashMap<ObjectId, WorkerId>,
    ended: HashSet<WorkerId>,
}

/// What a gate line says, its ids already the run's.
pub(super) struct GateLine {
    pub w: WorkerId,
    pub local: WorkerId,
    pub op: &'static str,
    pub o: Option<ObjectId>,
    pub target: Option<WorkerId>,
    pub at: String,
}

#[derive(Default)]
pub(super) struct Gates {
    inner: Mutex<Inner>,
}

/// The op names a gate line may carry, as the lanes say them.
const OPS: &[&str] = &[
    "acquire",
    "release",
    "set",
    "clear",
    "wait",
    "notify",
    "notify_all",
    "join",
    "put",
    "get",
    "sleep",
];

/// The known name for `op`, or None for one we do not know (the line is then ignored and
/// its thread let through, so an unknown op never holds a program).
pub(super) fn op_name(op: &str) -> Option<&'static str> {
    OPS.iter().copied().find(|o| *o == op)
}

impl Gates {
    pub fn new(step: bool) -> Gates {
        let g = Gates::default();
        g.lock().step = step;
        g
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection: it is told the mode when that changes, and answers its gates.
    pub fn connected(&self, conn: Weak<UnixStream>) {
        let mut g = self.lock();
        g.conns.retain(|c| c.strong_count() > 0);
        g.conns.push(conn);
    }

    /// A thread parked at its gate. In free mode (the mode changed while its line was on
    /// its way) it is let through at once.
    pub fn park(&self, line: GateLine, conn: Weak<UnixStream>) {
        let mut g = self.lock();
        let gated = Gated {
            local: line.local,
            conn,
            next: Next {
                op: line.op,
                o: line.o,
            },
            target: line.target,
            at: line.at,
        };
        if g.step {
            g.parked.insert(line.w, gated);
        } else {
            let _ = go(&gated);
        }
    }

    /// A line that names a worker we cannot map or an op we do not know: let it through.
    pub fn pass(&self, local: WorkerId, conn: &Weak<UnixStream>) {
        let _ = write_line(conn, &format!("{{\"go\":{local}}}\n"));
    }

    /// Follows the events handed on: who holds which lock, who has ended.
    pub fn observe(&self, ev: &Event) {
        let mut g = self.lock();
        match &ev.op {
            Op::Object {
                o,
                kind: ObjectKind::Lock | ObjectKind::RLock,
                ..
            } => {
                g.locks.insert(*o);
            }
            Op::AcquireEnd { ok: true, o, .. } if g.locks.contains(o) => {
                g.owners.insert(*o, ev.w);
            }
            Op::Release { o, depth, .. } if depth.unwrap_or(0) == 0 => {
                g.owners.remove(o);
            }
            Op::Exit { .. } => {
                g.ended.insert(ev.w);
                g.parked.remove(&ev.w);
            }
            _ => {}
        }
    }

    /// Step mode on or off, in every process; off lets every parked thread go.
    pub fn set_mode(&self, mode: Mode) {
        let mut g = self.lock();
        g.step = mode != Mode::Free;
        let word = if g.step { "step" } else { "free" };
        g.conns.retain(|c| c.strong_count() > 0);
        for c in &g.conns {
            let _ = write_line(c, &format!("{{\"mode\":\"{word}\"}}\n"));
        }
        if !g.step {
            g.parked.clear();
        }
    }

    /// Lets worker `w` do its next operation.
    pub fn step(&self, w: WorkerId) -> Result<(), StepError> {
        let mut g = self.lock();
        if !g.step {
            return Err(StepError::NotStepMode);
        }
        let gated = g.parked.get(&w).ok_or(StepError::NotAtGate)?;
        if !g.ready(w, gated) {
            return Err(StepError::Blocked);
        }
        let gated = g.parked.remove(&w).ok_or(StepError::NotAtGate)?;
        go(&gated)
    }

    /// The threads parked now, by worker id, each with what it will do and where.
    pub fn parked(&self) -> Vec<Parked> {
        let g = self.lock();
        g.parked
            .iter()
            .map(|(w, p)| Parked {
                w: *w,
                next: p.next,
                ready: g.ready(*w, p),
                wake_at: None,
                at: (!p.at.is_empty()).then(|| p.at.clone()),
            })
            .collect()
    }
}

impl Inner {
    /// Whether `w`'s next operation can happen without waiting for another thread.
    fn ready(&self, w: WorkerId, p: &Gated) -> bool {
        match (p.next.op, p.next.o, p.target) {
            ("acquire", Some(o), _) => self.owners.get(&o).is_none_or(|h| *h == w),
            ("join", _, Some(t)) => self.ended.contains(&t),
            _ => true,
        }
    }
}

fn go(gated: &Gated) -> Result<(), StepError> {
    write_line(&gated.conn, &format!("{{\"go\":{}}}\n", gated.local))
}

/// One short line to a process. A line this short goes whole into the socket's buffer, and
/// the process reads what we write at once, so the write does not wait.
fn write_line(conn: &Weak<UnixStream>, line: &str) -> Result<(), StepError> {
    let c = conn.upgrade().ok_or(StepError::NotAtGate)?;
    (&*c)
        .write_all(line.as_bytes())
        .map_err(|_| StepError::NotAtGate)
}

/// A gate line read (`{"gate":w,"pid":p,"next":"acquire","o":3,"opid":p,"at":"bank.py:14"}`),
/// its ids mapped to the run's by `ingest`. `Err(Some(local))`: a gate line we cannot use
/// (its thread is let through); `Err(None)`: not a gate line at all.
pub(super) fn parse(
    bytes: &[u8],
    ingest: &mut crate::source::ingest::Ingest,
) -> Result<GateLine, Option<WorkerId>> {
    use serde_json::Value;
    if !bytes.starts_with(b"{\"gate\"") {
        return Err(None);
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|_| None)?;
    let num = |k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let local = num("gate").ok_or(None)?;
    let (Some(pid), Some(op)) = (num("pid"), v.get("next").and_then(Value::as_str)) else {
        return Err(Some(local));
    };
    let op = op_name(op).ok_or(Some(local))?;
    let o = num("o").map(|o| ingest.object_of(num("opid").unwrap_or(pid), o));
    let target = num("target").map(|t| ingest.worker_of(num("tpid").unwrap_or(pid), t));
    Ok(GateLine {
        w: ingest.worker_of(pid, local),
        local,
        op,
        o,
        target,
        at: v
            .get("at")
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
    })
}
