//! A synchronisation object as the model sees it: its state and who waits on it, in order.

use super::worker::Wait;
use crate::event::{Num, ObjectId, ObjectKind, WorkerId};
use std::collections::VecDeque;

/// Items kept per queue or pipe for display; the true depth is kept apart, so a huge queue
/// costs no more than this.
pub const ITEMS_KEPT: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub enum ObjectState {
    Lock {
        owner: Option<WorkerId>,
        /// Recursion depth (1 for a plain lock that is held).
        depth: u32,
    },
    Semaphore {
        /// The counter: free slots.
        value: u64,
        /// Who took the slots that are taken, in order (Python semaphores have no owner; we
        /// show who acquired).
        holders: Vec<WorkerId>,
    },
    Event {
        flag: bool,
    },
    Queue {
        depth: u64,
        /// Items in the order they will come out, the next first (a FIFO queue's in put
        /// order, a LIFO queue's newest first, a priority queue's smallest first): at most
        /// `ITEMS_KEPT`, the ones that come out soonest.
        items: VecDeque<String>,
        unfinished: u64,
    },
    Pool {
        submitted: u64,
        running: Vec<(WorkerId, u64)>,
        done: Vec<(u64, Option<String>)>,
    },
    Pipe {
        in_flight: VecDeque<String>,
    },
    /// A reader-writer lock: a writer alone, or readers together (never both).
    RwLock {
        writer: Option<WorkerId>,
        /// Who reads it now, in the order they took it.
        readers: Vec<WorkerId>,
    },
    /// A shared value, or a shared array (declared with its length as capacity).
    Value {
        value: Num,
        /// The array's cells as last read or written (empty for a single value).
        cells: Vec<Num>,
        /// The cell read or written last.
        last: Option<u32>,
    },
    /// Shared memory: the workers whose processes map it now (each by the worker that
    /// mapped it), whether its name was removed, and its first bytes as threadlanes last
    /// read them from the block itself (no event carries them: see World::saw_memory).
    SharedMemory {
        mapped: Vec<WorkerId>,
        unlinked: bool,
        bytes: Option<Bytes>,
    },
    /// Condition, barrier: only their waiters matter.
    Plain,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectStats {
    /// Successful acquires, puts, gets...
    pub ops: u64,
    /// Blocking operations that had to wait (their `_begin` came with others already waiting
    /// or the object unavailable).
    pub contended: u64,
    /// The highest depth (queue) or holders (semaphore) seen.
    pub peak: u64,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub id: ObjectId,
    pub name: String,
    pub kind: ObjectKind,
    pub capacity: Option<u64>,
    pub state: ObjectState,
    /// Blocked workers in the order they began to wait.
    pub waiters: VecDeque<(WorkerId, Wait)>,
    pub stats: ObjectStats,
    /// Its rolling sparkline (depth, occupancy or waiters).
    pub spark: super::spark::Spark,
}

/// The first bytes of a shared memory block, read at `t`; `changed` marks those that
/// differ from the read before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bytes {
    pub t: u64,
    pub bytes: Vec<u8>,
    pub changed: Vec<bool>,
}

/// The cells of a shared array the model keeps: a cell past them (or past the array's
/// declared length) is not kept, so a bad line cannot make it allocate without bound.
pub const MOST_CELLS: u64 = 4096;

impl ObjectState {
    /// A value was read or written (`value`, or cell `index` of an array of `len` cells).
    pub fn saw(&mut self, value: Num, index: Option<u32>, len: Option<u64>) {
        let ObjectState::Value {
            value: v,
            cells,
            last,
        } = self
        else {
            return;
        };
        let Some(i) = index else {
            *v = value;
            return;
        };
        if u64::from(i) >= len.unwrap_or(MOST_CELLS).min(MOST_CELLS) {
            return;
        }
        let i = i as usize;
        if cells.len() <= i {
            cells.resize(i + 1, Num::Int(0));
        }
        cells[i] = value;
        *last = Some(i as u32);
    }
}

impl Object {
    pub fn new(id: ObjectId, name: String, kind: ObjectKind, capacity: Option<u64>) -> Object {
        use ObjectKind::*;
        let state = match kind {
            Lock | RLock => ObjectState::Lock {
                owner: None,
                depth: 0,
            },
            Semaphore | BoundedSemaphore => ObjectState::Semaphore {
                value: capacity.unwrap_or(1),
                holders: Vec::new(),
            },
            Event => ObjectState::Event { flag: false },
            Queue | LifoQueue | PriorityQueue | Rendezvous => ObjectState::Queue {
                depth: 0,
                items: VecDeque::new(),
                unfinished: 0,
            },
            Pool => ObjectState::Pool {
                submitted: 0,
                running: Vec::new(),
                done: Vec::new(),
            },
            Pipe => ObjectState::Pipe {
                in_flight: VecDeque::new(),
            },
            Value => ObjectState::Value {
                value: Num::Int(0),
                cells: vec![Num::Int(0); capacity.map_or(0, |n| n.min(MOST_CELLS) as usize)],
                last: None,
            },
            RwLock => ObjectState::RwLock {
                writer: None,
                readers: Vec::new(),
            },
            SharedMemory => ObjectState::SharedMemory {
                mapped: Vec::new(),
                unlinked: false,
                bytes: None,
            },
            Condition | Barrier => ObjectState::Plain,
        };
        Object {
            id,
            name,
            kind,
            capacity,
            state,
            waiters: VecDeque::new(),
            stats: ObjectStats::default(),
            spark: Default::default(),
        }
    }

    /// Who holds it alone: a lock's owner, an rwlock's writer.
    pub fn owner(&self) -> Option<WorkerId> {
        match self.state {
            ObjectState::Lock { owner, .. } => owner,
            ObjectState::RwLock { writer, .. } => writer,
            _ => None,
        }
    }

    /// An rwlock's readers now (none for anything else).
    pub fn readers(&self) -> &[WorkerId] {
        match &self.state {
            ObjectState::RwLock { readers, .. } => readers,
            _ => &[],
        }
    }

    /// Workers waiting with the given kind of wait, in order.
    pub fn waiting<F: Fn(Wait) -> bool>(
        &self,
        pred: F,
    ) -> impl Iterator<Item = WorkerId> + use<'_, F> {
        self.waiters
            .iter()
            .filter(move |(_, w)| pred(*w))
            .map(|(id, _)| *id)
    }

    pub(crate) fn remove_waiter(&mut self, w: WorkerId) {
        // The waiter that leaves is nearly always the oldest (the one let through).
        if self.waiters.front().is_some_and(|(id, _)| *id == w) {
            self.waiters.pop_front();
        } else if let Some(i) = self.waiters.iter().position(|(id, _)| *id == w) {
            self.waiters.remove(i);
        }
    }

    /// A queue's item goes in where its kind will take it out: a FIFO queue's at the back, a
    /// LIFO queue's at the front, a priority queue's after every item not larger. Beyond
    /// `ITEMS_KEPT`, the item that would come out last is dropped.
    pub(crate) fn put_item(&mut self, item: &str) {
        let kind = self.kind;
        let ObjectState::Queue { items, .. } = &mut self.state else {
            return;
        };
        match kind {
            ObjectKind::LifoQueue => items.push_front(item.to_string()),
            ObjectKind::PriorityQueue => {
                let key = priority_key(item);
                let at = items.partition_point(|x| priority_key(x) <= key);
                items.insert(at, item.to_string());
            }
            _ if items.len() < ITEMS_KEPT => items.push_back(item.to_string()),
            _ => {}
        }
        items.truncate(ITEMS_KEPT);
    }

    /// A queue's item came out, leaving `depth`: the one named, or (unnamed, or beyond what
    /// is kept) the next one, when fewer are left than are kept.
    pub(crate) fn take_item(&mut self, item: Option<&str>, depth: u64) {
        let ObjectState::Queue { items, .. } = &mut self.state else {
            return;
        };
        let pos = item.and_then(|it| items.iter().position(|x| x == it));
        if let Some(i) = pos {
            items.remove(i);
        } else if depth < items.len() as u64 {
            items.pop_front();
        }
    }

    /// Maxsize of a queue; None when unbounded.
    pub fn maxsize(&self) -> Option<u64> {
        self.capacity.filter(|&c| c > 0)
    }
}

/// A priority queue's order: by the number an item starts with ("(2, 'b')" → 2), then by
/// its text; an item with no number comes after every one with.
pub fn priority_key(item: &str) -> (i64, &str) {
    // No allocation: the fold orders every put to a priority queue by it.
    let s = item.trim_start_matches(['(', '[']);
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(s.len());
    (s[..end].parse().unwrap_or(i64::MAX), item)
}
