//! The lock-order graph: deadlocks that could happen, found before they do.
//!
//! Whenever a worker that holds lock A asks for lock B, the order A → B is an edge, kept for
//! the whole run with the worker (and the time) it was first seen. A cycle in these edges
//! (t1 takes A then B, t2 takes B then A) is a deadlock some interleaving can reach, even if
//! this run was lucky. Only locks and rlocks count: a semaphore with slots to spare, an
//! event or a queue do not make a wait that an order alone can close.
//!
//! Part of the pure fold (the world calls `observe` on every acquire by a worker that holds
//! locks): no I/O, no clocks; memory bounded by `EDGES_KEPT` and `CYCLES_KEPT` however long
//! the run. It finds; `describe::possible_deadlocks` words; it decides nothing shown.

use crate::event::{ObjectId, ObjectKind, WorkerId};
use std::collections::{HashMap, VecDeque};

/// Distinct orders kept; later new ones are counted in `dropped` and not followed.
pub const EDGES_KEPT: usize = 4096;
/// Cycles kept: one is enough to warn, a few show that it is a pattern.
pub const CYCLES_KEPT: usize = 16;

/// One order: `by` held `held` while it asked for `wanted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub held: ObjectId,
    pub wanted: ObjectId,
    /// The first worker seen taking them in this order.
    pub by: WorkerId,
    /// Another worker seen doing the same, if any (two workers in one order can make a
    /// cycle with a third; one worker alone cannot deadlock with itself across orders).
    pub also: Option<WorkerId>,
    /// When it was first seen.
    pub t: u64,
}

#[derive(Clone, Debug, Default)]
pub struct LockOrder {
    edges: Vec<Edge>,
    /// Edge index by (held, wanted).
    index: HashMap<(ObjectId, ObjectId), u32>,
    /// Edge indexes by the lock held: the walk from a lock to the locks taken after it.
    after: HashMap<ObjectId, Vec<u32>>,
    /// Cycles found, each as edge indexes in order (held of one is wanted of the one before).
    cycles: Vec<Vec<u32>>,
    /// New orders not kept because `EDGES_KEPT` were.
    pub dropped: u64,
}

impl LockOrder {
    /// Notes that `w` holds `held` and asks for `wanted` at `t`.
    pub fn observe(&mut self, held: ObjectId, wanted: ObjectId, w: WorkerId, t: u64) {
        if held == wanted {
            return; // an rlock taken again, or a plain lock's self-deadlock (seen as one)
        }
        if let Some(&i) = self.index.get(&(held, wanted)) {
            let e = &mut self.edges[i as usize];
            if e.by != w && e.also.is_none() {
                e.also = Some(w);
            }
            return;
        }
        if self.edges.len() >= EDGES_KEPT {
            self.dropped += 1;
            return;
        }
        let i = self.edges.len() as u32;
        self.edges.push(Edge {
            held,
            wanted,
            by: w,
            also: None,
            t,
        });
        self.index.insert((held, wanted), i);
        self.after.entry(held).or_default().push(i);
        // The new edge closes a cycle if `held` can be reached from `wanted`.
        if self.cycles.len() < CYCLES_KEPT
            && let Some(mut path) = self.path(wanted, held)
        {
            path.insert(0, i);
            self.cycles.push(path);
        }
    }

    /// The shortest chain of edges from lock `from` to lock `to` (breadth first).
    fn path(&self, from: ObjectId, to: ObjectId) -> Option<Vec<u32>> {
        let mut came: HashMap<ObjectId, u32> = HashMap::new();
        let mut todo = VecDeque::from([from]);
        while let Some(at) = todo.pop_front() {
            for &i in self.after.get(&at).map_or(&[][..], |v| v) {
                let next = self.edges[i as usize].wanted;
                if next == from || came.contains_key(&next) {
                    continue;
                }
                came.insert(next, i);
                if next == to {
                    return Some(self.unwind(&came, from, to));
                }
                todo.push_back(next);
            }
        }
        None
    }

    fn unwind(&self, came: &HashMap<ObjectId, u32>, from: ObjectId, to: ObjectId) -> Vec<u32> {
        let mut path = Vec::new();
        let mut at = to;
        while at != from {
            let i = came[&at];
            path.push(i);
            at = self.edges[i as usize].held;
        }
        path.reverse();
        path
    }

    /// Every order seen, first seen first.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The possible deadlocks: cycles that at least two workers take part in, each as its
    /// edges with the worker named for each (distinct from the one before where the edge
    /// knows another), starting from the order seen first.
    pub fn possible(&self) -> Vec<Vec<(&Edge, WorkerId)>> {
        self.cycles.iter().filter_map(|c| self.assign(c)).collect()
    }

    /// True once a possible deadlock was found.
    pub fn any(&self) -> bool {
        self.cycles.iter().any(|c| self.assign(c).is_some())
    }

    fn assign(&self, cycle: &[u32]) -> Option<Vec<(&Edge, WorkerId)>> {
        let edges: Vec<&Edge> = cycle.iter().map(|&i| &self.edges[i as usize]).collect();
        let first = (0..edges.len()).min_by_key(|&k| edges[k].t)?;
        let mut out: Vec<(&Edge, WorkerId)> = Vec::with_capacity(edges.len());
        for k in 0..edges.len() {
            let e = edges[(first + k) % edges.len()];
            let before = out.last().map(|(_, w)| *w);
            let who = match e.also {
                Some(other) if before == Some(e.by) => other,
                _ => e.by,
            };
            out.push((e, who));
        }
        // One worker alone cannot wait for itself across two orders.
        let one = out[0].1;
        out.iter().any(|(_, w)| *w != one).then_some(out)
    }
}

/// Whether waits on an object of this kind can be closed into a deadlock by order alone.
pub fn ordered(kind: ObjectKind) -> bool {
    matches!(kind, ObjectKind::Lock | ObjectKind::RLock)
}
