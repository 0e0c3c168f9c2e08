//! What both orders share: the streams and their line numbers, one line read into an event
//! (or a data message), problems worded with their place, and local ids mapped to run-wide
//! ones. Orders nothing.

use super::local_ids::LocalIds;
use super::{Ids, MAX_LINE, Out, StreamId};
use crate::event::{Event, ObjectId, ObjectKind, Op, WorkerId};
use crate::wire;
use crate::wire::flat;
use serde_json::Value;
use std::hash::{BuildHasherDefault, Hasher};

/// Ids are small numbers we make ourselves, not input an attacker chooses: a multiply-shift
/// hash is enough, and several times cheaper than SipHash on every line.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Fast = BuildHasherDefault<IdHasher>;
pub(super) type HashMap<K, V> = std::collections::HashMap<K, V, Fast>;
pub(super) type HashSet<K> = std::collections::HashSet<K, Fast>;

/// Whose numbering a local id is in: a process (by pid) or a stream (by index).
pub(super) type Owner = u64;

pub(super) fn process(pid: u32) -> Owner {
    pid as u64
}

fn stream(src: StreamId) -> Owner {
    (1 << 32) | src.0 as u64
}

/// The owner of each id an event names.
#[derive(Clone, Copy, Debug)]
pub(super) struct Owners {
    w: Owner,
    o: Owner,
    target: Owner,
    parent: Owner,
}

/// One line read, its ids still the stream's.
pub(super) enum Item {
    /// An event, the owners of its ids, and the message it carries if it sends one
    /// (`"data"` beside `"op"`); `shared`: an object several processes use.
    Event {
        ev: Event,
        owners: Owners,
        data: Option<Value>,
        shared: bool,
    },
    Data(Value),
    /// A blank or malformed line (already reported): it still counts as a line.
    Nothing,
}

/// A line and the line of another process it must follow (`"after": [pid, line]`).
pub(super) struct Line {
    pub item: Item,
    pub after: Option<(u32, u64)>,
}

pub(super) struct Stream {
    pub label: String,
    pub pid: u32,
    /// Lines read so far: the number of the last one.
    pub read: u64,
}

pub(super) struct Core {
    ids: Box<dyn Ids>,
    /// Ids are owned by the process a line names (a traced program), not by the stream.
    by_process: bool,
    pub streams: Vec<Stream>,
    workers: LocalIds,
    objects: LocalIds,
    /// Local workers declared by the reader already: their own declaration is dropped.
    bound: HashSet<(Owner, WorkerId)>,
    /// Objects every stream shares by name (declared by the reader's side once).
    pub shared: std::collections::HashMap<String, ObjectId>,
    /// Shared memory blocks by their names: every process that maps a block declares it,
    /// and each block is one object.
    blocks: std::collections::HashMap<String, ObjectId>,
    /// The caller's clock, if it pinned one; the machine's otherwise.
    pub now: Option<u64>,
}

impl Core {
    pub fn new(ids: Box<dyn Ids>, by_process: bool) -> Core {
        Core {
            ids,
            by_process,
            streams: Vec::new(),
            workers: LocalIds::default(),
            objects: LocalIds::default(),
            bound: HashSet::default(),
            shared: std::collections::HashMap::new(),
            blocks: std::collections::HashMap::new(),
            now: None,
        }
    }

    pub fn now(&self) -> u64 {
        self.now.unwrap_or_else(crate::source::clock::monotonic_ns)
    }

    pub fn add_stream(&mut self, label: String, pid: u32) -> StreamId {
        self.streams.push(Stream {
            label,
            pid,
            read: 0,
        });
        StreamId(self.streams.len() - 1)
    }

    pub fn stream(&self, src: StreamId) -> &Stream {
        &self.streams[src.0]
    }

    /// `owner`'s worker `local` is the next run-wide worker id (a traced program's main).
    pub fn own_worker(&mut self, owner: Owner, local: WorkerId) {
        let g = self.ids.worker();
        self.workers.insert(owner, local, g);
    }

    pub fn bind_worker(&mut self, src: StreamId, local: WorkerId, global: WorkerId) {
        let owner = self.owner_of(src, 0);
        self.workers.insert(owner, local, global);
        self.bound.insert((owner, local));
    }

    fn owner_of(&self, src: StreamId, pid: u32) -> Owner {
        if self.by_process {
            process(pid)
        } else {
            stream(src)
        }
    }

    /// Reads one line of `src`; a malformed one is reported into `out` and counts as a line.
    pub fn parse(&mut self, src: StreamId, bytes: &[u8], out: &mut Vec<Out>) -> Line {
        self.streams[src.0].read += 1;
        match self.read_line(src, bytes) {
            Ok(line) => line,
            Err(what) => self.report(src, &what, out),
        }
    }

    /// One record of a frame (see [`super::packed`]): its event, and the one that goes
    /// with it (an acquire taken at once is two); a bad one is reported like a malformed
    /// line. Each record counts as a line.
    pub fn record(
        &mut self,
        src: StreamId,
        pid: u32,
        bytes: &[u8],
        out: &mut Vec<Out>,
    ) -> (Line, Option<Line>) {
        self.streams[src.0].read += 1;
        match super::packed::record(pid, bytes) {
            Ok(r) => {
                let own = self.owner_of(src, pid);
                let owners = Owners {
                    w: own,
                    o: self.owner_of(src, r.opid),
                    target: own,
                    parent: own,
                };
                let line = |ev| Line {
                    item: Item::Event {
                        ev,
                        owners,
                        data: None,
                        shared: false,
                    },
                    after: None,
                };
                (line(r.ev), r.then.map(line))
            }
            Err(what) => (self.report(src, &what, out), None),
        }
    }

    /// A line longer than [`MAX_LINE`] (skipped unread): reported with its length; it
    /// still counts as a line.
    pub fn skip(&mut self, src: StreamId, len: usize, out: &mut Vec<Out>) -> Line {
        self.streams[src.0].read += 1;
        let what = format!(
            "{len} bytes without a newline, longer than the {} MiB a line may be; skipped",
            MAX_LINE >> 20
        );
        self.report(src, &what, out)
    }

    /// A problem with the line of `src` just read, worded with its place.
    pub fn problem(&self, src: StreamId, what: &str) -> Out {
        let s = &self.streams[src.0];
        Out::Malformed {
            src,
            text: format!("{}, line {}: {what}", s.label, s.read),
        }
    }

    fn report(&self, src: StreamId, what: &str, out: &mut Vec<Out>) -> Line {
        out.push(self.problem(src, what));
        Line {
            item: Item::Nothing,
            after: None,
        }
    }

    fn read_line(&self, src: StreamId, bytes: &[u8]) -> Result<Line, String> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8: {e}"))?
            .trim();
        if text.is_empty() {
            return Ok(Line {
                item: Item::Nothing,
                after: None,
            });
        }
        if let Some(f) = flat::parse(text)
            && !f.has("after")
            && !f.has("data")
        {
            // Most lines: an event's flat fields, read without serde_json's map.
            let ev = wire::decode_flat(&f)?;
            let owners = self.owners(src, &ev, |k| f.get(k))?;
            let shared = f.get("shared").and_then(Value::as_bool) == Some(true);
            return Ok(Line {
                item: Item::Event {
                    owners,
                    data: None,
                    shared,
                    ev,
                },
                after: None,
            });
        }
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let m = v.as_object().ok_or("not a JSON object")?;
        let after = match m.get("after") {
            None | Some(Value::Null) => None,
            Some(a) => Some(after_of(a)?),
        };
        if let (Some(d), false) = (m.get("data"), m.contains_key("op")) {
            return Ok(Line {
                item: Item::Data(d.clone()),
                after,
            });
        }
        let ev = wire::decode_value(&v)?;
        let owners = self.owners(src, &ev, |k| m.get(k))?;
        Ok(Line {
            item: Item::Event {
                owners,
                data: m.get("data").cloned(),
                shared: m.get("shared").and_then(Value::as_bool) == Some(true),
                ev,
            },
            after,
        })
    }

    /// Whose the ids of `ev`'s worker, object, target and parent are: their processes'
    /// (`wpid`, `opid`, `tpid`, `ppid`, read by `get`), else the event's own.
    fn owners<'v>(
        &self,
        src: StreamId,
        ev: &Event,
        get: impl Fn(&str) -> Option<&'v Value>,
    ) -> Result<Owners, String> {
        let owner = |k: &str| -> Result<Owner, String> {
            let pid = field_u32(get(k), k)?.unwrap_or(ev.pid);
            Ok(self.owner_of(src, pid))
        };
        Ok(Owners {
            w: owner("wpid")?,
            o: owner("opid")?,
            target: owner("tpid")?,
            parent: owner("ppid")?,
        })
    }

    /// The event in run-wide ids; `None` for a declaration the reader's side made already.
    pub fn remap(&mut self, src: StreamId, mut ev: Event, owners: &Owners) -> Option<Event> {
        if let Op::Worker { .. } = ev.op
            && self.bound.contains(&(owners.w, ev.w))
        {
            return None;
        }
        // Most programs share no object across processes: no name is hashed then.
        if let Op::Object { o, name, .. } = &ev.op
            && !self.shared.is_empty()
            && let Some(g) = self.shared.get(name)
        {
            self.objects.insert(owners.o, *o, *g);
            return None;
        }
        ev.w = self.worker(owners.w, ev.w);
        if ev.pid == 0 {
            ev.pid = self.streams[src.0].pid;
        }
        match &mut ev.op {
            Op::Worker { parent, thread, .. } => {
                if let Some(p) = parent {
                    *p = self.worker(owners.parent, *p);
                }
                // A task's thread is in the task's own process.
                if let Some(th) = thread {
                    *th = self.worker(owners.w, *th);
                }
            }
            Op::JoinBegin { target } | Op::JoinEnd { target, .. } => {
                *target = self.worker(owners.target, *target)
            }
            _ => {}
        }
        if let Op::Object {
            o,
            name,
            kind: ObjectKind::SharedMemory,
            ..
        } = &ev.op
        {
            if let Some(g) = self.blocks.get(name) {
                self.objects.insert(owners.o, *o, *g);
                return None; // a block another process declared: the same object
            }
            let g = self.objects.get_or_make(owners.o, *o, || self.ids.object());
            self.blocks.insert(name.clone(), g);
        }
        if let Some(o) = ev.op.object_mut() {
            let ids = &mut self.ids;
            *o = self.objects.get_or_make(owners.o, *o, || ids.object());
        }
        if let Op::Unlink { o } = ev.op {
            // Its name is free: a block made under it again is another block.
            self.blocks.retain(|_, g| *g != o);
        }
        Some(ev)
    }

    pub fn worker_of(&mut self, pid: u32, local: WorkerId) -> WorkerId {
        self.worker(process(pid), local)
    }

    pub fn object_of(&mut self, pid: u32, local: ObjectId) -> ObjectId {
        let ids = &mut self.ids;
        self.objects
            .get_or_make(process(pid), local, || ids.object())
    }

    fn worker(&mut self, owner: Owner, local: WorkerId) -> WorkerId {
        let ids = &mut self.ids;
        self.workers.get_or_make(owner, local, || ids.worker())
    }
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

fn field_u32(v: Option<&Value>, k: &str) -> Result<Option<u32>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .map(Some)
            .ok_or_else(|| format!("field \"{k}\" must be a small non-negative integer, got {v}")),
    }
}
