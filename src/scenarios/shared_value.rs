//! `shared-value`: a counter in real shared memory, incremented by two processes; without an
//! inter-process lock updates are lost; with one, none. Two more versions show what happens
//! to a lock whose holder dies: killed (-9), it is abandoned; panicking, it is released.

use super::{Config, Info, Scenario, param, variant};
use crate::event::{ObjectKind, Op};
use crate::probe::{Res, outcome, say, sleep};
use crate::process::shm::{SharedLock, SharedValue, Shm};
use crate::process::{Process, child, shared_object};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "shared-value",
        title: "A Value in shared memory, with and without a process lock",
        lesson: "two processes doing value += 1 on shared memory lose updates; a process-shared lock fixes it",
        explain: "Processes share no memory unless they ask. Here main maps a page of real \
shared memory (a memfd, mapped MAP_SHARED by each process, like multiprocessing.Value) \
and two child processes add 1 to the counter in it, round after round.\n\n\
`value += 1` is a read and then a write. Between them each process rests a moment (p1 50 ms, \
p2 35 ms), as a switch to another process would make it, so the window can be seen.",
        variants: &[
            variant("no-lock", "without lock").explain(
                "If the other process writes between our read and our write, our write throws \
its update away: watch both read the same value and both write it back plus one.\n\n\
After the visible rounds each process also adds 1 as fast as it can for a fifth of a \
second (burst, in real milliseconds), with no events, on the machine's cores: a read, a few \
CPU pause instructions (the interpreter's work between Python's load and store), a write. \
The outcome counts the updates lost in both, and says how long the two bursts really ran \
at the same time: only then can they lose updates, and on a busy machine the OS may run \
them one after the other.",
            ),
            variant("with-lock", "process lock").explain(
                "With the lock (a pthread mutex in the shared page, process-shared), read and \
write are one step: the other process waits for the lock. Nothing is lost, in the visible \
rounds or in the quiet burst that follows them (each process adding 1 under the lock as \
fast as it can for a fifth of a second).",
            ),
            variant("holder-killed", "holder killed")
                .explain(
                    "Main kills p1 with kill -9 while p1 holds the lock. Nothing runs in p1 \
after SIGKILL, so nothing releases the lock: it is ABANDONED. The mutex is robust: p2's \
lock call returns EOWNERDEAD and p2 takes it over. (Python's multiprocessing.Lock has no \
such notion: p2 would wait for ever.)",
                )
                .uses(&["rounds"]),
            variant("holder-panics", "holder panics")
                .explain(
                    "p1 panics while holding the lock. The panic unwinds p1's stack, the lock's \
guard is dropped on the way, and the lock is RELEASED: p2 goes on normally.",
                )
                .uses(&["rounds"]),
        ],
        params: &[
            param("rounds", "visible += 1 rounds per process", 20, 1, 1000),
            param(
                "burst",
                "real milliseconds each process adds 1 without pause, after the rounds",
                200,
                0,
                5000,
            ),
        ],
    },
    main,
};

pub fn role(name: &str) -> Option<child::Role> {
    match name {
        "add" => Some(add),
        _ => None,
    }
}

/// Slots of the shared page: the visible counter (and the start barrier), the lock, the
/// burst counter; then, for each process k, how many += 1 its burst did and when it began
/// and ended (microseconds of the system clock, which both processes read alike).
const COUNTER: usize = 0;
const LOCK: usize = 1;
const BURST: usize = 2;
const DID: usize = 3;
const FROM: usize = 5;
const TO: usize = 7;
const SLOTS: usize = 9;

/// Each process's pause between read and write: different, as real switches are.
const WINDOW_SECS: [f64; 2] = [0.05, 0.035];

fn main(cfg: &Config) -> Res<()> {
    let shm = match Shm::create(SLOTS) {
        Ok(shm) => shm,
        Err(no_shm) => return no_shm.report(),
    };
    let counter = shared_object("counter", ObjectKind::Value, None);
    crate::process::emit(Op::Write {
        o: counter,
        value: 0.into(),
        index: None,
    });
    shared_object("lock", ObjectKind::Lock, None);
    let crashes = cfg.is("holder-killed") || cfg.is("holder-panics");
    // A process that dies never reaches the burst's start line: no burst then.
    let (rounds, burst) = (
        cfg.get("rounds"),
        if crashes { 0 } else { cfg.get("burst") },
    );
    let use_lock = !cfg.is("no-lock");
    let mut kids = Vec::new();
    for (k, window) in WINDOW_SECS.iter().enumerate() {
        let crash = match (cfg.variant, k) {
            ("holder-killed", 0) => "wait-for-kill",
            ("holder-panics", 0) => "panic",
            _ => "",
        };
        let args = json!({"k": k, "rounds": rounds, "burst": burst, "window": window,
            "lock": use_lock, "crash": crash});
        let p = Process::new(format!("p{}", k + 1), "shared-value", "add")
            .args(args)
            .shm(&shm)
            .start()?;
        kids.push(p);
    }
    if cfg.is("holder-killed") {
        // Wait until p1 says (in the shared page) that it holds the lock, then kill it.
        while !shm.marked(LOCK) && kids[0].is_alive() {
            sleep(0.01)?;
        }
        say(format!(
            "p1 (pid {}) holds the lock: kill -9 it",
            kids[0].pid()
        ))?;
        kids[0].kill9()?;
    }
    let ends: Vec<_> = kids.iter().map(|p| p.join()).collect::<Res<_>>()?;
    let got = shm.value(COUNTER);
    let survived = ends.iter().filter(|e| e.code == Some(0)).count() as i64;
    if crashes {
        let how = if cfg.is("holder-killed") {
            "p1 was killed holding the lock: abandoned, then taken over by p2 (EOWNERDEAD)"
        } else {
            "p1 panicked holding the lock: released as the panic unwound"
        };
        let ok = ends[1].code == Some(0);
        outcome(
            format!(
                "{how}; p2 {} (counter = {got})",
                if ok {
                    "finished all its rounds"
                } else {
                    "did not finish"
                }
            ),
            ok,
        );
        return Ok(());
    }
    let lost = 2 * rounds - got;
    let quiet = Burst::read(&shm);
    let text = format!(
        "counter = {got}, expected {}: {lost} updates lost; {}",
        2 * rounds,
        quiet.said(burst, use_lock)
    );
    outcome(text, lost == 0 && quiet.lost() == 0 && survived == 2);
    Ok(())
}

/// What the two quiet bursts did, read from the shared page once both processes ended.
struct Burst {
    /// The counter after both bursts, and how many += 1 the processes did in all.
    got: i64,
    did: i64,
    /// How long both bursts ran at the same time, in microseconds.
    overlap_us: i64,
}

impl Burst {
    fn read(shm: &Shm) -> Burst {
        let at = |slot: usize| [shm.value(slot), shm.value(slot + 1)];
        let (from, to) = (at(FROM), at(TO));
        Burst {
            got: shm.value(BURST),
            did: shm.value(DID) + shm.value(DID + 1),
            overlap_us: (to[0].min(to[1]) - from[0].max(from[1])).max(0),
        }
    }

    fn lost(&self) -> i64 {
        self.did - self.got
    }

    /// "quiet burst of 200 ms each: 1234 of 2000 (766 lost); they ran at the same time for
    /// 180.0 ms".
    fn said(&self, ms: i64, use_lock: bool) -> String {
        if ms == 0 {
            return "no quiet burst".to_string();
        }
        let ran = format!("{:.1} ms", self.overlap_us as f64 / 1000.0);
        let why = if !use_lock && self.lost() == 0 {
            format!(
                ": the two bursts ran at the same time for only {ran}, the OS ran them one after \
                 the other"
            )
        } else {
            format!("; they ran at the same time for {ran}")
        };
        format!(
            "quiet burst of {ms} ms each: {} of {} ({} lost){why}",
            self.got,
            self.did,
            self.lost()
        )
    }
}

/// A child: `rounds` visible read-pause-write increments, then a quiet burst.
fn add(args: &Value) -> Res<()> {
    let fd = child::fds()[0];
    let shm = Shm::open(fd, SLOTS).expect("the shared page maps");
    let value = SharedValue::open(&shm, COUNTER, "counter");
    let lock = SharedLock::open(&shm, LOCK, "lock");
    let (rounds, burst) = (
        args["rounds"].as_i64().unwrap_or(1),
        args["burst"].as_i64().unwrap_or(0),
    );
    let window = args["window"].as_f64().unwrap_or(0.05);
    let use_lock = args["lock"].as_bool().unwrap_or(false);
    let crash = args["crash"].as_str().unwrap_or("");
    // Both start together, so their rounds really overlap.
    shm.barrier(COUNTER, 2)?;
    for r in 0..rounds {
        let _held = if use_lock {
            Some(lock.acquire()?)
        } else {
            None
        };
        let v = value.read()?;
        sleep(window)?;
        if r == 2 && crash == "panic" {
            panic!("{} panics while holding the lock", child::name());
        }
        if r == 2 && crash == "wait-for-kill" {
            // Holds the lock until main kills it.
            shm.mark(LOCK);
            sleep(3600.0)?;
        }
        value.write(v + 1)?;
    }
    if burst > 0 {
        shm.barrier(COUNTER, 4)?;
        quiet_burst(
            &shm,
            &lock,
            use_lock,
            burst,
            args["k"].as_u64().unwrap_or(0) as usize,
        );
    }
    say(format!(
        "{} done: {rounds} rounds and a burst of {burst} ms",
        child::name()
    ))
}

/// Adds 1 to the burst counter as fast as it can for `ms` real milliseconds; records how
/// many it did and when it began and ended.
fn quiet_burst(shm: &Shm, lock: &SharedLock, use_lock: bool, ms: i64, k: usize) {
    let from = micros();
    let until = Instant::now() + Duration::from_millis(ms as u64);
    let mut did = 0;
    while Instant::now() < until {
        for _ in 0..1024 {
            let _held = use_lock.then(|| lock.quiet());
            plus_one(shm);
        }
        did += 1024;
    }
    shm.set_value(DID + k, did);
    shm.set_value(FROM + k, from);
    shm.set_value(TO + k, micros());
}

/// `value += 1` as Python runs it: a read, the interpreter's work on the sum, a write. Kept
/// as two separate memory operations on purpose: compiled as one `inc` instruction the
/// window would be a fraction of a nanosecond and hardly anything would be lost, which is
/// not what the tutorial's Python does. The pause stands for the bytecodes between Python's
/// load and store.
fn plus_one(shm: &Shm) {
    let v = shm.value(BURST);
    for _ in 0..INTERPRETER_PAUSES {
        std::hint::spin_loop();
    }
    shm.set_value(BURST, v + 1);
}

/// CPU pause instructions between the read and the write of one `+= 1`.
const INTERPRETER_PAUSES: usize = 4;

/// Microseconds of the system clock: the same clock in both processes.
fn micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}
