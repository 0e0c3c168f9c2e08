//! `Semaphore` and `BoundedSemaphore`: a counter of free slots and a FIFO of waiters. A
//! release with waiters hands its slot straight to the longest waiter.

use super::core::{Core, declare};
use super::schedule::Next;
use super::session::{CurrentWorker, Res, current_worker};
use super::wait::{secs_to_ns, wait_while};
use crate::event::{ObjectKind, Op, WorkerId};
use std::collections::VecDeque;
use std::sync::Arc;

struct Slots {
    value: u64,
    /// Slots taken (to refuse an over-release of a bounded semaphore).
    taken: u64,
    queue: VecDeque<WorkerId>,
    /// Waiters a slot was handed to, not yet woken.
    granted: Vec<WorkerId>,
}

/// A counting semaphore (Python's `threading.Semaphore`); `bounded` ones refuse to be
/// released more often than acquired (Python's `BoundedSemaphore`, a ValueError there).
#[derive(Clone)]
pub struct Semaphore {
    core: Arc<Core<Slots>>,
    bounded: bool,
}

/// Gives back a slot when dropped (Python's `with sem:`).
pub struct SlotGuard<'a>(&'a Semaphore);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        let me = current_worker();
        if me.stopped().is_none() {
            let _ = me.gate("release", Some(self.0.core.id));
        }
        self.0.release_now(me.w());
    }
}

impl Semaphore {
    pub fn new(name: &str, value: u64) -> Semaphore {
        Semaphore::make(name, value, false)
    }

    pub fn bounded(name: &str, value: u64) -> Semaphore {
        Semaphore::make(name, value, true)
    }

    fn make(name: &str, value: u64, bounded: bool) -> Semaphore {
        let kind = if bounded {
            ObjectKind::BoundedSemaphore
        } else {
            ObjectKind::Semaphore
        };
        let st = Slots {
            value,
            taken: 0,
            queue: VecDeque::new(),
            granted: Vec::new(),
        };
        Semaphore {
            core: declare(name, kind, Some(value), st),
            bounded,
        }
    }

    pub fn acquire(&self) -> Res<()> {
        self.acquire_inner(None).map(|_| ())
    }

    /// Python's `acquire(timeout=secs)`: true if a slot was taken in time.
    pub fn acquire_timeout(&self, secs: f64) -> Res<bool> {
        self.acquire_inner(Some(secs_to_ns(secs)))
    }

    pub fn guard(&self) -> Res<SlotGuard<'_>> {
        self.acquire()?;
        Ok(SlotGuard(self))
    }

    fn acquire_inner(&self, timeout_ns: Option<u64>) -> Res<bool> {
        let me = current_worker();
        let o = self.core.id;
        me.gate("acquire", Some(o))?;
        let mut st = self.core.state.lock();
        me.emit(Op::AcquireBegin { o });
        let w = me.w();
        if st.value > 0 && st.queue.is_empty() {
            st.value -= 1;
            st.taken += 1;
            self.emit_end(&me, true, st.value);
            return Ok(true);
        }
        st.queue.push_back(w);
        let next = Next {
            op: "acquire",
            o: Some(o),
        };
        let got = wait_while(
            &me,
            &self.core,
            &mut st,
            next,
            timeout_ns,
            move |s: &Slots| !s.granted.contains(&w),
        );
        let granted = st.granted.iter().position(|x| *x == w);
        if let Some(i) = granted {
            st.granted.swap_remove(i);
        }
        match (got, granted) {
            (Ok(true), Some(_)) => {
                st.taken += 1;
                self.emit_end(&me, true, st.value);
                Ok(true)
            }
            (got, granted) => {
                st.queue.retain(|x| *x != w);
                if granted.is_some() {
                    // A slot handed to a worker that is leaving goes to the next one.
                    self.give(&mut st);
                }
                got.inspect(|_| self.emit_end(&me, false, st.value))
            }
        }
    }

    fn emit_end(&self, me: &CurrentWorker, ok: bool, value: u64) {
        me.emit(Op::AcquireEnd {
            o: self.core.id,
            ok,
            depth: None,
            value: Some(value),
        });
    }

    /// Frees one slot: to the longest waiter if any, else back to the counter.
    fn give(&self, st: &mut Slots) {
        match st.queue.pop_front() {
            Some(next) => {
                st.granted.push(next);
                self.core.cv.notify_all();
            }
            None => st.value += 1,
        }
    }

    pub fn release(&self) -> Res<()> {
        let me = current_worker();
        me.gate("release", Some(self.core.id))?;
        self.release_now(me.w());
        Ok(())
    }

    fn release_now(&self, w: WorkerId) {
        let me = current_worker();
        debug_assert_eq!(me.w(), w);
        let mut st = self.core.state.lock();
        if self.bounded && st.taken == 0 {
            panic!("bounded semaphore released too many times (Python: ValueError)");
        }
        st.taken = st.taken.saturating_sub(1);
        self.give(&mut st);
        me.emit(Op::Release {
            o: self.core.id,
            depth: None,
            value: Some(st.value),
        });
    }

    /// Free slots now (Python's `_value`).
    pub fn value(&self) -> u64 {
        self.core.state.lock().value
    }
}
