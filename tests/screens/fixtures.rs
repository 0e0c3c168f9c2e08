//! The worlds the screens are drawn from, folded out of hand-written event streams, and the
//! scenario descriptions, hints and keys they are drawn with.

use crate::state::{Hint, RunState, Status};
use threadlanes::model::World;
use threadlanes::scenarios::info::{Info, Param, variant};
use threadlanes::wire;

pub const S: u64 = 1_000_000_000;
pub const MS: u64 = 1_000_000;

/// A world folded from JSON Lines (blank lines skipped).
pub fn world(src: &str) -> World {
    let mut w = World::default();
    for (i, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let ev = wire::decode(line).unwrap_or_else(|e| panic!("fixture line {}: {e}", i + 1));
        w.apply(&ev);
    }
    w
}

pub fn worker(w: u32, name: &str, kind: &str) -> String {
    format!(
        r#"{{"t":0,"pid":4242,"w":{w},"op":"worker","name":"{name}","kind":"{kind}","parent":0}}"#
    )
}

pub fn op(t: u64, w: u32, rest: &str) -> String {
    format!(r#"{{"t":{t},"pid":4242,"w":{w},{rest}}}"#)
}

pub static LOCK: Info = Info {
    name: "lock",
    title: "Two jobs and one lock",
    lesson: "without a lock the jobs interleave; with one each runs whole",
    explain: "job1 adds 1 and job2 adds 10 to a shared counter, five times each, printing as they go. \
              With the lock, whoever takes it first runs all five steps before the other may start: \
              watch the waiting lane turn red while the holder's lane is solid.\n\
              Flip to the version without the lock to see the prints interleave.",
    variants: &[
        variant("with-lock", "with lock"),
        variant("no-lock", "without lock"),
    ],
    params: &[],
};

pub static SEMAPHORE: Info = Info {
    name: "semaphore",
    title: "BoundedSemaphore(5)",
    lesson: "five slots: five workers inside, the rest queue",
    explain: "Eight workers each want one of five slots. Five get in at once; the other three \
              wait in order until someone leaves. A BoundedSemaphore also refuses a release \
              that would make more slots than it started with.",
    variants: &[],
    params: &[Param {
        name: "workers",
        default: 8,
        min: 1,
        max: 100,
        help: "how many workers",
    }],
};

pub static LIGHT: Info = Info {
    name: "traffic-light",
    title: "An Event as a traffic light",
    lesson: "cars wait while the light is red and go when it turns green",
    explain: "The lighter thread sets the event (green) and clears it (red) on a timer. Cars call \
              wait(): on red they block, on green they pass at once.",
    variants: &[],
    params: &[],
};

pub static PRODCONS: Info = Info {
    name: "producer-consumer",
    title: "Producers and consumers",
    lesson: "a bounded queue makes a fast producer wait for slow consumers",
    explain: "The producer puts items into a queue of at most five; two consumers take them out \
              and work on each for a while. When the queue is full the producer blocks on put \
              until a consumer makes room.",
    variants: &[],
    params: &[
        Param {
            name: "producers",
            default: 1,
            min: 1,
            max: 5,
            help: "producer threads",
        },
        Param {
            name: "consumers",
            default: 2,
            min: 1,
            max: 5,
            help: "consumer threads",
        },
    ],
};

pub static DEADLOCK: Info = Info {
    name: "deadlock",
    title: "Two locks in opposite order",
    lesson: "each holds what the other needs: nobody moves again",
    explain: "left takes A then B; right takes B then A. If each gets its first lock before the \
              other's second, both wait forever.",
    variants: &[
        variant("opposite", "opposite order"),
        variant("same", "same order"),
    ],
    params: &[],
};

pub fn lock_world() -> World {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"A","kind":"lock""#),
        worker(1, "job1", "thread"),
        worker(2, "job2", "thread"),
        op(50 * MS, 1, r#""op":"start""#),
        op(60 * MS, 2, r#""op":"start""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_begin""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_end""#),
        op(150 * MS, 1, r#""op":"say","text":"job1: counter = 1""#),
        op(200 * MS, 2, r#""o":1,"op":"acquire_begin""#),
        op(300 * MS, 0, r#""op":"join_begin","target":1"#),
        op(400 * MS, 1, r#""op":"sleep_begin","ms":400"#),
        op(800 * MS, 1, r#""op":"sleep_end""#),
        op(900 * MS, 1, r#""op":"say","text":"job1: counter = 2""#),
        op(1100 * MS, 1, r#""op":"sleep_begin","ms":400"#),
    ];
    world(&lines.join("\n"))
}

/// BoundedSemaphore(5), eight workers: w1–w5 inside, w6–w8 waiting in that order.
pub fn semaphore_world() -> World {
    let mut lines = vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"slots","kind":"bounded_semaphore","capacity":5"#,
        ),
    ];
    for i in 1..=8u32 {
        lines.push(worker(i, &format!("w{i}"), "thread"));
        lines.push(op(i as u64 * 10 * MS, i, r#""op":"start""#));
    }
    let mut value = 5;
    for i in 1..=8u32 {
        let t = 100 * MS + i as u64 * 50 * MS;
        lines.push(op(t, i, r#""o":1,"op":"acquire_begin""#));
        if i <= 5 {
            value -= 1;
            lines.push(op(
                t,
                i,
                &format!(r#""o":1,"op":"acquire_end","value":{value}"#),
            ));
            lines.push(op(t + 10 * MS, i, r#""op":"sleep_begin","ms":2000"#));
        }
    }
    lines.push(op(900 * MS, 0, r#""op":"join_begin","target":1"#));
    lines.push(op(
        1200 * MS,
        0,
        r#""op":"say","text":"5 inside, 3 waiting""#,
    ));
    world(&lines.join("\n"))
}

pub fn light_world() -> World {
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"light","kind":"event""#),
        worker(1, "lighter", "thread"),
        worker(2, "car1", "thread"),
        worker(3, "car2", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(20 * MS, 1, r#""o":1,"op":"set""#),
        op(30 * MS, 1, r#""op":"say","text":"GREEN: cars may go""#),
        op(40 * MS, 1, r#""op":"sleep_begin","ms":500"#),
        op(540 * MS, 1, r#""op":"sleep_end""#),
        op(550 * MS, 1, r#""o":1,"op":"clear""#),
        op(560 * MS, 1, r#""op":"say","text":"RED: cars must wait""#),
        op(570 * MS, 1, r#""op":"sleep_begin","ms":1000"#),
        op(600 * MS, 2, r#""op":"start""#),
        op(700 * MS, 2, r#""o":1,"op":"wait_begin""#),
        op(900 * MS, 3, r#""op":"start""#),
        op(1000 * MS, 3, r#""o":1,"op":"wait_begin""#),
        op(1300 * MS, 0, r#""op":"join_begin","target":1"#),
    ];
    world(&lines.join("\n"))
}

/// A queue of at most five, full; the producer blocked on put; consumers busy; results queued.
pub fn prodcons_world() -> World {
    let mut lines = vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"jobs","kind":"queue","capacity":5"#,
        ),
        op(
            0,
            0,
            r#""o":2,"op":"object","name":"results","kind":"queue","capacity":0"#,
        ),
        worker(1, "producer", "thread"),
        worker(2, "consumer1", "thread"),
        worker(3, "consumer2", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(10 * MS, 2, r#""op":"start""#),
        op(10 * MS, 3, r#""op":"start""#),
    ];
    let mut depth = 0;
    let mut t = 100 * MS;
    for i in 1..=7 {
        lines.push(op(
            t,
            1,
            &format!(r#""o":1,"op":"put_begin","item":"item-{i}""#),
        ));
        depth += 1;
        lines.push(op(
            t,
            1,
            &format!(r#""o":1,"op":"put_end","item":"item-{i}","depth":{depth}"#),
        ));
        t += 100 * MS;
        if i <= 2 {
            let c = i as u32 + 1;
            lines.push(op(t, c, r#""o":1,"op":"get_begin""#));
            depth -= 1;
            lines.push(op(
                t,
                c,
                &format!(r#""o":1,"op":"get_end","item":"item-{i}","depth":{depth}"#),
            ));
            lines.push(op(t, c, r#""op":"sleep_begin","ms":3000"#));
        }
    }
    lines.push(op(t, 1, r#""o":1,"op":"put_begin","item":"item-8""#));
    lines.push(op(t + 10 * MS, 0, r#""o":2,"op":"put_begin","item":"r0""#));
    lines.push(op(
        t + 10 * MS,
        0,
        r#""o":2,"op":"put_end","item":"r0","depth":1"#,
    ));
    lines.push(op(t + 20 * MS, 0, r#""o":1,"op":"join_begin""#));
    lines.push(op(
        t + 500 * MS,
        0,
        r#""op":"say","text":"waiting for every job to be done""#,
    ));
    world(&lines.join("\n"))
}

/// left holds A and wants B, right holds B and wants A; main joins left.
pub fn deadlock_lines() -> Vec<String> {
    vec![
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        op(0, 0, r#""o":1,"op":"object","name":"A","kind":"lock""#),
        op(0, 0, r#""o":2,"op":"object","name":"B","kind":"lock""#),
        worker(1, "left", "thread"),
        worker(2, "right", "thread"),
        op(10 * MS, 1, r#""op":"start""#),
        op(10 * MS, 2, r#""op":"start""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_begin""#),
        op(100 * MS, 1, r#""o":1,"op":"acquire_end""#),
        op(120 * MS, 2, r#""o":2,"op":"acquire_begin""#),
        op(120 * MS, 2, r#""o":2,"op":"acquire_end""#),
        op(300 * MS, 1, r#""o":2,"op":"acquire_begin""#),
        op(320 * MS, 2, r#""o":1,"op":"acquire_begin""#),
        op(400 * MS, 0, r#""op":"join_begin","target":1"#),
    ]
}

pub fn deadlock_world() -> World {
    let lines = deadlock_lines();
    world(&lines.join("\n"))
}

pub fn hints() -> Vec<Hint> {
    [
        ("space", "pause"),
        ("+ -", "speed"),
        ("n p", "scenario"),
        ("v", "version"),
        ("r", "restart"),
        ("↑↓", "lane"),
        ("enter", "details"),
        ("?", "help"),
        ("q", "quit"),
    ]
    .into_iter()
    .map(|(key, what)| Hint {
        key,
        what: what.into(),
    })
    .collect()
}

pub fn all_keys() -> Vec<Hint> {
    [
        ("space", "pause or resume"),
        (". →", "one step"),
        ("s", "step mode on/off"),
        ("tab", "choose the next worker (step mode)"),
        ("+ -", "faster / slower"),
        ("n p", "next / previous scenario"),
        ("v", "flip the version"),
        ("r", "restart"),
        ("R", "replay the same seed"),
        ("[ ]", "change the parameter"),
        ("← →", "scrub the timeline (paused)"),
        ("↑ ↓", "select a lane"),
        ("enter", "details of the selected lane"),
        ("?", "this help"),
        ("q esc", "quit"),
    ]
    .into_iter()
    .map(|(key, what)| Hint {
        key,
        what: what.into(),
    })
    .collect()
}

/// The lock scenario run to its end: job1 then job2, and the outcome said.
pub fn lock_finished_world(outcome: &str, ok: bool) -> World {
    let mut w = lock_world();
    let more = [
        op(1500 * MS, 1, r#""op":"sleep_end""#),
        op(1500 * MS, 1, r#""o":1,"op":"release""#),
        op(1500 * MS, 2, r#""o":1,"op":"acquire_end""#),
        op(1510 * MS, 1, r#""op":"exit""#),
        op(1510 * MS, 0, r#""op":"join_end","target":1"#),
        op(1520 * MS, 0, r#""op":"join_begin","target":2"#),
        op(1600 * MS, 2, r#""op":"say","text":"job2: counter = 12""#),
        op(2000 * MS, 2, r#""o":1,"op":"release""#),
        op(2010 * MS, 2, r#""op":"exit","how":"panic","msg":"boom""#),
        op(2010 * MS, 0, r#""op":"join_end","target":2"#),
        op(
            2020 * MS,
            0,
            &format!(r#""op":"outcome","text":"{outcome}","ok":{ok}"#),
        ),
        op(2030 * MS, 0, r#""op":"exit""#),
    ];
    apply(&mut w, &more);
    w
}

/// Folds more fixture lines into `w`.
pub fn apply(w: &mut World, lines: &[String]) {
    for l in lines {
        w.apply(&wire::decode(l).expect("fixture"));
    }
}

/// Every kind of object, names long, wide and empty, counters at their limits.
pub fn odd_world() -> World {
    let long = "x".repeat(200);
    let lines = [
        worker(0, "main", "main"),
        op(0, 0, r#""op":"start""#),
        worker(1, &long, "process"),
        worker(2, "工人工人工人", "thread"),
        worker(3, "", "thread"),
        op(
            0,
            3,
            r#""op":"worker","name":"d","kind":"thread","daemon":true"#,
        ),
        op(
            0,
            0,
            r#""o":1,"op":"object","name":"huge","kind":"semaphore","capacity":18446744073709551615"#,
        ),
        op(
            0,
            0,
            &format!(
                r#""o":2,"op":"object","name":"{long}","kind":"priority_queue","capacity":1000000000"#
            ),
        ),
        op(0, 0, r#""o":3,"op":"object","name":"pool","kind":"pool""#),
        op(0, 0, r#""o":4,"op":"object","name":"pipe","kind":"pipe""#),
        op(
            0,
            0,
            r#""o":5,"op":"object","name":"balance","kind":"value""#,
        ),
        op(
            0,
            0,
            r#""o":6,"op":"object","name":"cond","kind":"condition""#,
        ),
        op(
            0,
            0,
            r#""o":7,"op":"object","name":"bar","kind":"barrier","capacity":3"#,
        ),
        op(0, 0, r#""o":8,"op":"object","name":"r","kind":"rlock""#),
        op(1, 1, r#""op":"start""#),
        op(1, 2, r#""op":"start""#),
        op(1, 3, r#""op":"start""#),
        op(2, 1, r#""o":1,"op":"acquire_begin""#),
        op(
            2,
            1,
            r#""o":1,"op":"acquire_end","value":18446744073709551615"#,
        ),
        op(3, 2, &format!(r#""o":2,"op":"put_begin","item":"{long}""#)),
        op(
            3,
            2,
            &format!(r#""o":2,"op":"put_end","item":"{long}","depth":999999999"#),
        ),
        op(4, 0, r#""o":3,"op":"submit","task":1"#),
        op(4, 2, r#""o":3,"op":"task_begin","task":1"#),
        op(5, 0, r#""o":4,"op":"send","item":"hello""#),
        op(5, 3, r#""o":4,"op":"recv_begin""#),
        op(6, 0, r#""o":5,"op":"write","value":-9223372036854775808"#),
        op(7, 1, r#""o":6,"op":"wait_begin""#),
        op(8, 0, r#""o":7,"op":"wait_begin""#),
        op(9, 2, r#""o":8,"op":"acquire_begin""#),
        op(9, 2, r#""o":8,"op":"acquire_end","depth":1"#),
        op(9, 2, r#""o":8,"op":"acquire_begin""#),
        op(9, 2, r#""o":8,"op":"acquire_end","depth":2"#),
        op(u64::MAX, 0, r#""op":"say","text":"the end of time""#),
    ];
    world(&lines.join("\n"))
}

/// Two workers deadlocked over A and B while a third, ticker, still runs; main joins left.
pub fn partial_deadlock_world() -> World {
    let mut lines = deadlock_lines();
    lines.push(worker(3, "ticker", "thread"));
    lines.push(op(10 * MS, 3, r#""op":"start""#));
    for i in 0..6u64 {
        lines.push(op(
            700 * MS + i * 500 * MS,
            3,
            r#""op":"sleep_begin","ms":400"#,
        ));
        lines.push(op(1100 * MS + i * 500 * MS, 3, r#""op":"sleep_end""#));
        lines.push(op(
            1100 * MS + i * 500 * MS,
            3,
            &format!(r#""op":"say","text":"tick {}: still going""#, i + 1),
        ));
    }
    world(&lines.join("\n"))
}

pub fn status(run: RunState) -> Status {
    Status {
        run,
        speed: 1.0,
        seed: 7,
        mode: threadlanes::runner::Mode::Free,
        scrub: None,
        flash: None,
        dropped: 0,
    }
}
