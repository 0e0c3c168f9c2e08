//! The order of a scenario's child processes: each stream's lines in their own order,
//! streams merged by arrival, except that a line saying `"after": [pid, line]` (see
//! docs/wire-format.md) waits, with every later line of its stream, until that line of the
//! other process has gone on. Ids are each stream's own.

use super::core::{Core, Item, Line};
use super::{Out, StreamId};
use std::collections::VecDeque;
use std::time::Duration;

/// Longest a line waits for the line it must follow (its stream may have died between
/// taking its place and writing it); then it goes on, and the gap is reported.
const PATIENCE: Duration = Duration::from_secs(10);

struct Held {
    line: Line,
    /// When it was read, on the ingest's clock.
    since: u64,
}

#[derive(Default)]
struct Stream {
    /// Lines passed on, in order.
    passed: u64,
    held: VecDeque<Held>,
    ended: bool,
}

#[derive(Default)]
pub(super) struct After {
    streams: Vec<Stream>,
}

impl After {
    pub fn add_stream(&mut self) {
        self.streams.push(Stream::default());
    }

    pub fn held(&self, src: StreamId) -> usize {
        self.streams[src.0].held.len()
    }

    pub fn line(&mut self, core: &mut Core, src: StreamId, line: Line, out: &mut Vec<Out>) {
        let since = core.now();
        self.streams[src.0].held.push_back(Held { line, since });
        self.drain(core, out);
    }

    pub fn end(&mut self, core: &mut Core, src: StreamId, out: &mut Vec<Out>) {
        self.streams[src.0].ended = true;
        self.drain(core, out);
    }

    pub fn finish(&mut self, core: &mut Core, out: &mut Vec<Out>) {
        for s in &mut self.streams {
            s.ended = true;
        }
        self.drain(core, out);
    }

    /// Lines that waited too long for a line that never came go on, reported.
    pub fn tick(&mut self, core: &mut Core, out: &mut Vec<Out>) {
        let now = core.now();
        for (i, s) in self.streams.iter_mut().enumerate() {
            if let Some(h) = s.held.front_mut()
                && let Some((pid, line)) = h.line.after
                && now.saturating_sub(h.since) >= PATIENCE.as_nanos() as u64
            {
                h.line.after = None;
                out.push(Out::Malformed {
                    src: StreamId(i),
                    text: format!(
                        "{}, line {}: waited {} s for line {line} of pid {pid}, which never came; passed on",
                        core.streams[i].label,
                        s.passed + 1,
                        PATIENCE.as_secs()
                    ),
                });
            }
        }
        self.drain(core, out);
    }

    fn ready(&self, core: &Core, after: Option<(u32, u64)>) -> bool {
        let Some((pid, line)) = after else {
            return true;
        };
        // The newest stream of that pid: a pid may be used again once its process is gone.
        let i = core.streams.iter().rposition(|s| s.pid == pid);
        match i.map(|i| &self.streams[i]) {
            // Only a child writes `after`, naming another child: one the parent started
            // but has not added yet (a busy machine can hold it between the spawn and the
            // add). Its line is on its way; [`PATIENCE`] covers a child never added.
            None => false,
            Some(s) => s.passed >= line || (s.ended && s.held.is_empty()),
        }
    }

    /// Passes on every line that may go, stream by stream, until none can.
    fn drain(&mut self, core: &mut Core, out: &mut Vec<Out>) {
        loop {
            let mut moved = false;
            for i in 0..self.streams.len() {
                while let Some(h) = self.streams[i].held.front() {
                    if !self.ready(core, h.line.after) {
                        break;
                    }
                    let h = self.streams[i].held.pop_front().expect("a head");
                    self.streams[i].passed += 1;
                    moved = true;
                    pass_on(core, StreamId(i), h.line.item, out);
                }
            }
            if !moved {
                return;
            }
        }
    }
}

fn pass_on(core: &mut Core, src: StreamId, item: Item, out: &mut Vec<Out>) {
    match item {
        Item::Event {
            ev, owners, data, ..
        } => {
            if let Some(ev) = core.remap(src, ev, &owners) {
                out.push(Out::Event(src, ev));
            }
            // A send and its message go on together: no other line between.
            if let Some(value) = data {
                out.push(Out::Data { src, value });
            }
        }
        Item::Data(value) => out.push(Out::Data { src, value }),
        Item::Nothing => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Counter, Ingest, Out};
    use crate::event::Event;

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

    /// Every process that maps a shared memory block declares it: one object, by the
    /// block's name; another block is another object.
    #[test]
    fn shared_memory_declared_by_each_process_is_one_object_by_its_name() {
        let mut g = ingest();
        let a = g.add_source("child a (pid 1)", 1);
        let b = g.add_source("child b (pid 2)", 2);
        let decl = |o: u32, name: &str| {
            format!(
                r#"{{"op":"object","w":0,"o":{o},"name":"{name}","kind":"shared_memory","capacity":16}}"#
            )
        };
        let first = g.line(a, decl(4, "psm_1").as_bytes());
        assert_eq!(events(&first)[0].op.object(), Some(101));
        assert!(
            g.line(b, decl(9, "psm_1").as_bytes()).is_empty(),
            "the same block"
        );
        let attach = g.line(b, br#"{"op":"attach","w":0,"o":9}"#);
        assert_eq!(events(&attach)[0].op.object(), Some(101));
        let other = g.line(b, decl(10, "psm_2").as_bytes());
        assert_eq!(events(&other)[0].op.object(), Some(102));
        // Unlinked, the name is free: a block made under it again is another object.
        g.line(a, br#"{"op":"unlink","w":0,"o":4}"#);
        let again = g.line(a, decl(11, "psm_1").as_bytes());
        assert_eq!(events(&again)[0].op.object(), Some(103));
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
                    text.starts_with("child c1 (pid 9), line 2: not JSON"),
                    "{text}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            events(&g.line(a, br#"{"op":"say","w":0,"text":"hi"}"#)).len(),
            1
        );
        assert_eq!(g.read(a), 3);
        assert_eq!(g.held(a), 0);
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
    fn a_line_after_a_child_not_added_yet_waits_for_it() {
        let mut g = ingest();
        let b = g.add_source("b", 2);
        let put = br#"{"op":"acquire_end","w":0,"o":1,"after":[1,1]}"#;
        assert!(g.line(b, put).is_empty(), "child 1 is not read yet");
        let a = g.add_source("a", 1);
        let out = g.line(a, br#"{"op":"release","w":0,"o":1}"#);
        let names: Vec<_> = events(&out).iter().map(|e| e.op.name()).collect();
        assert_eq!(names, ["release", "acquire_end"]);
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
    fn a_line_waiting_too_long_goes_on_reported() {
        let mut g = ingest();
        g.at(0);
        let _a = g.add_source("a", 1);
        let b = g.add_source("b", 2);
        assert!(
            g.line(b, br#"{"op":"acquire_end","w":0,"o":1,"after":[1,5]}"#)
                .is_empty()
        );
        g.at(9_000_000_000);
        assert!(g.tick().is_empty(), "not yet");
        g.at(10_000_000_000);
        let out = g.tick();
        assert!(
            matches!(&out[..], [Out::Malformed { text, .. }, Out::Event(..)]
                if text.contains("b, line 1: waited 10 s for line 5 of pid 1")),
            "{out:?}"
        );
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
