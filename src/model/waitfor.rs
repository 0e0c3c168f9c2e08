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
            // An RLock's owner taking it again does not wait.
            ob.owner()
                .filter(|&owner| !(owner == w && ob.kind == crate::event::ObjectKind::RLock))
        }
        Wait::Join(target) => world.worker(target).filter(|t| !t.is_done()).map(|t| t.id),
        _ => None,
    }
}

/// The cycle through `start`, if following the edges from it comes back to it.
/// Every worker has at most one out-edge, so this is a walk, not a search.
pub fn cycle_from(world: &World, start: WorkerId) -> Option<Vec<WorkerId>> {
    let mut path = vec![start];
    let mut at = start;
    while let Some(next) = waits_for(world, at) {
        if next == start {
            return Some(path);
        }
        if path.contains(&next) || path.len() > world.workers.len() {
            return None; // a cycle that does not pass through start: found when it formed
        }
        path.push(next);
        at = next;
    }
    None
}

/// A cycle in words: "left waits for lock B held by right; right waits for lock A held by left".
pub fn describe_cycle(world: &World, cycle: &[WorkerId]) -> String {
    let parts: Vec<String> = cycle
        .iter()
        .map(|&w| {
            let name = world.worker_name(w);
            match world.worker(w).and_then(|x| x.blocked_on()) {
                Some(Wait::Acquire(o)) => {
                    let holder = world.object(o).and_then(|ob| ob.owner());
                    let held = match holder {
                        Some(h) if h == w => "itself".to_string(),
                        Some(h) => world.worker_name(h).to_string(),
                        None => "nobody".to_string(),
                    };
                    format!("{name} waits for {} held by {held}", world.object_name(o))
                }
                Some(Wait::Join(t)) => format!("{name} joins {}", world.worker_name(t)),
                _ => format!("{name} waits"),
            }
        })
        .collect();
    parts.join("; ")
}
