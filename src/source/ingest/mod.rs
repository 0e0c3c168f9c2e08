//! One reader for the one wire format: other processes' JSON Lines streams made into this
//! run's one stream of events.
//!
//! Every stream numbers its own workers and objects; the core here maps each `(owner, local
//! id)` to a run-wide id, numbers every stream's lines and reports a malformed one with its
//! stream and line number while the rest is still read. Only the order in which lines go on
//! differs, and each order is a flavour behind the one [`Ingest`] type (as crossbeam-channel
//! keeps its `flavors/` behind one `Sender`):
//!
//! - [`after`]: a scenario's child processes. Per stream the order of its lines is kept;
//!   streams are merged by arrival, except where a line says it must follow another stream's
//!   line (`"after": [pid, line]`). Ids are the stream's own.
//! - [`timed`]: a traced program. Lines of every process are put back in `t` order after a
//!   short hold; ids belong to a process (`pid`, or `wpid`/`opid`/`tpid`/`ppid` for an id of
//!   another process), so one process's lines may name another's workers and objects.
//!
//! A stream's bytes are cut into lines by [`Lines`], which skips a line past [`MAX_LINE`]
//! (the reader then calls `skip` instead of `line`).
//!
//! Use: `add_source` per stream, `line` for each line read (in order), `tick` now and then,
//! `end` at a stream's EOF, `finish` when nothing more will come; pass on the [`Out`]s
//! returned, in the order returned. The ingest reads no clock of its own when the caller
//! pins one with `at` (the tests, and the traced program's reader, which reads by passes).
//! It does no I/O.

pub mod after;
mod core;
pub mod lines;
mod local_ids;
pub mod packed;
pub mod timed;

pub use lines::{Lines, MAX_LINE, Piece};
pub use packed::Frames;

use self::core::Core;
use crate::event::{Event, ExitHow, ObjectId, WorkerId};
use serde_json::Value;
use std::time::Duration;

/// Where run-wide ids come from (the run's session, or a plain counter).
pub trait Ids: Send {
    fn worker(&mut self) -> WorkerId;
    fn object(&mut self) -> ObjectId;
}

/// Ids from a plain counter (a stream read on its own, with nothing else in the model):
/// workers from `next_w`, objects from `next_o + 1`.
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

/// One stream read into the ingest (a child's stdout, one connection of a traced program).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamId(pub usize);

/// What a line turned into, in the order it must reach the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// An event of a stream, its ids now the run's (its `t` is still the stream's own).
    Event(StreamId, Event),
    /// A `{"data": ...}` line: a message for whoever reads the stream, not an event; or
    /// the message an event line carries beside its `"op"` (right after that event).
    Data { src: StreamId, value: Value },
    /// A line that could not be read: "child c1 (pid 4321), line 7: not JSON: …".
    Malformed { src: StreamId, text: String },
}

/// The order lines go on in; see the module doc.
enum Flavor {
    After(after::After),
    Timed(Box<timed::Timed>),
}

pub struct Ingest {
    core: Core,
    flavor: Flavor,
}

impl Ingest {
    /// Streams merged by arrival and `after` hints, each stream's ids its own (a
    /// scenario's child processes); run-wide ids from `ids`.
    pub fn new(ids: Box<dyn Ids>) -> Ingest {
        Ingest {
            core: Core::new(ids, false),
            flavor: Flavor::After(after::After::default()),
        }
    }

    /// Lines put in `t` order after each waited `hold`, ids owned by processes (a traced
    /// program). `root_pid`: its first process, whose main thread becomes worker 0;
    /// `started`: when the run began, on the clock given to [`Ingest::at`] (a `t` past the
    /// run's age is reported and does not move its clock).
    pub fn timed(root_pid: u32, hold: Duration, started: u64) -> Ingest {
        let mut core = Core::new(Box::new(Counter::default()), true);
        core.own_worker(core::process(root_pid), 0);
        Ingest {
            core,
            flavor: Flavor::Timed(Box::new(timed::Timed::new(root_pid, hold, started))),
        }
    }

    /// Pins the ingest's clock (ns, any monotonic base) until the next call: lines read are
    /// stamped with it, and `tick` lets go what has waited long enough by it.
    pub fn at(&mut self, now: u64) {
        self.core.now = Some(now);
    }

    /// A new stream; `label` names it in reports ("child c1 (pid 4321)"); `pid` is its
    /// process when known (0 if not), given to its events that name none.
    pub fn add_source(&mut self, label: impl Into<String>, pid: u32) -> StreamId {
        let src = self.core.add_stream(label.into(), pid);
        if let Flavor::After(a) = &mut self.flavor {
            a.add_stream();
        }
        src
    }

    /// The stream's worker `local` is the run's `global`, already declared by the reader
    /// (with the right name, kind and parent): the stream's own declaration of it is dropped.
    pub fn bind_worker(&mut self, src: StreamId, local: WorkerId, global: WorkerId) {
        self.core.bind_worker(src, local, global);
    }

    /// The run-wide id of process `pid`'s worker `local` (made now if no line named it yet):
    /// a traced program's gate line names its thread before its events are let go.
    pub fn worker_of(&mut self, pid: u32, local: WorkerId) -> WorkerId {
        self.core.worker_of(pid, local)
    }

    /// The same for process `pid`'s object `local`.
    pub fn object_of(&mut self, pid: u32, local: ObjectId) -> ObjectId {
        self.core.object_of(pid, local)
    }

    /// An object every stream may declare under `name`: each declaration maps to `global`
    /// and is dropped (the object exists once, declared by the reader's side).
    pub fn share_object(&mut self, name: &str, global: ObjectId) {
        self.core.shared.insert(name.to_string(), global);
    }

    /// Lines of `src` read but still waiting to go on.
    pub fn held(&self, src: StreamId) -> usize {
        match &self.flavor {
            Flavor::After(a) => a.held(src),
            Flavor::Timed(t) => t.held(src),
        }
    }

    /// How many streams have been added.
    pub fn streams(&self) -> usize {
        self.core.streams.len()
    }

    /// Lines of `src` read so far.
    pub fn read(&self, src: StreamId) -> u64 {
        self.core.stream(src).read
    }

    /// Reads one line of `src` (without its newline); returns what can go on now.
    pub fn line(&mut self, src: StreamId, bytes: &[u8]) -> Vec<Out> {
        let mut out = Vec::new();
        let parsed = self.core.parse(src, bytes, &mut out);
        match &mut self.flavor {
            Flavor::After(a) => a.line(&mut self.core, src, parsed, &mut out),
            Flavor::Timed(t) => t.line(&mut self.core, src, parsed, &mut out),
        }
        out
    }

    /// A frame of records from process `pid` on `src` (see [`packed`]): each record is
    /// read as a line would be; what can go on now is added to `out`.
    pub fn records(&mut self, src: StreamId, pid: u32, records: &[u8], out: &mut Vec<Out>) {
        for r in records.chunks_exact(packed::RECORD) {
            let (first, then) = self.core.record(src, pid, r, out);
            for parsed in std::iter::once(first).chain(then) {
                match &mut self.flavor {
                    Flavor::After(a) => a.line(&mut self.core, src, parsed, out),
                    Flavor::Timed(t) => t.line(&mut self.core, src, parsed, out),
                }
            }
        }
    }

    /// A frame of `src` whose length made no sense: reported; the rest of the stream is
    /// not read.
    pub fn bad_frame(&mut self, src: StreamId, len: usize) -> Vec<Out> {
        let what = format!(
            "a frame of {len} bytes, not whole records of {} bytes; the rest of the stream is not read",
            packed::RECORD
        );
        vec![self.core.problem(src, &what)]
    }

    /// A line of `src` longer than [`MAX_LINE`], skipped unread (see [`Lines`]): it is
    /// reported with its length and counts as a line.
    pub fn skip(&mut self, src: StreamId, len: usize) -> Vec<Out> {
        let mut out = Vec::new();
        let parsed = self.core.skip(src, len, &mut out);
        match &mut self.flavor {
            Flavor::After(a) => a.line(&mut self.core, src, parsed, &mut out),
            Flavor::Timed(t) => t.line(&mut self.core, src, parsed, &mut out),
        }
        out
    }

    /// Lets go what has waited long enough (see the flavours).
    pub fn tick(&mut self) -> Vec<Out> {
        let mut out = Vec::new();
        match &mut self.flavor {
            Flavor::After(a) => a.tick(&mut self.core, &mut out),
            Flavor::Timed(t) => t.tick(&mut self.core, &mut out),
        }
        out
    }

    /// The stream of `src` ended: lines waiting for it go on.
    pub fn end(&mut self, src: StreamId) -> Vec<Out> {
        let mut out = Vec::new();
        if let Flavor::After(a) = &mut self.flavor {
            a.end(&mut self.core, src, &mut out);
        }
        out
    }

    /// `src`'s process is left running, untraced, when reading ends: its workers are not
    /// said to die with it at [`Ingest::finish`] (a traced program's background process).
    pub fn let_go(&mut self, src: StreamId) {
        if let Flavor::Timed(t) = &mut self.flavor {
            t.let_go(src);
        }
    }

    /// The run's age at `now` on the ingest's clock: the `t` a traced program's line says
    /// at that moment.
    pub fn age_at(&self, now: u64) -> u64 {
        match &self.flavor {
            Flavor::Timed(t) => now.saturating_sub(t.started()),
            Flavor::After(_) => now,
        }
    }

    /// The program's first process has ended with `how` (and `msg`): its main thread ends
    /// so at [`Ingest::finish`] if it has not said how it ended (a traced program's).
    pub fn root_ended(&mut self, how: ExitHow, msg: Option<String>) {
        if let Flavor::Timed(t) = &mut self.flavor {
            t.root_ended(how, msg);
        }
    }

    /// Nothing more will come: everything held goes on (and a traced program's workers that
    /// never said they ended end as killed: they died with their process).
    pub fn finish(&mut self) -> Vec<Out> {
        let mut out = Vec::new();
        match &mut self.flavor {
            Flavor::After(a) => a.finish(&mut self.core, &mut out),
            Flavor::Timed(t) => t.finish(&mut self.core, &mut out),
        }
        out
    }
}
