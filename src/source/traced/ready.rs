//! Whether a parked thread of a traced program can go, and if not why, from the facts read
//! off its event lines: a lock someone else holds (an rwlock: a writer, or for a writer
//! any reader), a semaphore with no slot, an event not
//! set, an empty or full queue, a thread not ended yet. Also the names the scheduler's words
//! use. Pure state: no threads, no I/O.

use super::facts::{Fact, What};
use crate::event::{ObjectId, WorkerId};
use std::collections::{HashMap, HashSet, VecDeque};

#[derive(Default)]
pub(super) struct Objects {
    kinds: HashMap<ObjectId, String>,
    names: HashMap<ObjectId, String>,
    workers: HashMap<WorkerId, String>,
    owners: HashMap<ObjectId, WorkerId>,
    /// Rwlocks: who holds each for reading, once for each read they hold.
    readers: HashMap<ObjectId, Vec<WorkerId>>,
    /// Semaphores: slots free.
    slots: HashMap<ObjectId, i64>,
    /// Queues: (depth, maxsize; 0 is unbounded).
    queues: HashMap<ObjectId, (u64, u64)>,
    flags: HashSet<ObjectId>,
    /// Conditions: who waits on each, first come first woken (as Python's notify does).
    waiters: HashMap<ObjectId, VecDeque<WorkerId>>,
    ended: HashSet<WorkerId>,
}

impl Objects {
    /// Folds one fact in. Returns the workers a notify woke (they run again).
    pub fn fold(&mut self, f: &Fact) -> Vec<WorkerId> {
        match &f.what {
            What::Worker { name, .. } => {
                self.workers.insert(f.w, name.clone());
            }
            What::Object {
                o,
                kind,
                name,
                capacity,
            } => {
                self.names.insert(*o, name.clone());
                self.kinds.insert(*o, kind.clone());
                let cap = capacity.unwrap_or(0);
                if kind.contains("semaphore") {
                    self.slots.insert(*o, cap);
                } else if kind.contains("queue") {
                    self.queues.insert(*o, (0, cap.max(0) as u64));
                }
            }
            // Readers of an rwlock share it: they block only a writer.
            What::AcquireEnd {
                o,
                ok: true,
                read: true,
            } => self.readers.entry(*o).or_default().push(f.w),
            What::Release { o, read: true, .. } => {
                if let Some(r) = self.readers.get_mut(o)
                    && let Some(i) = r.iter().position(|w| *w == f.w)
                {
                    r.swap_remove(i);
                }
            }
            What::AcquireEnd { o, ok: true, .. } => {
                if let Some(s) = self.slots.get_mut(o) {
                    *s -= 1;
                } else {
                    self.owners.insert(*o, f.w);
                }
            }
            What::AcquireEnd { .. } => {}
            What::Release { o, depth, .. } => {
                if let Some(s) = self.slots.get_mut(o) {
                    *s += 1;
                } else if depth.unwrap_or(0) == 0 {
                    self.owners.remove(o);
                }
            }
            What::Set(o) => {
                self.flags.insert(*o);
            }
            What::Clear(o) => {
                self.flags.remove(o);
            }
            What::Depth { o, depth } => {
                if let Some(q) = self.queues.get_mut(o) {
                    q.0 = *depth;
                }
            }
            What::WaitBegin(o) if self.waits_for_others(*o) => {
                self.waiters.entry(*o).or_default().push_back(f.w);
            }
            What::WaitEnd(o) => {
                if let Some(q) = self.waiters.get_mut(o) {
                    q.retain(|w| *w != f.w);
                    if self.kinds.get(o).is_some_and(|k| k == "barrier") {
                        // The first through a barrier: the others are through too.
                        return q.drain(..).collect();
                    }
                }
            }
            What::Notify { o, n } => {
                let q = self.waiters.entry(*o).or_default();
                let n = n.map_or(q.len(), |n| (n as usize).min(q.len()));
                return q.drain(..n).collect();
            }
            What::Exit => {
                self.ended.insert(f.w);
            }
            What::WaitBegin(_) => {}
        }
        Vec::new()
    }

    /// A condition or a barrier: a wait on it ends only when another thread acts (a notify,
    /// the last arrival), which the waiter's own lines cannot tell.
    pub fn waits_for_others(&self, o: ObjectId) -> bool {
        self.kinds
            .get(&o)
            .is_some_and(|k| k == "condition" || k == "barrier")
    }

    pub fn has_ended(&self, w: WorkerId) -> bool {
        self.ended.contains(&w)
    }

    /// Why `w` cannot do `op` on `o` (or join `target`) now; None if it can. `read`: an
    /// rwlock's reader, which shares the lock with other readers.
    pub fn blocker(
        &self,
        w: WorkerId,
        op: &str,
        o: Option<ObjectId>,
        target: Option<WorkerId>,
        read: bool,
    ) -> Option<String> {
        let obj = || o.map_or_else(|| "?".to_string(), |o| self.object(o));
        match (op, o) {
            ("join", _) => {
                let t = target?;
                (!self.ended.contains(&t)).then(|| format!("waits for {} to end", self.worker(t)))
            }
            ("acquire", Some(o)) => match self.slots.get(&o) {
                Some(s) if *s <= 0 => Some(format!("waits for a slot of {}", obj())),
                Some(_) => None,
                None => {
                    if let Some(h) = self.owners.get(&o).filter(|h| **h != w) {
                        return Some(format!("waits for {} (held by {})", obj(), self.worker(*h)));
                    }
                    let readers = self.other_readers(w, o);
                    (!read && !readers.is_empty())
                        .then(|| format!("waits for {} (read by {})", obj(), readers.join(", ")))
                }
            },
            ("wait", Some(o)) if self.kinds.get(&o).is_some_and(|k| k == "event") => {
                (!self.flags.contains(&o)).then(|| format!("waits for {} to be set", obj()))
            }
            ("get", Some(o)) => {
                let (depth, _) = *self.queues.get(&o)?;
                (depth == 0).then(|| format!("waits for an item in {}", obj()))
            }
            ("put", Some(o)) => {
                let (depth, cap) = *self.queues.get(&o)?;
                (cap > 0 && depth >= cap).then(|| format!("waits for room in {}", obj()))
            }
            _ => None,
        }
    }

    /// Who holds `o` so that `w` cannot take it now: its holder (an rwlock's writer), or,
    /// for a writer, the first other reader.
    pub fn holder(&self, w: WorkerId, o: ObjectId, read: bool) -> Option<WorkerId> {
        if let Some(h) = self.owners.get(&o).filter(|h| **h != w) {
            return Some(*h);
        }
        let readers = self.readers.get(&o).filter(|_| !read)?;
        readers.iter().copied().filter(|r| *r != w).min()
    }

    /// Who other than `w` reads rwlock `o` now, by name, each once.
    fn other_readers(&self, w: WorkerId, o: ObjectId) -> Vec<String> {
        let mut ws: Vec<WorkerId> = self.readers.get(&o).map_or_else(Vec::new, |r| {
            r.iter().copied().filter(|r| *r != w).collect()
        });
        ws.sort_unstable();
        ws.dedup();
        ws.into_iter().map(|r| self.worker(r)).collect()
    }

    /// A worker as the words say it: its name, or `w3`.
    pub fn worker(&self, w: WorkerId) -> String {
        match self.workers.get(&w) {
            Some(n) if !n.is_empty() => n.clone(),
            _ => format!("w{w}"),
        }
    }

    /// An object as the words say it: `lock a`, or `lock-3`.
    pub fn object(&self, o: ObjectId) -> String {
        let kind = self.kinds.get(&o).map_or("object", String::as_str);
        match self.names.get(&o) {
            Some(n) if !n.is_empty() => format!("{} {n}", kind.replace('_', " ")),
            _ => format!("{kind}-{o}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(w: WorkerId, what: What) -> Fact {
        Fact { pid: 1, w, what }
    }

    #[test]
    fn a_held_lock_blocks_others_and_says_who_holds_it() {
        let mut s = Objects::default();
        s.fold(&fact(
            1,
            What::Worker {
                name: "t1".into(),
                thread: true,
            },
        ));
        s.fold(&fact(
            0,
            What::Object {
                o: 5,
                kind: "lock".into(),
                name: "a".into(),
                capacity: None,
            },
        ));
        s.fold(&fact(
            1,
            What::AcquireEnd {
                o: 5,
                ok: true,
                read: false,
            },
        ));
        assert_eq!(s.blocker(1, "acquire", Some(5), None, false), None);
        assert_eq!(
            s.blocker(2, "acquire", Some(5), None, false).as_deref(),
            Some("waits for lock a (held by t1)")
        );
        s.fold(&fact(
            1,
            What::Release {
                o: 5,
                depth: None,
                read: false,
            },
        ));
        assert_eq!(s.blocker(2, "acquire", Some(5), None, false), None);
    }

    #[test]
    fn an_rwlocks_readers_block_a_writer_and_its_writer_blocks_readers() {
        let mut s = Objects::default();
        for (w, name) in [(1, "r1"), (2, "r2"), (3, "wr")] {
            let thread = true;
            let name = name.into();
            s.fold(&fact(w, What::Worker { name, thread }));
        }
        let (kind, name) = ("rwlock".into(), "cfg".into());
        let capacity = None;
        s.fold(&fact(
            0,
            What::Object {
                o: 4,
                kind,
                name,
                capacity,
            },
        ));
        let take = |read| What::AcquireEnd {
            o: 4,
            ok: true,
            read,
        };
        let give = |read| What::Release {
            o: 4,
            depth: None,
            read,
        };
        s.fold(&fact(1, take(true)));
        s.fold(&fact(2, take(true)));
        // Readers share it; a writer waits for every one of them.
        assert_eq!(s.blocker(3, "acquire", Some(4), None, true), None);
        assert_eq!(
            s.blocker(3, "acquire", Some(4), None, false).as_deref(),
            Some("waits for rwlock cfg (read by r1, r2)")
        );
        s.fold(&fact(1, give(true)));
        s.fold(&fact(2, give(true)));
        assert_eq!(s.blocker(3, "acquire", Some(4), None, false), None);
        s.fold(&fact(3, take(false)));
        assert_eq!(
            s.blocker(1, "acquire", Some(4), None, true).as_deref(),
            Some("waits for rwlock cfg (held by wr)")
        );
        s.fold(&fact(3, give(false)));
        assert_eq!(s.blocker(1, "acquire", Some(4), None, true), None);
    }

    #[test]
    fn a_notify_wakes_the_first_waiter() {
        let mut s = Objects::default();
        s.fold(&fact(
            0,
            What::Object {
                o: 2,
                kind: "condition".into(),
                name: "c".into(),
                capacity: None,
            },
        ));
        s.fold(&fact(1, What::WaitBegin(2)));
        s.fold(&fact(3, What::WaitBegin(2)));
        assert_eq!(s.fold(&fact(0, What::Notify { o: 2, n: Some(1) })), vec![1]);
        assert_eq!(s.fold(&fact(0, What::Notify { o: 2, n: None })), vec![3]);
    }
}
