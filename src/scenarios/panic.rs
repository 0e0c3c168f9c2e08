//! `panic`: a worker panics while holding a lock. Its lane shows the message, the lock is
//! released as its stack unwinds, and the worker waiting for that lock goes on.

use super::kit::{ThreadArgs, join_all};
use super::{Config, Info, Scenario};
use crate::probe::{Lock, Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "panic",
        title: "A worker that panics",
        lesson: "a panic ends one thread only; the lock it held is released by unwinding",
        explain: "'doomed' takes lock L with a guard (Python's `with lock:`), works a moment, \
and panics. 'patient' asks for L meanwhile and queues.\n\n\
The panic ends 'doomed' only: its lane shows the message, and the rest of the run goes on. \
As its stack unwinds the guard is dropped, which releases L, so 'patient' gets it. In Python \
an exception in a thread prints a traceback and ends that thread alone, and `with lock:` \
releases the lock on the way out; a bare acquire() with no release would leave L held forever.",
        variants: &[],
        params: &[],
    },
    main,
};

/// What `doomed` panics with: the lane shows it.
pub const MESSAGE: &str = "something went wrong while holding L";

fn main(_cfg: &Config) -> Res<()> {
    let lock = Lock::new("L");
    let doomed = Thread::new("doomed").args(&lock).start(|lock| {
        let _held = lock.guard()?;
        say("holding L; about to fail")?;
        sleep(1.0)?;
        panic!("{MESSAGE}");
    })?;
    let patient = Thread::new("patient").args(&lock).start(|lock| {
        sleep(0.5)?;
        let _held = lock.guard()?;
        say("got L: the panic released it")?;
        sleep(0.5)
    })?;
    join_all(&[doomed, patient])?;
    outcome(
        "doomed panicked, the unwinding released L, patient finished",
        !lock.locked(),
    );
    Ok(())
}
