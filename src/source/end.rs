//! How a run ended, decided in one place for the TUI, headless, record and export: from
//! what the source says (finished, stuck, its clock) and what the caller's world shows (a
//! wait-for cycle).

use super::{End, Source};
use crate::model::World;
use std::time::Instant;

/// How long a run may go before it is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Real time: cut at this instant (headless `--for`), even while events still come.
    At(Instant),
    /// The source's own clock: cut once [`Source::now`] is past this many ns and nothing
    /// earlier is left to hand on (record and export, which cut by virtual time).
    Clock(u64),
}

/// Whether and how the run has ended. A deadlock, a stuck run or a cut by the clock is only
/// told once the source has nothing left to hand on (every event before it is folded).
///
/// A scenario in free mode ends at a wait-for cycle (it would never end by itself); seeded
/// mode runs on until nobody can go, so the stream (and where it stops) is the same on
/// every run.
pub fn ended(source: &dyn Source, world: &World, limit: Option<Limit>) -> Option<End> {
    if source.is_finished() {
        return Some(End::Finished);
    }
    // Asked only when an end is near: asking collects what the run has sent so far, which
    // a busy run must not have done at every turn (its producers wait for a slow reader).
    let quiet = || source.is_quiet();
    if source.is_stuck() && quiet() {
        return Some(End::Stuck);
    }
    if source.cycle_is_final() && world.deadlock.is_some() && quiet() {
        return Some(End::Deadlock);
    }
    match limit {
        Some(Limit::At(at)) if Instant::now() >= at => Some(End::Cut),
        Some(Limit::Clock(l)) if source.now() > l && quiet() => Some(End::Cut),
        _ => None,
    }
}

impl End {
    /// One word for a file's metadata and a summary line.
    pub fn as_str(self) -> &'static str {
        match self {
            End::Finished => "finished",
            End::Deadlock => "deadlock",
            End::Stuck => "stuck",
            End::Cut => "cut",
        }
    }
}
