//! Real child processes for the `multiprocessing` scenarios: `Process` (start, join,
//! terminate, kill -9), `Conn` (a duplex connection to one child, drawn as a pipe), shared
//! memory with a process-shared lock (`shm`), and the child's side (`child`).
//!
//! A child is this binary re-run in child mode. It runs its role (a function of the scenario,
//! found in the role table the binary hands `child::main_if_child`: this layer never asks the
//! catalogue) as the main worker of its own session and writes its events, as JSON Lines, to its stdout;
//! the parent reads them through `ingest` into the run's one stream, its ids mapped into the
//! run's. The child's lane is declared by the parent when it starts the child, with the child's
//! real pid; its parent lane is the worker that started it. Messages between parent and child
//! travel over the child's stdin and stdout (real OS pipes), on the same stream as the events,
//! so the model sees them in a true order.
//!
//! Gating: children always run free. In step and seeded mode the parent's own workers are
//! still gated, and a parent worker waiting for a child (its message, its end) is ready when
//! that has come; a process scenario is therefore not reproducible from a seed.
//!
//! Files: `spawn` starts a child and reaps it; `children` holds a run's children (a
//! `Companion` of its session: killed on stop, paused with it); `link` feeds their streams
//! into the run's; `mailbox` is where messages wait and the one `recv`; `child` is the child's
//! side; `shm` shared memory.

pub mod child;
mod children;
pub(crate) mod link;
mod mailbox;
pub mod shm;
pub(crate) mod spawn;

pub use children::Children;
pub use spawn::Ended;

use crate::event::{ObjectKind, Op, WorkerId, WorkerKind};
use crate::probe::core::{Core, declare};
use crate::probe::schedule::Next;
use crate::probe::session::{Res, current_worker};
use crate::probe::wait::wait_while;
use link::Link;
use mailbox::{Mailbox, recv};
use parking_lot::Mutex;
use serde_json::{Value, json};
use spawn::ChildProcess;
use std::io::Write;
use std::os::fd::RawFd;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Arc;

/// The environment variable that puts the binary in child mode (its value: the child's spec).
pub const CHILD_ENV: &str = "THREADLANES_CHILD";

/// A process to start, Python style: `Process::new("c1", "processes", "greet").start()`.
pub struct Process {
    name: String,
    scenario: &'static str,
    role: &'static str,
    args: Value,
    daemon: bool,
    fds: Vec<RawFd>,
    conns: Vec<String>,
    serves: Vec<String>,
}

/// A started child process.
#[derive(Clone)]
pub struct Proc {
    kid: Arc<ChildProcess>,
    core: Arc<Core<Mailbox>>,
    stdin: Arc<Mutex<ChildStdin>>,
    w: WorkerId,
    name: String,
    conns: Vec<(String, Arc<Core<()>>)>,
}

impl Process {
    /// A child named `name` that runs `role` of `scenario`, as the child's role table finds
    /// it (`child::main_if_child`).
    pub fn new(name: impl Into<String>, scenario: &'static str, role: &'static str) -> Process {
        Process {
            name: name.into(),
            scenario,
            role,
            args: Value::Null,
            daemon: false,
            fds: Vec::new(),
            conns: Vec::new(),
            serves: Vec::new(),
        }
    }

    /// A connection `name` between the parent and this child (`Proc::conn` gives the
    /// parent's end, `child::Conn::open(name)` the child's). Declared before the child
    /// starts, so both ends are one pipe in the model. Names are unique in a run.
    pub fn conn(mut self, name: impl Into<String>) -> Process {
        self.conns.push(name.into());
        self
    }

    /// What the role is given (`child::args()` in the child).
    pub fn args(mut self, args: Value) -> Process {
        self.args = args;
        self
    }

    pub fn daemon(mut self, daemon: bool) -> Process {
        self.daemon = daemon;
        self
    }

    /// A connection this child serves: what any other child sends on it is relayed to this
    /// one (a manager's request line). Implies `conn`.
    pub fn serves(mut self, name: impl Into<String>) -> Process {
        let name = name.into();
        self.serves.push(name.clone());
        self.conn(name)
    }

    /// A descriptor the child inherits (`child::fds()` lists them in order).
    pub fn fd(mut self, fd: RawFd) -> Process {
        self.fds.push(fd);
        self
    }

    /// Shared memory the child maps too.
    pub fn shm(mut self, shm: &shm::Shm) -> Process {
        self.fds.push(shm.fd());
        self
    }

    /// Starts the child; its lane appears at once, with its pid.
    pub fn start(self) -> Res<Proc> {
        let me = current_worker();
        me.gate("start a process", None)?;
        let s = me.session.clone();
        let link = Link::of(&s);
        let conns: Vec<_> = self
            .conns
            .iter()
            .map(|name| {
                let core = declare(name, ObjectKind::Pipe, None, ());
                link.share(name, core.id);
                (name.clone(), core)
            })
            .collect();
        let spec = json!({
            "scenario": self.scenario,
            "role": self.role,
            "name": self.name,
            "args": self.args,
            "speed": s.clock.speed(),
            // Step and seeded: the child's time is logical too (see `child`).
            "logical": s.gate.controlled(),
            "ppid": std::process::id(),
            "fds": self.fds,
        });
        let exe = spawn::exe().map_err(|e| fail(&self.name, e))?;
        let mut cmd = Command::new(exe);
        cmd.env(CHILD_ENV, spec.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn::start(cmd, self.fds).map_err(|e| fail(&self.name, e))?;
        let pid = child.id();
        let w = s.new_worker_id();
        s.inject(crate::event::Event {
            t: 0,
            pid,
            w,
            op: Op::Worker {
                name: self.name.clone(),
                kind: WorkerKind::Process,
                daemon: self.daemon,
                parent: Some(me.w()),
                thread: None,
            },
        });
        let stdin = Arc::new(Mutex::new(child.stdin.take().expect("piped stdin")));
        let kid = Arc::new(ChildProcess::new(pid, stdin.clone()));
        let core = link.core.clone();
        let label = format!("child {} (pid {pid})", self.name);
        let src = link.add(label, pid, w);
        for name in &self.serves {
            link.route(name, stdin.clone());
        }
        s.gate.external_started();
        let k2 = kid.clone();
        let reader = std::thread::Builder::new()
            .name(format!("read-{}", self.name))
            .spawn(move || link.read(src, k2, child))
            .expect("a reader thread starts");
        s.companion(Children::default).add(kid.clone(), reader);
        Ok(Proc {
            kid,
            core,
            stdin,
            w,
            name: self.name,
            conns,
        })
    }
}

/// Why a child process could not start: the binary to re-run is missing or has no child
/// mode, or the OS refused.
#[derive(Debug, thiserror::Error)]
#[error("could not start child process {name}: {source}")]
pub struct StartError {
    pub name: String,
    pub source: std::io::Error,
}

/// A child that cannot start is a bug of the machine or the program, not of the scenario:
/// said plainly, in the lane of the worker that started it (its panic).
fn fail(name: &str, source: std::io::Error) -> crate::probe::Stop {
    let e = StartError {
        name: name.to_string(),
        source,
    };
    panic!("{e}")
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.kid.pid
    }

    /// The child's lane.
    pub fn worker(&self) -> WorkerId {
        self.w
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_alive(&self) -> bool {
        self.kid.ended().is_none()
    }

    /// The parent's end of the connection `name` declared with `Process::conn`.
    pub fn conn(&self, name: &str) -> Conn {
        let core = self
            .conns
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{} has no connection {name}", self.name))
            .1
            .clone();
        Conn {
            core,
            name: name.to_string(),
            to: self.clone(),
        }
    }

    /// Waits for the child to end (Python's `join()`); returns how it ended.
    pub fn join(&self) -> Res<Ended> {
        let me = current_worker();
        me.gate("join", None)?;
        me.emit(Op::JoinBegin { target: self.w });
        let mut g = self.core.state.lock();
        let next = Next {
            op: "join",
            o: None,
        };
        let pid = self.kid.pid;
        wait_while(&me, &self.core, &mut g, next, None, move |st: &Mailbox| {
            !st.ended.contains_key(&pid)
        })?;
        let ended = g.ended[&pid].clone();
        drop(g);
        me.emit(Op::JoinEnd {
            target: self.w,
            ok: true,
        });
        Ok(ended)
    }

    /// Python's `terminate()`: SIGTERM. The lane ends as killed, with the exit status.
    pub fn terminate(&self) -> Res<()> {
        self.signal(libc::SIGTERM, "terminate")
    }

    /// `kill -9`: SIGKILL. Nothing runs in the child after it, not even unwinding.
    pub fn kill9(&self) -> Res<()> {
        self.signal(libc::SIGKILL, "kill -9")
    }

    fn signal(&self, sig: i32, what: &'static str) -> Res<()> {
        let me = current_worker();
        me.gate(what, None)?;
        *self.kid.sent.lock() = Some(sig);
        if self.kid.signal(sig) {
            me.emit(Op::Say {
                text: format!(
                    "{what} {} (pid {}): {}",
                    self.name,
                    self.kid.pid,
                    spawn::signal_name(sig)
                ),
            });
        }
        Ok(())
    }
}

/// A duplex connection between the parent and one child (Python's `Pipe()` ends), drawn as a
/// pipe object: `send` and `recv` on either side show on both lanes' timelines and the pipe
/// shows what is in flight. The child opens its end with `child::Conn::open(name)`.
pub struct Conn {
    core: Arc<Core<()>>,
    name: String,
    to: Proc,
}

impl Conn {
    pub fn send(&self, v: Value) -> Res<()> {
        let me = current_worker();
        me.gate("send", Some(self.core.id))?;
        // The send and the write under one lock: sends to a child are drawn in the order
        // their messages reach it.
        let mut w = self.to.stdin.lock();
        me.emit(Op::Send {
            o: self.core.id,
            item: mailbox::label(&v),
        });
        let line = json!({"conn": self.name, "v": v}).to_string();
        // A child that has ended cannot read it; its lane says why.
        let _ = writeln!(w, "{line}").and_then(|_| w.flush());
        Ok(())
    }

    /// The next message from the child; `None` if the child ended first.
    pub fn recv(&self) -> Res<Option<Value>> {
        recv(
            &self.to.core,
            self.core.id,
            &self.name,
            Some(self.to.kid.pid),
        )
    }

    pub fn id(&self) -> crate::event::ObjectId {
        self.core.id
    }
}

/// Declares an object the parent owns and its children declare again by name (a pool, a
/// shared value, a process-shared lock): one object in the model for all of them.
pub fn shared_object(
    name: &str,
    kind: ObjectKind,
    capacity: Option<u64>,
) -> crate::event::ObjectId {
    let core = declare(name, kind, capacity, ());
    Link::of(&current_worker().session).share(name, core.id);
    core.id
}

/// Emits an op of the current worker (for a parent-side op on a shared object).
pub fn emit(op: Op) {
    current_worker().emit(op);
}

/// A pipe every child may send on and the parent reads (Python's result queue of a pool):
/// `child::Conn::open(name).send(..)` in the children, `recv` here. Make it before starting
/// the children that use it.
pub struct Inbox {
    o: crate::event::ObjectId,
    name: String,
    core: Arc<Core<Mailbox>>,
}

impl Inbox {
    pub fn new(name: &str) -> Inbox {
        let s = current_worker().session.clone();
        Inbox {
            o: shared_object(name, ObjectKind::Pipe, None),
            name: name.to_string(),
            core: Link::of(&s).core.clone(),
        }
    }

    /// The next message any child sent here.
    pub fn recv(&self) -> Res<Value> {
        let v = recv(&self.core, self.o, &self.name, None)?;
        Ok(v.expect("a receive with no child to end waits for a message"))
    }
}
