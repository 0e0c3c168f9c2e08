//! `Lock` and `RLock` (Python's `threading.Lock`/`RLock`), one core: an owner, a depth and a
//! FIFO of waiters. A release hands the lock to the longest waiter, so the lanes show a fair,
//! predictable order (Python's own Lock makes no such promise; the panels say so).

use super::core::{Core, declare};
use super::session::{Me, Res, me};
use super::wait::{secs_to_ns, wait_while};
use crate::event::{ObjectKind, Op, WorkerId};
use crate::runner::gate::Next;
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Default)]
pub(crate) struct St {
    owner: Option<WorkerId>,
    depth: u32,
    queue: VecDeque<WorkerId>,
}

impl St {
    /// Gives the lock to the longest waiter, if any.
    fn hand_off(&mut self) {
        self.owner = self.queue.pop_front();
        self.depth = u32::from(self.owner.is_some());
    }
}

#[derive(Clone)]
struct Inner {
    core: Arc<Core<St>>,
    reentrant: bool,
}

/// A mutual-exclusion lock. Taking it twice from the same worker blocks forever, as in Python.
#[derive(Clone)]
pub struct Lock(Inner);

/// A reentrant lock: its owner may take it again; it is free when released as often.
#[derive(Clone)]
pub struct RLock(Inner);

/// Holds a lock until dropped (Python's `with lock:`).
pub struct Guard<'a> {
    inner: &'a Inner,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.inner.release_on_drop();
    }
}

impl Inner {
    fn new(name: &str, reentrant: bool) -> Inner {
        let kind = if reentrant {
            ObjectKind::RLock
        } else {
            ObjectKind::Lock
        };
        Inner {
            core: declare(name, kind, None, St::default()),
            reentrant,
        }
    }

    fn depth_field(&self, d: u32) -> Option<u32> {
        self.reentrant.then_some(d)
    }

    fn acquire(&self, blocking: bool, timeout_ns: Option<u64>) -> Res<bool> {
        let me = me();
        let o = self.core.id;
        me.gate("acquire", Some(o))?;
        let mut st = self.core.st.lock();
        me.emit(Op::AcquireBegin { o });
        let w = me.w();
        let free = st.owner.is_none() && st.queue.is_empty();
        if free || (self.reentrant && st.owner == Some(w)) {
            st.owner = Some(w);
            st.depth += 1;
            self.emit_end(&me, true, st.depth);
            return Ok(true);
        }
        if !blocking {
            self.emit_end(&me, false, st.depth);
            return Ok(false);
        }
        // A plain lock asked for again by its owner: it waits for itself, forever.
        let self_deadlock = st.owner == Some(w);
        st.queue.push_back(w);
        let next = Next {
            op: "acquire",
            o: Some(o),
        };
        let got = wait_while(&me, &self.core, &mut st, next, timeout_ns, move |s: &St| {
            self_deadlock || s.owner != Some(w)
        });
        match got {
            Ok(true) => {
                self.emit_end(&me, true, st.depth);
                Ok(true)
            }
            Ok(false) | Err(_) => {
                // Timed out or told to stop: leave the queue, and pass on a lock handed to us
                // in the meantime so nobody waits for a worker that has gone.
                st.queue.retain(|x| *x != w);
                if st.owner == Some(w) && !self_deadlock {
                    st.hand_off();
                    self.core.cv.notify_all();
                }
                got.inspect(|_| self.emit_end(&me, false, st.depth))
            }
        }
    }

    fn emit_end(&self, me: &Me, ok: bool, depth: u32) {
        me.emit(Op::AcquireEnd {
            o: self.core.id,
            ok,
            depth: self.depth_field(depth),
            value: None,
        });
    }

    /// Releases; a worker that is stopping releases without passing the gate.
    fn release_as(&self, me: &Me) {
        let o = self.core.id;
        let mut st = self.core.st.lock();
        match st.owner {
            None => panic!(
                "release of {} which is not held (Python: RuntimeError)",
                self.name_hint()
            ),
            Some(x) if x != me.w() && self.reentrant => {
                panic!("cannot release an RLock held by another worker (Python: RuntimeError)")
            }
            _ => {}
        }
        st.depth -= 1;
        me.emit(Op::Release {
            o,
            depth: self.depth_field(st.depth),
            value: None,
        });
        if st.depth == 0 {
            st.hand_off();
            self.core.cv.notify_all();
        }
    }

    fn name_hint(&self) -> String {
        format!("object {}", self.core.id)
    }

    fn release(&self) -> Res<()> {
        let me = me();
        me.gate("release", Some(self.core.id))?;
        self.release_as(&me);
        Ok(())
    }

    fn release_on_drop(&self) {
        let me = me();
        // Pass the gate like any operation, unless the worker is stopping: then release at
        // once so the unwinding frees what it held.
        if me.stopped().is_none() {
            let _ = me.gate("release", Some(self.core.id));
        }
        self.release_as(&me);
    }
}

macro_rules! lock_api {
    ($ty:ident, $reentrant:expr) => {
        impl $ty {
            pub fn new(name: &str) -> $ty {
                $ty(Inner::new(name, $reentrant))
            }

            /// Blocks until the lock is ours.
            pub fn acquire(&self) -> Res<()> {
                self.0.acquire(true, None).map(|_| ())
            }

            /// Python's `acquire(blocking=False)`: true if taken.
            pub fn try_acquire(&self) -> Res<bool> {
                self.0.acquire(false, None)
            }

            /// Python's `acquire(timeout=secs)`: true if taken in time (virtual seconds).
            pub fn acquire_timeout(&self, secs: f64) -> Res<bool> {
                self.0.acquire(true, Some(secs_to_ns(secs)))
            }

            pub fn release(&self) -> Res<()> {
                self.0.release()
            }

            /// Takes the lock and releases it when the guard drops (Python's `with lock:`).
            pub fn guard(&self) -> Res<Guard<'_>> {
                self.0.acquire(true, None)?;
                Ok(Guard { inner: &self.0 })
            }

            pub fn locked(&self) -> bool {
                self.0.core.st.lock().owner.is_some()
            }
        }
    };
}

lock_api!(Lock, false);
lock_api!(RLock, true);
