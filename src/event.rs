//! The one event vocabulary (DESIGN.md): every operation of every worker, as data.
//!
//! In-process the probe sends these values over a channel; across a process boundary they
//! travel as JSON Lines (see `wire`). This module holds only the types: no I/O, no clocks.

use std::fmt;

/// What a shared value holds: an integer, or a float (a `'d'` Value of Python's
/// multiprocessing).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Real(f64),
}

impl From<i64> for Num {
    fn from(n: i64) -> Num {
        Num::Int(n)
    }
}

impl Default for Num {
    fn default() -> Num {
        Num::Int(0)
    }
}

impl fmt::Display for Num {
    /// As Python prints it: a float always with its point (`1.0`), at its shortest.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Num::Int(n) => write!(f, "{n}"),
            Num::Real(x) => {
                let t = format!("{x:?}");
                match t.split_once('e') {
                    // Python's exponent has a sign and two digits at least: 1e+20, 1e-07.
                    Some((m, e)) => {
                        let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                        write!(f, "{m}e{sign}{digits:0>2}")
                    }
                    None => f.write_str(&t),
                }
            }
        }
    }
}

/// Worker ids are dense small numbers handed out by the session (main is 0).
pub type WorkerId = u32;
/// Object ids are dense small numbers handed out by the session.
pub type ObjectId = u32;

/// One operation of one worker at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Virtual nanoseconds since the run started (pause freezes it, speed scales it).
    pub t: u64,
    /// OS process id of the process that did the operation.
    pub pid: u32,
    /// The worker that did it (for a `worker` declaration: the worker declared).
    pub w: WorkerId,
    pub op: Op,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerKind {
    Main,
    Thread,
    Process,
    /// A coroutine task: it runs on a thread (`Op::Worker::thread`) and hands the thread
    /// to another task only where it awaits.
    Task,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Lock,
    RLock,
    Semaphore,
    BoundedSemaphore,
    Event,
    Condition,
    Queue,
    LifoQueue,
    PriorityQueue,
    Barrier,
    Pool,
    Pipe,
    Value,
    /// A reader-writer lock: one writer alone, or any number of readers together.
    RwLock,
    /// A queue of capacity zero (a rendezvous channel): each item is handed from a sender
    /// to a receiver directly, so a send waits for a receiver.
    Rendezvous,
    /// A block of memory that processes map by its name (Python's
    /// `multiprocessing.shared_memory.SharedMemory`), declared with its size in bytes.
    SharedMemory,
}

/// How a process came to map shared memory: it made the block, opened it by its name (a
/// spawned child handed the block does), or inherited its parent's mapping through a fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapHow {
    Created,
    Opened,
    Inherited,
}

/// How a worker's life ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitHow {
    Ok,
    Panic,
    /// Ended from outside: a daemon when main ends, a terminated process.
    Killed,
    /// Ended by the runner (restart, quit, end of `--for`).
    Cancelled,
}

/// The operations. Blocking ones come as a `*Begin`/`*End` pair; `ok: false` on an end means a
/// timeout or a failed try.
///
/// An explicit one-byte tag (`repr(u8)`): left to itself the compiler hides the variant in
/// a niche of a `String`'s capacity, and every `match` on an op (the fold does several per
/// event) then decodes it in about ten instructions. With the tag each variant is laid out
/// like a C struct in the order of its fields, so small fields come first (they share the
/// tag's word) and `Event` stays 64 bytes (a test checks): the probe's rings hold events.
#[derive(Clone, Debug, PartialEq)]
#[repr(u8)]
pub enum Op {
    // Declarations.
    Worker {
        kind: WorkerKind,
        daemon: bool,
        parent: Option<WorkerId>,
        /// A task: the thread that runs it (its lane sits under that thread's).
        thread: Option<WorkerId>,
        name: String,
    },
    Object {
        kind: ObjectKind,
        o: ObjectId,
        name: String,
        /// Slots of a semaphore, maxsize of a queue (0 = unbounded), parties of a barrier.
        capacity: Option<u64>,
    },
    // Worker life.
    Start,
    Exit {
        how: ExitHow,
        msg: Option<String>,
    },
    JoinBegin {
        target: WorkerId,
    },
    JoinEnd {
        ok: bool,
        target: WorkerId,
    },
    SleepBegin {
        ms: u64,
    },
    SleepEnd,
    Say {
        text: String,
    },
    // Lock, RLock, Semaphore.
    AcquireBegin {
        o: ObjectId,
    },
    AcquireEnd {
        ok: bool,
        o: ObjectId,
        /// RLock: recursion depth after the acquire.
        depth: Option<u32>,
        /// Semaphore: its counter after the acquire.
        value: Option<u64>,
    },
    Release {
        o: ObjectId,
        depth: Option<u32>,
        value: Option<u64>,
    },
    // RwLock, read side: held together with other readers, never with a writer (its write
    // side is `AcquireBegin`/`AcquireEnd`/`Release`). On the wire, the same ops with
    // `"read":true`.
    AcquireSharedBegin {
        o: ObjectId,
    },
    AcquireSharedEnd {
        ok: bool,
        o: ObjectId,
    },
    ReleaseShared {
        o: ObjectId,
    },
    // Event.
    Set {
        o: ObjectId,
    },
    Clear {
        o: ObjectId,
    },
    // Event, Condition, Barrier.
    WaitBegin {
        o: ObjectId,
    },
    WaitEnd {
        ok: bool,
        o: ObjectId,
    },
    // Condition.
    Notify {
        o: ObjectId,
        n: u64,
    },
    NotifyAll {
        o: ObjectId,
    },
    // Queue.
    PutBegin {
        o: ObjectId,
        item: String,
    },
    PutEnd {
        ok: bool,
        o: ObjectId,
        depth: u64,
        item: String,
    },
    GetBegin {
        o: ObjectId,
    },
    GetEnd {
        ok: bool,
        o: ObjectId,
        depth: u64,
        item: Option<String>,
    },
    TaskDone {
        o: ObjectId,
        /// Tasks still unfinished after this one.
        unfinished: u64,
    },
    QueueJoinBegin {
        o: ObjectId,
    },
    QueueJoinEnd {
        o: ObjectId,
    },
    // Pool.
    Submit {
        o: ObjectId,
        task: u64,
    },
    TaskBegin {
        o: ObjectId,
        task: u64,
    },
    TaskEnd {
        o: ObjectId,
        task: u64,
        result: Option<String>,
    },
    // Pipe.
    Send {
        o: ObjectId,
        item: String,
    },
    RecvBegin {
        o: ObjectId,
    },
    RecvEnd {
        ok: bool,
        o: ObjectId,
        item: Option<String>,
    },
    // Value (a shared variable, read and written in separate steps so races show), or one
    // cell of a shared array (`index`).
    Read {
        o: ObjectId,
        value: Num,
        index: Option<u32>,
    },
    Write {
        o: ObjectId,
        value: Num,
        index: Option<u32>,
    },
    /// Shared memory: the worker's process maps the block (creating it, or by its name),
    /// unmaps it (`close`), or removes its name (`unlink`: processes that map it keep it).
    Attach {
        how: MapHow,
        o: ObjectId,
    },
    Detach {
        o: ObjectId,
    },
    Unlink {
        o: ObjectId,
    },
    /// Added by threadlanes in step mode: the worker is parked at the step gate, about to
    /// do `next` (on `o`), until the user lets it go; its next event ends the park.
    Gate {
        o: Option<ObjectId>,
        next: String,
    },
    /// Added by threadlanes: the scenario's measured outcome, in words; `ok` says whether it
    /// is the outcome a correct program gives (false for a lost update, an overdraft...).
    Outcome {
        ok: bool,
        text: String,
    },
}

impl Op {
    /// The wire name of the op (DESIGN.md's table).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Worker { .. } => "worker",
            Op::Object { .. } => "object",
            Op::Start => "start",
            Op::Exit { .. } => "exit",
            Op::JoinBegin { .. } | Op::QueueJoinBegin { .. } => "join_begin",
            Op::JoinEnd { .. } | Op::QueueJoinEnd { .. } => "join_end",
            Op::SleepBegin { .. } => "sleep_begin",
            Op::SleepEnd => "sleep_end",
            Op::Say { .. } => "say",
            Op::AcquireBegin { .. } | Op::AcquireSharedBegin { .. } => "acquire_begin",
            Op::AcquireEnd { .. } | Op::AcquireSharedEnd { .. } => "acquire_end",
            Op::Release { .. } | Op::ReleaseShared { .. } => "release",
            Op::Set { .. } => "set",
            Op::Clear { .. } => "clear",
            Op::WaitBegin { .. } => "wait_begin",
            Op::WaitEnd { .. } => "wait_end",
            Op::Notify { .. } => "notify",
            Op::NotifyAll { .. } => "notify_all",
            Op::PutBegin { .. } => "put_begin",
            Op::PutEnd { .. } => "put_end",
            Op::GetBegin { .. } => "get_begin",
            Op::GetEnd { .. } => "get_end",
            Op::TaskDone { .. } => "task_done",
            Op::Submit { .. } => "submit",
            Op::TaskBegin { .. } => "task_begin",
            Op::TaskEnd { .. } => "task_end",
            Op::Send { .. } => "send",
            Op::RecvBegin { .. } => "recv_begin",
            Op::RecvEnd { .. } => "recv_end",
            Op::Read { .. } => "read",
            Op::Write { .. } => "write",
            Op::Attach { .. } => "attach",
            Op::Detach { .. } => "detach",
            Op::Unlink { .. } => "unlink",
            Op::Outcome { .. } => "outcome",
            Op::Gate { .. } => "gate",
        }
    }

    /// The object the op is about, if any (declarations included).
    pub fn object(&self) -> Option<ObjectId> {
        object_of!(*self)
    }

    /// The same, to rewrite it (a child's ids mapped into the run's).
    pub fn object_mut(&mut self) -> Option<&mut ObjectId> {
        object_of!(self)
    }
}

/// The object field of an op, by value or by reference: one list of which ops have one
/// (exhaustive, so a new op must say).
macro_rules! object_of {
    ($op:expr) => {{
        use Op::*;
        match $op {
            Object { o, .. }
            | AcquireBegin { o }
            | AcquireEnd { o, .. }
            | Release { o, .. }
            | AcquireSharedBegin { o }
            | AcquireSharedEnd { o, .. }
            | ReleaseShared { o }
            | Set { o }
            | Clear { o }
            | WaitBegin { o }
            | WaitEnd { o, .. }
            | Notify { o, .. }
            | NotifyAll { o }
            | PutBegin { o, .. }
            | PutEnd { o, .. }
            | GetBegin { o }
            | GetEnd { o, .. }
            | TaskDone { o, .. }
            | QueueJoinBegin { o }
            | QueueJoinEnd { o }
            | Submit { o, .. }
            | TaskBegin { o, .. }
            | TaskEnd { o, .. }
            | Send { o, .. }
            | RecvBegin { o }
            | RecvEnd { o, .. }
            | Read { o, .. }
            | Write { o, .. }
            | Attach { o, .. }
            | Detach { o }
            | Unlink { o }
            | Gate { o: Some(o), .. } => Some(o),
            Gate { o: None, .. }
            | Worker { .. }
            | Start
            | Exit { .. }
            | JoinBegin { .. }
            | JoinEnd { .. }
            | SleepBegin { .. }
            | SleepEnd
            | Say { .. }
            | Outcome { .. } => None,
        }
    }};
}
use object_of;

macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),* }
            }
            pub fn parse(s: &str) -> Option<$ty> {
                match s { $($name => Some($ty::$variant),)* _ => None }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(WorkerKind { Main => "main", Thread => "thread", Process => "process", Task => "task" });
names!(ExitHow { Ok => "ok", Panic => "panic", Killed => "killed", Cancelled => "cancelled" });
names!(MapHow { Created => "created", Opened => "opened", Inherited => "inherited" });
names!(ObjectKind {
    Lock => "lock",
    RLock => "rlock",
    Semaphore => "semaphore",
    BoundedSemaphore => "bounded_semaphore",
    Event => "event",
    Condition => "condition",
    Queue => "queue",
    LifoQueue => "lifo_queue",
    PriorityQueue => "priority_queue",
    Barrier => "barrier",
    Pool => "pool",
    Pipe => "pipe",
    Value => "value",
    RwLock => "rwlock",
    Rendezvous => "rendezvous",
    SharedMemory => "shared_memory",
});

impl ObjectKind {
    pub fn is_lock(self) -> bool {
        matches!(self, ObjectKind::Lock | ObjectKind::RLock)
    }
    pub fn is_semaphore(self) -> bool {
        matches!(self, ObjectKind::Semaphore | ObjectKind::BoundedSemaphore)
    }
    pub fn is_queue(self) -> bool {
        matches!(
            self,
            ObjectKind::Queue
                | ObjectKind::LifoQueue
                | ObjectKind::PriorityQueue
                | ObjectKind::Rendezvous
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The probe's per-thread rings hold events: one cache line each. (`Op`'s explicit tag
    /// keeps this only while each variant's small fields come before its strings.)
    #[test]
    fn an_event_is_one_cache_line() {
        assert!(
            std::mem::size_of::<Event>() <= 64,
            "{}",
            std::mem::size_of::<Event>()
        );
        assert_eq!(std::mem::size_of::<Op>(), 48);
    }

    #[test]
    fn a_shared_number_is_printed_as_python_prints_it() {
        let shown =
            [1e20, 1e-7, 1.5e300, 0.1, -2.5e-10, 1e16, 1.0, 0.0].map(|x| Num::Real(x).to_string());
        assert_eq!(
            shown,
            [
                "1e+20", "1e-07", "1.5e+300", "0.1", "-2.5e-10", "1e+16", "1.0", "0.0"
            ]
        );
        assert_eq!(Num::Int(-3).to_string(), "-3");
    }
}
