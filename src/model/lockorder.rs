//! The lock-order graph: deadlocks that could happen, found before they do.
//!
//! Whenever a worker that holds lock A asks for lock B, the order A → B is an edge, kept for
//! the whole run with the worker (and the time) it was first seen. A cycle in these edges
//! (t1 takes A then B, t2 takes B then A) is a deadlock some interleaving can reach, even if
//! this run was lucky. Only locks and rlocks count: a semaphore with slots to spare, an
//! event or a queue do not make a wait that an order alone can close.
//!
//! Part of the pure fold: no I/O, no clocks; memory bounded by `EDGES_KEPT` and
//! `CYCLES_KEPT` however long the run. It must not decide what is shown: it finds and words.

use super::world::World;
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
fn ordered(kind: ObjectKind) -> bool {
    matches!(kind, ObjectKind::Lock | ObjectKind::RLock)
}

/// The fold's hook: worker `w` asks for `o` at `t`; every lock it holds comes before `o`.
pub(super) fn on_acquire(world: &mut World, w: WorkerId, o: ObjectId, t: u64) {
    let Some(wk) = world.worker(w) else {
        return;
    };
    if wk.holding.is_empty() || !world.object(o).is_some_and(|ob| ordered(ob.kind)) {
        return;
    }
    let held: Vec<ObjectId> = wk
        .holding
        .iter()
        .copied()
        .filter(|&h| world.object(h).is_some_and(|ob| ordered(ob.kind)))
        .collect();
    for h in held {
        world.lock_order.observe(h, o, w, t);
    }
}

/// One possible deadlock in words: "t1 takes A then B; t2 takes B then A".
pub fn describe(world: &World, cycle: &[(&Edge, WorkerId)]) -> String {
    let parts: Vec<String> = cycle
        .iter()
        .map(|(e, w)| {
            format!(
                "{} takes {} then {}",
                world.worker_name(*w),
                world.object_name(e.held),
                world.object_name(e.wanted)
            )
        })
        .collect();
    parts.join("; ")
}

/// Every possible deadlock of the run in words, one a line.
pub fn warnings(world: &World) -> Vec<String> {
    world
        .lock_order
        .possible()
        .iter()
        .map(|c| describe(world, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, Op, WorkerKind};

    fn ev(t: u64, w: WorkerId, op: Op) -> Event {
        Event { t, pid: 1, w, op }
    }

    fn world(kind: ObjectKind) -> World {
        let mut world = World::default();
        for (w, name) in [(1, "t1"), (2, "t2"), (3, "t3")] {
            world.apply(&ev(
                0,
                w,
                Op::Worker {
                    name: name.into(),
                    kind: WorkerKind::Thread,
                    daemon: false,
                    parent: Some(0),
                },
            ));
        }
        for (o, name) in [(1, "A"), (2, "B"), (3, "C")] {
            world.apply(&ev(
                0,
                0,
                Op::Object {
                    o,
                    name: name.into(),
                    kind,
                    capacity: None,
                },
            ));
        }
        world
    }

    /// `w` takes the locks in `order`, then lets them go, at time `t`.
    fn take(world: &mut World, t: u64, w: WorkerId, order: &[ObjectId]) {
        for &o in order {
            world.apply(&ev(t, w, Op::AcquireBegin { o }));
            world.apply(&ev(
                t,
                w,
                Op::AcquireEnd {
                    ok: true,
                    o,
                    depth: None,
                    value: None,
                },
            ));
        }
        for &o in order.iter().rev() {
            world.apply(&ev(
                t,
                w,
                Op::Release {
                    o,
                    depth: None,
                    value: None,
                },
            ));
        }
    }

    #[test]
    fn opposite_orders_in_a_lucky_run_are_a_possible_deadlock() {
        let mut w = world(ObjectKind::Lock);
        take(&mut w, 1, 1, &[1, 2]);
        assert!(warnings(&w).is_empty(), "one order is no cycle");
        take(&mut w, 2, 2, &[2, 1]);
        assert!(w.deadlock.is_none(), "this run did not deadlock");
        assert_eq!(warnings(&w), ["t1 takes A then B; t2 takes B then A"]);
    }

    #[test]
    fn one_worker_in_both_orders_cannot_deadlock_alone() {
        let mut w = world(ObjectKind::Lock);
        take(&mut w, 1, 1, &[1, 2]);
        take(&mut w, 2, 1, &[2, 1]);
        assert!(!w.lock_order.any());
        // A second worker in one of the orders makes it possible.
        take(&mut w, 3, 2, &[2, 1]);
        assert_eq!(warnings(&w), ["t1 takes A then B; t2 takes B then A"]);
    }

    #[test]
    fn a_cycle_through_three_locks_names_every_order() {
        let mut w = world(ObjectKind::Lock);
        take(&mut w, 1, 1, &[1, 2]);
        take(&mut w, 2, 2, &[2, 3]);
        take(&mut w, 3, 3, &[3, 1]);
        assert_eq!(
            warnings(&w),
            ["t1 takes A then B; t2 takes B then C; t3 takes C then A"]
        );
    }

    #[test]
    fn the_same_order_everywhere_and_semaphores_warn_of_nothing() {
        let mut w = world(ObjectKind::Lock);
        take(&mut w, 1, 1, &[1, 2]);
        take(&mut w, 2, 2, &[1, 2]);
        assert!(warnings(&w).is_empty());
        assert_eq!(w.lock_order.edges().len(), 1);
        let mut s = world(ObjectKind::Semaphore);
        take(&mut s, 1, 1, &[1, 2]);
        take(&mut s, 2, 2, &[2, 1]);
        assert!(s.lock_order.edges().is_empty());
    }

    #[test]
    fn an_rlock_taken_again_is_no_order() {
        let mut w = world(ObjectKind::RLock);
        take(&mut w, 1, 1, &[1, 1]);
        assert!(w.lock_order.edges().is_empty());
    }

    #[test]
    fn the_orders_kept_are_bounded() {
        let mut lo = LockOrder::default();
        for i in 0..(EDGES_KEPT as u32 + 10) {
            lo.observe(i, i + 1, 1, 0);
        }
        assert_eq!(lo.edges().len(), EDGES_KEPT);
        assert_eq!(lo.dropped, 10);
    }
}
