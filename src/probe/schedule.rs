//! What the probe asks of whoever runs its workers: virtual time (`Timekeeper`) and the gate
//! every worker passes before an operation (`Gatekeeper`), with the words both speak (`Mode`,
//! `Next`, `Ready`). The runner implements them (`runner::clock::Clock`, `runner::gate::Gate`)
//! and hands them to a `Session`; the probe never names the runner.
//!
//! No call through these traits is on an operation's path: a worker takes, once, pointers to
//! the gate's `open` flag (`Gatekeeper::open_flag`) and to the published time
//! (`Timekeeper::time_base`) and reads them in place.

use super::time_base::TimeBase;
use crate::event::{ObjectId, WorkerId};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How workers are scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The OS schedules: workers pass the gate at once.
    Free,
    /// The user picks who goes next.
    Step,
    /// A PRNG seeded by the user picks who goes next.
    Seeded,
}

/// The operation a worker is about to do when it reaches the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Next {
    pub op: &'static str,
    pub o: Option<ObjectId>,
}

impl Next {
    /// A worker's own start, before its first operation.
    pub const BEGIN: Next = Next {
        op: "begin running",
        o: None,
    };
    /// Starting a thread.
    pub const START_THREAD: Next = Next {
        op: "start a thread",
        o: None,
    };

    /// Setup that shows nothing to learn by itself: starting a thread, and a thread's own
    /// start. Step mode lets it pass without a step, so the learner's steps go to the
    /// operations that teach (read, write, acquire, sleep, put, get, join, ...).
    pub fn is_setup(&self) -> bool {
        *self == Next::BEGIN || *self == Next::START_THREAD
    }
}

/// Says whether a parked waiter could go on now (evaluated with the gate locked).
pub type Ready = Arc<dyn Fn() -> bool + Send + Sync>;

/// Virtual time: scenario sleeps and event stamps go through it. `stopped` says when a
/// sleeper must give up (its worker was told to stop).
pub trait Timekeeper: Send + Sync {
    /// Where virtual time is published. The session reads it directly on every watched
    /// operation, so it must live as long as the timekeeper.
    fn time_base(&self) -> &TimeBase;
    /// Virtual nanoseconds since the run started.
    fn now(&self) -> u64 {
        self.time_base().now()
    }
    /// How many virtual seconds pass in a real one.
    fn speed(&self) -> f64;
    /// Sleeps until virtual time reaches `deadline`; false if stopped first.
    fn sleep_until(&self, deadline: u64, stopped: &dyn Fn() -> bool) -> bool;
    /// In frozen time (step and seeded mode), moves time to `t`: at once, or (`pace`) taking
    /// the real time it takes at the current speed. False if stopped on the way.
    fn run_to(&self, t: u64, pace: bool, stopped: &dyn Fn() -> bool) -> bool;
    /// Wakes every sleeper so it re-checks its stop flags.
    fn wake_all(&self);
}

/// The gate: where a worker waits its turn in step and seeded mode, and where everyone is
/// held while the run is paused.
pub trait Gatekeeper: Send + Sync {
    /// True when passing decides nothing (free mode, not held). The session reads this flag
    /// directly on every operation, so it must live as long as the gatekeeper.
    fn open_flag(&self) -> &AtomicBool;
    fn mode(&self) -> Mode;
    /// Parks worker `w` until it is picked while `ready()` holds (or, with `wake_at`, as the
    /// sleeper due first), or until the gate opens. False if `stopped()` said to give up.
    fn park_until(
        &self,
        w: WorkerId,
        next: Next,
        ready: Option<Ready>,
        wake_at: Option<u64>,
        stopped: &dyn Fn() -> bool,
    ) -> bool;
    /// Holds every worker at its next operation (pause, the end of a run) or lets them go.
    fn set_held(&self, held: bool);
    /// A worker was declared: it counts as running until it parks.
    fn spawned(&self);
    /// A worker ended.
    fn exited(&self);
    /// Something that runs outside the gate (a child process) started: while it lives,
    /// workers waiting for it are not stuck.
    fn external_started(&self);
    /// That something ended; what a worker waited for may have come.
    fn external_ended(&self);
    /// Something outside the gate may have made a parked worker ready: look again.
    fn poke(&self);
    /// Wakes every parked worker so it re-checks its stop flags.
    fn wake_all(&self);

    /// True in step and seeded mode: blocking waits must park at the gate, not on their
    /// condvar.
    fn controlled(&self) -> bool {
        self.mode() != Mode::Free
    }
}
