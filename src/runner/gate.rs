//! The gate every worker passes before each operation. Free: one atomic load. Held (pause,
//! and later step mode): the worker parks here, visible as "next: acquire A", until let go.

use crate::event::{ObjectId, WorkerId};
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, Ordering};

/// The operation a worker is about to do when it reaches the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Next {
    pub op: &'static str,
    pub o: Option<ObjectId>,
}

#[derive(Debug, Default)]
struct State {
    held: bool,
    /// Workers parked at the gate and what each is about to do, in arrival order.
    waiting: Vec<(WorkerId, Next)>,
}

#[derive(Debug, Default)]
pub struct Gate {
    /// Mirrors `state.held` so the free path never takes the mutex.
    held: AtomicBool,
    state: Mutex<State>,
    cv: Condvar,
}

impl Gate {
    pub fn new(held: bool) -> Gate {
        Gate {
            held: AtomicBool::new(held),
            state: Mutex::new(State {
                held,
                waiting: Vec::new(),
            }),
            cv: Condvar::new(),
        }
    }

    /// Passes the gate; false if `stopped()` said to give up while parked.
    #[inline]
    pub fn pass(&self, w: WorkerId, next: Next, stopped: impl Fn() -> bool) -> bool {
        if !self.held.load(Ordering::Acquire) {
            return true;
        }
        self.park(w, next, stopped)
    }

    #[cold]
    fn park(&self, w: WorkerId, next: Next, stopped: impl Fn() -> bool) -> bool {
        let mut s = self.state.lock();
        s.waiting.push((w, next));
        let ok = loop {
            if stopped() {
                break false;
            }
            if !s.held {
                break true;
            }
            self.cv.wait(&mut s);
        };
        s.waiting.retain(|(x, _)| *x != w);
        ok
    }

    pub fn set_held(&self, held: bool) {
        let mut s = self.state.lock();
        s.held = held;
        self.held.store(held, Ordering::Release);
        self.cv.notify_all();
    }

    /// Who is parked at the gate now, and what each will do next.
    pub fn waiting(&self) -> Vec<(WorkerId, Next)> {
        self.state.lock().waiting.clone()
    }

    pub fn wake_all(&self) {
        let _s = self.state.lock();
        self.cv.notify_all();
    }
}
