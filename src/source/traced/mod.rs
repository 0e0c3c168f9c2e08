//! A traced program as a [`Source`]: `threadlanes trace -- python3 SCRIPT.py`.
//!
//! `program` starts it with the shim under it; `pump` reads every process's connection
//! through the time-ordered ingest. Here its items are handed on, and what it writes to
//! stderr waits as long as its events do (they are held [`HOLD`] to be put in time order), so
//! a traceback never shows ahead of what happened before it. Under the TUI, what the viewer
//! cannot keep up with is dropped and counted ([`Source::dropped`]), said once as a problem;
//! headless loses nothing, and in free mode the program still never waits for it (see
//! `outlet` and `backlog`). The program runs on its own clock (its real
//! time) and offers no pause, speed or restart; it offers step: in step mode each of its
//! threads waits at a gate before each traced operation until the viewer lets it (`gates`).

mod backlog;
mod dir;
mod facts;
mod gates;
mod outlet;
mod program;
mod pump;
mod ready;
mod schedule;
mod stdout;
mod terminal;

pub use gates::{Decision, STALL};
pub use program::{Captured, Options, Output, StartError, Trace};
pub use schedule::{Schedule, ScheduleError, Strategy};

use super::{Controls, Item, Source};
use crate::event::WorkerId;
use crate::runner::{Mode, Parked, StepError};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long an event waits for lines of other processes that happened before it.
pub const HOLD: Duration = Duration::from_millis(40);

/// Said once, the first time the viewer falls behind (the count is [`Source::dropped`]).
const DROPPED: &str = "the viewer could not keep up with the program: events are being dropped \
     (the program runs on at its own pace; threadlanes trace --headless keeps every event)";

/// Items handed on between two looks at the clock.
const CHECK_EVERY: usize = 256;

/// How long a frame may fold while the channel from the reader fills (see `drain`): about
/// 150,000 events at the model's rate, and still a frame every ~30 ms.
const BEHIND_BUDGET: Duration = Duration::from_millis(12);

pub struct TracedSource {
    trace: Trace,
    /// Lines the program wrote (stderr, and a non-Python program's stdout), with when they
    /// came and whether on stderr (see the module doc).
    late: VecDeque<(Instant, String, bool)>,
    /// The viewer has been told that it could not keep up.
    told_dropped: bool,
}

impl TracedSource {
    /// Starts `argv` traced (see [`Trace::start`]).
    pub fn start(argv: &[String], opts: &Options) -> Result<TracedSource, StartError> {
        Ok(TracedSource::new(Trace::start(argv, opts)?))
    }

    /// Starts `argv` in step mode: each of its threads waits at its gate before its first
    /// traced operation until [`Source::step`] lets it.
    pub fn start_stepped(argv: &[String], opts: &Options) -> Result<TracedSource, StartError> {
        Ok(TracedSource::new(Trace::start_gated(argv, opts, true)?))
    }

    /// Starts `argv` in `mode`; seeded mode picks who goes with `strategy`.
    pub fn start_in(
        argv: &[String],
        opts: &Options,
        mode: Mode,
        strategy: Option<Strategy>,
    ) -> Result<TracedSource, StartError> {
        Ok(TracedSource::new(Trace::start_in(
            argv, opts, mode, strategy,
        )?))
    }

    /// The operations let through in step or seeded mode, in order, each with why the
    /// thread before it stopped.
    pub fn decisions(&self) -> Vec<Decision> {
        self.trace.gates().decisions()
    }

    /// A stuck seeded run: each thread that waits, and what for.
    pub fn waiting(&self) -> Vec<String> {
        self.trace.gates().waiting()
    }

    /// A replay: how many of its picks did not fit this run (0: it was followed).
    pub fn misfits(&self) -> usize {
        self.trace.gates().misfits()
    }

    /// A program already started.
    pub fn new(trace: Trace) -> TracedSource {
        TracedSource {
            trace,
            late: VecDeque::new(),
            told_dropped: false,
        }
    }

    /// The program as started: its command and speed, what it wrote (with `Output::Capture`).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// One item from the program: its stderr lines wait; the rest go on. Returns how many
    /// were handed on.
    fn take(&mut self, item: Item, fold: &mut dyn FnMut(Item)) -> usize {
        match item {
            Item::Output { line, err } => {
                self.late.push_back((Instant::now(), line, err));
                0
            }
            other => {
                fold(other);
                1
            }
        }
    }

    /// Stderr lines that have waited as long as events do (all once the program ended).
    fn release_late(&mut self, fold: &mut dyn FnMut(Item)) -> usize {
        let ended = self.trace.is_finished() && self.trace.items().is_empty();
        let mut n = 0;
        while let Some((came, ..)) = self.late.front()
            && (ended || came.elapsed() >= HOLD)
        {
            if let Some((_, line, err)) = self.late.pop_front() {
                fold(Item::Output { line, err });
                n += 1;
            }
        }
        n
    }
}

impl Source for TracedSource {
    fn drain(&mut self, budget: Duration, fold: &mut dyn FnMut(Item)) -> usize {
        // A program can make events faster than a frame's budget folds them; what the
        // channel cannot hold is dropped. While it fills, a frame folds longer: a slower
        // frame costs less than a picture with holes in it.
        let rx_len = self.trace.items().len();
        let budget = if rx_len > outlet::CAPACITY / 8 {
            budget.max(BEHIND_BUDGET)
        } else {
            budget
        };
        let until = Instant::now() + budget;
        let rx = self.trace.items().clone();
        let mut n = 0;
        for (i, item) in rx.try_iter().enumerate() {
            n += self.take(item, fold);
            if (i + 1) % CHECK_EVERY == 0 && Instant::now() >= until {
                break;
            }
        }
        if !self.told_dropped && self.trace.dropped() > 0 {
            self.told_dropped = true;
            fold(Item::Problem(DROPPED.into()));
            n += 1;
        }
        n + self.release_late(fold)
    }

    fn wait(&mut self, timeout: Duration, fold: &mut dyn FnMut(Item)) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let n = self.drain(timeout, fold);
            if n > 0 || self.is_finished() {
                return n;
            }
            // Until something comes, or the first stderr line waiting may go.
            let next = self.late.front().map(|(came, ..)| *came + HOLD);
            let until = next.map_or(deadline, |t| t.min(deadline));
            match self.trace.items().recv_deadline(until) {
                Ok(item) => {
                    let n = self.take(item, fold);
                    if n > 0 {
                        return n + self.drain(timeout, fold);
                    }
                }
                Err(_) if Instant::now() >= deadline => return self.release_late(fold),
                Err(_) => {}
            }
        }
    }

    fn now(&self) -> u64 {
        // In step mode time moves with the program's events, as a scenario's virtual clock
        // does: a thread waiting at its gate for the user is not running, and its lane must
        // not fill as if it were while the user reads.
        if self.trace.gates().mode() == Mode::Step {
            return 0;
        }
        self.trace.now()
    }

    fn is_quiet(&self) -> bool {
        self.trace.items().is_empty() && self.late.is_empty()
    }

    fn is_finished(&self) -> bool {
        self.trace.is_finished() && self.trace.items().is_empty() && self.late.is_empty()
    }

    fn cancel(&self) {
        self.trace.cancel();
    }

    fn stop(&mut self, within: Duration) -> bool {
        self.trace.stop(within);
        self.trace.has_ended()
    }

    fn dropped(&self) -> u64 {
        self.trace.dropped()
    }

    fn controls(&self) -> Controls {
        Controls {
            signals: true,
            step: true,
            children_stepped: true,
            ..Controls::default()
        }
    }

    fn set_mode(&self, mode: Mode) {
        self.trace.gates().set_mode(mode);
    }

    fn step(&self, w: WorkerId) -> Result<(), StepError> {
        self.trace.gates().step(w)
    }

    fn parked(&self) -> Vec<Parked> {
        self.trace.gates().parked()
    }

    fn is_stuck(&self) -> bool {
        self.trace.gates().is_stuck()
    }

    fn stuck_cycle(&self) -> Option<String> {
        self.trace.gates().cycle()
    }

    fn schedule(&self) -> Option<String> {
        self.trace.gates().schedule().map(|s| s.to_string())
    }

    fn exit_status(&self) -> Option<i32> {
        self.trace.exit_code()
    }

    fn signal(&self, sig: i32) {
        self.trace.signal(sig);
    }

    fn captured(&self) -> Captured {
        self.trace.captured()
    }
}
