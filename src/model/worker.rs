//! A worker as the model sees it: identity, current state, what it holds, its timeline.

use super::timeline::{Phase, Timeline};
use crate::event::{ExitHow, ObjectId, WorkerId, WorkerKind};

/// What a blocked worker is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wait {
    /// A lock, an rlock or a semaphore; an rwlock to write.
    Acquire(ObjectId),
    /// An rwlock to read (with other readers).
    AcquireShared(ObjectId),
    /// An event's flag, a condition's notify, a barrier's last party.
    Signal(ObjectId),
    /// Room in a full queue.
    Put(ObjectId),
    /// An item in an empty queue.
    Get(ObjectId),
    /// A message on a pipe.
    Recv(ObjectId),
    /// A queue's `join`: every task done.
    QueueJoin(ObjectId),
    /// Another worker's end.
    Join(WorkerId),
}

impl Wait {
    pub fn object(self) -> Option<ObjectId> {
        match self {
            Wait::Acquire(o)
            | Wait::AcquireShared(o)
            | Wait::Signal(o)
            | Wait::Put(o)
            | Wait::Get(o)
            | Wait::Recv(o)
            | Wait::QueueJoin(o) => Some(o),
            Wait::Join(_) => None,
        }
    }

    /// Contention (someone else has what we need) versus waiting for a signal.
    pub fn phase(self) -> Phase {
        match self {
            Wait::Acquire(_)
            | Wait::AcquireShared(_)
            | Wait::Put(_)
            | Wait::Get(_)
            | Wait::Recv(_) => Phase::Blocked,
            Wait::Signal(_) | Wait::QueueJoin(_) | Wait::Join(_) => Phase::Waiting,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WorkerState {
    /// Declared, not started yet.
    New,
    Running,
    Sleeping {
        ms: u64,
    },
    Blocked(Wait),
    Done {
        how: ExitHow,
        msg: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub struct Worker {
    pub id: WorkerId,
    pub name: String,
    pub kind: WorkerKind,
    pub daemon: bool,
    pub parent: Option<WorkerId>,
    /// A task: the thread that runs it.
    pub thread: Option<WorkerId>,
    pub pid: u32,
    pub state: WorkerState,
    /// When the current state began (virtual ns).
    pub since: u64,
    /// Locks and semaphores held now, in the order taken (a semaphore once per slot).
    pub holding: Vec<ObjectId>,
    pub timeline: Timeline,
    /// Operations done so far.
    pub ops: u64,
    /// Parked at the step gate of a traced program: its time passes, it does nothing until
    /// the user lets it go.
    pub parked: bool,
}

impl Worker {
    pub fn new(id: WorkerId, name: String, kind: WorkerKind, history: usize) -> Worker {
        Worker {
            id,
            name,
            kind,
            daemon: false,
            parent: None,
            thread: None,
            pid: 0,
            state: WorkerState::New,
            since: 0,
            holding: Vec::new(),
            timeline: Timeline::new(history),
            ops: 0,
            parked: false,
        }
    }

    pub fn phase(&self) -> Phase {
        match &self.state {
            WorkerState::New => Phase::Idle,
            // Parked holding a lock is still holding it: drawn as its critical section.
            WorkerState::Running if self.parked && self.holding.is_empty() => Phase::Parked,
            WorkerState::Running if self.holding.is_empty() => Phase::Running,
            WorkerState::Running => Phase::Critical,
            WorkerState::Sleeping { .. } => Phase::Sleeping,
            WorkerState::Blocked(w) => w.phase(),
            WorkerState::Done {
                how: ExitHow::Ok, ..
            } => Phase::Done,
            WorkerState::Done {
                how: ExitHow::Killed,
                ..
            } => Phase::Killed,
            WorkerState::Done { .. } => Phase::Failed,
        }
    }

    pub fn is_alive(&self) -> bool {
        !matches!(self.state, WorkerState::New | WorkerState::Done { .. })
    }

    pub fn is_done(&self) -> bool {
        matches!(self.state, WorkerState::Done { .. })
    }

    pub fn blocked_on(&self) -> Option<Wait> {
        match self.state {
            WorkerState::Blocked(w) => Some(w),
            _ => None,
        }
    }
}

impl Worker {
    /// A task whose awaited sleep ends at `t` well after it was due: when it was due. Its
    /// lane shows the rest of the wait as blocked — ready, but its thread was not back.
    pub fn overdue(&self, t: u64) -> Option<u64> {
        let WorkerState::Sleeping { ms } = self.state else {
            return None;
        };
        let due = self.since.saturating_add(ms.saturating_mul(1_000_000));
        (self.kind == WorkerKind::Task && t > due.saturating_add(OVERDUE_NS)).then_some(due)
    }
}

/// How late past its deadline an awaited sleep may end before the task's lane shows the
/// rest of the wait as blocked (a thread kept by another task, not timer slack).
const OVERDUE_NS: u64 = 100_000_000;
