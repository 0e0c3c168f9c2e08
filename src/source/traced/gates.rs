//! The gate of a traced program, on the viewer's side. In step and seeded mode each of the
//! program's threads says what it will do next (`{"gate":w,"next":"acquire","o":3,"at":
//! "bank.py:14"}`) and waits for `{"go":w}` on its process's connection; a change of mode
//! (`{"mode":"step"|"seeded"|"free"}`) goes to every process.
//!
//! - Step: the user picks (`step`); a thread whose operation would wait for another is
//!   refused, and says why.
//! - Seeded: once no thread of the program runs (each is parked here, waits on a condition
//!   or a barrier, or has ended), one that can go is picked by the [`Picker`] and let
//!   through; a sleep's time passes on a logical clock (a random run lets a sleeper go when
//!   no thread awake can, the clock jumping to its wake-up), so the same program, input and
//!   seed do the same sequence of traced operations every run. A thread that neither parks
//!   nor ends within [`STALL`] (it waits on something untraced) is left to itself, so a run
//!   never hangs on the gate.
//!
//! Whether a parked thread can go is read off the program's event lines as they come
//! ([`facts`](super::facts), [`ready`](super::ready)). Both modes write down the picks made
//! at each choice ([`Schedule`]) and each operation let through ([`Decision`]).
//!
//! The pump fills it, the source asks it; it holds no thread. It keeps weak references to
//! the connections: the pump owns them.

use super::facts::{Fact, What};
use super::ready::Objects;
use super::schedule::{Picker, Schedule, Strategy};
pub(super) use gateline::{GateLine, parse};
pub use turns::Decision;

mod cycle;
mod gateline;
mod turns;
use crate::event::{ObjectId, WorkerId};
use crate::runner::gate::Next;
use crate::runner::{Mode, Parked, StepError};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

/// How long a seeded run waits for a running thread to park or end before going on without
/// it (it waits on something the gate does not see: a socket, a pool's idle worker). Long
/// enough that a thread only slowed by a busy machine is still waited for, so the run stays
/// the seed's; each such wait costs a program this much.
pub const STALL: Duration = Duration::from_millis(500);

/// How long a seeded run where every thread waits, some on a condition or barrier, waits for one
/// of them to time out before it counts as stuck.
const GRACE: Duration = Duration::from_secs(1);

/// One thread waiting at its gate.
struct Gated {
    /// Its id in its own process, as the "go" must name it.
    local: WorkerId,
    conn: Weak<UnixStream>,
    next: Next,
    /// The worker a join waits for.
    target: Option<WorkerId>,
    at: String,
    /// A sleep: when it is due on the logical clock.
    wake_at: Option<u64>,
    /// A try, or a wait with a timeout.
    timed: bool,
    /// An rwlock's reader.
    read: bool,
}

struct Inner {
    mode: Mode,
    parked: BTreeMap<WorkerId, Gated>,
    conns: Vec<Weak<UnixStream>>,
    objects: Objects,
    /// The program's first process: only its threads are scheduled.
    root: u32,
    /// Threads of the root process alive and neither parked nor waiting on a condition or
    /// a barrier.
    running: BTreeSet<WorkerId>,
    /// Waiting on a condition or a barrier (for real, as the program does): which.
    blocked: BTreeMap<WorkerId, ObjectId>,
    /// Running but silent for longer than [`STALL`]: not waited for.
    stalled: BTreeSet<WorkerId>,
    picker: Option<Picker>,
    picks: Vec<WorkerId>,
    log: Vec<Decision>,
    last: Option<WorkerId>,
    /// The logical clock of seeded mode, in ns.
    clock: u64,
    changed: Instant,
    stuck: bool,
    /// Step or seeded mode was ever on: the run has a schedule to tell.
    gated: bool,
}

pub(super) struct Gates {
    inner: Mutex<Inner>,
    /// Facts are read while true (step or seeded mode was ever on).
    watching: AtomicBool,
}

impl Gates {
    /// Gates in `mode`; seeded mode picks with `strategy`. `root` is the program's first
    /// process.
    pub fn new(mode: Mode, strategy: Option<Strategy>, root: u32) -> Gates {
        Gates {
            inner: Mutex::new(Inner {
                mode,
                parked: BTreeMap::new(),
                conns: Vec::new(),
                objects: Objects::default(),
                root,
                running: BTreeSet::new(),
                blocked: BTreeMap::new(),
                stalled: BTreeSet::new(),
                picker: strategy.map(Picker::new),
                picks: Vec::new(),
                log: Vec::new(),
                last: None,
                clock: 0,
                changed: Instant::now(),
                stuck: false,
                gated: mode != Mode::Free,
            }),
            watching: AtomicBool::new(mode != Mode::Free),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True while event lines should be read for facts ([`Gates::fact`]).
    pub fn watching(&self) -> bool {
        self.watching.load(Ordering::Relaxed)
    }

    /// A new connection: it is told the mode when that changes, and answers its gates.
    pub fn connected(&self, conn: Weak<UnixStream>) {
        let mut g = self.lock();
        g.conns.retain(|c| c.strong_count() > 0);
        g.conns.push(conn);
    }

    /// A thread parked at its gate. In free mode (the mode changed while its line was on
    /// its way) it is let through at once.
    pub fn park(&self, line: GateLine, conn: Weak<UnixStream>) {
        let mut g = self.lock();
        let w = line.w;
        let gated = Gated {
            local: line.local,
            conn,
            next: Next {
                op: line.op,
                o: line.o,
            },
            target: line.target,
            at: line.at,
            wake_at: line.ms.map(|ms| g.clock + ms.saturating_mul(1_000_000)),
            timed: line.timed,
            read: line.read,
        };
        g.running.remove(&w);
        g.stalled.remove(&w);
        g.changed = Instant::now();
        if g.mode == Mode::Free {
            let _ = go(&gated, false);
            return;
        }
        g.parked.insert(w, gated);
        g.schedule();
    }

    /// A line that names a worker we cannot map or an op we do not know: let it through.
    pub fn pass(&self, local: WorkerId, conn: &Weak<UnixStream>) {
        let _ = write_line(conn, &format!("{{\"go\":{local}}}\n"));
    }

    /// A fact read off an event line as it came.
    pub fn fact(&self, f: &Fact) {
        let mut g = self.lock();
        g.changed = Instant::now();
        let woken = g.objects.fold(f);
        if f.pid != g.root {
            return;
        }
        let w = f.w;
        if g.stalled.remove(&w)
            || (g.blocked.contains_key(&w) && !matches!(f.what, What::WaitBegin(_)))
        {
            // Silent so far, or its wait timed out: it runs again.
            g.blocked.remove(&w);
            g.running.insert(w);
        }
        match &f.what {
            What::Worker { thread: true, .. } => {
                g.running.insert(w);
            }
            What::WaitBegin(o) if g.objects.waits_for_others(*o) => {
                g.running.remove(&w);
                g.blocked.insert(w, *o);
            }
            What::Exit => {
                g.running.remove(&w);
                g.parked.remove(&w);
                g.blocked.remove(&w);
            }
            _ => {}
        }
        for t in woken {
            if g.blocked.remove(&t).is_some() {
                g.running.insert(t);
            }
        }
        g.schedule();
    }

    /// Seeded mode: a thread silent for [`STALL`] is no longer waited for.
    pub fn tick(&self) {
        let mut g = self.lock();
        if g.mode == Mode::Seeded && !g.running.is_empty() && g.changed.elapsed() >= STALL {
            let running = std::mem::take(&mut g.running);
            g.stalled.extend(running);
            g.schedule();
        }
    }

    /// The mode set last.
    pub fn mode(&self) -> Mode {
        self.lock().mode
    }

    /// Step, seeded or free mode, in every process; free lets every parked thread go.
    pub fn set_mode(&self, mode: Mode) {
        let mut g = self.lock();
        g.mode = mode;
        if mode != Mode::Free {
            g.gated = true;
            self.watching.store(true, Ordering::Relaxed);
        }
        let word = match mode {
            Mode::Free => "free",
            Mode::Step => "step",
            Mode::Seeded => "seeded",
        };
        g.conns.retain(|c| c.strong_count() > 0);
        for c in &g.conns {
            let _ = write_line(c, &format!("{{\"mode\":\"{word}\"}}\n"));
        }
        if mode == Mode::Free {
            let parked: Vec<WorkerId> = g.parked.keys().copied().collect();
            g.parked.clear();
            g.running.extend(parked);
        }
        if mode == Mode::Seeded && g.picker.is_none() {
            g.picker = Some(Picker::new(Strategy::Random(0)));
        }
        g.schedule();
    }

    /// Lets worker `w` do its next operation.
    pub fn step(&self, w: WorkerId) -> Result<(), StepError> {
        let mut g = self.lock();
        if g.mode != Mode::Step {
            return Err(StepError::NotStepMode);
        }
        let p = g.parked.get(&w).ok_or(StepError::NotAtGate)?;
        if g.blocker(w, p).is_some() {
            return Err(StepError::Blocked);
        }
        let ready = g.ready();
        let choice = ready.len() > 1;
        if ready.len() > 1
            && let Some(p) = &mut g.picker
        {
            // Stepping on a schedule: only the thread it picks may go.
            match p.guide(&ready) {
                Some(pick) if pick != w => return Err(StepError::Blocked),
                Some(_) => p.followed(),
                None => {}
            }
        }
        g.let_go(w, choice, false)
    }

    /// The threads parked now, by worker id, each with what it will do and where.
    pub fn parked(&self) -> Vec<Parked> {
        let g = self.lock();
        let ready = g.ready();
        let guide = match &g.picker {
            Some(p) if g.mode == Mode::Step && ready.len() > 1 => p.guide(&ready),
            _ => None,
        };
        g.parked
            .iter()
            .map(|(w, p)| Parked {
                w: *w,
                next: p.next,
                why: g.blocker(*w, p),
                ready: g.blocker(*w, p).is_none() && guide.is_none_or(|x| x == *w),
                // Only seeded mode has a logical clock; a stepped sleep is an operation
                // like any other.
                wake_at: p.wake_at.filter(|_| g.mode == Mode::Seeded),
                at: (!p.at.is_empty()).then(|| p.at.clone()),
            })
            .collect()
    }

    /// Seeded mode: nobody runs and nobody can go (a deadlock, or a wait nobody will end).
    pub fn is_stuck(&self) -> bool {
        let g = self.lock();
        // A wait on a condition may have a timeout the gate does not see: it is given
        // GRACE to come back.
        let waits_out = g.blocked.is_empty() || g.changed.elapsed() >= GRACE;
        g.mode == Mode::Seeded
            && g.stuck
            && g.running.is_empty()
            && g.stalled.is_empty()
            && waits_out
    }

    /// Each thread that waits, and why: the words of a stuck run.
    pub fn waiting(&self) -> Vec<String> {
        let g = self.lock();
        let mut out: Vec<String> = g
            .parked
            .iter()
            .filter_map(|(w, p)| {
                let why = g.blocker(*w, p)?;
                Some(format!("{} {why}", g.objects.worker(*w)))
            })
            .collect();
        out.extend(g.blocked.iter().map(|(w, o)| {
            let what = g.objects.object(*o);
            let why = if what.starts_with("barrier") {
                "the others will not come"
            } else {
                "no notify will come"
            };
            format!("{} waits on {what} ({why})", g.objects.worker(*w))
        }));
        out
    }

    /// A circle of threads parked at their gates, each waiting for the next (a lock it
    /// holds, its end), in words: "t1 waits for lock b held by t2; t2 waits for lock a held
    /// by t1". None if there is none.
    pub fn cycle(&self) -> Option<String> {
        let g = self.lock();
        let cycle = g.cycle()?;
        let links: Vec<String> = cycle.iter().map(|w| g.link(*w)).collect();
        Some(links.join("; "))
    }

    /// The schedule followed so far, if step or seeded mode was ever on.
    pub fn schedule(&self) -> Option<Schedule> {
        let g = self.lock();
        g.gated.then(|| match &g.picker {
            Some(p) => p.printable(&g.picks),
            None => Schedule(g.picks.clone()),
        })
    }

    /// The operations let through so far, in order (the first [`KEPT`]).
    pub fn decisions(&self) -> Vec<Decision> {
        self.lock().log.clone()
    }

    /// A replay: picks of the schedule that did not fit this run.
    pub fn misfits(&self) -> usize {
        self.lock().picker.as_ref().map_or(0, |p| p.misfits)
    }
}

impl Inner {
    /// Why `w`'s next operation cannot happen now without another thread (or, seeded, the
    /// clock) moving first; None if it can.
    fn blocker(&self, w: WorkerId, p: &Gated) -> Option<String> {
        if p.timed {
            return None;
        }
        self.objects
            .blocker(w, p.next.op, p.next.o, p.target, p.read)
    }

    /// The parked threads that can go now, by id.
    fn ready(&self) -> Vec<WorkerId> {
        self.parked
            .iter()
            .filter(|(w, p)| self.blocker(**w, p).is_none())
            .map(|(w, _)| *w)
            .collect()
    }
}

fn go(gated: &Gated, skip: bool) -> Result<(), StepError> {
    let tail = if skip { ",\"skip\":1" } else { "" };
    write_line(&gated.conn, &format!("{{\"go\":{}{tail}}}\n", gated.local))
}

/// One short line to a process. A line this short goes whole into the socket's buffer, and
/// the process reads what we write at once, so the write does not wait.
fn write_line(conn: &Weak<UnixStream>, line: &str) -> Result<(), StepError> {
    let c = conn.upgrade().ok_or(StepError::NotAtGate)?;
    (&*c)
        .write_all(line.as_bytes())
        .map_err(|_| StepError::NotAtGate)
}
