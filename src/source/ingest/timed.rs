//! The order of a traced program: its processes write on their own connections, so lines of
//! every process are put back in `t` order; each waits a short hold after it arrives, which
//! lets a slower connection catch up. Ids belong to processes (see the core), so the lane of
//! a worker is named with its pid; a worker said to end twice (a killed child is reported by
//! its parent too) ends once; a queue several processes use has its depth counted here, in
//! the merged order.

use super::core::{Core, HashMap, HashSet, Item, Line};
use super::{Out, StreamId};
use crate::event::{Event, ExitHow, Op, WorkerId, WorkerKind};
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

pub(super) struct Timed {
    root_pid: u32,
    hold: u64,
    /// When the run began, on the ingest's clock.
    started: u64,
    /// Events held that came after one with a later `t`.
    heap: BinaryHeap<Held>,
    /// Events held that came in `t` order (most of them: a process writes its events about
    /// in order): a queue, far cheaper than the heap. The next to go is the first of either.
    run: VecDeque<Held>,
    seq: u64,
    last_t: u64,
    /// Queues used by several processes: their depth, counted here in the merged order.
    shared_depth: HashMap<u32, u64>,
    exited: HashSet<WorkerId>,
    /// Every worker declared, and the stream it came on.
    declared: HashMap<WorkerId, StreamId>,
    /// Streams whose processes were left running when reading ended: their workers did not
    /// die, they run on untraced.
    let_go: HashSet<StreamId>,
    /// How the program's first process ended, from its status: its main thread's end when
    /// the process left that to the reader (see [`Timed::root_ended`]).
    root_end: Option<(ExitHow, Option<String>)>,
}

/// An event waiting in the reorder buffer: smallest `t` first, then arrival order.
struct Held {
    t: u64,
    seq: u64,
    arrived: u64,
    src: StreamId,
    ev: Event,
}

impl PartialEq for Held {
    fn eq(&self, o: &Held) -> bool {
        (self.t, self.seq) == (o.t, o.seq)
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, o: &Held) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Held {
    fn cmp(&self, o: &Held) -> std::cmp::Ordering {
        (o.t, o.seq).cmp(&(self.t, self.seq))
    }
}

/// How far past the run's age a `t` may be and still be believed. A process stamps its
/// lines on the same monotonic clock the reader reads after them, so a true `t` is never
/// past it; the slack only keeps a rounding or a slow read from being called a problem.
const CLOCK_SLACK: u64 = 1_000_000_000;

fn secs(ns: u64) -> String {
    format!("{:.1} s", ns as f64 / 1e9)
}

impl Timed {
    pub fn new(root_pid: u32, hold: Duration, started: u64) -> Timed {
        Timed {
            root_pid,
            hold: hold.as_nanos() as u64,
            started,
            heap: BinaryHeap::new(),
            run: VecDeque::new(),
            seq: 0,
            last_t: 0,
            shared_depth: HashMap::default(),
            exited: HashSet::default(),
            declared: HashMap::default(),
            let_go: HashSet::default(),
            root_end: None,
        }
    }

    /// The program's first process has ended, as its status says. Its main thread's end is
    /// said from it at [`Timed::finish`] unless the process said it first: a status is the
    /// only trace of a `SystemExit` raised by hand once the program has unwound. Said at the
    /// end, not when reaped: lines the process wrote before it ended may still be unread
    /// then (a printer's backlog), and its end must come after them.
    pub fn root_ended(&mut self, how: ExitHow, msg: Option<String>) {
        self.root_end = Some((how, msg));
    }

    /// When the run began, on the ingest's clock.
    pub fn started(&self) -> u64 {
        self.started
    }

    pub fn held(&self, src: StreamId) -> usize {
        let of = |h: &&Held| h.src == src;
        self.heap.iter().filter(of).count() + self.run.iter().filter(of).count()
    }

    /// An event waits in the buffer (in run-wide ids already); a data message has no reader
    /// in a traced program and is dropped. A `t` the run has not reached yet is reported and
    /// the event stamped with the time it was read: one bad line must not move the run's
    /// clock (every later event would be put after it).
    pub fn line(&mut self, core: &mut Core, src: StreamId, line: Line, out: &mut Vec<Out>) {
        let Item::Event {
            ev, owners, shared, ..
        } = line.item
        else {
            return;
        };
        let Some(mut ev) = core.remap(src, ev, &owners) else {
            return;
        };
        let age = core.now().saturating_sub(self.started);
        if ev.t > age.saturating_add(CLOCK_SLACK) {
            let what = format!(
                "\"t\" {} ns is {} into the run, which is {} old; stamped with the time it was read",
                ev.t,
                secs(ev.t),
                secs(age)
            );
            out.push(core.problem(src, &what));
            ev.t = age;
        }
        match &mut ev.op {
            Op::Worker { name, kind, .. } => *name = self.label(name, *kind, ev.pid),
            Op::Object { o, kind, .. } if shared && kind.is_queue() => {
                self.shared_depth.insert(*o, 0);
            }
            _ => {}
        }
        self.seq += 1;
        self.hold(Held {
            t: ev.t,
            seq: self.seq,
            arrived: core.now(),
            src,
            ev,
        });
    }

    /// Events that have waited the hold since they arrived, in `t` order.
    pub fn tick(&mut self, core: &mut Core, out: &mut Vec<Out>) {
        self.release(Some(core.now()), out);
    }

    /// The end: everything held, then every worker that never said it ended died with its
    /// process.
    pub fn finish(&mut self, _core: &mut Core, out: &mut Vec<Out>) {
        self.release(None, out);
        let mut open: Vec<_> = self
            .declared
            .iter()
            .filter(|(w, src)| !self.exited.contains(w) && !self.let_go.contains(src))
            .map(|(w, src)| (*w, *src))
            .collect();
        open.sort_unstable_by_key(|(w, _)| *w);
        for (w, src) in open {
            self.exited.insert(w);
            let (how, msg) = match &self.root_end {
                Some(end) if w == 0 => end.clone(),
                _ => (ExitHow::Killed, Some("its process ended".into())),
            };
            let ev = Event {
                t: self.last_t,
                pid: 0,
                w,
                op: Op::Exit { how, msg },
            };
            out.push(Out::Event(src, ev));
        }
    }

    /// What has waited the hold by `now` (all of it without one), in `t` order.
    fn release(&mut self, now: Option<u64>, out: &mut Vec<Out>) {
        while let Some(top) = self.first() {
            if let Some(now) = now
                && top.arrived.saturating_add(self.hold) > now
            {
                break;
            }
            let Held { mut ev, src, .. } = self.take_first();
            // `t` never goes back, even for a line that came later than the hold allowed.
            ev.t = ev.t.max(self.last_t);
            self.last_t = ev.t;
            if let Some(ev) = self.admit(src, ev) {
                out.push(Out::Event(src, ev));
            }
        }
    }

    /// `src`'s process runs on untraced: its workers are not ended by [`Timed::finish`].
    pub fn let_go(&mut self, src: StreamId) {
        self.let_go.insert(src);
    }

    /// Holds an event: at the end of the run if it comes in order, else in the heap.
    fn hold(&mut self, h: Held) {
        match self.run.back() {
            Some(last) if last.t > h.t => self.heap.push(h),
            _ => self.run.push_back(h),
        }
    }

    /// The event held with the smallest `t` (then the first come).
    fn first(&self) -> Option<&Held> {
        match (self.run.front(), self.heap.peek()) {
            // Held orders the heap's way: the greater is the earlier.
            (Some(r), Some(h)) => Some(if h > r { h } else { r }),
            (r, h) => r.or(h),
        }
    }

    fn take_first(&mut self) -> Held {
        let from_heap = match (self.run.front(), self.heap.peek()) {
            (Some(r), Some(h)) => h > r,
            (r, _) => r.is_none(),
        };
        let h = if from_heap {
            self.heap.pop()
        } else {
            self.run.pop_front()
        };
        h.expect("something is held")
    }

    /// Drops a second exit of a worker and keeps the shared queues' depth.
    fn admit(&mut self, src: StreamId, mut ev: Event) -> Option<Event> {
        match &mut ev.op {
            Op::Worker { .. } => {
                self.declared.insert(ev.w, src);
            }
            Op::Exit { .. } if !self.exited.insert(ev.w) => return None,
            Op::PutEnd {
                o, depth, ok: true, ..
            } => {
                if let Some(d) = self.shared_depth.get_mut(o) {
                    *d += 1;
                    *depth = *d;
                }
            }
            Op::GetEnd { o, depth, ok, .. } => {
                if let Some(d) = self.shared_depth.get_mut(o) {
                    if *ok {
                        *d = d.saturating_sub(1);
                    }
                    *depth = *d;
                }
            }
            _ => {}
        }
        Some(ev)
    }

    /// Lane labels carry the pid: "main 4242", "4243:Process-1", "4243:Thread-1".
    fn label(&self, name: &str, kind: WorkerKind, pid: u32) -> String {
        match kind {
            WorkerKind::Main => format!("{name} {pid}"),
            _ if pid != self.root_pid && pid != 0 => format!("{pid}:{name}"),
            _ => name.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Ingest, Out};
    use crate::event::{Event, ExitHow, Op};
    use std::time::Duration;

    /// Every line read at once (on connection `conn`, as a stream of its own), then the end.
    fn events(ing: &mut Ingest, lines: &[(usize, &str)]) -> (Vec<Event>, Vec<String>) {
        let mut problems = Vec::new();
        let mut out = Vec::new();
        for (conn, l) in lines {
            while ing.streams() <= *conn {
                let n = ing.streams();
                ing.add_source(format!("traced program, connection {n}"), 0);
            }
            out.extend(ing.line(super::super::StreamId(*conn), l.as_bytes()));
        }
        out.extend(ing.finish());
        let mut evs = Vec::new();
        for o in out {
            match o {
                Out::Event(_, e) => evs.push(e),
                Out::Malformed { text, .. } => problems.push(text),
                Out::Data { .. } => {}
            }
        }
        (evs, problems)
    }

    fn ingest(root: u32) -> Ingest {
        let mut ing = Ingest::timed(root, Duration::from_nanos(50), 0);
        ing.at(0);
        ing
    }

    #[test]
    fn ids_of_two_processes_stay_apart_and_shared_objects_meet() {
        let mut ing = ingest(10);
        let (evs, problems) = events(
            &mut ing,
            &[
                (
                    1,
                    r#"{"t":1,"pid":10,"w":0,"op":"worker","name":"main","kind":"main"}"#,
                ),
                (
                    1,
                    r#"{"t":2,"pid":10,"w":0,"op":"object","o":1,"opid":10,"name":"lk","kind":"lock","shared":true}"#,
                ),
                (
                    2,
                    r#"{"t":3,"pid":11,"w":0,"op":"worker","name":"kid","kind":"process","parent":0,"ppid":10}"#,
                ),
                (
                    2,
                    r#"{"t":4,"pid":11,"w":0,"op":"object","o":1,"opid":11,"name":"own","kind":"lock"}"#,
                ),
                (
                    2,
                    r#"{"t":5,"pid":11,"w":0,"op":"acquire_begin","o":1,"opid":10}"#,
                ),
                (
                    1,
                    r#"{"t":6,"pid":10,"w":0,"op":"join_begin","target":0,"tpid":11}"#,
                ),
            ],
        );
        assert!(problems.is_empty(), "{problems:?}");
        let ws: Vec<_> = evs.iter().map(|e| e.w).collect();
        assert_eq!(ws[..6], [0, 0, 1, 1, 1, 0]);
        assert!(matches!(&evs[2].op, Op::Worker { name, parent: Some(0), .. } if name == "11:kid"));
        assert!(matches!(&evs[0].op, Op::Worker { name, .. } if name == "main 10"));
        assert_eq!(evs[1].op.object(), Some(1));
        assert_eq!(
            evs[3].op.object(),
            Some(2),
            "the child's own lock 1 is another object"
        );
        assert_eq!(
            evs[4].op.object(),
            Some(1),
            "the parent's lock, used by the child"
        );
        assert_eq!(evs[5].op, Op::JoinBegin { target: 1 });
    }

    #[test]
    fn lines_come_out_in_t_order_after_the_hold() {
        let mut ing = ingest(1);
        let a = ing.add_source("a", 0);
        let b = ing.add_source("b", 0);
        ing.at(100);
        assert!(
            ing.line(a, br#"{"t":50,"pid":1,"w":0,"op":"start"}"#)
                .is_empty()
        );
        ing.at(120);
        assert!(
            ing.line(b, br#"{"t":40,"pid":2,"w":0,"op":"start"}"#)
                .is_empty()
        );
        ing.at(130);
        assert!(ing.tick().is_empty(), "both still held");
        assert_eq!(ing.held(a) + ing.held(b), 2);
        ing.at(200);
        let ts: Vec<_> = ing
            .tick()
            .into_iter()
            .filter_map(|o| match o {
                Out::Event(_, e) => Some(e.t),
                _ => None,
            })
            .collect();
        assert_eq!(ts, [40, 50]);
    }

    #[test]
    fn malformed_lines_are_reported_with_their_place_and_skipped() {
        let mut ing = ingest(1);
        let (evs, problems) = events(
            &mut ing,
            &[
                (3, r#"{"t":1,"pid":1,"w":0,"op":"start"}"#),
                (3, "not json"),
                (3, r#"{"t":2,"pid":1,"w":0,"op":"fly"}"#),
                (3, r#"{"t":3,"pid":1,"w":-1,"op":"start"}"#),
                (3, r#"{"t":4,"pid":1,"w":0,"op":"exit"}"#),
            ],
        );
        assert_eq!(evs.len(), 2);
        assert_eq!(problems.len(), 3);
        assert!(
            problems[0].contains("connection 3, line 2: not JSON"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("line 3: unknown op \"fly\""),
            "{problems:?}"
        );
        assert!(problems[2].contains("line 4: field \"w\""), "{problems:?}");
    }

    #[test]
    fn a_second_exit_is_dropped_and_silent_workers_end_as_killed() {
        let mut ing = ingest(1);
        let (evs, _) = events(
            &mut ing,
            &[
                (
                    1,
                    r#"{"t":1,"pid":1,"w":0,"op":"worker","name":"main","kind":"main"}"#,
                ),
                (
                    2,
                    r#"{"t":2,"pid":2,"w":0,"op":"worker","name":"kid","kind":"process"}"#,
                ),
                (2, r#"{"t":3,"pid":2,"w":0,"op":"exit","how":"ok"}"#),
                (
                    1,
                    r#"{"t":4,"pid":1,"w":0,"wpid":2,"op":"exit","how":"killed"}"#,
                ),
            ],
        );
        let exits: Vec<_> = evs
            .iter()
            .filter_map(|e| match &e.op {
                Op::Exit { how, .. } => Some((e.w, *how)),
                _ => None,
            })
            .collect();
        assert_eq!(exits, [(1, ExitHow::Ok), (0, ExitHow::Killed)]);
    }

    #[test]
    fn the_first_process_main_thread_ends_as_its_status_says_others_died_with_it() {
        let mut ing = ingest(1);
        ing.root_ended(ExitHow::Panic, Some("exit code 9".into()));
        let (evs, _) = events(
            &mut ing,
            &[
                (
                    1,
                    r#"{"t":1,"pid":1,"w":0,"op":"worker","name":"main","kind":"main"}"#,
                ),
                (
                    1,
                    r#"{"t":2,"pid":1,"w":1,"op":"worker","name":"t","kind":"thread"}"#,
                ),
            ],
        );
        let exits: Vec<_> = evs
            .iter()
            .filter_map(|e| match &e.op {
                Op::Exit { how, msg } => Some((e.w, *how, msg.clone().unwrap_or_default())),
                _ => None,
            })
            .collect();
        assert_eq!(
            exits,
            [
                (0, ExitHow::Panic, "exit code 9".to_string()),
                (1, ExitHow::Killed, "its process ended".to_string())
            ]
        );
    }

    #[test]
    fn a_shared_queue_depth_is_counted_in_merged_order() {
        let mut ing = ingest(1);
        let (evs, _) = events(
            &mut ing,
            &[
                (
                    1,
                    r#"{"t":1,"pid":1,"w":0,"op":"object","o":1,"name":"q","kind":"queue","shared":true}"#,
                ),
                (
                    2,
                    r#"{"t":2,"pid":2,"w":0,"op":"put_end","o":1,"opid":1,"item":"a","depth":0}"#,
                ),
                (
                    2,
                    r#"{"t":3,"pid":2,"w":0,"op":"put_end","o":1,"opid":1,"item":"b","depth":0}"#,
                ),
                (
                    1,
                    r#"{"t":4,"pid":1,"w":0,"op":"get_end","o":1,"item":"a","depth":0}"#,
                ),
            ],
        );
        let depths: Vec<_> = evs
            .iter()
            .filter_map(|e| match e.op {
                Op::PutEnd { depth, .. } | Op::GetEnd { depth, .. } => Some(depth),
                _ => None,
            })
            .collect();
        assert_eq!(depths, [1, 2, 1]);
    }

    /// One line stamped at u64::MAX: reported with its place, stamped with the time it was
    /// read, and every later event keeps the run's own clock.
    #[test]
    fn a_t_past_the_runs_clock_is_reported_and_does_not_move_it() {
        let started = 1_000_000_000_000;
        let mut ing = Ingest::timed(1, Duration::from_nanos(50), started);
        let a = ing.add_source("traced program, connection 1", 0);
        let mut out = Vec::new();
        ing.at(started + 2_000_000_000);
        out.extend(ing.line(a, br#"{"t":1900000000,"pid":1,"w":0,"op":"start"}"#));
        out.extend(ing.line(
            a,
            br#"{"t":18446744073709551615,"pid":1,"w":0,"op":"sleep_begin","ms":5}"#,
        ));
        ing.at(started + 3_000_000_000);
        out.extend(ing.line(a, br#"{"t":2900000000,"pid":1,"w":0,"op":"sleep_end"}"#));
        out.extend(ing.finish());
        let problems: Vec<_> = out
            .iter()
            .filter_map(|o| match o {
                Out::Malformed { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .starts_with("traced program, connection 1, line 2: \"t\" 18446744073709551615 ns")
                && problems[0].contains("which is 2.0 s old"),
            "{problems:?}"
        );
        let ts: Vec<_> = out
            .iter()
            .filter_map(|o| match o {
                Out::Event(_, e) => Some(e.t),
                _ => None,
            })
            .collect();
        assert_eq!(ts, [1_900_000_000, 2_000_000_000, 2_900_000_000]);
    }
}
