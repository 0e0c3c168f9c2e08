//! The scrub cursor: ← → move through the run's history while paused or stepping, and the
//! world shown is the world as it was then. The live world goes on underneath untouched.

use super::App;
use crate::model::{World, describe};
use crate::runner::Mode;
use crate::view::RunState;

impl App {
    /// Moves the scrub cursor by `by` events; reaching the live end leaves scrubbing.
    pub(super) fn scrub(&mut self, by: i64) {
        let can = self.status.run != RunState::Running || self.options.mode == Mode::Step;
        if !can {
            self.flash("pause (space) or step mode (s) first, then ← → scrub".into());
            return;
        }
        let end = self.history.end();
        let at = self.cursor.as_ref().map_or(end, |c| c.0);
        let to = at
            .saturating_add_signed(by)
            .clamp(self.history.first(), end);
        if to == end {
            self.cursor = None;
            self.status.scrub = None;
            return;
        }
        let world = self.history.world_after(to);
        self.status.scrub = Some(self.scrub_words(to, end, &world));
        self.cursor = Some((to, world));
    }

    fn scrub_words(&self, at: u64, end: u64, world: &World) -> String {
        let last = at.checked_sub(1).and_then(|i| self.history.event(i));
        let what = last.map_or(String::from("the start"), |e| {
            format!("{} {}", world.worker_name(e.w), describe::event(world, e))
        });
        format!("event {at} of {end} · {} · {what}", describe::secs(world.t))
    }
}
