//! The wait-for graph as a whole, for the graph view: every blocked worker, what it waits
//! for, who has that (a lock's owner, a semaphore's holders, the worker it joins), whether it
//! is on the deadlock cycle, and whether it is stuck for good (on the cycle, or waiting for a
//! worker that is) — a partial deadlock while the rest still run.

use super::waitfor;
use super::worker::Wait;
use super::world::World;
use crate::event::WorkerId;

/// One blocked worker and what it waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub waiter: WorkerId,
    pub wait: Wait,
    /// Who has what it waits for, if anyone does.
    pub holders: Vec<WorkerId>,
    /// On the deadlock cycle.
    pub cycle: bool,
    /// On the cycle or waiting (through others) for a worker on it.
    pub stuck: bool,
}

/// The graph now: a row per blocked worker, in lane order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub edges: Vec<Edge>,
    /// The cycle, in cycle order, if there is one.
    pub cycle: Vec<WorkerId>,
    /// Every worker that can never go on, in lane order.
    pub stuck: Vec<WorkerId>,
    /// Live workers that are not stuck (running, sleeping, or blocked on something that can
    /// still come).
    pub free: Vec<WorkerId>,
}

/// Who has what `wait` needs.
fn holders(world: &World, w: WorkerId, wait: Wait) -> Vec<WorkerId> {
    if let Wait::Acquire(o) = wait
        && let Some(super::object::ObjectState::Semaphore { holders, .. }) =
            world.object(o).map(|ob| &ob.state)
    {
        let mut out: Vec<WorkerId> = Vec::new();
        for h in holders {
            if !out.contains(h) {
                out.push(*h);
            }
        }
        return out;
    }
    // A writer waits for every reader of an rwlock.
    if let Wait::Acquire(o) = wait
        && let Some(ob) = world.object(o)
        && ob.owner().is_none()
        && !ob.readers().is_empty()
    {
        return ob.readers().to_vec();
    }
    waitfor::waits_for(world, w).into_iter().collect()
}

pub fn graph(world: &World) -> Graph {
    let cycle = world.deadlock.clone().unwrap_or_default();
    let mut g = Graph {
        cycle,
        ..Graph::default()
    };
    for wk in &world.workers {
        let stuck =
            !g.cycle.is_empty() && wk.is_alive() && waitfor::reaches(world, wk.id, &g.cycle);
        if stuck {
            g.stuck.push(wk.id);
        } else if wk.is_alive() {
            g.free.push(wk.id);
        }
        if let Some(wait) = wk.blocked_on() {
            g.edges.push(Edge {
                waiter: wk.id,
                wait,
                holders: holders(world, wk.id, wait),
                cycle: g.cycle.contains(&wk.id),
                stuck,
            });
        }
    }
    g
}

/// "left, right stuck for good; still going: ticker" — the graph's verdict in words.
pub fn verdict(world: &World, g: &Graph) -> String {
    let names = |ws: &[WorkerId]| {
        ws.iter()
            .map(|w| world.worker_name(*w))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if g.cycle.is_empty() {
        return match g.edges.len() {
            0 => "nobody waits".into(),
            n => format!("{n} waiting, no cycle: each wait can still end"),
        };
    }
    let mut s = format!("DEADLOCK: {} stuck for good", names(&g.stuck));
    if !g.free.is_empty() {
        s.push_str(&format!("; still going: {}", names(&g.free)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, ObjectKind, Op, WorkerKind};

    fn ev(t: u64, w: WorkerId, op: Op) -> Event {
        Event { t, pid: 1, w, op }
    }

    /// The fold keeps who still goes beside a deadlock, the same answer the graph gives,
    /// and forgets it when the deadlock ends.
    #[test]
    fn the_fold_keeps_who_still_goes_beside_a_deadlock() {
        let mut world = World::default();
        for (w, name) in [(0, "main"), (1, "left"), (2, "right"), (3, "ticker")] {
            let (name, kind, daemon, parent) = (name.into(), WorkerKind::Thread, false, None);
            world.apply(&ev(
                0,
                w,
                Op::Worker {
                    name,
                    kind,
                    daemon,
                    parent,
                    thread: None,
                },
            ));
            world.apply(&ev(0, w, Op::Start));
        }
        for (o, name) in [(1, "A"), (2, "B")] {
            let (name, kind, capacity) = (name.into(), ObjectKind::Lock, None);
            world.apply(&ev(
                0,
                0,
                Op::Object {
                    o,
                    name,
                    kind,
                    capacity,
                },
            ));
        }
        let (ok, depth, value) = (true, None, None);
        for (w, o) in [(1, 1), (2, 2)] {
            world.apply(&ev(1, w, Op::AcquireBegin { o }));
            world.apply(&ev(
                1,
                w,
                Op::AcquireEnd {
                    o,
                    ok,
                    depth,
                    value,
                },
            ));
        }
        world.apply(&ev(2, 1, Op::AcquireBegin { o: 2 }));
        assert!(world.still_going.is_empty(), "no deadlock yet");
        world.apply(&ev(3, 2, Op::AcquireBegin { o: 1 }));
        assert!(world.deadlock.is_some());
        assert_eq!(world.still_going, [0, 3]);
        world.apply(&ev(4, 0, Op::JoinBegin { target: 1 }));
        assert_eq!(world.still_going, [3], "main joins a stuck worker");
        assert_eq!(world.still_going, graph(&world).free);
        let (how, msg) = (crate::event::ExitHow::Cancelled, None);
        world.apply(&ev(5, 1, Op::Exit { how, msg }));
        assert!(world.deadlock.is_none() && world.still_going.is_empty());
    }
}
