//! Who woke whom: every wake-up linked to the operation of another worker that ended it —
//! the release that let an acquire through, the `set` that ended a `wait`, the `put` that
//! ended a `get` (and the `get` that ended a blocked `put`), the `notify` that woke a
//! condition waiter, the last party at a barrier, the `task_done` that ended a queue's
//! `join`, the exit that ended a `join`.
//!
//! A wake-up is the `_end` (ok) of a blocking operation that had to wait: at its `_begin` the
//! object was not available (a lock held, no free slot, a red light, a full or empty queue, a
//! live join target). Operations that went straight through are not wake-ups.
//!
//! Two kinds of cause. A *hand-off* (release, put, get, send, notify) lets one waiter go: it
//! is kept as a token on its object and taken by the first waiter of the right side that
//! ends after it, oldest token first. A *broadcast* (set, notify_all, the barrier's last
//! party, the task_done that reaches zero, an exit) lets every waiter go: the latest one is
//! kept and every waiter that began before it is its wake-up.
//!
//! Cheap and bounded: no allocation per event once the per-id tables have grown; at most
//! `TOKENS` tokens per object; the newest `KEPT` wake-ups.

use super::object::{Object, ObjectState};
use super::worker::{Wait, Worker};
use super::world::World;
use crate::event::{Event, ObjectId, ObjectKind, Op, WorkerId};
use std::collections::VecDeque;

/// Wake-ups kept (the newest).
pub const KEPT: usize = 1024;
/// Hand-off tokens kept per object.
const TOKENS: usize = 16;
/// The dense index of no worker or object.
const NOWHERE: u32 = u32::MAX;

/// What the waker did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    Release,
    Set,
    Notify,
    /// The last party arrived at a barrier.
    Arrive,
    Put,
    Get,
    Send,
    /// The task_done that left no task unfinished.
    TaskDone,
    Exit,
}

impl Via {
    /// The verb for "lighter set light": "released", "set", "put into"...
    pub fn verb(self) -> &'static str {
        match self {
            Via::Release => "released",
            Via::Set => "set",
            Via::Notify => "notified",
            Via::Arrive => "arrived at",
            Via::Put => "put into",
            Via::Get => "took from",
            Via::Send => "sent on",
            Via::TaskDone => "finished the tasks of",
            Via::Exit => "ended",
        }
    }

    fn broadcast(self) -> bool {
        matches!(self, Via::Set | Via::Arrive | Via::TaskDone | Via::Exit)
    }
}

/// One wake-up: `woken` went on at `t` because `by` did `via` on `o` at `by_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wake {
    /// The woken worker's `_end` event: its number among the events the world folded.
    pub n: u64,
    pub t: u64,
    pub woken: WorkerId,
    /// When the woken worker began to wait.
    pub since: u64,
    pub by: WorkerId,
    /// The waker's event: its number and time.
    pub by_n: u64,
    pub by_t: u64,
    pub via: Via,
    /// The object; None for a join (the waker is the joined worker).
    pub o: Option<ObjectId>,
}

/// Which waiters a token serves: takers (acquire, get, signal, queue join) or putters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Take,
    Put,
}

fn side(wait: Wait) -> Side {
    match wait {
        Wait::Put(_) => Side::Put,
        _ => Side::Take,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Token {
    by: WorkerId,
    n: u64,
    t: u64,
    via: Via,
    side: Side,
}

#[derive(Clone, Debug, Default)]
struct PerObject {
    tokens: VecDeque<Token>,
    broadcast: Option<Token>,
    /// Waiters that had to wait, per side.
    waiting: [u32; 2],
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    n: u64,
    t: u64,
    wait: Wait,
    /// The object was not available when the wait began.
    must: bool,
    /// The object's dense index.
    ox: u32,
}

/// One worker's waits, counted whatever the ring of wake-ups still keeps: how many had to
/// wait, how many another worker ended (linked), and whether one goes on now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub had_to_wait: u64,
    pub woken: u64,
    pub waiting_now: bool,
}

/// The wake-up book of a world.
#[derive(Clone, Debug, Default)]
pub struct Causes {
    /// Events observed (the same count as the world's log sees).
    seen: u64,
    objects: Vec<PerObject>,
    pending: Vec<Option<Pending>>,
    scratch: PerObject,
    scratch_pending: Option<Pending>,
    /// The newest wake-ups, oldest first.
    pub recent: VecDeque<Wake>,
    /// The newest wait that had to wait: (its event number, the worker, what it waits for).
    pub last_block: Option<(u64, WorkerId, Wait)>,
    /// Per worker (dense index): its waits that had to wait, and those another woke.
    tally: Vec<Tally>,
    /// Wake-ups ever linked.
    pub linked: u64,
    /// Wake-ups whose cause the stream did not show (a stream that starts mid-run, a probe
    /// that broke its rules). Zero for every stream our probe sends.
    pub unexplained: u64,
}

impl Causes {
    /// The number the next observed event gets.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The wake-up ended by the `n`th observed event, if it was one and is still kept.
    pub fn by_event(&self, n: u64) -> Option<&Wake> {
        let i = self.recent.binary_search_by_key(&n, |w| w.n).ok()?;
        self.recent.get(i)
    }

    /// The newest kept wake-ups of worker `w`, newest first.
    pub fn of(&self, w: WorkerId) -> impl Iterator<Item = &Wake> {
        self.recent.iter().rev().filter(move |k| k.woken == w)
    }

    /// The newest wake-up, if any.
    pub fn last(&self) -> Option<&Wake> {
        self.recent.back()
    }

    /// The waits of the worker at dense index `wx` (see [`Tally`]).
    pub fn tally(&self, wx: u32) -> Tally {
        let mut t = self.tally.get(wx as usize).copied().unwrap_or_default();
        t.waiting_now = self
            .pending
            .get(wx as usize)
            .is_some_and(|p| p.is_some_and(|p| p.must));
        t
    }

    fn tally_mut(&mut self, wx: u32) -> Option<&mut Tally> {
        if wx == NOWHERE {
            return None;
        }
        let i = wx as usize;
        if i >= self.tally.len() {
            self.tally.resize(i + 1, Tally::default());
        }
        self.tally.get_mut(i)
    }

    /// Lengths of the side tables (objects, workers), for the tests of their bound.
    #[cfg(test)]
    pub(crate) fn tables(&self) -> (usize, usize) {
        (self.objects.len(), self.pending.len())
    }

    /// Side tables are kept by the world's dense index of a worker or object, not by id: a
    /// stream's id may be large, its index never is.
    /// (`NOWHERE`, which the world gives for an event with no declared object or worker and
    /// the fold never sends, lands in a scratch slot rather than growing a table to 4 G.)
    #[inline]
    fn obj(&mut self, ox: u32) -> &mut PerObject {
        // Known objects (every event but the first on each) take one bounds check.
        if (ox as usize) < self.objects.len() {
            return &mut self.objects[ox as usize];
        }
        self.obj_new(ox)
    }

    #[cold]
    fn obj_new(&mut self, ox: u32) -> &mut PerObject {
        if ox == NOWHERE {
            self.scratch = PerObject::default();
            return &mut self.scratch;
        }
        let i = ox as usize;
        self.objects.resize_with(i + 1, PerObject::default);
        &mut self.objects[i]
    }

    #[inline]
    fn pending_slot(&mut self, wx: u32) -> &mut Option<Pending> {
        if (wx as usize) < self.pending.len() {
            return &mut self.pending[wx as usize];
        }
        self.pending_new(wx)
    }

    #[cold]
    fn pending_new(&mut self, wx: u32) -> &mut Option<Pending> {
        if wx == NOWHERE {
            self.scratch_pending = None;
            return &mut self.scratch_pending;
        }
        let i = wx as usize;
        self.pending.resize(i + 1, None);
        &mut self.pending[i]
    }

    /// Notes `ev`, reading `v`: the world as it was before `ev` changed it (declarations
    /// applied), where `ev`'s worker and object are at dense indexes `wx` and `ox`
    /// (`NOWHERE` for none). One match on the op: only the ops that begin a wait or end a
    /// join read the world.
    pub fn observe(&mut self, ev: &Event, v: View, wx: u32, ox: u32) {
        let n = self.seen;
        self.seen += 1;
        let (w, t) = (ev.w, ev.t);
        let b = Before {
            wx,
            ox,
            ..Before::default()
        };
        let ob = v.objects.get(ox as usize);
        let begin = |me: &mut Causes, wait| {
            let must = must_wait(v, ob, w, wait);
            me.begin(w, n, t, wait, Before { must, ..b });
        };
        let enable = |me: &mut Causes, via| me.enable(w, n, t, ox, via);
        match &ev.op {
            Op::AcquireBegin { o } => begin(self, Wait::Acquire(*o)),
            Op::AcquireSharedBegin { o } => begin(self, Wait::AcquireShared(*o)),
            Op::WaitBegin { o } => {
                // Read before `begin`; the world does not change until the fold after this.
                let last_party = ob.is_some_and(barrier_completes);
                begin(self, Wait::Signal(*o));
                if last_party {
                    enable(self, Via::Arrive);
                }
            }
            Op::PutBegin { o, .. } => begin(self, Wait::Put(*o)),
            Op::GetBegin { o } => begin(self, Wait::Get(*o)),
            Op::RecvBegin { o } => begin(self, Wait::Recv(*o)),
            Op::QueueJoinBegin { o } => begin(self, Wait::QueueJoin(*o)),
            Op::JoinBegin { target } => begin(self, Wait::Join(*target)),
            Op::AcquireEnd { ok, .. }
            | Op::AcquireSharedEnd { ok, .. }
            | Op::WaitEnd { ok, .. }
            | Op::RecvEnd { ok, .. } => self.end(w, n, t, *ok, b),
            Op::JoinEnd { target, ok } => {
                // When the joined worker ended, if it has.
                let exit = v.worker(*target).filter(|x| x.is_done()).map(|x| x.since);
                self.end(w, n, t, *ok, Before { exit, ..b });
            }
            // A put makes an item for a blocked get; a get makes room for a blocked put.
            Op::PutEnd { ok, .. } => {
                self.end(w, n, t, *ok, b);
                if *ok {
                    enable(self, Via::Put);
                }
            }
            Op::GetEnd { ok, .. } => {
                self.end(w, n, t, *ok, b);
                if *ok {
                    enable(self, Via::Get);
                }
            }
            Op::QueueJoinEnd { .. } => self.end(w, n, t, true, b),
            // An rwlock's writer lets in every reader waiting (and one writer): a hand-off to
            // each waiter; its last reader lets in a writer.
            Op::Release { .. } if ob.is_some_and(|ob| ob.kind == ObjectKind::RwLock) => {
                let waiting = ob.map_or(0, |ob| ob.waiters.len()).min(TOKENS);
                for _ in 0..waiting.max(1) {
                    enable(self, Via::Release);
                }
            }
            Op::ReleaseShared { .. } if ob.is_some_and(|ob| ob.readers().len() <= 1) => {
                enable(self, Via::Release)
            }
            Op::Release { depth, .. } if depth.is_none_or(|d| d == 0) => enable(self, Via::Release),
            Op::Set { .. } | Op::NotifyAll { .. } => enable(self, Via::Set),
            Op::Notify { n: k, .. } => {
                for _ in 0..(*k).min(TOKENS as u64) {
                    enable(self, Via::Notify);
                }
            }
            Op::Send { .. } => enable(self, Via::Send),
            Op::TaskDone { unfinished: 0, .. } => enable(self, Via::TaskDone),
            Op::Exit { .. } => self.gone(wx),
            _ => {}
        }
    }

    fn begin(&mut self, w: WorkerId, n: u64, t: u64, wait: Wait, b: Before) {
        let (must, ox) = (b.must, b.ox);
        if must && wait.object().is_some() {
            self.obj(ox).waiting[side(wait) as usize] += 1;
        }
        if must {
            self.last_block = Some((n, w, wait));
            if let Some(c) = self.tally_mut(b.wx) {
                c.had_to_wait += 1;
            }
        }
        *self.pending_slot(b.wx) = Some(Pending {
            n,
            t,
            wait,
            must,
            ox,
        });
    }

    /// A waiter leaves (ended, timed out or gone): it no longer counts, and tokens left for
    /// nobody are dropped, oldest first. (Inlined: most waits never had to wait.)
    #[inline]
    fn leave(&mut self, p: Pending) {
        if p.must && p.wait.object().is_some() {
            self.leave_queue(p);
        }
    }

    fn leave_queue(&mut self, p: Pending) {
        let s = side(p.wait);
        let po = self.obj(p.ox);
        po.waiting[s as usize] = po.waiting[s as usize].saturating_sub(1);
        let left = po.waiting[s as usize] as usize;
        while po.tokens.iter().filter(|k| k.side == s).count() > left {
            match po.tokens.iter().position(|k| k.side == s) {
                Some(i) => po.tokens.remove(i),
                None => break,
            };
        }
    }

    fn end(&mut self, w: WorkerId, n: u64, t: u64, ok: bool, b: Before) {
        let Some(p) = self.pending_slot(b.wx).take() else {
            return;
        };
        if !p.must || !ok {
            self.leave(p);
            return;
        }
        let token = match p.wait {
            Wait::Join(target) => b.exit.map(|t| Token {
                by: target,
                n: 0,
                t,
                via: Via::Exit,
                side: Side::Take,
            }),
            wait => self.take(p.ox, side(wait), p.n),
        };
        self.leave(p);
        let Some(k) = token else {
            self.unexplained += 1;
            return;
        };
        let wake = Wake {
            n,
            t,
            woken: w,
            since: p.t,
            by: k.by,
            by_n: k.n,
            by_t: k.t,
            via: k.via,
            o: p.wait.object(),
        };
        if self.recent.len() == KEPT {
            self.recent.pop_front();
        }
        self.recent.push_back(wake);
        self.linked += 1;
        if let Some(c) = self.tally_mut(b.wx) {
            c.woken += 1;
        }
    }

    /// The cause of a wake-up on `o` for a waiter that began at event `since`: the oldest
    /// hand-off after it (taken), else the latest broadcast after it.
    fn take(&mut self, ox: u32, s: Side, since: u64) -> Option<Token> {
        let po = self.obj(ox);
        if let Some(i) = po.tokens.iter().position(|k| k.side == s && k.n > since) {
            return po.tokens.remove(i);
        }
        po.broadcast.filter(|k| k.side == s && k.n > since)
    }

    fn enable(&mut self, by: WorkerId, n: u64, t: u64, ox: u32, via: Via) {
        let s = if via == Via::Get {
            Side::Put
        } else {
            Side::Take
        };
        let token = Token {
            by,
            n,
            t,
            via,
            side: s,
        };
        let po = self.obj(ox);
        if via.broadcast() {
            po.broadcast = Some(token);
            return;
        }
        // A hand-off only matters while somebody waits for one more than is already on its way.
        // (Nobody waiting, the common case, skips counting the tokens.)
        let waiting = po.waiting[s as usize] as usize;
        if waiting > 0 && waiting > po.tokens.iter().filter(|k| k.side == s).count() {
            if po.tokens.len() == TOKENS {
                po.tokens.pop_front();
            }
            po.tokens.push_back(token);
        }
    }

    /// A worker that ends while waiting is a waiter no longer.
    fn gone(&mut self, wx: u32) {
        if let Some(p) = self.pending.get_mut(wx as usize).and_then(Option::take) {
            self.leave(p);
        }
    }
}

/// What `observe` read of the world for an event, handed to `begin` and `end`.
#[derive(Clone, Copy, Debug, Default)]
struct Before {
    /// The dense indexes (`World::workers`, `World::objects`) of the event's worker and object.
    wx: u32,
    ox: u32,
    /// A blocking operation begins on something not available: it has to wait.
    must: bool,
    /// A join ends: when the joined worker ended, if it has.
    exit: Option<u64>,
}

/// The parts of the world the causes read, as they were before the event: the world owns
/// the causes, so it lends these fields rather than itself.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub workers: &'a [Worker],
    pub objects: &'a [Object],
    /// A worker's dense index by id (`NOWHERE`: none).
    pub worker_ix: &'a [u32],
}

impl View<'_> {
    fn worker(&self, id: WorkerId) -> Option<&Worker> {
        let ix = *self.worker_ix.get(id as usize)?;
        self.workers.get(ix as usize)
    }
}

/// Whether `w` starting `wait` on `ob` (its object, None for a join) now has to wait (the
/// world as it was before).
fn must_wait(v: View, ob: Option<&Object>, w: WorkerId, wait: Wait) -> bool {
    if let Wait::Join(target) = wait {
        return v.worker(target).is_some_and(|x| !x.is_done());
    }
    let Some(ob) = ob else {
        return false;
    };
    // Someone other than `w` queued first (O(1): `w` is at most one of them).
    let queued = match ob.waiters.len() {
        0 => false,
        1 => ob.waiters[0].0 != w,
        _ => true,
    };
    match (&ob.state, wait) {
        (ObjectState::Lock { owner, .. }, Wait::Acquire(_)) => {
            let mine = *owner == Some(w) && ob.kind == ObjectKind::RLock;
            (owner.is_some() && !mine) || queued
        }
        (ObjectState::Semaphore { value, .. }, Wait::Acquire(_)) => *value == 0 || queued,
        (ObjectState::RwLock { writer, readers }, Wait::Acquire(_)) => {
            writer.is_some() || !readers.is_empty() || queued
        }
        (ObjectState::RwLock { writer, .. }, Wait::AcquireShared(_)) => writer.is_some() || queued,
        (ObjectState::Event { flag }, Wait::Signal(_)) => !flag,
        (ObjectState::Plain, Wait::Signal(_)) => {
            ob.kind != ObjectKind::Barrier || !barrier_completes(ob)
        }
        (ObjectState::Queue { depth, .. }, Wait::Put(_)) => {
            ob.maxsize().is_some_and(|m| *depth >= m)
        }
        (ObjectState::Queue { depth, .. }, Wait::Get(_)) => *depth == 0,
        (ObjectState::Queue { unfinished, .. }, Wait::QueueJoin(_)) => *unfinished > 0,
        (ObjectState::Pipe { in_flight }, Wait::Recv(_)) => in_flight.is_empty(),
        _ => false,
    }
}

/// Whether one more party at barrier `ob` is the last one it waits for.
fn barrier_completes(ob: &Object) -> bool {
    ob.kind == ObjectKind::Barrier
        && ob
            .capacity
            .is_some_and(|c| ob.waiters.len() as u64 + 1 >= c)
}

/// "lighter set light", "job1 released lock A", "T1 ended": a wake-up's cause in words.
pub fn words(world: &World, k: &Wake) -> String {
    let by = world.worker_name(k.by);
    match k.o {
        Some(o) => format!("{by} {} {}", k.via.verb(), world.object_name(o)),
        None => format!("{by} {}", k.via.verb()),
    }
}
