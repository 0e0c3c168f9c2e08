//! source: where events come from, as one idea. A scenario run (threads and child processes
//! under the runner) and a traced program (its processes connected over a socket) are two
//! sources behind one interface. The app, headless mode, record and export work on any
//! source and never ask which kind it is beyond what [`Source::controls`] says.
//!
//! A source does not fold: it hands each [`Item`] to the caller, who folds it into its own
//! `World`. How a run ended ([`End`]) is decided in one place from what the source says and
//! what the caller's world shows.
//!
//! This file is the contract; `scenario.rs`, `traced/` and `ingest/` carry it out, and
//! `end.rs` says how a run ended.

pub mod clock;
pub mod end;
pub mod ingest;
pub mod scenario;
pub mod traced;

pub use end::{Limit, ended};
pub use scenario::ScenarioSource;
pub use traced::TracedSource;

use crate::event::{Event, WorkerId};
use crate::runner::{Mode, Parked, StepError};
use std::time::Duration;

/// What a source hands on, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event(Event),
    /// A line that was not a valid event, in words: where it came from and what was wrong.
    Problem(String),
    /// A line the program wrote to its stderr (`err`) or its stdout, for the log.
    Output {
        line: String,
        err: bool,
    },
    /// Events are missing here: the viewer fell behind and the reader dropped some. From
    /// here on the picture may disagree with what came before (a release whose acquire was
    /// dropped), which is the gap's doing, not the program's.
    Gap,
}

/// How a run ended. One enum for the TUI, headless, record and export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Every worker ended (a traced program: it exited; its status is `Source::exit_status`).
    Finished,
    /// Free mode: a wait-for cycle formed (the run would never end by itself; see
    /// [`Source::cycle_is_final`]).
    Deadlock,
    /// Seeded mode: every worker waits and none can go (a deadlock, or waits nobody ends).
    Stuck,
    /// Stopped early: the time asked for (`--for`) ran out.
    Cut,
}

/// What a source lets the viewer do beyond watching. The app offers exactly these keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Controls {
    /// Pausing stops the run itself (its clock and its workers), not only the view.
    pub pause: bool,
    /// Step and seeded scheduling through the gate.
    pub step: bool,
    /// Its clock's speed can change while it runs.
    pub speed: bool,
    /// It can be started again, with another version, parameter or seed.
    pub restart: bool,
    /// It takes signals: Ctrl-C and the like are passed on ([`Source::signal`]) and it ends
    /// in its own way (a traced program). Without, a signal ends us at once.
    pub signals: bool,
    /// In step mode its child processes wait at the gate like its threads (a traced
    /// program's do; a scenario's run free).
    pub children_stepped: bool,
}

impl Controls {
    /// A scenario's: everything on the run itself, signals end us, children run free.
    pub const SCENARIO: Controls = Controls {
        pause: true,
        step: true,
        speed: true,
        restart: true,
        signals: false,
        children_stepped: false,
    };
}

/// Where events come from. Every method answers at once unless it says it waits.
pub trait Source: Send {
    /// Hands `fold` the items available now, until none is left or `budget` is spent;
    /// returns how many. Never waits for new items.
    fn drain(&mut self, budget: Duration, fold: &mut dyn FnMut(Item)) -> usize;
    /// Waits up to `timeout` for at least one item (for headless and record loops, which
    /// have no frame to draw); returns how many were handed to `fold`.
    fn wait(&mut self, timeout: Duration, fold: &mut dyn FnMut(Item)) -> usize;
    /// The run's clock, in ns since it started: virtual time for a scenario, the program's
    /// real time for a traced program.
    fn now(&self) -> u64;
    /// True if nothing is there to hand on now.
    fn is_quiet(&self) -> bool;
    /// True once the run has ended and every item has been handed on.
    fn is_finished(&self) -> bool;
    /// Seeded mode: nobody can go any more (see [`End::Stuck`]).
    fn is_stuck(&self) -> bool {
        false
    }
    /// A stuck run's circle of waits in words, as the source's own knowledge tells it (a
    /// traced program's threads stuck at their gates, before the model saw them wait).
    fn stuck_cycle(&self) -> Option<String> {
        None
    }
    /// A wait-for cycle ends the run ([`End::Deadlock`]): true for a scenario in free mode.
    /// A traced program runs on until it ends (its waits may have timeouts the model does
    /// not see); seeded mode runs on until it is stuck.
    fn cycle_is_final(&self) -> bool {
        false
    }
    /// Tells everything to stop without waiting (so two sources stop in the time of one).
    fn cancel(&self);
    /// Ends the run, even one deadlocked, within `within`; false if something was left.
    fn stop(&mut self, within: Duration) -> bool;
    /// What the viewer may do with this source.
    fn controls(&self) -> Controls;
    fn set_paused(&self, _paused: bool) {}
    fn set_speed(&self, _speed: f64) {}
    fn set_mode(&self, _mode: Mode) {}
    /// Step mode: lets worker `w` do its next operation; the error says why it cannot.
    fn step(&self, _w: WorkerId) -> Result<(), StepError> {
        Err(StepError::NoGate)
    }
    /// Step mode: the workers parked at the gate and what each is about to do.
    fn parked(&self) -> Vec<Parked> {
        Vec::new()
    }
    /// The schedule a stepped or seeded run followed, as a string `trace --replay` takes;
    /// None for a run that was never stepped or seeded, or a source without one.
    fn schedule(&self) -> Option<String> {
        None
    }
    /// A traced program's exit status once it has ended (128 + signal if one ended it);
    /// None for a scenario, whose outcome is in the world.
    fn exit_status(&self) -> Option<i32> {
        None
    }
    /// Passes a signal (SIGINT on Ctrl-C in headless mode) to what runs, if it takes one.
    fn signal(&self, _sig: i32) {}
    /// Items dropped because the viewer could not keep up (a traced program under the TUI:
    /// it never waits for the viewer); the status line says "N events dropped". Headless
    /// and record lose nothing until they stop the run.
    fn dropped(&self) -> u64 {
        0
    }
    /// What the program wrote to its stdout and stderr while the TUI had the terminal, to
    /// be written out after it; empty for a source that keeps no output (a scenario).
    fn captured(&self) -> (Vec<u8>, Vec<u8>) {
        (Vec::new(), Vec::new())
    }
}
