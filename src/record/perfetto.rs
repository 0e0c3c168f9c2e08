//! A run's events as a Chrome Trace Event file (JSON object form), for Perfetto and
//! chrome://tracing. A pure function of the events: no threads, no clock, no I/O.
//!
//! What the file holds:
//! - a process per OS process of the run (`process_name` metadata; the first is the
//!   scenario), a track per worker (`thread_name`, `thread_sort_index` metadata);
//! - per worker, complete slices (`"ph":"X"`) on four nesting levels: its life (start to
//!   exit, with how it ended), the pool tasks it ran, what it holds (`holding`: "holds lock
//!   A", from the acquire to the release, whatever it does meanwhile: a sleep while holding
//!   is inside it), and its states, which tile its life: `running`, `blocked` (acquire, put,
//!   get, recv), `waiting` (event, condition, barrier, join) and `sleeping`, each with the
//!   object in `args`. A state is cut where holding begins or ends, and holding where a task
//!   does, so every slice nests in the one above it. Slices of no duration are left out, so
//!   an acquire that got the lock at once adds a holding slice but no blocked one;
//! - a run that did not finish (stuck, deadlocked, cut) leaves states open: they are closed
//!   where the trace ends, with `"open_at_end"` (how the run ended) in their `args`. A cut
//!   run's trace ends at the time asked for; a stuck or deadlocked one, whose clock stopped
//!   with its last event, a tenth of its length later (at least 100 ms), so the states it is
//!   stuck in show. An instant says where it ends and why, and one marks the moment a
//!   deadlock formed, naming its cycle;
//! - instant events (`"ph":"i"`) for the operations that take no time: set, clear, put, get,
//!   release, notify, task_done, submit, send, read, write, say, outcome;
//! - flow arrows (`"ph":"s"` → `"ph":"f"`, bound to the enclosing slices) from an operation to
//!   the one it let go on. Wake-ups follow the model's causes (`model::cause`): a release
//!   to the acquire that waited for it, a set (notify) to the waits it ended, a get to the
//!   put that waited for room, an exit to the joins that waited for it. Data follows its
//!   item: a put (send) to the get (recv) that took that item, a submit to the task's start.
//!
//! Every name a reader sees is in the model's words (`model::describe`), the words of the
//! TUI's lanes and log: a state slice is named as the lane names that state ("waiting for
//! lock A"), an instant as the log line says it ("released lock A"), an arrow by the object
//! it went through ("lock A").
//!
//! Times are the run's virtual time, in microseconds as the format wants.

use crate::cli::Plan;
use crate::event::{Event, ExitHow, ObjectId, Op, WorkerId, WorkerKind};
use crate::model::cause::{Via, Wake};
use crate::model::{World, describe};
use crate::runner::Mode;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};

use super::End;

mod end;
mod holding;

/// What the trace says about the run as a whole (`otherData`).
#[derive(Clone, Debug)]
pub struct Meta {
    pub scenario: String,
    pub variant: String,
    pub params: Vec<(String, i64)>,
    /// The seed, in seeded mode.
    pub seed: Option<u64>,
    pub end: End,
    /// Where a cut run's trace ends (the virtual time asked for).
    pub until: Option<u64>,
}

impl Meta {
    /// What the trace says of `plan`'s run, which ended as `end`; `until` is the virtual
    /// time it was cut at (with `End::Cut`).
    pub fn of(plan: &Plan, end: End, until: Option<u64>) -> Meta {
        Meta {
            scenario: plan.scenario.info.name.to_string(),
            variant: plan.config.variant.to_string(),
            params: plan
                .config
                .params
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect(),
            seed: (plan.options.mode == Mode::Seeded).then_some(plan.options.seed),
            end,
            until: until.filter(|_| end == End::Cut),
        }
    }
}

/// The trace of `events` (in the order the run sent them).
pub fn trace(events: &[Event], meta: &Meta) -> Value {
    let mut b = Builder::default();
    for ev in events {
        b.event(ev);
    }
    b.finish(meta)
}

/// Ranks of what starts at one instant, in the order a viewer must read them: a slice before
/// the slices it holds, arrows and instants after.
const RANK_LIFE: i64 = 0;
const RANK_TASK: i64 = 1;
const RANK_HOLD: i64 = 2;
const RANK_STATE: i64 = 3;
const RANK_FLOW: i64 = 4;
const RANK_INSTANT: i64 = 5;

/// Where the run's own instants go (its outcome): no worker's. The file puts them on the
/// first track, scoped to the whole trace (`"s":"g"`), so a viewer draws them across every
/// track rather than on the worker that happened to say them.
const RUN_TRACK: WorkerId = WorkerId::MAX;

/// A slice still open: since when, its category and name, its args.
type Open = (u64, &'static str, String, Map<String, Value>);

/// Virtual ns → the format's microseconds.
fn us(t: u64) -> f64 {
    t as f64 / 1000.0
}

#[derive(Default)]
struct Track {
    name: String,
    kind: Option<WorkerKind>,
    daemon: bool,
    /// The OS process whose track group this worker belongs to (its own events' pid).
    pid: Option<u32>,
    life: Option<u64>,
    task: Option<(u64, ObjectId, u64)>,
    /// The state slice open now.
    state: Option<Open>,
    /// The holding slice open now, and what it holds (in the order taken).
    hold: Option<(Open, Vec<ObjectId>)>,
}

#[derive(Default)]
struct Builder {
    tracks: Vec<Track>,
    track_ix: HashMap<WorkerId, usize>,
    /// Slices and instants: (ts in ns, rank for equal ts, the event without pid).
    out: Vec<(u64, i64, WorkerId, Map<String, Value>)>,
    next_flow: u64,
    /// The run folded as the TUI folds it: its causes draw the wake-up arrows.
    world: World,
    /// Items put (sent) and not yet taken, by object and item, oldest first.
    items: HashMap<(ObjectId, String), VecDeque<(WorkerId, u64)>>,
    submits: HashMap<(ObjectId, u64), (WorkerId, u64)>,
    last_t: u64,
    /// The run had a deadlock after the last event (to mark the moment one forms).
    deadlocked: bool,
}

impl Builder {
    fn track(&mut self, w: WorkerId) -> &mut Track {
        let ix = *self.track_ix.entry(w).or_insert_with(|| {
            self.tracks.push(Track {
                name: format!("worker {w}"),
                ..Track::default()
            });
            self.tracks.len() - 1
        });
        &mut self.tracks[ix]
    }

    /// The object's name and kind as the wire names them, for a slice's `args`.
    fn object_args(&self, o: ObjectId) -> Map<String, Value> {
        let (name, kind) = self
            .world
            .object(o)
            .map_or((format!("object {o}"), "object"), |ob| {
                (ob.name.clone(), ob.kind.as_str())
            });
        let mut m = Map::new();
        m.insert("object".into(), json!(name));
        m.insert("kind".into(), json!(kind));
        m
    }

    /// What worker `w` waits for since `ev` began its wait, as its lane says it.
    fn waiting(&self, w: WorkerId, ev: &Event) -> String {
        match self.world.worker(w).and_then(|k| k.blocked_on()) {
            Some(wait) => describe::waiting(&self.world, wait),
            // A worker the model did not take (past its id limit): the event's own words.
            None => describe::event(&self.world, ev),
        }
    }

    fn event(&mut self, ev: &Event) {
        // The model links each wake-up to its cause; the arrows follow it.
        let linked = self.world.causes.linked;
        self.world.apply(ev);
        if self.world.causes.linked > linked
            && let Some(k) = self.world.causes.last().copied()
        {
            self.wake_flow(&k);
        }
        self.last_t = self.last_t.max(ev.t);
        self.deadlock_mark(ev);
        let (t, w) = (ev.t, ev.w);
        match &ev.op {
            Op::Worker {
                name, kind, daemon, ..
            } => {
                let tr = self.track(w);
                tr.name = name.clone();
                tr.kind = Some(*kind);
                tr.daemon = *daemon;
                return;
            }
            Op::Object { .. } => return,
            _ => {}
        }
        let tr = self.track(w);
        if tr.pid.is_none() {
            tr.pid = Some(ev.pid);
        }
        if tr.life.is_none() && !matches!(ev.op, Op::Exit { .. }) {
            tr.life = Some(t);
            tr.state = Some((t, "running", "running".into(), Map::new()));
        }
        self.instant(ev);
        self.flows(ev);
        use Op::*;
        match &ev.op {
            AcquireBegin { o }
            | AcquireSharedBegin { o }
            | PutBegin { o, .. }
            | GetBegin { o }
            | RecvBegin { o }
            | WaitBegin { o }
            | QueueJoinBegin { o } => {
                let (cat, verb) = match ev.op {
                    AcquireBegin { .. } | AcquireSharedBegin { .. } => ("blocked", "acquire"),
                    PutBegin { .. } => ("blocked", "put"),
                    GetBegin { .. } => ("blocked", "get"),
                    RecvBegin { .. } => ("blocked", "recv"),
                    WaitBegin { .. } => ("waiting", "wait"),
                    _ => ("waiting", "join"),
                };
                let name = self.waiting(w, ev);
                let mut args = self.object_args(*o);
                args.insert("op".into(), json!(verb));
                self.enter(w, t, cat, name, args);
            }
            JoinBegin { target } => {
                let who = self.track(*target).name.clone();
                let name = self.waiting(w, ev);
                let mut args = Map::new();
                args.insert("target".into(), json!(who));
                self.enter(w, t, "waiting", name, args);
            }
            SleepBegin { ms } => {
                let mut args = Map::new();
                args.insert("ms".into(), json!(ms));
                self.enter(w, t, "sleeping", describe::sleeping(*ms), args);
            }
            AcquireEnd { ok, .. }
            | AcquireSharedEnd { ok, .. }
            | PutEnd { ok, .. }
            | GetEnd { ok, .. }
            | RecvEnd { ok, .. }
            | WaitEnd { ok, .. }
            | JoinEnd { ok, .. } => {
                let ok = *ok;
                if let Some(s) = &mut self.track(w).state
                    && s.1 != "running"
                {
                    s.3.insert("ok".into(), json!(ok));
                }
                self.enter(w, t, "running", "running".into(), Map::new());
            }
            QueueJoinEnd { .. } | SleepEnd => {
                self.enter(w, t, "running", "running".into(), Map::new())
            }
            TaskBegin { o, task } => {
                self.close_state(w, t);
                self.split_hold(w, t);
                self.track(w).task = Some((t, *o, *task));
                self.enter(w, t, "running", "running".into(), Map::new());
            }
            TaskEnd { result, .. } => {
                self.close_state(w, t);
                self.split_hold(w, t);
                if let Some((t0, o, task)) = self.track(w).task.take() {
                    let mut args = self.object_args(o);
                    args.insert("task".into(), json!(task));
                    if let Some(r) = result {
                        args.insert("result".into(), json!(r));
                    }
                    self.slice(w, t0, t, "task", format!("task {task}"), args);
                }
                self.enter(w, t, "running", "running".into(), Map::new());
            }
            Exit { how, msg } => {
                self.close_all(w, t, Some((*how, msg.clone())));
            }
            _ => {}
        }
        self.sync_holds(ev);
    }

    /// Closes `w`'s state slice at `t` and opens the next one there.
    fn enter(
        &mut self,
        w: WorkerId,
        t: u64,
        cat: &'static str,
        name: String,
        args: Map<String, Value>,
    ) {
        self.close_state(w, t);
        self.track(w).state = Some((t, cat, name, args));
    }

    fn close_state(&mut self, w: WorkerId, t: u64) {
        if let Some((t0, cat, name, args)) = self.track(w).state.take() {
            self.slice(w, t0, t, cat, name, args);
        }
    }

    fn close_all(&mut self, w: WorkerId, t: u64, how: Option<(ExitHow, Option<String>)>) {
        self.close_state(w, t);
        self.close_hold(w, t);
        if let Some((t0, o, task)) = self.track(w).task.take() {
            let mut args = self.object_args(o);
            args.insert("task".into(), json!(task));
            args.insert("unfinished".into(), json!(true));
            self.slice(w, t0, t, "task", format!("task {task}"), args);
        }
        let Some(t0) = self.track(w).life.take() else {
            return;
        };
        let tr = self.track(w);
        let name = tr.name.clone();
        let mut args = Map::new();
        if let Some(k) = tr.kind {
            args.insert("kind".into(), json!(k.as_str()));
        }
        args.insert("daemon".into(), json!(tr.daemon));
        match how {
            Some((how, msg)) => {
                args.insert("exit".into(), json!(how.as_str()));
                if let Some(m) = msg {
                    args.insert("message".into(), json!(m));
                }
            }
            None => {
                args.insert("exit".into(), json!("still running when the trace ends"));
            }
        }
        // The life slice must come before the states it holds when they start together.
        self.push_slice(w, t0, t, "life", name, args, RANK_LIFE);
    }

    fn slice(
        &mut self,
        w: WorkerId,
        t0: u64,
        t1: u64,
        cat: &'static str,
        name: String,
        args: Map<String, Value>,
    ) {
        if t1 <= t0 {
            return;
        }
        let rank = match cat {
            "task" => RANK_TASK,
            "holding" => RANK_HOLD,
            _ => RANK_STATE,
        };
        self.push_slice(w, t0, t1, cat, name, args, rank);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_slice(
        &mut self,
        w: WorkerId,
        t0: u64,
        t1: u64,
        cat: &'static str,
        name: String,
        args: Map<String, Value>,
        rank: i64,
    ) {
        let mut m = Map::new();
        m.insert("ph".into(), json!("X"));
        m.insert("name".into(), json!(name));
        m.insert("cat".into(), json!(cat));
        m.insert("ts".into(), json!(us(t0)));
        m.insert("dur".into(), json!(us(t1 - t0)));
        m.insert("args".into(), Value::Object(args));
        self.out.push((t0, rank, w, m));
    }

    /// The instant of an operation that takes no time, named as the log says it; its
    /// numbers in `args` too.
    fn instant(&mut self, ev: &Event) {
        use Op::*;
        let mut args = ev
            .op
            .object()
            .map(|o| self.object_args(o))
            .unwrap_or_default();
        let mut arg = |k: &str, v: Value| {
            args.insert(k.into(), v);
        };
        match &ev.op {
            Set { .. } | Clear { .. } | NotifyAll { .. } => {}
            Release { depth, value, .. } => {
                if let Some(d) = depth {
                    arg("depth", json!(d));
                }
                if let Some(v) = value {
                    arg("value", json!(v));
                }
            }
            Notify { n, .. } => arg("n", json!(n)),
            PutEnd {
                item,
                depth,
                ok: true,
                ..
            }
            | GetEnd {
                item: Some(item),
                depth,
                ok: true,
                ..
            } => {
                arg("item", json!(item));
                arg("depth", json!(depth));
            }
            TaskDone { unfinished, .. } => arg("unfinished", json!(unfinished)),
            Submit { task, .. } => arg("task", json!(task)),
            Send { item, .. } => arg("item", json!(item)),
            Read { value, index, .. } | Write { value, index, .. } => {
                arg("value", crate::wire::num_json(*value));
                if let Some(i) = index {
                    arg("index", json!(i));
                }
            }
            Say { text } => arg("text", json!(text)),
            Outcome { text, ok } => {
                // The run's verdict, not its sayer's (in `daemon` the last worker killed
                // states it): an instant of the whole trace, on no worker's track.
                arg("text", json!(text));
                arg("ok", json!(ok));
                let name = describe::event(&self.world, ev);
                self.global_instant(RUN_TRACK, ev.t, name, ev.op.name(), args);
                return;
            }
            _ => return,
        }
        let mut m = Map::new();
        m.insert("ph".into(), json!("i"));
        m.insert("s".into(), json!("t"));
        m.insert("name".into(), json!(describe::event(&self.world, ev)));
        m.insert("cat".into(), json!(ev.op.name()));
        m.insert("ts".into(), json!(us(ev.t)));
        m.insert("args".into(), Value::Object(args));
        self.out.push((ev.t, RANK_INSTANT, ev.w, m));
    }

    /// Records what `ev` lets go on later, and draws the arrow to `ev` from what let it go.
    fn flows(&mut self, ev: &Event) {
        use Op::*;
        let (t, w) = (ev.t, ev.w);
        match &ev.op {
            PutEnd {
                o, item, ok: true, ..
            }
            | Send { o, item } => {
                self.items
                    .entry((*o, item.clone()))
                    .or_default()
                    .push_back((w, t));
            }
            GetEnd {
                o,
                item: Some(item),
                ok: true,
                ..
            }
            | RecvEnd {
                o,
                item: Some(item),
                ok: true,
            } => {
                if let Some(from) = self
                    .items
                    .get_mut(&(*o, item.clone()))
                    .and_then(|q| q.pop_front())
                {
                    self.flow(*o, from, (w, t));
                }
            }
            Submit { o, task } => {
                self.submits.insert((*o, *task), (w, t));
            }
            TaskBegin { o, task } => {
                if let Some(from) = self.submits.remove(&(*o, *task)) {
                    self.flow(*o, from, (w, t));
                }
            }
            _ => {}
        }
    }

    /// A wake-up's arrow: from the release, set, notify, get or exit that ended a wait to
    /// where the waiter went on. A put that ended a get is drawn by its item instead (every
    /// put to the get that took it, waiting or not).
    fn wake_flow(&mut self, k: &Wake) {
        match (k.via, k.o) {
            (Via::Put | Via::Send, _) => {}
            (_, Some(o)) => self.flow(o, (k.by, k.by_t), (k.woken, k.t)),
            (_, None) => {
                let name = format!("join {}", self.track(k.by).name);
                self.flow_named(name, (k.by, k.by_t), (k.woken, k.t));
            }
        }
    }

    fn flow(&mut self, o: ObjectId, from: (WorkerId, u64), to: (WorkerId, u64)) {
        let name = describe::object(&self.world, o);
        self.flow_named(name, from, to);
    }

    fn flow_named(&mut self, name: String, from: (WorkerId, u64), to: (WorkerId, u64)) {
        self.next_flow += 1;
        let id = self.next_flow;
        for (ph, (w, t)) in [("s", from), ("f", to)] {
            let mut m = Map::new();
            m.insert("ph".into(), json!(ph));
            m.insert("id".into(), json!(id));
            m.insert("name".into(), json!(name));
            m.insert("cat".into(), json!("flow"));
            m.insert("bp".into(), json!("e"));
            m.insert("ts".into(), json!(us(t)));
            self.out.push((t, RANK_FLOW, w, m));
        }
    }
}
