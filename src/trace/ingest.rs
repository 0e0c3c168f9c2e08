//! From the shim's lines to one stream of events: every process numbers its own workers and
//! objects, so ids are made unique here ((pid, id) → a dense global id); lines from all
//! processes are put back in `t` order (a short hold lets a slower connection catch up);
//! malformed lines are reported with where they came from and skipped.
//!
//! Fields the shim adds beside the core ones (readers elsewhere ignore them): `opid`, `tpid`,
//! `ppid`, `wpid` — the process an `o`, `target`, `parent` or `w` belongs to when it is not
//! the line's `pid`; `shared: true` on an object used by several processes.

use crate::event::{Event, ExitHow, Op, WorkerKind};
use crate::wire;
use serde_json::{Map, Value};
use std::collections::BinaryHeap;
use std::hash::{BuildHasherDefault, Hasher};

/// Ids are small numbers we make ourselves, not input an attacker chooses: a multiply-shift
/// hash is enough, and several times cheaper than SipHash on every line.
#[derive(Default)]
struct IdHasher(u64);

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
type HashMap<K, V> = std::collections::HashMap<K, V, Fast>;
type HashSet<K> = std::collections::HashSet<K, Fast>;

/// What the ingest hands on.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event(Event),
    /// A line that was not a valid event, in words: where it came from and what was wrong.
    Problem(String),
    /// A line the program wrote to stderr (from the trace's capture, not the ingest).
    Output(String),
}

/// Remaps ids and orders lines; pure (the caller gives arrival times), so it is tested alone.
pub struct Ingest {
    root_pid: u32,
    workers: HashMap<(u32, u32), u32>,
    objects: HashMap<(u32, u32), u32>,
    next_object: u32,
    /// Queues used by several processes: their depth, counted here in the merged order.
    shared_depth: HashMap<u32, u64>,
    exited: HashSet<u32>,
    declared: HashSet<u32>,
    heap: BinaryHeap<Held>,
    seq: u64,
    /// Lines read per connection, for the line numbers of problems.
    lines: HashMap<u64, u64>,
    last_t: u64,
}

/// An event waiting in the reorder buffer: smallest `t` first, then arrival order.
struct Held {
    t: u64,
    seq: u64,
    arrived: u64,
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

impl Ingest {
    /// `root_pid`: the traced program's first process; its main thread becomes worker 0.
    pub fn new(root_pid: u32) -> Ingest {
        let mut workers = HashMap::default();
        workers.insert((root_pid, 0), 0);
        Ingest {
            root_pid,
            workers,
            objects: HashMap::default(),
            next_object: 1,
            shared_depth: HashMap::default(),
            exited: HashSet::default(),
            declared: HashSet::default(),
            heap: BinaryHeap::new(),
            seq: 0,
            lines: HashMap::default(),
            last_t: 0,
        }
    }

    /// Takes one line from connection `conn`, arrived at `now` (ns, any monotonic base).
    /// A bad line comes back at once as a problem; a good one waits in the buffer.
    pub fn line(&mut self, conn: u64, text: &str, now: u64) -> Option<Item> {
        let n = self.lines.entry(conn).or_insert(0);
        *n += 1;
        let line_no = *n;
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match self.remap(text) {
            Ok(Some(ev)) => {
                self.seq += 1;
                self.heap.push(Held {
                    t: ev.t,
                    seq: self.seq,
                    arrived: now,
                    ev,
                });
                None
            }
            Ok(None) => None,
            Err(what) => Some(Item::Problem(format!(
                "traced program, connection {conn}, line {line_no}: {what} (skipped)"
            ))),
        }
    }

    /// Events that have waited at least `hold` since they arrived, in `t` order (all of them
    /// when `hold` is 0: the end of the stream).
    pub fn ready(&mut self, now: u64, hold: u64) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(top) = self.heap.peek() {
            if hold > 0 && top.arrived.saturating_add(hold) > now {
                break;
            }
            let Held { mut ev, .. } = self.heap.pop().expect("peeked");
            // `t` never goes back, even for a line that came later than the hold allowed.
            ev.t = ev.t.max(self.last_t);
            self.last_t = ev.t;
            if let Some(ev) = self.admit(ev) {
                out.push(ev);
            }
        }
        out
    }

    /// The end: every worker that never said it ended died with its process.
    pub fn finish(&mut self) -> Vec<Event> {
        let mut out = self.ready(0, 0);
        let mut open: Vec<u32> = self.declared.difference(&self.exited).copied().collect();
        open.sort_unstable();
        for w in open {
            self.exited.insert(w);
            out.push(Event {
                t: self.last_t,
                pid: 0,
                w,
                op: Op::Exit {
                    how: ExitHow::Killed,
                    msg: Some("its process ended".into()),
                },
            });
        }
        out
    }

    /// Drops a second exit of a worker (a killed child is reported by its parent too) and
    /// keeps the shared queues' depth.
    fn admit(&mut self, mut ev: Event) -> Option<Event> {
        match &mut ev.op {
            Op::Worker { .. } => {
                self.declared.insert(ev.w);
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

    fn remap(&mut self, text: &str) -> Result<Option<Event>, String> {
        let mut v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let m = v.as_object_mut().ok_or("not a JSON object")?;
        let pid = field_u32(m, "pid")?.unwrap_or(0);
        let owner = |m: &Map<String, Value>, k: &str| field_u32(m, k).map(|p| p.unwrap_or(pid));
        let wpid = owner(m, "wpid")?;
        let opid = owner(m, "opid")?;
        let tpid = owner(m, "tpid")?;
        let ppid = owner(m, "ppid")?;
        self.swap(m, "w", wpid, true)?;
        self.swap(m, "o", opid, false)?;
        self.swap(m, "target", tpid, true)?;
        self.swap(m, "parent", ppid, true)?;
        let shared = m.get("shared").and_then(Value::as_bool) == Some(true);
        let mut ev = wire::decode_value(&v)?;
        match &mut ev.op {
            Op::Worker { name, kind, .. } => *name = self.label(name, *kind, pid),
            Op::Object { o, kind, .. } if shared && kind.is_queue() => {
                self.shared_depth.insert(*o, 0);
            }
            _ => {}
        }
        Ok(Some(ev))
    }

    /// Replaces a local id with its global one.
    fn swap(
        &mut self,
        m: &mut Map<String, Value>,
        key: &str,
        pid: u32,
        worker: bool,
    ) -> Result<(), String> {
        let Some(local) = field_u32(m, key)? else {
            return Ok(());
        };
        let global = if worker {
            let next = self.workers.len() as u32;
            *self.workers.entry((pid, local)).or_insert(next)
        } else {
            let next = self.next_object;
            let g = *self.objects.entry((pid, local)).or_insert(next);
            if g == next {
                self.next_object += 1;
            }
            g
        };
        m.insert(key.into(), Value::from(global));
        Ok(())
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

fn field_u32(m: &Map<String, Value>, k: &str) -> Result<Option<u32>, String> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .map(Some)
            .ok_or_else(|| format!("field \"{k}\" must be a small non-negative integer, got {v}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(ing: &mut Ingest, lines: &[(u64, &str)]) -> (Vec<Event>, Vec<String>) {
        let mut problems = Vec::new();
        for (conn, l) in lines {
            if let Some(Item::Problem(p)) = ing.line(*conn, l, 0) {
                problems.push(p);
            }
        }
        (ing.finish(), problems)
    }

    #[test]
    fn ids_of_two_processes_stay_apart_and_shared_objects_meet() {
        let mut ing = Ingest::new(10);
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
        assert!(problems.is_empty());
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
        let mut ing = Ingest::new(1);
        ing.line(1, r#"{"t":50,"pid":1,"w":0,"op":"start"}"#, 100);
        ing.line(2, r#"{"t":40,"pid":2,"w":0,"op":"start"}"#, 120);
        assert!(ing.ready(130, 50).is_empty(), "both still held");
        let evs = ing.ready(200, 50);
        assert_eq!(evs.iter().map(|e| e.t).collect::<Vec<_>>(), [40, 50]);
    }

    #[test]
    fn malformed_lines_are_reported_with_their_place_and_skipped() {
        let mut ing = Ingest::new(1);
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
        let mut ing = Ingest::new(1);
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
    fn a_shared_queue_depth_is_counted_in_merged_order() {
        let mut ing = Ingest::new(1);
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
}
