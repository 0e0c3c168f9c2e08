//! The gate of a traced program, on the viewer's side. In step and seeded mode each of the
//! program's threads says what it will do next (`{"gate":w,"next":"acquire","o":3,"at":
//! "bank.py:14"}`) and waits for `{"go":w}` on its process's connection; a change of mode
//! (`{"mode":"step"|"seeded"|"free"}`) goes to every process.
//!
//! - Step: the user picks (`step`); a thread whose operation would wait for another is
//!   refused, and says why.
//! - Seeded: once no thread of the program runs (each is parked here, waits on a condition,
//!   or has ended), one that can go is picked by the [`Picker`] and let through; a sleep's
//!   time passes on a logical clock (a sleeper goes when nobody else can, the clock jumping
//!   to its wake-up), so the same program, input and seed do the same sequence of traced
//!   operations every run. A thread that neither parks nor ends within [`STALL`] (it waits
//!   on something untraced) is left to itself, so a run never hangs on the gate.
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
use crate::event::{ObjectId, WorkerId};
use crate::runner::gate::{Next, SLACK_NS};
use crate::runner::{Mode, Parked, StepError};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

/// How long a seeded run waits for a running thread to park or end before going on without
/// it (it waits on something the gate does not see: a socket, a pool's idle worker).
pub const STALL: Duration = Duration::from_millis(200);

/// How long a seeded run where every thread waits, some on a condition, waits for one
/// of them to time out before it counts as stuck.
const GRACE: Duration = Duration::from_secs(1);

/// Operations let through that are kept for the interleaving table.
const KEPT: usize = 100_000;

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
}

/// One operation let through, and why the thread before it stopped (a switch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub w: WorkerId,
    /// The thread's name.
    pub who: String,
    /// What it did: `acquire lock a`, `sleep`.
    pub what: String,
    /// Where in the program (`bank.py:14`), if known.
    pub at: String,
    /// Other threads could have gone instead (a pick written in the schedule).
    pub choice: bool,
    /// Another thread went before this one: why it stopped (`t1 waits for lock b (held by
    /// t2)`, `t1 sleeps`, `t1 ended`, `t1 could go on`).
    pub switch: Option<String>,
}

struct Inner {
    mode: Mode,
    parked: BTreeMap<WorkerId, Gated>,
    conns: Vec<Weak<UnixStream>>,
    objects: Objects,
    /// The program's first process: only its threads are scheduled.
    root: u32,
    /// Threads of the root process alive and neither parked nor waiting on a condition.
    running: BTreeSet<WorkerId>,
    /// Waiting on a condition (for real, as the program does): the condition.
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

/// What a gate line says, its ids already the run's.
pub(super) struct GateLine {
    pub w: WorkerId,
    pub local: WorkerId,
    pub op: &'static str,
    pub o: Option<ObjectId>,
    pub target: Option<WorkerId>,
    pub at: String,
    /// A sleep's length.
    pub ms: Option<u64>,
    /// A try, or a wait with a timeout: it may go even if what it wants is not there.
    pub timed: bool,
}

/// The op names a gate line may carry, as the lanes say them.
const OPS: &[&str] = &[
    "acquire",
    "release",
    "set",
    "clear",
    "wait",
    "notify",
    "notify_all",
    "join",
    "put",
    "get",
    "sleep",
];

/// The known name for `op`, or None for one we do not know (the line is then ignored and
/// its thread let through, so an unknown op never holds a program).
pub(super) fn op_name(op: &str) -> Option<&'static str> {
    OPS.iter().copied().find(|o| *o == op)
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
            What::WaitBegin(o) if g.objects.is_condition(*o) => {
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
                ready: g.blocker(*w, p).is_none() && guide.is_none_or(|x| x == *w),
                wake_at: p.wake_at,
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
            format!(
                "{} waits on {} (no notify will come)",
                g.objects.worker(*w),
                g.objects.object(*o)
            )
        }));
        out
    }

    /// The schedule followed so far, if step or seeded mode was ever on.
    pub fn schedule(&self) -> Option<Schedule> {
        let g = self.lock();
        g.gated.then(|| Schedule(g.picks.clone()))
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
        self.objects.blocker(w, p.next.op, p.next.o, p.target)
    }

    /// The parked threads that can go now, by id.
    fn ready(&self) -> Vec<WorkerId> {
        self.parked
            .iter()
            .filter(|(w, p)| self.blocker(**w, p).is_none())
            .map(|(w, _)| *w)
            .collect()
    }

    /// Seeded mode: when nobody runs, lets one thread go. Every parked thread whose
    /// operation would not wait for another is a candidate, a sleeper too (so a schedule
    /// made by stepping, where any sleeper may be picked, replays as it was made); a random
    /// run prefers those whose sleep is over on the logical clock, else the sleepers due
    /// first, as a seeded scenario does.
    fn schedule(&mut self) {
        if self.mode != Mode::Seeded || !self.running.is_empty() {
            return;
        }
        let ready = self.ready();
        if ready.is_empty() {
            self.stuck = !self.parked.is_empty() || !self.blocked.is_empty();
            return;
        }
        let wake = |w: &WorkerId| self.parked.get(w).and_then(|p| p.wake_at);
        let mut awake: Vec<WorkerId> = ready
            .iter()
            .copied()
            .filter(|w| wake(w).is_none_or(|t| t <= self.clock))
            .collect();
        if awake.is_empty() {
            let first = ready.iter().filter_map(wake).min().unwrap_or(self.clock);
            awake = ready
                .iter()
                .copied()
                .filter(|w| wake(w).is_some_and(|t| t <= first + SLACK_NS))
                .collect();
        }
        let last = self.last;
        let w = match &mut self.picker {
            _ if ready.len() == 1 => ready[0],
            Some(p) => p.pick(&ready, &awake, last),
            None => awake[0],
        };
        if let Some(t) = wake(&w) {
            self.clock = self.clock.max(t);
        }
        self.stuck = false;
        let _ = self.let_go(w, ready.len() > 1, true);
    }

    /// Lets `w` through, writing down the pick and the operation.
    fn let_go(&mut self, w: WorkerId, choice: bool, seeded: bool) -> Result<(), StepError> {
        let switch = self
            .last
            .filter(|l| *l != w)
            .map(|l| self.why_stopped(l, w));
        let gated = self.parked.remove(&w).ok_or(StepError::NotAtGate)?;
        if choice {
            self.picks.push(w);
        }
        if self.log.len() < KEPT {
            let what = match gated.next.o {
                Some(o) => format!("{} {}", gated.next.op, self.objects.object(o)),
                None => match gated.target {
                    Some(t) => format!("join {}", self.objects.worker(t)),
                    None => gated.next.op.to_string(),
                },
            };
            self.log.push(Decision {
                w,
                who: self.objects.worker(w),
                what,
                at: gated.at.clone(),
                choice,
                switch,
            });
        }
        self.last = Some(w);
        self.running.insert(w);
        self.changed = Instant::now();
        // A seeded sleep does not sleep: its time passed on the logical clock.
        go(&gated, seeded && gated.wake_at.is_some())
    }

    /// Why `l`, which went last, is not `w`, which goes now.
    fn why_stopped(&self, l: WorkerId, w: WorkerId) -> String {
        let name = self.objects.worker(l);
        if self.objects.has_ended(l) {
            return format!("{name} ended");
        }
        if let Some(o) = self.blocked.get(&l) {
            return format!("{name} waits on {}", self.objects.object(*o));
        }
        match self.parked.get(&l) {
            Some(p) => match self.blocker(l, p) {
                Some(why) => format!("{name} {why}"),
                None if p.wake_at.is_some_and(|t| t > self.clock) => format!("{name} sleeps"),
                None => format!(
                    "{name} could go on; the schedule picks {}",
                    self.objects.worker(w)
                ),
            },
            None => format!("{name} is busy outside the traced operations"),
        }
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

/// A gate line read (`{"gate":w,"pid":p,"next":"acquire","o":3,"opid":p,"at":"bank.py:14"}`),
/// its ids mapped to the run's by `ingest`. `Err(Some(local))`: a gate line we cannot use
/// (its thread is let through); `Err(None)`: not a gate line at all.
pub(super) fn parse(
    bytes: &[u8],
    ingest: &mut crate::source::ingest::Ingest,
) -> Result<GateLine, Option<WorkerId>> {
    use serde_json::Value;
    if !bytes.starts_with(b"{\"gate\"") {
        return Err(None);
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|_| None)?;
    let num = |k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let local = num("gate").ok_or(None)?;
    let (Some(pid), Some(op)) = (num("pid"), v.get("next").and_then(Value::as_str)) else {
        return Err(Some(local));
    };
    let op = op_name(op).ok_or(Some(local))?;
    let o = num("o").map(|o| ingest.object_of(num("opid").unwrap_or(pid), o));
    let target = num("target").map(|t| ingest.worker_of(num("tpid").unwrap_or(pid), t));
    Ok(GateLine {
        w: ingest.worker_of(pid, local),
        local,
        op,
        o,
        target,
        at: v
            .get("at")
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
        ms: v.get("ms").and_then(Value::as_u64),
        timed: v.get("timed").is_some(),
    })
}
