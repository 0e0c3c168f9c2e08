//! The world: every worker and object of a run, folded from its events.
//!
//! `World::apply` is the only way state changes. It never blocks, never reads a clock and
//! never does I/O; everything it keeps is bounded (timelines, log, items, problems).

use super::cause::{Causes, View};
use super::lockorder::{self, LockOrder};
use super::log::Log;
use super::object::{ITEMS_KEPT, Object, ObjectState};
use super::task::{self, Blocking};
use super::timeline::Phase;
use super::waitfor;
use super::worker::{Wait, Worker, WorkerState};
use crate::event::{Event, ExitHow, ObjectId, ObjectKind, Op, WorkerId, WorkerKind};
use std::collections::VecDeque;

/// Limits that keep memory flat on long runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Timeline segments kept per lane.
    pub history: usize,
    /// Log entries kept.
    pub log: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            history: 4096,
            log: 2000,
        }
    }
}

/// Ids above this are refused: they would make the dense index tables huge.
/// (A power of two: `fold_event` tests both ids at once.)
const MAX_ID: u32 = 1 << 20;
const _: () = assert!(MAX_ID.is_power_of_two());
const NONE: u32 = u32::MAX;

/// The event being folded: its worker (id and dense index), its object's dense index
/// (`NONE` for none) and its time — looked up once, not by every step of the fold.
#[derive(Clone, Copy)]
struct Coords {
    w: WorkerId,
    wx: u32,
    ox: u32,
    t: u64,
}

#[derive(Clone, Debug)]
pub struct World {
    /// Time of the latest event (virtual ns).
    pub t: u64,
    /// Workers in the order they were declared.
    pub workers: Vec<Worker>,
    /// Objects in the order they were declared.
    pub objects: Vec<Object>,
    /// The newest events, oldest first (for the log panel).
    pub log: Log,
    /// The scenario's measured outcome, once it said it.
    pub outcome: Option<(String, bool)>,
    /// Workers in a wait-for cycle, in cycle order, while it lasts.
    pub deadlock: Option<Vec<WorkerId>>,
    /// While a deadlock lasts: the live workers not stuck in it (a partial deadlock), in
    /// lane order; empty otherwise. Kept by the fold, so a frame only reads it.
    pub still_going: Vec<WorkerId>,
    /// Events that made no sense (undeclared object, release of a free lock...), newest last.
    pub problems: VecDeque<String>,
    /// Events folded so far.
    pub events: u64,
    /// Of them, parks at the step gate: drawn in the lanes, not operations of their own.
    pub parks: u64,
    /// Who woke whom (model/cause.rs).
    pub causes: Causes,
    /// Tasks declared so far (model/task.rs reads threads' states only when there are any).
    pub tasks: usize,
    /// Sleeps of threads that a task held: blocking calls in coroutines.
    pub blocking: Blocking,
    /// Events went missing before now (the viewer fell behind a traced program and its
    /// reader dropped some): what no longer adds up is the gap's doing, so it is counted
    /// in `unsure` rather than said as a problem of the program.
    pub gapped: bool,
    /// Events that made no sense after a gap.
    pub unsure: u64,
    /// The order locks are taken in, and the deadlocks it makes possible (lockorder.rs).
    pub lock_order: LockOrder,
    /// The longest worker name so far, in characters: the log's name column.
    name_chars: usize,
    limits: Limits,
    /// The event being folded started, ended, blocked or woke a worker (see `still_going`).
    waits_moved: bool,
    worker_ix: Vec<u32>,
    object_ix: Vec<u32>,
}

impl Default for World {
    fn default() -> World {
        World::new(Limits::default())
    }
}

impl World {
    pub fn new(limits: Limits) -> World {
        World {
            t: 0,
            workers: Vec::new(),
            objects: Vec::new(),
            log: Log::new(limits.log),
            outcome: None,
            deadlock: None,
            still_going: Vec::new(),
            problems: VecDeque::new(),
            events: 0,
            parks: 0,
            causes: Causes::default(),
            tasks: 0,
            blocking: Blocking::default(),
            lock_order: LockOrder::default(),
            name_chars: 0,
            limits,
            waits_moved: false,
            gapped: false,
            unsure: 0,
            worker_ix: Vec::new(),
            object_ix: Vec::new(),
        }
    }

    pub fn worker(&self, id: WorkerId) -> Option<&Worker> {
        let ix = *self.worker_ix.get(id as usize)?;
        self.workers.get(ix as usize)
    }

    pub fn object(&self, id: ObjectId) -> Option<&Object> {
        let ix = *self.object_ix.get(id as usize)?;
        self.objects.get(ix as usize)
    }

    /// A worker's place in `workers` (stable: a re-declaration keeps it), for side tables.
    pub(crate) fn worker_index(&self, id: WorkerId) -> Option<u32> {
        self.worker_ix
            .get(id as usize)
            .copied()
            .filter(|&i| i != NONE)
    }

    /// An object's place in `objects` (stable: a re-declaration keeps it), for side tables.
    pub(crate) fn object_index(&self, id: ObjectId) -> Option<u32> {
        self.object_ix
            .get(id as usize)
            .copied()
            .filter(|&i| i != NONE)
    }

    pub fn worker_name(&self, id: WorkerId) -> &str {
        self.worker(id).map_or("?", |w| w.name.as_str())
    }

    /// The longest worker name declared so far, in characters (a log's name column).
    pub fn name_chars(&self) -> usize {
        self.name_chars
    }

    pub fn object_name(&self, id: ObjectId) -> &str {
        self.object(id).map_or("?", |o| o.name.as_str())
    }

    pub fn alive(&self) -> usize {
        self.workers.iter().filter(|w| w.is_alive()).count()
    }

    /// A deadlock no live worker is outside of: nobody can move again.
    pub fn stuck(&self) -> bool {
        self.deadlock.is_some() && self.still_going.is_empty()
    }

    /// True once every declared worker has ended.
    pub fn finished(&self) -> bool {
        !self.workers.is_empty() && self.workers.iter().all(|w| w.is_done())
    }

    /// Moves the world's clock to `t` with no event: sleeping lanes count down and timelines
    /// scroll while nothing happens.
    pub fn advance(&mut self, t: u64) {
        self.t = self.t.max(t);
    }

    /// Records a problem found outside the fold (a malformed line from a child, say).
    pub fn problem(&mut self, text: String) {
        if self.problems.len() == self.limits.log {
            self.problems.pop_front();
        }
        self.problems.push_back(text);
    }

    /// Events are missing from here on (see `gapped`).
    pub fn gap(&mut self) {
        self.gapped = true;
    }

    /// A problem the fold found in the stream: said, unless a gap explains it.
    fn fold_problem(&mut self, text: String) {
        if self.gapped {
            self.unsure += 1;
        } else {
            self.problem(text);
        }
    }

    /// Folds one event into the world.
    pub fn apply(&mut self, ev: &Event) {
        if self.fold_event(ev) && self.limits.log > 0 {
            self.log_event(ev.clone());
        }
    }

    /// Folds one event the caller no longer needs: it moves into the log without a copy
    /// (what the app does with every event it receives).
    pub fn apply_owned(&mut self, ev: Event) {
        if self.fold_event(&ev) {
            self.log_event(ev);
        }
    }

    /// Everything but the log; false if the event was refused.
    fn fold_event(&mut self, ev: &Event) -> bool {
        self.events += 1;
        self.parks += u64::from(matches!(ev.op, Op::Gate { .. }));
        self.t = self.t.max(ev.t);
        let o = ev.op.object();
        // Both ids below a power of two: their bits or'ed are too (one test, not two).
        if (ev.w | o.unwrap_or(0)) >= MAX_ID {
            self.problem(format!("id too large in {} (limit {MAX_ID})", ev.op.name()));
            return false;
        }
        // The worker's and the object's dense indexes, looked up once for the whole fold.
        let (wx, ox) = self.declare(ev, o);
        // The causes read the world as it was before the event. A park at the step gate is
        // neither cause nor effect, and not in the log: the causes' count of events is the
        // log's, so it is not counted there either.
        if !matches!(ev.op, Op::Gate { .. }) {
            let view = View {
                workers: &self.workers,
                objects: &self.objects,
                worker_ix: &self.worker_ix,
            };
            self.causes.observe(ev, view, wx, ox);
            self.note_blocking(ev);
        }
        let at = Coords {
            w: ev.w,
            wx,
            ox,
            t: ev.t,
        };
        self.unpark(ev, wx);
        self.fold(ev, at);
        if std::mem::take(&mut self.waits_moved) || matches!(ev.op, Op::Start) {
            self.settle_still_going();
        }
        true
    }

    /// A thread that sleeps while one of its tasks holds it blocks that task's loop: noted
    /// for the log (read before the fold: the task still runs). A sleep while none holds it
    /// is not called idle: a traced loop's own wait is never a traced sleep, so such a
    /// sleep may block the loop from a callback, or come from code outside the loop.
    fn note_blocking(&mut self, ev: &Event) {
        if self.tasks == 0 || !matches!(ev.op, Op::SleepBegin { ms } if ms > 0) {
            return;
        }
        // A task's own sleep is an await: only a thread's can block its loop (looking for
        // the holder walks the workers, so a task's sleep must not).
        if self.worker(ev.w).is_none_or(|w| w.kind == WorkerKind::Task) {
            return;
        }
        let Some(h) = task::holder(self, ev.w) else {
            return;
        };
        let n = self.causes.seen() - 1; // this event's number (observed just now)
        self.blocking.note(n, h.id);
    }

    /// Keeps `still_going` true to the deadlock after an event that may change who is
    /// stuck: a worker that starts, ends, blocks or stops waiting. Others (a sleep, a
    /// print) leave it as it is, so a ticker beside a deadlock costs nothing here, and
    /// without a deadlock nothing is computed at all.
    fn settle_still_going(&mut self) {
        match &self.deadlock {
            Some(cycle) => self.still_going = waitfor::still_going(self, cycle),
            None if !self.still_going.is_empty() => self.still_going.clear(),
            None => {}
        }
    }

    #[inline]
    fn log_event(&mut self, ev: Event) {
        // A park at the step gate is drawn in the lane; the log says what the worker did.
        if !matches!(ev.op, Op::Gate { .. }) {
            self.log.push(ev);
        }
    }

    /// A worker parked at the step gate went on: whatever it does next ends the park.
    fn unpark(&mut self, ev: &Event, wx: u32) {
        if matches!(ev.op, Op::Gate { .. }) {
            return;
        }
        if let Some(wk) = self.workers.get_mut(wx as usize)
            && std::mem::take(&mut wk.parked)
        {
            self.refresh_phase_at(wx, ev.t);
        }
    }

    /// Declarations, and implicit ones: a stream from outside may use an id it never
    /// declared; it gets a placeholder name rather than being dropped. Returns the dense
    /// indexes of the event's worker and object (`NONE` for no object), and counts the
    /// event among its worker's ops (here, where the worker is at hand; nothing in the
    /// fold reads the count).
    fn declare(&mut self, ev: &Event, o: Option<ObjectId>) -> (u32, u32) {
        match &ev.op {
            Op::Worker {
                name,
                kind,
                daemon,
                parent,
                thread,
            } => {
                self.name_chars = self.name_chars.max(name.chars().count());
                let w = self.ensure_worker(ev.w, *kind);
                let new_task = *kind == WorkerKind::Task && w.thread.is_none();
                w.name.clone_from(name);
                w.kind = *kind;
                w.daemon = *daemon;
                w.parent = *parent;
                w.thread = *thread;
                w.pid = ev.pid;
                w.since = ev.t;
                self.tasks += usize::from(new_task);
            }
            Op::Object {
                o,
                name,
                kind,
                capacity,
            } => {
                self.ensure_worker(ev.w, WorkerKind::Thread);
                let ix = self.slot(*o, false);
                if ix == NONE {
                    self.object_ix[*o as usize] = self.objects.len() as u32;
                    self.objects
                        .push(Object::new(*o, name.clone(), *kind, *capacity));
                } else {
                    self.objects[ix as usize] = Object::new(*o, name.clone(), *kind, *capacity);
                }
            }
            op => {
                // Known ids (nearly every event) are two table looks; new ones take the
                // slow path that grows the tables and makes placeholders.
                let pid = ev.pid;
                let wx = match self.worker_index(ev.w) {
                    Some(wx) => wx,
                    None => {
                        self.ensure_worker(ev.w, WorkerKind::Thread);
                        self.worker_ix[ev.w as usize]
                    }
                };
                let w = &mut self.workers[wx as usize];
                w.ops += 1;
                if w.pid == 0 {
                    w.pid = pid;
                }
                let Some(o) = o else {
                    return (wx, NONE);
                };
                if let Some(ox) = self.object_index(o) {
                    return (wx, ox);
                }
                self.slot(o, false);
                let kind = guess_kind(op);
                let ox = self.objects.len() as u32;
                self.object_ix[o as usize] = ox;
                let name = format!("{}-{o}", kind.as_str());
                self.objects.push(Object::new(o, name, kind, None));
                return (wx, ox);
            }
        }
        let wx = self.worker_index(ev.w).unwrap_or(NONE);
        if let Some(w) = self.workers.get_mut(wx as usize) {
            w.ops += 1;
        }
        (wx, o.and_then(|o| self.object_index(o)).unwrap_or(NONE))
    }

    /// Index slot for an id, growing the table; returns the current entry.
    fn slot(&mut self, id: u32, worker: bool) -> u32 {
        let table = if worker {
            &mut self.worker_ix
        } else {
            &mut self.object_ix
        };
        if table.len() <= id as usize {
            table.resize(id as usize + 1, NONE);
        }
        table[id as usize]
    }

    fn ensure_worker(&mut self, id: WorkerId, kind: WorkerKind) -> &mut Worker {
        let mut ix = self.slot(id, true);
        if ix == NONE {
            ix = self.workers.len() as u32;
            self.worker_ix[id as usize] = ix;
            let name: String = if id == 0 {
                "main".into()
            } else {
                format!("w{id}")
            };
            self.name_chars = self.name_chars.max(name.len());
            self.workers
                .push(Worker::new(id, name, kind, self.limits.history));
        }
        &mut self.workers[ix as usize]
    }

    fn object_mut(&mut self, id: ObjectId) -> Option<&mut Object> {
        let ix = *self.object_ix.get(id as usize)?;
        self.objects.get_mut(ix as usize)
    }

    /// Sets a worker's state and extends its timeline.
    fn set_state(&mut self, w: WorkerId, t: u64, state: WorkerState) {
        if let Some(wx) = self.worker_index(w) {
            self.set_state_at(wx, t, state);
        }
    }

    /// The same, for the worker at dense index `wx`.
    fn set_state_at(&mut self, wx: u32, t: u64, state: WorkerState) {
        let Some(wk) = self.workers.get_mut(wx as usize) else {
            return;
        };
        wk.state = state;
        wk.since = t;
        let phase = wk.phase();
        wk.timeline.push_held(t, phase, !wk.holding.is_empty());
    }

    /// Re-derives the phase of the worker at `wx` after `holding` changed (Running ↔
    /// Critical; held or not, whatever it does).
    fn refresh_phase_at(&mut self, wx: u32, t: u64) {
        if let Some(wk) = self.workers.get_mut(wx as usize) {
            let phase = wk.phase();
            wk.timeline.push_held(t, phase, !wk.holding.is_empty());
        }
    }

    /// The event's object (by dense index), if it has one.
    pub(super) fn object_at(&mut self, ox: u32) -> Option<&mut Object> {
        self.objects.get_mut(ox as usize)
    }

    /// The event's worker begins `wait` (on the event's object, if the wait has one).
    fn block(&mut self, at: Coords, wait: Wait) {
        let (w, t) = (at.w, at.t);
        if wait.object().is_some()
            && let Some(obj) = self.object_at(at.ox)
        {
            obj.remove_waiter(w);
            obj.waiters.push_back((w, wait));
        }
        self.set_state_at(at.wx, t, WorkerState::Blocked(wait));
        self.waits_moved = true;
        // Most waits are on something nobody holds: no edge, no cycle, nothing to allocate.
        // (Only an acquire or a join can have a holder to wait for.)
        if matches!(
            wait,
            Wait::Acquire(_) | Wait::AcquireShared(_) | Wait::Join(_)
        ) && waitfor::waits_for(self, w).is_some()
            && let Some(cycle) = waitfor::cycle_from(self, w)
        {
            self.deadlock = Some(cycle);
        }
    }

    /// The event's worker asks for `o`: every lock it holds comes before `o` in the lock
    /// order (lockorder.rs). Nothing to do for a worker that holds nothing, nearly always.
    fn note_lock_order(&mut self, at: Coords, o: ObjectId) {
        let Some(wk) = self.workers.get(at.wx as usize) else {
            return;
        };
        if wk.holding.is_empty() {
            return;
        }
        let (objects, ix) = (&self.objects, &self.object_ix);
        let is_lock = |id: ObjectId| {
            ix.get(id as usize)
                .and_then(|&i| objects.get(i as usize))
                .is_some_and(|ob| lockorder::ordered(ob.kind))
        };
        if !is_lock(o) {
            return;
        }
        for &h in wk.holding.iter().filter(|&&h| is_lock(h)) {
            self.lock_order.observe(h, o, at.w, at.t);
        }
    }

    /// The event's worker stops waiting (on the event's object, if it has one).
    fn unblock(&mut self, at: Coords) {
        self.unblock_then(at, true);
    }

    /// The same; with `push` false the lane's timeline is left for the caller to extend
    /// (an acquire that goes through extends it once, after taking the lock).
    fn unblock_then(&mut self, at: Coords, push: bool) {
        let w = at.w;
        if let Some(obj) = self.object_at(at.ox) {
            obj.remove_waiter(w);
        }
        if let Some(wk) = self.workers.get_mut(at.wx as usize)
            && !matches!(wk.state, WorkerState::Done { .. })
        {
            if push {
                self.set_state_at(at.wx, at.t, WorkerState::Running);
            } else {
                wk.state = WorkerState::Running;
                wk.since = at.t;
            }
        }
        self.clear_deadlock_of(w);
        self.waits_moved = true;
    }

    /// Whether an acquire that went through may extend the lane's timeline once, with the
    /// phase after the take, rather than Running then Critical at the same instant. The two
    /// give the same segments and totals except when the lane's last segment is already
    /// Critical (then the Running one in between may push the oldest segment out): that
    /// case, and a worker that has ended, keep the two steps.
    fn one_push_acquire(&self, wx: u32) -> bool {
        self.workers.get(wx as usize).is_some_and(|wk| {
            !matches!(wk.state, WorkerState::Done { .. })
                && wk.timeline.last_phase() != Some(Phase::Critical)
        })
    }

    fn clear_deadlock_of(&mut self, w: WorkerId) {
        if self.deadlock.as_ref().is_some_and(|c| c.contains(&w)) {
            self.deadlock = None;
        }
    }

    /// The event's change of state. The ops that change a sparkline's value (a depth, the
    /// slots taken, the waiters) sample it after; the declaration starts it at zero.
    fn fold(&mut self, ev: &Event, at: Coords) {
        let (w, t, ox) = (at.w, at.t, at.ox);
        match &ev.op {
            Op::Worker { .. } => {
                let wk = &mut self.workers[at.wx as usize];
                wk.timeline.push(t, Phase::Idle);
            }
            Op::Object { .. } => self.sample(ox, t),
            Op::Say { .. } => {}
            Op::Start => self.set_state_at(at.wx, t, WorkerState::Running),
            Op::SleepEnd => {
                // A task that woke long after its sleep was due was frozen behind its thread.
                if let Some(wk) = self.workers.get_mut(at.wx as usize)
                    && let Some(due) = wk.overdue(t)
                {
                    wk.timeline.push(due, Phase::Blocked);
                }
                self.set_state_at(at.wx, t, WorkerState::Running)
            }
            Op::Exit { how, msg } => self.exit(w, t, *how, msg.clone()),
            Op::SleepBegin { ms } => self.set_state_at(at.wx, t, WorkerState::Sleeping { ms: *ms }),
            Op::JoinBegin { target } => self.block(at, Wait::Join(*target)),
            Op::JoinEnd { .. } => self.unblock(at),
            Op::AcquireBegin { o } => {
                self.note_lock_order(at, *o);
                let contended = self.count_contention(ox);
                self.block(at, Wait::Acquire(*o));
                // An acquire that goes straight through is no waiter worth plotting: sampled,
                // it would show every uncontended lock as one waiting.
                if contended {
                    self.sample(ox, t);
                }
            }
            Op::AcquireEnd {
                ok, depth, value, ..
            } => {
                let once = *ok && self.one_push_acquire(at.wx);
                self.unblock_then(at, !once);
                if *ok {
                    self.acquired(at, Hold::Alone(*depth, *value), once);
                }
                self.sample(ox, t);
            }
            Op::Release { depth, value, .. } => {
                self.released(at, Hold::Alone(*depth, *value));
                self.sample(ox, t);
            }
            Op::AcquireSharedBegin { o } => {
                let contended = self.count_contention(ox);
                self.block(at, Wait::AcquireShared(*o));
                if contended {
                    self.sample(ox, t);
                }
            }
            Op::AcquireSharedEnd { ok, .. } => {
                let once = *ok && self.one_push_acquire(at.wx);
                self.unblock_then(at, !once);
                if *ok {
                    self.acquired(at, Hold::Shared, once);
                }
                self.sample(ox, t);
            }
            Op::ReleaseShared { .. } => {
                self.released(at, Hold::Shared);
                self.sample(ox, t);
            }
            Op::Set { .. } => self.set_flag(ox, true),
            Op::Clear { .. } => self.set_flag(ox, false),
            Op::WaitBegin { o } => self.block(at, Wait::Signal(*o)),
            Op::WaitEnd { .. } => self.unblock(at),
            Op::Notify { .. } | Op::NotifyAll { .. } => {}
            Op::PutBegin { o, .. } => {
                self.count_contention(ox);
                self.block(at, Wait::Put(*o));
            }
            Op::PutEnd {
                item, depth, ok, ..
            } => {
                self.unblock(at);
                if *ok {
                    self.put(ox, item, *depth);
                }
                self.sample(ox, t);
            }
            Op::GetBegin { o } => {
                self.count_contention(ox);
                self.block(at, Wait::Get(*o));
            }
            Op::RecvBegin { o } => {
                self.count_contention(ox);
                self.block(at, Wait::Recv(*o));
            }
            Op::GetEnd {
                item, depth, ok, ..
            } => {
                self.unblock(at);
                if *ok {
                    self.got(ox, item.as_deref(), *depth);
                }
                self.sample(ox, t);
            }
            Op::TaskDone { unfinished, .. } => {
                if let Some(ObjectState::Queue { unfinished: u, .. }) =
                    self.object_at(ox).map(|ob| &mut ob.state)
                {
                    *u = *unfinished;
                }
            }
            Op::QueueJoinBegin { o } => self.block(at, Wait::QueueJoin(*o)),
            Op::QueueJoinEnd { .. } => self.unblock(at),
            Op::Submit { .. } | Op::TaskBegin { .. } | Op::TaskEnd { .. } => {
                self.pool(w, ox, &ev.op)
            }
            Op::Send { item, .. } => {
                if let Some(ObjectState::Pipe { in_flight }) =
                    self.object_at(ox).map(|ob| &mut ob.state)
                    && in_flight.len() < ITEMS_KEPT
                {
                    in_flight.push_back(item.clone());
                }
            }
            Op::RecvEnd { ok, .. } => {
                self.unblock(at);
                if let (true, Some(ObjectState::Pipe { in_flight })) =
                    (*ok, self.object_at(ox).map(|ob| &mut ob.state))
                {
                    in_flight.pop_front();
                }
            }
            Op::Read { value, index, .. } | Op::Write { value, index, .. } => {
                if let Some(ob) = self.object_at(ox) {
                    ob.state.saw(*value, *index, ob.capacity);
                }
            }
            Op::Attach { .. } | Op::Detach { .. } | Op::Unlink { .. } => {
                self.shared_memory(w, ev.pid, ox, &ev.op)
            }
            Op::Outcome { text, ok } => self.outcome = Some((text.clone(), *ok)),
            Op::Gate { .. } => {
                if let Some(wk) = self.workers.get_mut(at.wx as usize) {
                    wk.parked = wk.state == WorkerState::Running;
                }
                self.refresh_phase_at(at.wx, t);
            }
        }
    }

    /// The object (by dense index) takes its sparkline's value after the event.
    fn sample(&mut self, ox: u32, t: u64) {
        if let Some(ob) = self.objects.get_mut(ox as usize)
            && let Some(v) = super::spark::value(ob)
        {
            ob.spark.record(t, v);
        }
    }

    /// Counts a request that finds the object busy or others waiting; true if it did.
    fn count_contention(&mut self, ox: u32) -> bool {
        let Some(obj) = self.object_at(ox) else {
            return false;
        };
        let busy = match &obj.state {
            ObjectState::Lock { owner, .. } => owner.is_some(),
            // A reader or a writer: either may have to wait (a reader, for a writer).
            ObjectState::RwLock { writer, readers } => writer.is_some() || !readers.is_empty(),
            ObjectState::Semaphore { value, .. } => *value == 0,
            _ => false,
        };
        let contended = busy || !obj.waiters.is_empty();
        if contended {
            obj.stats.contended += 1;
        }
        contended
    }

    fn exit(&mut self, w: WorkerId, t: u64, how: ExitHow, msg: Option<String>) {
        // A worker that ends while waiting is no longer a waiter anywhere.
        if let Some(o) = self
            .worker(w)
            .and_then(|wk| wk.blocked_on())
            .and_then(|b| b.object())
            && let Some(obj) = self.object_mut(o)
        {
            obj.remove_waiter(w);
        }
        self.set_state(w, t, WorkerState::Done { how, msg });
        self.clear_deadlock_of(w);
        self.waits_moved = true;
    }

    /// The event's worker took the event's object. With `push`, the lane's timeline takes
    /// its phase after the take even if nothing changed (`unblock_then` left it).
    fn acquired(&mut self, at: Coords, hold: Hold, push: bool) {
        if self.take(at, hold) || push {
            self.refresh_phase_at(at.wx, at.t);
        }
    }

    /// The object's side of `acquired`; true if the worker holds it now and did not before.
    fn take(&mut self, at: Coords, hold: Hold) -> bool {
        let (depth, value) = match hold {
            Hold::Alone(d, v) => (d, v),
            Hold::Shared => (None, None),
        };
        let w = at.w;
        let Some(obj) = self.object_at(at.ox) else {
            return false;
        };
        let o = obj.id;
        obj.stats.ops += 1;
        let mut first_hold = true;
        match &mut obj.state {
            ObjectState::Lock { owner, depth: d } => {
                first_hold = *owner != Some(w);
                *owner = Some(w);
                *d = depth.unwrap_or(if first_hold { 1 } else { *d + 1 });
            }
            ObjectState::Semaphore { value: v, holders } => {
                holders.push(w);
                *v = value.unwrap_or(v.saturating_sub(1));
                obj.stats.peak = obj.stats.peak.max(holders.len() as u64);
            }
            ObjectState::RwLock { writer, readers } => match hold {
                Hold::Shared => {
                    readers.push(w);
                    obj.stats.peak = obj.stats.peak.max(readers.len() as u64);
                }
                Hold::Alone(..) => *writer = Some(w),
            },
            _ => first_hold = false,
        }
        if first_hold && let Some(wk) = self.workers.get_mut(at.wx as usize) {
            wk.holding.push(o);
        }
        first_hold
    }

    /// The event's worker released the event's object.
    fn released(&mut self, at: Coords, hold: Hold) {
        let (depth, value) = match hold {
            Hold::Alone(d, v) => (d, v),
            Hold::Shared => (None, None),
        };
        let w = at.w;
        let Some(obj) = self.object_at(at.ox) else {
            return;
        };
        let o = obj.id;
        let mut freed: Option<WorkerId> = None;
        let mut problem = None;
        match &mut obj.state {
            ObjectState::Lock { owner, depth: d } => {
                if owner.is_none() {
                    problem = Some(format!("release of {} which is not held", obj.name));
                }
                let left = depth.unwrap_or(d.saturating_sub(1));
                *d = left;
                if left == 0 {
                    freed = owner.take();
                }
            }
            ObjectState::Semaphore { value: v, holders } => {
                // Python lets any thread release a semaphore: drop the releaser's own slot if
                // it has one, else the oldest.
                let i = holders.iter().position(|h| *h == w).unwrap_or(0);
                if i < holders.len() {
                    freed = Some(holders.remove(i));
                }
                *v = value.unwrap_or(*v + 1);
            }
            ObjectState::RwLock { writer, readers } => {
                freed = match hold {
                    Hold::Shared => readers
                        .iter()
                        .position(|r| *r == w)
                        .map(|i| readers.remove(i)),
                    Hold::Alone(..) => writer.take(),
                };
                if freed.is_none() {
                    problem = Some(format!("release of {} which is not held", obj.name));
                }
            }
            _ => {}
        }
        if let Some(p) = problem {
            self.fold_problem(p);
        }
        // The holder freed is nearly always the releaser (any thread may release a
        // semaphore).
        let hx = match freed {
            Some(h) if h == w => Some(at.wx),
            Some(h) => self.worker_index(h),
            None => None,
        };
        if let Some(hx) = hx {
            if let Some(wk) = self.workers.get_mut(hx as usize)
                && let Some(i) = wk.holding.iter().position(|x| *x == o)
            {
                wk.holding.remove(i);
            }
            self.refresh_phase_at(hx, at.t);
        }
    }

    fn set_flag(&mut self, ox: u32, on: bool) {
        if let Some(obj) = self.object_at(ox) {
            obj.stats.ops += 1;
            if let ObjectState::Event { flag } = &mut obj.state {
                *flag = on;
            }
        }
    }

    fn put(&mut self, ox: u32, item: &str, depth: u64) {
        let Some(obj) = self.object_at(ox) else {
            return;
        };
        obj.stats.ops += 1;
        obj.stats.peak = obj.stats.peak.max(depth);
        if let ObjectState::Queue {
            depth: d,
            unfinished,
            ..
        } = &mut obj.state
        {
            *d = depth;
            *unfinished += 1;
        }
        obj.put_item(item);
    }

    fn got(&mut self, ox: u32, item: Option<&str>, depth: u64) {
        let Some(obj) = self.object_at(ox) else {
            return;
        };
        obj.stats.ops += 1;
        if let ObjectState::Queue { depth: d, .. } = &mut obj.state {
            *d = depth;
        }
        obj.take_item(item, depth);
    }

    fn pool(&mut self, w: WorkerId, ox: u32, op: &Op) {
        let Some(obj) = self.object_at(ox) else {
            return;
        };
        if let ObjectState::Pool {
            submitted,
            running,
            done,
        } = &mut obj.state
        {
            match op {
                Op::Submit { .. } => *submitted += 1,
                Op::TaskBegin { task, .. } => running.push((w, *task)),
                Op::TaskEnd { task, result, .. } => {
                    running.retain(|(_, t)| t != task);
                    if done.len() < ITEMS_KEPT {
                        done.push((*task, result.clone()));
                    }
                }
                _ => {}
            }
        }
    }
}

/// How a worker holds what it takes or lets go: alone (a lock with its depth, a semaphore's
/// slot with its counter, an rwlock to write), or shared (an rwlock to read).
#[derive(Clone, Copy)]
enum Hold {
    Alone(Option<u32>, Option<u64>),
    Shared,
}

/// The kind an undeclared object most likely has, from the first op seen on it.
fn guess_kind(op: &Op) -> ObjectKind {
    match op {
        Op::AcquireBegin { .. } | Op::AcquireEnd { .. } | Op::Release { .. } => ObjectKind::Lock,
        Op::AcquireSharedBegin { .. } | Op::AcquireSharedEnd { .. } | Op::ReleaseShared { .. } => {
            ObjectKind::RwLock
        }
        Op::Set { .. } | Op::Clear { .. } | Op::WaitBegin { .. } | Op::WaitEnd { .. } => {
            ObjectKind::Event
        }
        Op::Notify { .. } | Op::NotifyAll { .. } => ObjectKind::Condition,
        Op::Submit { .. } | Op::TaskBegin { .. } | Op::TaskEnd { .. } => ObjectKind::Pool,
        Op::Send { .. } | Op::RecvBegin { .. } | Op::RecvEnd { .. } => ObjectKind::Pipe,
        Op::Read { .. } | Op::Write { .. } => ObjectKind::Value,
        _ => ObjectKind::Queue,
    }
}
