//! The wait-for graph: a blocked worker points at the worker it needs something from (the
//! owner of the lock it wants, the worker it joins). A cycle is a deadlock.

use super::worker::Wait;
use super::world::World;
use crate::event::WorkerId;

/// The worker that `w` waits for, if its wait has one definite holder.
pub fn waits_for(world: &World, w: WorkerId) -> Option<WorkerId> {
    match world.worker(w)?.blocked_on()? {
        Wait::Acquire(o) => {
            let ob = world.object(o)?;
            // A writer waits for the one reader, if one alone reads; for itself (for good)
            // if it reads it.
            let readers = ob.readers();
            let reader = match readers {
                _ if readers.contains(&w) => Some(w),
                [r] => Some(*r),
                _ => None,
            };
            // An RLock's owner taking it again does not wait.
            ob.owner()
                .filter(|&owner| !(owner == w && ob.kind == crate::event::ObjectKind::RLock))
                .or(reader)
        }
        // A reader waits for the writer (behind a waiting writer it has no one holder).
        Wait::AcquireShared(o) => world.object(o)?.owner(),
        Wait::Join(target) => world.worker(target).filter(|t| !t.is_done()).map(|t| t.id),
        _ => None,
    }
}

/// The cycle through `start`, if following the edges from it comes back to it.
/// Every worker has at most one out-edge, so this is a walk, not a search; and it allocates
/// only for a cycle found (a wait behind a chain of holders is common, a deadlock rare).
pub fn cycle_from(world: &World, start: WorkerId) -> Option<Vec<WorkerId>> {
    // A walk that has not come back within one step per worker is stuck in a cycle that
    // does not pass through start (found when it formed), or has ended.
    let mut at = start;
    let mut steps = 0;
    loop {
        let next = waits_for(world, at)?;
        steps += 1;
        if next == start {
            break;
        }
        if steps > world.workers.len() {
            return None;
        }
        at = next;
    }
    let mut path = Vec::with_capacity(steps);
    path.push(start);
    let mut at = start;
    while let Some(next) = waits_for(world, at).filter(|&n| n != start) {
        path.push(next);
        at = next;
    }
    Some(path)
}

/// One link of a cycle in words: "left waits for B held by right".
pub fn describe_link(world: &World, w: WorkerId) -> String {
    let name = world.worker_name(w);
    let wait = world.worker(w).and_then(|wk| wk.blocked_on());
    let holder = waits_for(world, w).map(|h| {
        if h == w {
            "itself"
        } else {
            world.worker_name(h)
        }
    });
    match (wait, holder) {
        (Some(Wait::Join(t)), _) => format!("{name} joins {}", world.worker_name(t)),
        (Some(wait), Some(h)) => match wait.object() {
            Some(o) => format!("{name} waits for {} held by {h}", world.object_name(o)),
            None => format!("{name} waits for {h}"),
        },
        (Some(wait), None) => match wait.object() {
            Some(o) => format!("{name} waits for {}", world.object_name(o)),
            None => format!("{name} waits"),
        },
        (None, _) => format!("{name} no longer waits"),
    }
}

/// A cycle in words, starting from the worker declared first so it reads the way the
/// scenario does: "left waits for B held by right; right waits for A held by left".
pub fn describe_cycle(world: &World, cycle: &[WorkerId]) -> String {
    let start = world
        .workers
        .iter()
        .find_map(|w| cycle.iter().position(|c| *c == w.id))
        .unwrap_or(0);
    let links: Vec<String> = cycle[start..]
        .iter()
        .chain(&cycle[..start])
        .map(|w| describe_link(world, *w))
        .collect();
    links.join("; ")
}

/// The same cycle in the fewest words, for a narrow banner: "left and right wait for each
/// other", "a, b and c wait for each other in a circle".
pub fn describe_cycle_brief(world: &World, cycle: &[WorkerId]) -> String {
    let names: Vec<&str> = world
        .workers
        .iter()
        .filter(|w| cycle.contains(&w.id))
        .map(|w| w.name.as_str())
        .collect();
    match names.as_slice() {
        [one] => format!("{one} waits for itself"),
        [a, b] => format!("{a} and {b} wait for each other"),
        [rest @ .., last] => format!(
            "{} and {last} wait for each other in a circle",
            rest.join(", ")
        ),
        [] => "a circle of waits".into(),
    }
}

/// Whether following `w`'s wait-for edges reaches a worker of `cycle`.
pub fn reaches(world: &World, w: WorkerId, cycle: &[WorkerId]) -> bool {
    let mut at = w;
    for _ in 0..=world.workers.len() {
        if cycle.contains(&at) {
            return true;
        }
        match waits_for(world, at) {
            Some(next) => at = next,
            None => return false,
        }
    }
    false
}

/// The live workers that `cycle` does not hold up (running, sleeping, or blocked on
/// something that can still come), in lane order: what the fold keeps in
/// `World::still_going` while a deadlock lasts.
pub fn still_going(world: &World, cycle: &[WorkerId]) -> Vec<WorkerId> {
    world
        .workers
        .iter()
        .filter(|w| w.is_alive() && !reaches(world, w.id, cycle))
        .map(|w| w.id)
        .collect()
}
