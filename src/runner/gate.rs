//! The gate every worker passes before each operation.
//!
//! - Free: one atomic load; workers run as the OS schedules them. Pause holds everyone here.
//! - Step: every worker parks here and goes only when the user picks it (`step`); only setup
//!   that teaches nothing (starting a thread, a thread's own start) goes on by itself, so
//!   the user's steps are the operations worth watching.
//! - Seeded: one worker at a time goes, picked by a PRNG seeded by the user among the workers
//!   that can go; when none can, the sleeper due first goes (virtual time jumps to its
//!   deadline). Same seed, same sequence of operations, on every run and every machine.
//!
//! In step and seeded mode a blocking wait parks here too, with a readiness test (the lock
//! is free, the queue has an item): a worker whose test fails cannot be picked.

use crate::event::WorkerId;
use crate::probe::schedule::Gatekeeper;
pub use crate::probe::schedule::{Mode, Next, Ready};
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// Why a worker cannot go when the user picks it in step mode. The words are shown as they
/// are ("NAME can't go: ..."), but for a blocked worker whose wait the model knows: its
/// lane's words say more (what it waits for, who holds that).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("not in step mode")]
    NotStepMode,
    #[error("the last step is still running")]
    StepRunning,
    #[error("it is not waiting at the gate (running, or ended)")]
    NotAtGate,
    #[error("it is blocked: what it waits for is not there yet")]
    Blocked,
    /// A source without a gate (a traced program) cannot be stepped.
    #[error("this run cannot be stepped")]
    NoGate,
}

/// Sleepers due within this much virtual time of the first are woken in an order the seed
/// picks, as an OS with timer slack may: otherwise fixed sleep lengths would leave the seed
/// nothing to decide.
pub const SLACK_NS: u64 = 20_000_000;

#[derive(Clone)]
struct Waiter {
    w: WorkerId,
    next: Next,
    ready: Option<Ready>,
    wake_at: Option<u64>,
}

impl Waiter {
    /// Can go now without time passing.
    fn is_ready(&self) -> bool {
        match &self.ready {
            Some(r) => r(),
            None => self.wake_at.is_none(),
        }
    }
}

/// A parked worker as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parked {
    pub w: WorkerId,
    pub next: Next,
    /// Could be picked now (false: blocked by the primitive's semantics).
    pub ready: bool,
    /// A sleeper (or timed wait): the virtual time it is due.
    pub wake_at: Option<u64>,
    /// Where in the program it is ("bank.py:14"), when the source knows (a traced program).
    pub at: Option<String>,
    /// Why it cannot go, when the source knows and the world may not (a traced thread
    /// waits before its operation begins): "waits for rwlock config (read by reader-1)".
    pub why: Option<String>,
}

struct State {
    mode: Mode,
    held: bool,
    waiting: Vec<Waiter>,
    granted: Option<WorkerId>,
    /// Live workers not parked here: running, or started and not arrived yet.
    outside: usize,
    rng: SplitMix,
    /// Seeded mode found nobody who can go.
    stuck: bool,
    /// Child processes alive (they run free, outside the gate).
    external: usize,
}

impl State {
    /// Whether `next` goes on without waiting: free mode, and in step mode the setup that
    /// teaches nothing (`Next::is_setup`); never while held (paused). Seeded mode lets
    /// nothing pass: there the seed orders every operation, setup too, so that the same seed
    /// gives the same stream.
    fn lets_pass(&self, next: Next) -> bool {
        !self.held && (self.mode == Mode::Free || (self.mode == Mode::Step && next.is_setup()))
    }
}

pub struct Gate {
    /// True when the free path applies (Free mode, not held): the only thing most passes read.
    open: AtomicBool,
    /// Mirrors `state.mode`. Read without the gate's mutex, because it is asked while a
    /// primitive's own mutex is held, and the gate's mutex is held while readiness tests lock
    /// primitives: taking both in that order here would deadlock.
    mode: AtomicU8,
    state: Mutex<State>,
    cv: Condvar,
}

/// The PRNG of seeded mode (SplitMix64): tiny, fast, the same on every platform.
#[derive(Clone, Copy, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next_u64() % from.len() as u64) as usize]
    }
}

impl Gate {
    pub fn new(mode: Mode, held: bool, seed: u64) -> Gate {
        Gate {
            open: AtomicBool::new(mode == Mode::Free && !held),
            mode: AtomicU8::new(mode as u8),
            state: Mutex::new(State {
                mode,
                held,
                waiting: Vec::new(),
                granted: None,
                outside: 0,
                rng: SplitMix(seed),
                stuck: false,
                external: 0,
            }),
            cv: Condvar::new(),
        }
    }

    /// True in step and seeded mode: blocking waits must park here, not on their condvar.
    pub fn controlled(&self) -> bool {
        self.mode() != Mode::Free
    }

    pub fn mode(&self) -> Mode {
        match self.mode.load(Ordering::Acquire) {
            x if x == Mode::Step as u8 => Mode::Step,
            x if x == Mode::Seeded as u8 => Mode::Seeded,
            _ => Mode::Free,
        }
    }

    /// True in free mode: passing costs nothing and decides nothing.
    #[inline]
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Passes the gate before an operation; false if `stopped()` said to give up.
    #[inline]
    pub fn pass(&self, w: WorkerId, next: Next, stopped: impl Fn() -> bool) -> bool {
        if self.open.load(Ordering::Acquire) {
            return true;
        }
        self.park(
            Waiter {
                w,
                next,
                ready: None,
                wake_at: None,
            },
            stopped,
        )
    }

    /// Parks a blocked worker until it is picked while `ready()` holds (or, with `wake_at`,
    /// as the sleeper due first), or until the mode turns free. False if stopped.
    pub fn park_until(
        &self,
        w: WorkerId,
        next: Next,
        ready: Option<Ready>,
        wake_at: Option<u64>,
        stopped: impl Fn() -> bool,
    ) -> bool {
        self.park(
            Waiter {
                w,
                next,
                ready,
                wake_at,
            },
            stopped,
        )
    }

    #[cold]
    fn park(&self, waiter: Waiter, stopped: impl Fn() -> bool) -> bool {
        let (w, next) = (waiter.w, waiter.next);
        let mut s = self.state.lock();
        if s.lets_pass(next) {
            return true;
        }
        s.outside = s.outside.saturating_sub(1);
        s.waiting.push(waiter);
        self.schedule(&mut s);
        let ok = loop {
            if stopped() {
                break false;
            }
            if s.granted == Some(w) {
                s.granted = None;
                break true;
            }
            if s.lets_pass(next) {
                break true;
            }
            self.cv.wait(&mut s);
        };
        s.waiting.retain(|x| x.w != w);
        s.outside += 1;
        ok
    }

    /// Parks one thread for several workers at once (the tasks of one thread that can all
    /// go on): each is a waiter the user or the seed may pick, and the thread goes on as
    /// the one picked. `None` if the gate opened (all may go) or `stopped()` said so.
    pub fn park_any(
        &self,
        candidates: &[(WorkerId, Next)],
        stopped: impl Fn() -> bool,
    ) -> Option<WorkerId> {
        let mut s = self.state.lock();
        if s.mode == Mode::Free && !s.held {
            return None;
        }
        let is_one = |w: WorkerId| candidates.iter().any(|c| c.0 == w);
        s.outside = s.outside.saturating_sub(1);
        s.waiting.extend(candidates.iter().map(|&(w, next)| Waiter {
            w,
            next,
            ready: None,
            wake_at: None,
        }));
        self.schedule(&mut s);
        let picked = loop {
            if stopped() {
                break None;
            }
            if let Some(g) = s.granted.filter(|g| is_one(*g)) {
                s.granted = None;
                break Some(g);
            }
            if s.mode == Mode::Free && !s.held {
                break None;
            }
            self.cv.wait(&mut s);
        };
        s.waiting.retain(|x| !is_one(x.w));
        s.outside += 1;
        picked
    }

    /// Seeded mode: when nobody runs, picks who goes next.
    fn schedule(&self, s: &mut State) {
        if s.mode != Mode::Seeded || s.held || s.outside > 0 || s.granted.is_some() {
            return;
        }
        let mut ready: Vec<WorkerId> = s
            .waiting
            .iter()
            .filter(|x| x.is_ready())
            .map(|x| x.w)
            .collect();
        if ready.is_empty() {
            let Some(first) = s.waiting.iter().filter_map(|x| x.wake_at).min() else {
                // Nobody can go: every live worker waits for another.
                s.stuck = !s.waiting.is_empty();
                return;
            };
            ready = s
                .waiting
                .iter()
                .filter(|x| x.wake_at.is_some_and(|t| t <= first + SLACK_NS))
                .map(|x| x.w)
                .collect();
        }
        // Arrival order differs run to run; ids do not.
        ready.sort_unstable();
        s.stuck = false;
        s.granted = Some(s.rng.pick(&ready));
        self.cv.notify_all();
    }

    /// Step mode: lets `w` do its next operation. The error says why it cannot.
    pub fn step(&self, w: WorkerId) -> Result<(), StepError> {
        let mut s = self.state.lock();
        if s.mode != Mode::Step {
            return Err(StepError::NotStepMode);
        }
        if s.granted.is_some() {
            return Err(StepError::StepRunning);
        }
        let Some(x) = s.waiting.iter().find(|x| x.w == w) else {
            return Err(StepError::NotAtGate);
        };
        if !x.is_ready() && x.wake_at.is_none() {
            return Err(StepError::Blocked);
        }
        s.granted = Some(w);
        self.cv.notify_all();
        Ok(())
    }

    /// Who is parked here, what each will do next and whether it could go.
    pub fn parked(&self) -> Vec<Parked> {
        let s = self.state.lock();
        s.waiting
            .iter()
            .map(|x| Parked {
                w: x.w,
                next: x.next,
                ready: x.is_ready(),
                wake_at: x.wake_at,
                at: None,
                why: None,
            })
            .collect()
    }

    /// Seeded mode: nobody runs and nobody can go (a deadlock, or waits no one will end).
    pub fn is_stuck(&self) -> bool {
        let s = self.state.lock();
        s.stuck && s.outside == 0 && s.granted.is_none() && s.external == 0
    }

    /// A child process started: it runs outside the gate (free), and while it lives the
    /// run is not stuck even if every gated worker waits (for it, say).
    pub fn external_started(&self) {
        self.state.lock().external += 1;
    }

    /// A child process ended; what a worker waited for may have come: schedule again.
    pub fn external_ended(&self) {
        let mut s = self.state.lock();
        s.external = s.external.saturating_sub(1);
        self.schedule(&mut s);
        self.cv.notify_all();
    }

    /// Something outside the gate (a child's message) may have made a parked worker ready.
    pub fn poke(&self) {
        let mut s = self.state.lock();
        self.schedule(&mut s);
        self.cv.notify_all();
    }

    /// A worker was declared: it counts as running until it parks.
    pub fn spawned(&self) {
        self.state.lock().outside += 1;
    }

    /// A worker ended.
    pub fn exited(&self) {
        let mut s = self.state.lock();
        s.outside = s.outside.saturating_sub(1);
        self.schedule(&mut s);
    }

    pub fn set_mode(&self, mode: Mode) {
        let mut s = self.state.lock();
        s.mode = mode;
        self.mode.store(mode as u8, Ordering::Release);
        self.open
            .store(mode == Mode::Free && !s.held, Ordering::Release);
        self.schedule(&mut s);
        self.cv.notify_all();
    }

    pub fn set_held(&self, held: bool) {
        let mut s = self.state.lock();
        s.held = held;
        self.open
            .store(s.mode == Mode::Free && !held, Ordering::Release);
        self.schedule(&mut s);
        self.cv.notify_all();
    }

    pub fn wake_all(&self) {
        let _s = self.state.lock();
        self.cv.notify_all();
    }
}

/// The probe's view of the gate: what its workers need to pass it and wait at it.
impl Gatekeeper for Gate {
    fn open_flag(&self) -> &AtomicBool {
        &self.open
    }

    fn mode(&self) -> Mode {
        Gate::mode(self)
    }

    fn park_until(
        &self,
        w: WorkerId,
        next: Next,
        ready: Option<Ready>,
        wake_at: Option<u64>,
        stopped: &dyn Fn() -> bool,
    ) -> bool {
        Gate::park_until(self, w, next, ready, wake_at, stopped)
    }

    fn park_any(
        &self,
        candidates: &[(WorkerId, Next)],
        stopped: &dyn Fn() -> bool,
    ) -> Option<WorkerId> {
        Gate::park_any(self, candidates, stopped)
    }

    fn set_held(&self, held: bool) {
        Gate::set_held(self, held);
    }

    fn spawned(&self) {
        Gate::spawned(self);
    }

    fn exited(&self) {
        Gate::exited(self);
    }

    fn external_started(&self) {
        Gate::external_started(self);
    }

    fn external_ended(&self) {
        Gate::external_ended(self);
    }

    fn poke(&self) {
        Gate::poke(self);
    }

    fn wake_all(&self) {
        Gate::wake_all(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_prng_is_the_same_everywhere() {
        let mut r = SplitMix(42);
        let a: Vec<u64> = (0..3).map(|_| r.next_u64() % 1000).collect();
        let mut r = SplitMix(42);
        let b: Vec<u64> = (0..3).map(|_| r.next_u64() % 1000).collect();
        assert_eq!(a, b);
        assert_ne!(SplitMix(1).next_u64(), SplitMix(2).next_u64());
    }

    #[test]
    fn a_free_gate_lets_everyone_through() {
        let g = Gate::new(Mode::Free, false, 0);
        assert!(g.pass(1, Next { op: "x", o: None }, || false));
    }

    /// Step mode: a thread's start and starting a thread go by themselves, unless paused;
    /// what teaches waits for a step. Seeded mode orders setup too.
    #[test]
    fn step_mode_lets_setup_pass_and_holds_the_rest() {
        let read = Next {
            op: "read",
            o: Some(1),
        };
        let step = Gate::new(Mode::Step, false, 0);
        assert!(step.pass(1, Next::BEGIN, || false));
        assert!(step.pass(1, Next::START_THREAD, || false));
        // Parked, it could be stepped: the stop says give up at once, so it did not pass.
        assert!(!step.pass(1, read, || true));
        assert!(!Gate::new(Mode::Step, true, 0).pass(1, Next::BEGIN, || true));
        assert!(!Gate::new(Mode::Seeded, false, 0).pass(1, Next::BEGIN, || true));
    }

    #[test]
    fn step_refuses_a_blocked_worker_and_says_why() {
        let g = Arc::new(Gate::new(Mode::Step, false, 0));
        g.spawned();
        let g2 = g.clone();
        let t = std::thread::spawn(move || {
            let never: Ready = Arc::new(|| false);
            g2.park_until(
                7,
                Next {
                    op: "acquire",
                    o: Some(1),
                },
                Some(never),
                None,
                || false,
            )
        });
        while g.parked().is_empty() {
            std::thread::yield_now();
        }
        let p = &g.parked()[0];
        assert_eq!((p.w, p.ready), (7, false));
        assert_eq!(g.step(7), Err(StepError::Blocked));
        assert_eq!(g.step(8), Err(StepError::NotAtGate));
        assert_eq!(
            StepError::Blocked.to_string(),
            "it is blocked: what it waits for is not there yet"
        );
        g.set_mode(Mode::Free);
        assert!(t.join().unwrap());
    }
}
