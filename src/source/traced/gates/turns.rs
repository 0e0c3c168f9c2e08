//! Whose turn it is in seeded mode, and what each turn let through: the pick among the
//! threads that can go, the logical clock, and the words of a switch (why the thread before
//! stopped).

use super::{Inner, go};
use crate::event::{ObjectId, WorkerId};
use crate::runner::Mode;
use crate::runner::StepError;
use crate::runner::gate::SLACK_NS;
use std::time::Instant;

/// Operations let through that are kept for the interleaving table.
const KEPT: usize = 100_000;

/// One operation let through, and why the thread before it stopped (a switch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub w: WorkerId,
    /// The thread's name.
    pub who: String,
    /// What it did it to (a lock, a queue), if anything.
    pub o: Option<ObjectId>,
    /// What it did: `acquire lock a`, `sleep`.
    pub what: String,
    /// Where in the program (`bank.py:14`), if known.
    pub at: String,
    /// Other threads could have gone instead (a pick written in the schedule).
    pub choice: bool,
    /// Another thread went before this one: why it stopped (`t1 waits for lock b (held by
    /// t2)`, `t1 sleeps`, `t1 ended`, `t1 could go on`).
    pub switch: Option<String>,
}

impl Inner {
    /// Seeded mode: when nobody runs, lets one thread go. Every parked thread whose
    /// operation would not wait for another is a candidate, a sleeper too (so a schedule
    /// made by stepping, where any sleeper may be picked, replays as it was made); a random
    /// run prefers those whose sleep is over on the logical clock, else the sleepers due
    /// first, as a seeded scenario does.
    pub(super) fn schedule(&mut self) {
        if self.mode != Mode::Seeded || !self.running.is_empty() {
            return;
        }
        let ready = self.ready();
        if ready.is_empty() {
            self.stuck = !self.parked.is_empty() || !self.blocked.is_empty();
            return;
        }
        let wake = |w: &WorkerId| self.parked.get(w).and_then(|p| p.wake_at);
        let mut awake: Vec<WorkerId> = ready
            .iter()
            .copied()
            .filter(|w| wake(w).is_none_or(|t| t <= self.clock))
            .collect();
        if awake.is_empty() {
            let first = ready.iter().filter_map(wake).min().unwrap_or(self.clock);
            awake = ready
                .iter()
                .copied()
                .filter(|w| wake(w).is_some_and(|t| t <= first + SLACK_NS))
                .collect();
        }
        let last = self.last;
        let w = match &mut self.picker {
            _ if ready.len() == 1 => ready[0],
            Some(p) => p.pick(&ready, &awake, last),
            None => awake[0],
        };
        if let Some(t) = wake(&w) {
            self.clock = self.clock.max(t);
        }
        self.stuck = false;
        let _ = self.let_go(w, ready.len() > 1, true);
    }

    /// Lets `w` through, writing down the pick and the operation.
    pub(super) fn let_go(
        &mut self,
        w: WorkerId,
        choice: bool,
        seeded: bool,
    ) -> Result<(), StepError> {
        let switch = self
            .last
            .filter(|l| *l != w)
            .map(|l| self.why_stopped(l, w));
        let gated = self.parked.remove(&w).ok_or(StepError::NotAtGate)?;
        if choice {
            self.picks.push(w);
        }
        if self.log.len() < KEPT {
            let what = match gated.next.o {
                Some(o) => format!("{} {}", gated.next.op, self.objects.object(o)),
                None => match gated.target {
                    Some(t) => format!("join {}", self.objects.worker(t)),
                    None => gated.next.op.to_string(),
                },
            };
            self.log.push(Decision {
                w,
                who: self.objects.worker(w),
                o: gated.next.o,
                what,
                at: gated.at.clone(),
                choice,
                switch,
            });
        }
        self.last = Some(w);
        self.running.insert(w);
        self.changed = Instant::now();
        // A seeded sleep does not sleep: its time passed on the logical clock.
        go(&gated, seeded && gated.wake_at.is_some())
    }

    /// Why `l`, which went last, is not `w`, which goes now.
    fn why_stopped(&self, l: WorkerId, w: WorkerId) -> String {
        let name = self.objects.worker(l);
        if self.objects.has_ended(l) {
            return format!("{name} ended");
        }
        if let Some(o) = self.blocked.get(&l) {
            return format!("{name} waits on {}", self.objects.object(*o));
        }
        match self.parked.get(&l) {
            Some(p) => match self.blocker(l, p) {
                Some(why) => format!("{name} {why}"),
                None if p.wake_at.is_some_and(|t| t > self.clock) => format!("{name} sleeps"),
                None => format!(
                    "{name} could go on; the schedule picks {}",
                    self.objects.worker(w)
                ),
            },
            None => format!("{name} is busy outside the traced operations"),
        }
    }
}
