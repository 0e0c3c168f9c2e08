//! The scrub cursor: ← → move through the run's history while paused or stepping, and the
//! world shown is the world as it was then. The live world goes on underneath untouched.
//!
//! One moment at a time, everywhere: in step mode the lanes' hints under the cursor say
//! what each worker did next after that moment (from the history), never what the live
//! workers are about to do now.

use super::App;
use crate::model::{World, describe};
use crate::runner::Mode;
use crate::view::{NextOp, RunState};

/// Where the scrub cursor is: after the first `at` events of the run.
pub(super) struct Cursor {
    pub at: u64,
    /// The world as it was then.
    pub world: World,
    /// Step mode: the lanes' hints for that moment.
    pub hints: Vec<NextOp>,
}

impl App {
    /// Moves the scrub cursor by `by` events; reaching the live end leaves scrubbing.
    pub(super) fn scrub(&mut self, by: i64) {
        let can = self.status.run != RunState::Running || self.options.mode == Mode::Step;
        if !can {
            self.flash("to scrub (← →), pause (space) or step (s) first".into());
            return;
        }
        let end = self.history.end();
        let at = self.cursor.as_ref().map_or(end, |c| c.at);
        let to = self.scrub_stop(at, by);
        if to == end {
            self.leave_scrub();
            return;
        }
        let world = self.history.world_after(to);
        self.status.scrub = Some(self.scrub_words(to, &world));
        let hints = if self.options.mode == Mode::Step {
            self.hints_after(to, &world)
        } else {
            Vec::new()
        };
        self.cursor = Some(Cursor {
            at: to,
            world,
            hints,
        });
    }

    /// `by` moments from `at`. A moment is after an event that did something: the moment
    /// just before a worker parks at the step gate is passed over (the park is no step of
    /// its own; stopping there would show the worker running between its step and its park).
    fn scrub_stop(&self, at: u64, by: i64) -> u64 {
        let (first, end) = (self.history.first(), self.history.end());
        let parks_next = |p: u64| {
            p < end
                && self
                    .history
                    .event(p)
                    .is_some_and(|e| matches!(e.op, crate::event::Op::Gate { .. }))
        };
        let mut to = at;
        for _ in 0..by.unsigned_abs() {
            loop {
                to = to.saturating_add_signed(by.signum()).clamp(first, end);
                if to == first || to == end || !parks_next(to) {
                    break;
                }
            }
        }
        to
    }

    /// Back to now: the live world and hints on screen.
    pub(super) fn leave_scrub(&mut self) {
        self.cursor = None;
        self.status.scrub = None;
    }

    /// Step mode, scrubbing: the hints again, after the live workers moved.
    pub(super) fn rescrub(&mut self) {
        if let Some(c) = self.cursor.take() {
            let hints = self.hints_after(c.at, &c.world);
            self.cursor = Some(Cursor { hints, ..c });
        }
    }

    /// "event 15 of 20 · 0.1s · t1 wakes": the moment's place among the run's events (parks
    /// at the step gate, drawn and not logged, are not counted) and the last one before it.
    fn scrub_words(&self, at: u64, world: &World) -> String {
        let last = (self.history.first()..at)
            .rev()
            .filter_map(|i| self.history.event(i))
            .find(|e| !matches!(e.op, crate::event::Op::Gate { .. }));
        let what = last.map_or(String::from("the start"), |e| {
            format!("{} {}", world.worker_name(e.w), describe::event(world, e))
        });
        let (n, of) = (
            world.events - world.parks,
            self.world.events - self.world.parks,
        );
        format!("event {n} of {of} · {} · {what}", describe::secs(world.t))
    }

    /// The lanes' hints after the first `at` events: each worker's next event in the history
    /// ("then: wrote value balance = 1"); a worker that has done nothing since is still
    /// about to do what it is about to do now, if it can ("next: read value balance"), else
    /// its lane says its state then.
    fn hints_after(&self, at: u64, then: &World) -> Vec<NextOp> {
        let mut hints: Vec<NextOp> = Vec::new();
        let mut left = then.workers.len();
        for i in at..self.history.end() {
            if left == 0 {
                break;
            }
            let Some(ev) = self.history.event(i) else {
                continue;
            };
            if then.worker(ev.w).is_none() || hints.iter().any(|h| h.w == ev.w) {
                continue;
            }
            // The live world's words: it knows every object the history names.
            let text = format!("then: {}", describe::event(&self.world, ev));
            let brief = format!("then: {}", describe::event_brief(&self.world, ev));
            hints.push(NextOp {
                w: ev.w,
                text,
                ready: false,
                brief: Some(brief),
            });
            left -= 1;
        }
        let idle = self
            .next_ops
            .iter()
            .filter(|n| n.ready && then.worker(n.w).is_some() && !hints.iter().any(|h| h.w == n.w));
        let idle: Vec<NextOp> = idle.cloned().collect();
        hints.extend(idle);
        hints
    }
}
