//! The primitives' semantics as checks over an event stream: what tests assert of every
//! scenario, and what `--headless` reports. A lock never has two holders, an rwlock never a
//! writer with readers or another writer, a semaphore never more holders than slots, a queue never deeper than its maxsize and it hands out items in
//! its order, every `_end` follows its `_begin`, nothing happens after a worker's exit.

use super::object::priority_key;
use crate::event::{Event, ObjectId, ObjectKind, Op, WorkerId};
use std::collections::{HashMap, VecDeque};

#[derive(Default)]
struct Obj {
    kind: Option<ObjectKind>,
    capacity: u64,
    owner: Option<WorkerId>,
    depth: u32,
    holders: u64,
    /// An rwlock's readers now.
    readers: u64,
    /// Items in the queue, each with the pid of the process that put it.
    items: VecDeque<(String, u32)>,
    flag: bool,
    sets: u64,
    /// A pipe's messages in flight, with their senders, oldest first.
    sent: VecDeque<(WorkerId, String)>,
}

#[derive(Default)]
struct Wk {
    exited: bool,
    /// The blocking op begun and not yet ended: (op name, object or target), set counter.
    pending: Option<(&'static str, u32, u64)>,
}

/// Folds events and collects violations (each with the index of the event, from 0).
#[derive(Default)]
pub struct Checker {
    objs: HashMap<ObjectId, Obj>,
    wks: HashMap<WorkerId, Wk>,
    n: usize,
    pub violations: Vec<String>,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    fn bad(&mut self, what: String) {
        if self.violations.len() < 100 {
            self.violations.push(format!("event {}: {what}", self.n));
        }
    }

    fn begin(&mut self, w: WorkerId, name: &'static str, id: u32) {
        let sets = self.objs.get(&id).map_or(0, |o| o.sets);
        let prev = self
            .wks
            .entry(w)
            .or_default()
            .pending
            .replace((name, id, sets));
        if let Some((p, _, _)) = prev {
            self.bad(format!(
                "worker {w} began {name} while {p} was still pending"
            ));
        }
    }

    /// Ends the pending op; returns the set counter seen at its begin.
    fn end(&mut self, w: WorkerId, name: &'static str, id: u32) -> u64 {
        let pending = self.wks.entry(w).or_default().pending.take();
        match pending {
            Some((n, i, sets)) if n == name && i == id => sets,
            other => {
                self.bad(format!(
                    "worker {w}: {name}_end on {id} without its begin (pending: {other:?})"
                ));
                0
            }
        }
    }

    pub fn check(&mut self, ev: &Event) {
        let w = ev.w;
        if self.wks.get(&w).is_some_and(|k| k.exited) && !matches!(ev.op, Op::Worker { .. }) {
            self.bad(format!("worker {w} did {} after its exit", ev.op.name()));
        }
        match &ev.op {
            Op::Worker { .. } => {
                self.wks.insert(w, Wk::default());
            }
            Op::Object {
                o, kind, capacity, ..
            } => {
                let ob = self.objs.entry(*o).or_default();
                ob.kind = Some(*kind);
                ob.capacity = capacity.unwrap_or(if kind.is_semaphore() { 1 } else { 0 });
                // Nothing waits in a rendezvous: at most the one item being handed over.
                if *kind == ObjectKind::Rendezvous {
                    ob.capacity = 1;
                }
            }
            Op::Exit { .. } => {
                let wk = self.wks.entry(w).or_default();
                wk.exited = true;
                wk.pending = None;
            }
            Op::JoinBegin { target } => self.begin(w, "join", *target),
            Op::JoinEnd { target, .. } => {
                self.end(w, "join", *target);
            }
            Op::SleepBegin { .. } => self.begin(w, "sleep", 0),
            Op::SleepEnd => {
                self.end(w, "sleep", 0);
            }
            Op::AcquireBegin { o } => self.begin(w, "acquire", *o),
            Op::AcquireEnd { o, ok, depth, .. } => {
                self.end(w, "acquire", *o);
                if *ok {
                    self.acquired(w, *o);
                    self.set_depth(*o, *depth);
                }
            }
            Op::Release { o, depth, .. } => {
                self.released(w, *o);
                self.set_depth(*o, *depth);
            }
            Op::AcquireSharedBegin { o } => self.begin(w, "acquire", *o),
            Op::AcquireSharedEnd { o, ok } => {
                self.end(w, "acquire", *o);
                if *ok {
                    self.read_acquired(w, *o);
                }
            }
            Op::ReleaseShared { o } => self.read_released(w, *o),
            Op::Set { o } => {
                let ob = self.objs.entry(*o).or_default();
                ob.flag = true;
                ob.sets += 1;
            }
            Op::Clear { o } => self.objs.entry(*o).or_default().flag = false,
            Op::WaitBegin { o } => self.begin(w, "wait", *o),
            Op::WaitEnd { o, ok } => {
                let sets = self.end(w, "wait", *o);
                let ob = self.objs.entry(*o).or_default();
                let is_event = ob.kind == Some(ObjectKind::Event);
                if *ok && is_event && !ob.flag && ob.sets == sets {
                    self.bad(format!("worker {w} woke from event {o} that was never set"));
                }
            }
            Op::PutBegin { o, .. } => self.begin(w, "put", *o),
            Op::PutEnd {
                o, item, depth, ok, ..
            } => {
                self.end(w, "put", *o);
                if *ok {
                    self.put(*o, item, *depth, ev.pid);
                }
            }
            Op::GetBegin { o } => self.begin(w, "get", *o),
            Op::GetEnd { o, item, depth, ok } => {
                self.end(w, "get", *o);
                if *ok {
                    self.got(*o, item.as_deref(), *depth);
                }
            }
            Op::QueueJoinBegin { o } => self.begin(w, "queue_join", *o),
            Op::QueueJoinEnd { o } => {
                self.end(w, "queue_join", *o);
            }
            Op::Send { o, item } => self
                .objs
                .entry(*o)
                .or_default()
                .sent
                .push_back((w, item.clone())),
            Op::RecvBegin { o } => self.begin(w, "recv", *o),
            Op::RecvEnd { o, item, ok } => {
                self.end(w, "recv", *o);
                if let (true, Some(item)) = (*ok, item) {
                    self.received(w, *o, item);
                }
            }
            _ => {}
        }
        self.n += 1;
    }

    /// An rlock's depth as the stream states it (a Condition's wait gives the whole depth up
    /// in one release and takes it back in one acquire).
    fn set_depth(&mut self, o: ObjectId, depth: Option<u32>) {
        let Some(d) = depth else { return };
        let ob = self.objs.entry(o).or_default();
        if ob.kind == Some(ObjectKind::RLock) && ob.owner.is_some() {
            ob.depth = d;
            if d == 0 {
                ob.owner = None;
            }
        }
    }

    /// An rwlock taken to read: never while a writer has it.
    fn read_acquired(&mut self, w: WorkerId, o: ObjectId) {
        let ob = self.objs.entry(o).or_default();
        ob.readers += 1;
        if let Some(x) = ob.owner {
            self.bad(format!("rwlock {o} read by {w} while {x} writes it"));
        }
    }

    fn read_released(&mut self, w: WorkerId, o: ObjectId) {
        let ob = self.objs.entry(o).or_default();
        if ob.readers == 0 {
            self.bad(format!(
                "rwlock {o} let go by reader {w} while nobody reads it"
            ));
        } else {
            ob.readers -= 1;
        }
    }

    fn acquired(&mut self, w: WorkerId, o: ObjectId) {
        let ob = self.objs.entry(o).or_default();
        if ob.readers > 0 {
            let n = ob.readers;
            self.bad(format!("rwlock {o} written by {w} while {n} read it"));
        }
        let ob = self.objs.entry(o).or_default();
        let msg = match ob.kind {
            Some(ObjectKind::RLock) => match ob.owner {
                Some(x) if x != w => Some(format!("rlock {o} acquired by {w} while {x} holds it")),
                _ => {
                    ob.owner = Some(w);
                    ob.depth += 1;
                    None
                }
            },
            Some(k) if k.is_semaphore() => {
                ob.holders += 1;
                (ob.holders > ob.capacity).then(|| {
                    format!(
                        "semaphore {o} has {} holders, more than its {} slots",
                        ob.holders, ob.capacity
                    )
                })
            }
            // A lock whose holder ended holding it (a process killed -9) is abandoned; a
            // robust process-shared mutex lets the next taker have it.
            _ => ob
                .owner
                .replace(w)
                .filter(|x| !self.wks.get(x).is_some_and(|k| k.exited))
                .map(|x| format!("lock {o} has two holders: {x} and {w}")),
        };
        if let Some(m) = msg {
            self.bad(m);
        }
    }

    fn released(&mut self, w: WorkerId, o: ObjectId) {
        let ob = self.objs.entry(o).or_default();
        let msg = match ob.kind {
            Some(ObjectKind::RLock) => {
                if ob.owner != Some(w) {
                    Some(format!("rlock {o} released by {w}, not its owner"))
                } else if ob.depth == 0 {
                    // Its owner from before the object was declared an rlock (a stream
                    // from outside may say anything): no depth to count down.
                    ob.owner = None;
                    Some(format!(
                        "rlock {o} released by {w} more often than acquired"
                    ))
                } else {
                    ob.depth -= 1;
                    if ob.depth == 0 {
                        ob.owner = None;
                    }
                    None
                }
            }
            Some(ObjectKind::BoundedSemaphore) if ob.holders == 0 => {
                Some(format!("bounded semaphore {o} released more than acquired"))
            }
            // A plain semaphore released by nobody who took it gains a slot, as Python's
            // does (Semaphore(0) used as a signal).
            Some(k) if k.is_semaphore() => {
                if ob.holders == 0 {
                    ob.capacity += 1;
                } else {
                    ob.holders -= 1;
                }
                None
            }
            _ => match ob.owner.take() {
                None => Some(format!("lock {o} released while not held")),
                Some(_) => None,
            },
        };
        if let Some(m) = msg {
            self.bad(m);
        }
    }

    /// A pipe delivers in order: what `w` receives is the oldest message in flight that
    /// someone else sent (its ends may send both ways).
    fn received(&mut self, w: WorkerId, o: ObjectId, item: &str) {
        let ob = self.objs.entry(o).or_default();
        let msg = match ob.sent.iter().position(|(from, _)| *from != w) {
            None => Some(format!(
                "pipe {o}: worker {w} received {item}, which nobody sent"
            )),
            Some(i) => {
                let (_, want) = ob.sent.remove(i).unwrap_or_default();
                (want != item).then(|| {
                    format!("pipe {o}: worker {w} received {item}, but {want} was sent first")
                })
            }
        };
        if let Some(m) = msg {
            self.bad(m);
        }
    }

    fn put(&mut self, o: ObjectId, item: &str, depth: u64, pid: u32) {
        let ob = self.objs.entry(o).or_default();
        ob.items.push_back((item.to_string(), pid));
        let (len, cap) = (ob.items.len() as u64, ob.capacity);
        if depth != len {
            self.bad(format!(
                "queue {o}: depth {depth} after put, expected {len}"
            ));
        }
        if cap > 0 && len > cap {
            self.bad(format!(
                "queue {o} holds {len} items, more than its maxsize {cap}"
            ));
        }
    }

    fn got(&mut self, o: ObjectId, item: Option<&str>, depth: u64) {
        let ob = self.objs.entry(o).or_default();
        let expected = match ob.kind {
            Some(ObjectKind::LifoQueue) => ob.items.len().checked_sub(1),
            Some(ObjectKind::PriorityQueue) => ob
                .items
                .iter()
                .enumerate()
                .min_by(|a, b| priority_key(&a.1.0).cmp(&priority_key(&b.1.0)))
                .map(|(i, _)| i),
            _ => fifo_next(&ob.items, item),
        };
        let Some(i) = expected else {
            self.bad(format!("queue {o}: get from an empty queue"));
            return;
        };
        let want = ob.items.remove(i).unwrap_or_default().0;
        let len = ob.items.len() as u64;
        if let Some(it) = item
            && it != want
        {
            let order = ob.kind.map_or("queue", |k| k.as_str());
            self.bad(format!(
                "queue {o} ({order}) gave {it}, but its order says {want}"
            ));
        }
        if depth != len {
            self.bad(format!(
                "queue {o}: depth {depth} after get, expected {len}"
            ));
        }
    }
}

/// The item a FIFO queue hands out next: the oldest. Across processes (a
/// `multiprocessing.Queue` fed by several) only each producer's own order is promised, since
/// each process's feeder writes to the pipe on its own: the item taken may be the oldest of
/// another producer. Within one process this is strict FIFO.
fn fifo_next(items: &VecDeque<(String, u32)>, taken: Option<&str>) -> Option<usize> {
    let first = (!items.is_empty()).then_some(0);
    let Some(k) = taken.and_then(|it| items.iter().position(|(x, _)| x == it)) else {
        return first;
    };
    let pid = items[k].1;
    let oldest_of_its_producer = items.iter().take(k).all(|(_, p)| *p != pid);
    if oldest_of_its_producer {
        Some(k)
    } else {
        first
    }
}

/// Checks a whole stream.
pub fn check_all<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<String> {
    let mut c = Checker::new();
    for e in events {
        c.check(e);
    }
    c.violations
}
