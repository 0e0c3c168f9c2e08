//! Reading other processes' JSON Lines streams into this run's one event stream.
//!
//! A child process (a scenario's, or a traced program) numbers its own workers and objects
//! from 0; `Ingest` maps each source's `(local id)` to a run-wide id, so many sources and the
//! run's own threads share one model. Per source the order of its lines is kept; sources are
//! merged by arrival, except where a line says it must come after another source's line
//! (`"after": [pid, line]`, see docs/wire-format.md): such a line, and every later line of its
//! source, waits until that line has been passed on. A malformed line is reported with its
//! source and line number and the rest of the stream is still read.
//!
//! Use: `add_source` per stream, `line` for each line read (in order), `end` at its EOF,
//! and inject the `Out::Event`s returned, in the order returned, under one lock.

use crate::event::{Event, ObjectId, Op, WorkerId};
use crate::wire;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// Where run-wide ids come from (the run's session, or a plain counter).
pub trait Ids: Send {
    fn worker(&mut self) -> WorkerId;
    fn object(&mut self) -> ObjectId;
}

/// Ids from a plain counter (a stream read on its own, with nothing else in the model).
#[derive(Default)]
pub struct Counter {
    pub next_w: WorkerId,
    pub next_o: ObjectId,
}

impl Ids for Counter {
    fn worker(&mut self) -> WorkerId {
        self.next_w += 1;
        self.next_w - 1
    }
    fn object(&mut self) -> ObjectId {
        self.next_o += 1;
        self.next_o
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceId(pub usize);

/// What a line turned into, in the order it must reach the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// An event of a source, its ids now the run's (its `t` is still the source's own).
    Event(SourceId, Event),
    /// A `{"data": ...}` line: a message for whoever reads the source, not an event; or
    /// the message an event line carries beside its `"op"` (right after that event).
    Data { src: SourceId, value: Value },
    /// A line that could not be read: "child c1 (pid 4321) line 7: not JSON: …".
    Malformed { src: SourceId, text: String },
}

enum Item {
    /// An event, and the message it carries if it sends one (`"data"` beside `"op"`).
    Event(Event, Option<Value>),
    Data(Value),
    /// A malformed line (already reported): it still counts as a line.
    Nothing,
}

struct Held {
    item: Item,
    after: Option<(u32, u64)>,
    since: Instant,
}

struct Source {
    label: String,
    pid: u32,
    workers: HashMap<WorkerId, WorkerId>,
    objects: HashMap<ObjectId, ObjectId>,
    /// Local workers declared by the reader already: their own declaration is dropped.
    bound: HashSet<WorkerId>,
    read: u64,
    /// Lines passed on, in order.
    passed: u64,
    held: VecDeque<Held>,
    ended: bool,
}

/// Longest a line waits for the line it must follow (its source may have died between
/// taking its place and writing it); then it goes on, and the gap is reported.
const PATIENCE: Duration = Duration::from_secs(10);

pub struct Ingest {
    ids: Box<dyn Ids>,
    sources: Vec<Source>,
    /// Objects every source shares by name (declared by the reader's side once).
    shared: HashMap<String, ObjectId>,
}

impl Ingest {
    pub fn new(ids: Box<dyn Ids>) -> Ingest {
        Ingest {
            ids,
            sources: Vec::new(),
            shared: HashMap::new(),
        }
    }

    /// A new stream; `label` names it in reports ("child c1 (pid 4321)").
    pub fn add_source(&mut self, label: impl Into<String>, pid: u32) -> SourceId {
        self.sources.push(Source {
            label: label.into(),
            pid,
            workers: HashMap::new(),
            objects: HashMap::new(),
            bound: HashSet::new(),
            read: 0,
            passed: 0,
            held: VecDeque::new(),
            ended: false,
        });
        SourceId(self.sources.len() - 1)
    }

    /// The source's worker `local` is the run's `global`, already declared by the reader
    /// (with the right name, kind and parent): the source's own declaration of it is dropped.
    pub fn bind_worker(&mut self, src: SourceId, local: WorkerId, global: WorkerId) {
        let s = &mut self.sources[src.0];
        s.workers.insert(local, global);
        s.bound.insert(local);
    }

    /// An object every source may declare under `name`: each declaration maps to `global`
    /// and is dropped (the object exists once, declared by the reader's side).
    pub fn share_object(&mut self, name: &str, global: ObjectId) {
        self.shared.insert(name.to_string(), global);
    }

    /// The run's id of a source's worker, if it has one yet.
    pub fn global_worker(&self, src: SourceId, local: WorkerId) -> Option<WorkerId> {
        self.sources[src.0].workers.get(&local).copied()
    }

    /// Lines of `src` read but still waiting to go on.
    pub fn held(&self, src: SourceId) -> usize {
        self.sources[src.0].held.len()
    }

    /// Lines of `src` passed on so far.
    pub fn passed(&self, src: SourceId) -> u64 {
        self.sources[src.0].passed
    }

    /// Reads one line of `src` (without its newline); returns what can go on now.
    pub fn line(&mut self, src: SourceId, bytes: &[u8]) -> Vec<Out> {
        let s = &mut self.sources[src.0];
        s.read += 1;
        let n = s.read;
        let mut out = Vec::new();
        let (item, after) = match parse(bytes) {
            Ok(x) => x,
            Err(what) => {
                out.push(Out::Malformed {
                    src,
                    text: format!("{} line {n}: {what}", s.label),
                });
                (Item::Nothing, None)
            }
        };
        s.held.push_back(Held {
            item,
            after,
            since: Instant::now(),
        });
        self.drain(&mut out);
        out
    }

    /// The stream of `src` ended: lines waiting for it go on.
    pub fn end(&mut self, src: SourceId) -> Vec<Out> {
        self.sources[src.0].ended = true;
        let mut out = Vec::new();
        self.drain(&mut out);
        out
    }

    /// Lines that waited too long for a line that never came go on, reported.
    pub fn tick(&mut self) -> Vec<Out> {
        let mut out = Vec::new();
        for i in 0..self.sources.len() {
            let s = &mut self.sources[i];
            if let Some(h) = s.held.front_mut()
                && let Some((pid, line)) = h.after
                && h.since.elapsed() >= PATIENCE
            {
                h.after = None;
                out.push(Out::Malformed {
                    src: SourceId(i),
                    text: format!(
                        "{} line {}: waited {} s for line {line} of pid {pid}, which never came; passed on",
                        s.label,
                        s.passed + 1,
                        PATIENCE.as_secs()
                    ),
                });
            }
        }
        self.drain(&mut out);
        out
    }

    fn ready(&self, after: Option<(u32, u64)>) -> bool {
        let Some((pid, line)) = after else {
            return true;
        };
        match self.sources.iter().rev().find(|s| s.pid == pid) {
            None => true,
            Some(s) => s.passed >= line || (s.ended && s.held.is_empty()),
        }
    }

    /// Passes on every line that may go, source by source, until none can.
    fn drain(&mut self, out: &mut Vec<Out>) {
        loop {
            let mut moved = false;
            for i in 0..self.sources.len() {
                while let Some(h) = self.sources[i].held.front() {
                    if !self.ready(h.after) {
                        break;
                    }
                    let h = self.sources[i].held.pop_front().expect("a head");
                    self.sources[i].passed += 1;
                    moved = true;
                    match h.item {
                        Item::Event(ev, data) => {
                            if let Some(ev) = self.remap(SourceId(i), ev) {
                                out.push(Out::Event(SourceId(i), ev));
                            }
                            // A send and its message go on together: no other line between.
                            if let Some(value) = data {
                                out.push(Out::Data {
                                    src: SourceId(i),
                                    value,
                                });
                            }
                        }
                        Item::Data(value) => out.push(Out::Data {
                            src: SourceId(i),
                            value,
                        }),
                        Item::Nothing => {}
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn worker_id(&mut self, src: SourceId, local: WorkerId) -> WorkerId {
        if let Some(g) = self.sources[src.0].workers.get(&local) {
            return *g;
        }
        let g = self.ids.worker();
        self.sources[src.0].workers.insert(local, g);
        g
    }

    /// The event in run-wide ids; `None` for a declaration the reader's side made already.
    fn remap(&mut self, src: SourceId, mut ev: Event) -> Option<Event> {
        if let Op::Worker { .. } = ev.op
            && self.sources[src.0].bound.contains(&ev.w)
        {
            return None;
        }
        if let Op::Object { o, name, .. } = &ev.op
            && let Some(g) = self.shared.get(name)
        {
            self.sources[src.0].objects.insert(*o, *g);
            return None;
        }
        ev.w = self.worker_id(src, ev.w);
        if ev.pid == 0 {
            ev.pid = self.sources[src.0].pid;
        }
        match &mut ev.op {
            Op::Worker {
                parent: Some(p), ..
            } => *p = self.worker_id(src, *p),
            Op::JoinBegin { target } | Op::JoinEnd { target, .. } => {
                *target = self.worker_id(src, *target)
            }
            _ => {}
        }
        if let Some(o) = ev.op.object_mut() {
            *o = match self.sources[src.0].objects.get(o) {
                Some(g) => *g,
                None => {
                    let g = self.ids.object();
                    self.sources[src.0].objects.insert(*o, g);
                    g
                }
            };
        }
        Some(ev)
    }
}

/// One line: an event or a data message, and the line it must follow.
fn parse(bytes: &[u8]) -> Result<(Item, Option<(u32, u64)>), String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8: {e}"))?
        .trim();
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let m = v.as_object().ok_or("not a JSON object")?;
    let after = match m.get("after") {
        None | Some(Value::Null) => None,
        Some(a) => Some(after_of(a)?),
    };
    if let (Some(d), false) = (m.get("data"), m.contains_key("op")) {
        return Ok((Item::Data(d.clone()), after));
    }
    Ok((
        Item::Event(wire::decode(text)?, m.get("data").cloned()),
        after,
    ))
}

fn after_of(a: &Value) -> Result<(u32, u64), String> {
    let bad = || format!("field \"after\" must be [pid, line], got {a}");
    let arr = a.as_array().filter(|x| x.len() == 2).ok_or_else(bad)?;
    let pid = arr[0].as_u64().and_then(|p| u32::try_from(p).ok());
    match (pid, arr[1].as_u64()) {
        (Some(p), Some(l)) => Ok((p, l)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ingest() -> Ingest {
        Ingest::new(Box::new(Counter {
            next_w: 10,
            next_o: 100,
        }))
    }

    fn events(out: &[Out]) -> Vec<&Event> {
        out.iter()
            .filter_map(|o| match o {
                Out::Event(_, e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn each_source_gets_its_own_ids_and_shared_objects_map_by_name() {
        let mut g = ingest();
        g.share_object("lock", 7);
        let a = g.add_source("child a (pid 1)", 1);
        let b = g.add_source("child b (pid 2)", 2);
        g.bind_worker(a, 0, 3);
        let decl = br#"{"op":"object","w":0,"o":1,"name":"lock","kind":"lock"}"#;
        assert!(
            g.line(a, decl).is_empty(),
            "a shared declaration is dropped"
        );
        assert!(g.line(b, decl).is_empty());
        let acq = br#"{"op":"acquire_begin","w":0,"o":1}"#;
        let ea = g.line(a, acq);
        let eb = g.line(b, acq);
        let (ea, eb) = (events(&ea)[0], events(&eb)[0]);
        assert_eq!((ea.w, ea.op.object(), ea.pid), (3, Some(7), 1));
        assert_eq!((eb.w, eb.op.object(), eb.pid), (10, Some(7), 2));
        let own = g.line(
            b,
            br#"{"op":"object","w":0,"o":2,"name":"q","kind":"queue"}"#,
        );
        assert_eq!(events(&own)[0].op.object(), Some(101));
    }

    #[test]
    fn a_malformed_line_is_reported_with_source_and_line_and_reading_goes_on() {
        let mut g = ingest();
        let a = g.add_source("child c1 (pid 9)", 9);
        assert_eq!(events(&g.line(a, br#"{"op":"start","w":0}"#)).len(), 1);
        let bad = g.line(a, b"{oops");
        match &bad[..] {
            [Out::Malformed { text, .. }] => {
                assert!(
                    text.starts_with("child c1 (pid 9) line 2: not JSON"),
                    "{text}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            events(&g.line(a, br#"{"op":"say","w":0,"text":"hi"}"#)).len(),
            1
        );
        assert_eq!(g.passed(a), 3);
    }

    #[test]
    fn a_line_after_another_sources_line_waits_for_it_and_keeps_its_source_order() {
        let mut g = ingest();
        let a = g.add_source("a", 1);
        let b = g.add_source("b", 2);
        // b's acquire must follow a's release (a's line 2); b's say comes after it.
        let acq = br#"{"op":"acquire_end","w":0,"o":1,"after":[1,2]}"#;
        assert!(g.line(b, acq).is_empty());
        assert!(g.line(b, br#"{"op":"say","w":0,"text":"x"}"#).is_empty());
        assert_eq!(events(&g.line(a, br#"{"op":"start","w":0}"#)).len(), 1);
        let out = g.line(a, br#"{"op":"release","w":0,"o":1}"#);
        let names: Vec<_> = events(&out).iter().map(|e| e.op.name()).collect();
        assert_eq!(names, ["release", "acquire_end", "say"]);
    }

    #[test]
    fn a_line_waiting_for_a_source_that_ended_goes_on() {
        let mut g = ingest();
        let a = g.add_source("a", 1);
        let b = g.add_source("b", 2);
        assert!(
            g.line(b, br#"{"op":"acquire_end","w":0,"o":1,"after":[1,5]}"#)
                .is_empty()
        );
        assert_eq!(events(&g.end(a)).len(), 1);
    }

    #[test]
    fn data_lines_come_out_in_their_place() {
        let mut g = ingest();
        let a = g.add_source("a", 1);
        let out = g.line(a, br#"{"data":{"result":5}}"#);
        assert!(matches!(&out[..], [Out::Data { value, .. }] if value["result"] == 5));
        let out = g.line(
            a,
            br#"{"op":"send","w":0,"o":1,"item":"x","data":{"v":"x"}}"#,
        );
        assert!(
            matches!(&out[..], [Out::Event(_, e), Out::Data { value, .. }]
                if e.op.name() == "send" && value["v"] == "x"),
            "{out:?}"
        );
    }
}
