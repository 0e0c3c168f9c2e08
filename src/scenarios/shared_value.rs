//! `shared-value`: a counter in real shared memory, incremented by two processes; without an
//! inter-process lock updates are lost; with one, none. Two more versions show what happens
//! to a lock whose holder dies: killed (-9), it is abandoned; panicking, it is released.

use super::{Config, Info, Scenario, param, variant};
use crate::event::{ObjectKind, Op};
use crate::probe::{Res, outcome, say, sleep};
use crate::process::shm::{SharedLock, SharedValue, Shm};
use crate::process::{Process, child, shared_object};
use serde_json::{Value, json};

pub const SCENARIO: Scenario = Scenario {
    info: Info {
        name: "shared-value",
        title: "A Value in shared memory, with and without a process lock",
        lesson: "two processes doing value += 1 on shared memory lose updates; a process-shared lock fixes it",
        explain: "Processes share no memory unless they ask. Here main maps a page of real \
shared memory (a memfd, mapped MAP_SHARED by each process, like multiprocessing.Value) \
and two child processes add 1 to the counter in it, round after round.\n\n\
`value += 1` is a read and then a write. Between them each process rests a moment, as a \
switch to another process would make it; if the other process writes meanwhile, one \
write throws the other's update away. After the visible rounds each process also adds 1 \
many times in a quiet burst, with no pause and no events, on the machine's cores: the \
outcome counts the updates lost in both.\n\n\
With the lock (a pthread mutex in the shared page, process-shared), read and write are \
one step: nothing is lost.\n\n\
holder-killed: main kills p1 with kill -9 while p1 holds the lock. Nothing runs in p1 \
after SIGKILL, so nothing releases the lock: it is ABANDONED. The mutex is robust: p2's \
lock call returns EOWNERDEAD and p2 takes it over. (Python's multiprocessing.Lock has no \
such notion: p2 would wait for ever.)\n\n\
holder-panics: p1 panics while holding the lock. The panic unwinds p1's stack, the \
lock's guard is dropped on the way, and the lock is RELEASED: p2 goes on normally.",
        variants: &[
            variant("no-lock", "without lock"),
            variant("with-lock", "with a process lock"),
            variant("holder-killed", "lock holder killed -9"),
            variant("holder-panics", "lock holder panics"),
        ],
        params: &[
            param("rounds", "visible += 1 rounds per process", 20, 1, 1000),
            param(
                "burst",
                "quiet += 1 per process after the rounds",
                1_000_000,
                0,
                10_000_000,
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
/// burst counter.
const COUNTER: usize = 0;
const LOCK: usize = 1;
const BURST: usize = 2;

/// Each process's pause between read and write: different, as real switches are.
const WINDOW_SECS: [f64; 2] = [0.05, 0.035];

fn main(cfg: &Config) -> Res<()> {
    let shm = Shm::create(3).expect("shared memory (memfd) is available");
    let counter = shared_object("counter", ObjectKind::Value, None);
    crate::process::emit(Op::Write {
        o: counter,
        value: 0,
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
        let args = json!({"rounds": rounds, "burst": burst, "window": window,
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
    let (got, quiet) = (shm.value(COUNTER), shm.value(BURST));
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
    let (lost, lost_quiet) = (2 * rounds - got, 2 * burst - quiet);
    let text = format!(
        "counter = {got}, expected {}: {lost} updates lost; quiet burst: {quiet} of {} \
         ({lost_quiet} lost)",
        2 * rounds,
        2 * burst
    );
    outcome(text, lost == 0 && lost_quiet == 0 && survived == 2);
    Ok(())
}

/// A child: `rounds` visible read-pause-write increments, then a quiet burst.
fn add(args: &Value) -> Res<()> {
    let fd = child::fds()[0];
    let shm = Shm::open(fd, 3).expect("the shared page maps");
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
    }
    for _ in 0..burst {
        let _held = if use_lock { Some(lock.quiet()) } else { None };
        shm.bump(BURST);
    }
    say(format!(
        "{} done: {rounds} rounds and a burst of {burst}",
        child::name()
    ))
}
