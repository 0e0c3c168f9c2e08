//! `join`: main waits for its threads, or does not.

use super::kit::{ThreadArgs, shared};
use super::{Config, Info, Scenario, variant};
use crate::probe::{Res, Thread, outcome, say, sleep};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "join",
        title: "join waits for a thread to end",
        lesson: "without join, \"all done\" prints before T1 ends; with join, after",
        explain: "Main starts two threads: T1 works for a second in ten small steps, T2 is done \
at once. Then main prints \"all done\".",
        variants: &[
            variant("no-join", "without join").explain(
                "Without join, main does not wait: \"all done\" appears while T1 is still \
working (its lane is still busy when main's lane has ended). The program as a whole still \
waits for T1 before exiting, because T1 is not a daemon.",
            ),
            variant("join", "with join").explain(
                "With join, main blocks on T1 and then T2 (its lane shows 'joining T1') and \
\"all done\" comes last, as the reader of the code expects.",
            ),
        ],
        params: &[],
    },
    main,
};

fn main(cfg: &Config) -> Res<()> {
    let t1_done = shared(false);
    let t1 = Thread::new("T1").args(&t1_done).start(|done| {
        say("T1 start")?;
        for _ in 0..10 {
            sleep(0.1)?;
        }
        say("T1 finish")?;
        *done.lock() = true;
        Ok(())
    })?;
    let t2 = Thread::new("T2").start(|| {
        say("T2 start")?;
        say("T2 finish")
    })?;
    if cfg.is("join") {
        t1.join()?;
        t2.join()?;
    }
    say("all done")?;
    let after = *t1_done.lock();
    outcome(
        if after {
            "\"all done\" printed after T1 finished"
        } else {
            "\"all done\" printed while T1 was still running"
        },
        after,
    );
    Ok(())
}
