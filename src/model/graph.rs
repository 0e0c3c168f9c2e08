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
    waitfor::waits_for(world, w).into_iter().collect()
}

/// Whether following `w`'s wait-for edges reaches a worker of `cycle`.
fn reaches(world: &World, w: WorkerId, cycle: &[WorkerId]) -> bool {
    let mut at = w;
    for _ in 0..=world.workers.len() {
        if cycle.contains(&at) {
            return true;
        }
        match waitfor::waits_for(world, at) {
            Some(next) => at = next,
            None => return false,
        }
    }
    false
}

pub fn graph(world: &World) -> Graph {
    let cycle = world.deadlock.clone().unwrap_or_default();
    let mut g = Graph {
        cycle,
        ..Graph::default()
    };
    for wk in &world.workers {
        let stuck = !g.cycle.is_empty() && wk.is_alive() && reaches(world, wk.id, &g.cycle);
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
