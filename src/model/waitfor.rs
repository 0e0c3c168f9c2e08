//! The wait-for graph: a blocked worker points at the worker it needs something from (the
//! owner of the lock it wants, the worker it joins). A cycle is a deadlock.

use super::world::World;
use super::worker::Wait;
use crate::event::WorkerId;

/// The worker that `w` waits for, if its wait has one definite holder.
pub fn waits_for(world: &World, w: WorkerId) -> Option<WorkerId> {
    match world.worker(w)?.blocked_on()? {
        Wait::Acquire(o) => world.object(o)?.owner(),
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
