//! Who waits for whom among the threads parked at their gates: a seeded run stuck with
//! threads that wait before their operation began (no `acquire_begin` yet, so the model's
//! wait-for graph has no edge for them) still has its cycle named, from the facts.

use super::{Gated, Inner};
use crate::event::WorkerId;

impl Inner {
    /// The thread `w`, parked, waits for: the holder of the lock it wants, or the thread it
    /// joins. None if it can go, or may give up (a try, a timeout).
    fn waits_for(&self, w: WorkerId, p: &Gated) -> Option<WorkerId> {
        if p.timed || self.blocker(w, p).is_none() {
            return None;
        }
        match (p.next.op, p.next.o) {
            ("join", _) => p.target,
            ("acquire", Some(o)) => self.objects.holder(w, o, p.read),
            _ => None,
        }
    }

    /// A circle of waits among the parked threads, from the lowest-numbered thread in it.
    pub(super) fn cycle(&self) -> Option<Vec<WorkerId>> {
        for start in self.parked.keys() {
            let mut path = vec![*start];
            let mut at = *start;
            while let Some(next) = self.parked.get(&at).and_then(|p| self.waits_for(at, p)) {
                if let Some(i) = path.iter().position(|w| *w == next) {
                    let mut cycle = path.split_off(i);
                    let low = (0..cycle.len()).min_by_key(|i| cycle[*i]).unwrap_or(0);
                    cycle.rotate_left(low);
                    return Some(cycle);
                }
                path.push(next);
                at = next;
            }
        }
        None
    }

    /// One link of the circle in words, as a deadlock's are said: "t1 waits for lock b held
    /// by t2", "main joins t1".
    pub(super) fn link(&self, w: WorkerId) -> String {
        let name = self.objects.worker(w);
        let Some(p) = self.parked.get(&w) else {
            return format!("{name} waits");
        };
        let holder = self
            .waits_for(w, p)
            .map_or_else(String::new, |h| self.objects.worker(h));
        match (p.next.op, p.next.o) {
            ("join", _) => format!("{name} joins {holder}"),
            (_, Some(o)) => format!(
                "{name} waits for {} held by {holder}",
                self.objects.object(o)
            ),
            _ => format!("{name} waits for {holder}"),
        }
    }
}
