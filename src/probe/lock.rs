//! `Lock` and `RLock` (Python's `threading.Lock`/`RLock`), one core: an owner, a depth and a
//! FIFO of waiters. A release hands the lock to the longest waiter, so the lanes show a fair,
//! predictable order (Python's own Lock makes no such promise; the panels say so).

use super::core::{Core, declare};
use super::schedule::Next;
use super::session::{CurrentWorker, Res, fast_path, with_current_worker};
use super::wait::{secs_to_ns, wait_while};
use crate::event::{ObjectKind, Op, WorkerId};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The lock's word (`Core::word`), the one truth about who holds it: the owner's id + 1 in
/// the low 32 bits (0: free), the depth above them, and `SLOW` once anyone queues. While
/// `SLOW` is clear an uncontended acquire or release is one compare-and-swap on it, with no
/// mutex, when nobody watches and the gate is open (`session::fast_path`). Everything else —
/// a wait, an event to number, a hand-off — goes through the mutex, and with `SLOW` set the
/// word changes only under it.
const SLOW: u64 = 1 << 63;
const DEPTH1: u64 = 1 << 32;

#[inline]
fn pack(owner: Option<WorkerId>, depth: u32, slow: bool) -> u64 {
    let o = owner.map_or(0, |w| u64::from(w) + 1);
    o | (u64::from(depth) << 32) | if slow { SLOW } else { 0 }
}

#[inline]
fn owner_of(word: u64) -> Option<WorkerId> {
    let o = word as u32;
    (o != 0).then(|| o - 1)
}

#[inline]
fn depth_of(word: u64) -> u32 {
    ((word & !SLOW) >> 32) as u32
}

/// Waiters, in arrival order (the owner and depth live in the word), and hand-offs so far.
#[derive(Default)]
pub(crate) struct Waiters {
    queue: VecDeque<WorkerId>,
    /// Counts hand-offs: a plain lock's owner asking for it again waits for one (someone
    /// else's release handing it back), not for a change of owner.
    handoffs: u64,
}

#[derive(Clone)]
struct Inner {
    core: Arc<Core<Waiters>>,
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
            core: declare(name, kind, None, Waiters::default()),
            reentrant,
        }
    }

    fn word(&self) -> &AtomicU64 {
        &self.core.word
    }

    fn depth_field(&self, d: u32) -> Option<u32> {
        self.reentrant.then_some(d)
    }

    /// The uncontended acquire: free, or (RLock) ours already. None: take the slow path.
    /// Guesses "free" first, so the common case is the compare-and-swap alone.
    #[inline]
    fn try_fast_acquire(&self, w: WorkerId) -> Option<()> {
        let word = match self.word().compare_exchange(
            0,
            pack(Some(w), 1, false),
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => return Some(()),
            Err(word) => word,
        };
        if !(self.reentrant && word & SLOW == 0 && owner_of(word) == Some(w)) {
            return None;
        }
        self.word()
            .compare_exchange(word, word + DEPTH1, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| ())
    }

    /// The uncontended release: ours and nobody queued. None: take the slow path (a plain
    /// Lock released by another worker goes there too: the owner is in the word).
    /// Guesses "ours once" first, so the common case is the compare-and-swap alone.
    #[inline]
    fn try_fast_release(&self, w: WorkerId) -> Option<()> {
        let once = pack(Some(w), 1, false);
        let word = match self
            .word()
            .compare_exchange(once, 0, Ordering::Release, Ordering::Relaxed)
        {
            Ok(_) => return Some(()),
            Err(word) => word,
        };
        if word & SLOW != 0 || owner_of(word) != Some(w) || depth_of(word) <= 1 {
            return None;
        }
        self.word()
            .compare_exchange(word, word - DEPTH1, Ordering::Release, Ordering::Relaxed)
            .ok()
            .map(|_| ())
    }

    #[inline]
    fn acquire(&self, blocking: bool, timeout_ns: Option<u64>) -> Res<bool> {
        if fast_path(|w| self.try_fast_acquire(w).is_some()) {
            return Ok(true);
        }
        self.acquire_slow(blocking, timeout_ns)
    }

    /// Everything but the uncontended quiet acquire: events, the gate, waiting.
    #[inline(never)]
    fn acquire_slow(&self, blocking: bool, timeout_ns: Option<u64>) -> Res<bool> {
        with_current_worker(|me| self.acquire_as(me, blocking, timeout_ns))
    }

    fn acquire_as(&self, me: &CurrentWorker, blocking: bool, timeout_ns: Option<u64>) -> Res<bool> {
        let w = me.w();
        let o = self.core.id;
        me.gate("acquire", Some(o))?;
        let mut st = self.core.state.lock();
        // Under the mutex only a fast acquire of a free word (or the owner's own fast ops)
        // can race with us; each step below is a compare-and-swap that retries on them.
        let self_deadlock = loop {
            let word = self.word().load(Ordering::Acquire);
            let owner = owner_of(word);
            let take = if owner.is_none() && st.queue.is_empty() {
                Some(pack(Some(w), 1, false))
            } else if self.reentrant && owner == Some(w) {
                Some(word + DEPTH1)
            } else {
                None
            };
            if let Some(new) = take {
                if self
                    .word()
                    .compare_exchange(word, new, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    me.emit_pair(Op::AcquireBegin { o }, self.end_op(true, depth_of(new)));
                    return Ok(true);
                }
                continue;
            }
            if !blocking {
                me.emit_pair(Op::AcquireBegin { o }, self.end_op(false, depth_of(word)));
                return Ok(false);
            }
            // From here the owner's release takes the mutex and hands the lock over.
            if self
                .word()
                .compare_exchange(word, word | SLOW, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                // A plain lock asked for again by its owner: it waits for itself, forever.
                break owner == Some(w);
            }
        };
        // Still under the mutex: the begin is numbered before the hand-off that ends it.
        me.emit(Op::AcquireBegin { o });
        st.queue.push_back(w);
        let next = Next {
            op: "acquire",
            o: Some(o),
        };
        let core = self.core.clone();
        let asked = st.handoffs;
        let got = wait_while(
            me,
            &self.core,
            &mut st,
            next,
            timeout_ns,
            move |s: &Waiters| {
                (self_deadlock && s.handoffs == asked)
                    || owner_of(core.word.load(Ordering::Acquire)) != Some(w)
            },
        );
        match got {
            Ok(true) => {
                let d = depth_of(self.word().load(Ordering::Relaxed));
                self.emit_end(me, true, d);
                Ok(true)
            }
            Ok(false) | Err(_) => {
                // Timed out or told to stop: leave the queue, and pass on a lock handed to us
                // in the meantime so nobody waits for a worker that has gone.
                st.queue.retain(|x| *x != w);
                let word = self.word().load(Ordering::Acquire);
                let handed = !self_deadlock || st.handoffs != asked;
                if owner_of(word) == Some(w) && handed {
                    self.hand_off(&mut st);
                } else if st.queue.is_empty() {
                    // Nobody queues any more: the owner may release on the fast path again.
                    self.word().fetch_and(!SLOW, Ordering::AcqRel);
                }
                got.inspect(|_| self.emit_end(me, false, depth_of(word)))
            }
        }
    }

    /// Gives the lock to the longest waiter, if any (under the mutex, `SLOW` set or the
    /// lock ours: nobody else changes the word meanwhile).
    fn hand_off(&self, st: &mut Waiters) {
        st.handoffs += 1;
        let next = st.queue.pop_front();
        let word = pack(next, u32::from(next.is_some()), !st.queue.is_empty());
        self.word().store(word, Ordering::Release);
        self.core.cv.notify_all();
    }

    fn end_op(&self, ok: bool, depth: u32) -> Op {
        Op::AcquireEnd {
            o: self.core.id,
            ok,
            depth: self.depth_field(depth),
            value: None,
        }
    }

    fn emit_end(&self, me: &CurrentWorker, ok: bool, depth: u32) {
        me.emit(self.end_op(ok, depth));
    }

    /// Releases; a worker that is stopping releases without passing the gate.
    fn release_as(&self, me: &CurrentWorker) {
        let o = self.core.id;
        let mut st = self.core.state.lock();
        let word = self.word().load(Ordering::Acquire);
        match owner_of(word) {
            None => panic!(
                "release of {} which is not held (Python: RuntimeError)",
                self.name_hint()
            ),
            Some(x) if x != me.w() && self.reentrant => {
                panic!("cannot release an RLock held by another worker (Python: RuntimeError)")
            }
            _ => {}
        }
        let depth = depth_of(word).saturating_sub(1);
        me.emit(Op::Release {
            o,
            depth: self.depth_field(depth),
            value: None,
        });
        if depth == 0 {
            self.hand_off(&mut st);
        } else {
            self.word().store(word - DEPTH1, Ordering::Release);
        }
    }

    fn name_hint(&self) -> String {
        format!("object {}", self.core.id)
    }

    #[inline]
    fn release(&self) -> Res<()> {
        if fast_path(|w| self.try_fast_release(w).is_some()) {
            return Ok(());
        }
        self.release_slow()
    }

    #[inline(never)]
    fn release_slow(&self) -> Res<()> {
        with_current_worker(|me| {
            me.gate("release", Some(self.core.id))?;
            self.release_as(me);
            Ok(())
        })
    }

    fn release_on_drop(&self) {
        if fast_path(|w| self.try_fast_release(w).is_some()) {
            return;
        }
        // Pass the gate like any operation, unless the worker is stopping: then release at
        // once so the unwinding frees what it held.
        with_current_worker(|me| {
            if me.stopped().is_none() {
                let _ = me.gate("release", Some(self.core.id));
            }
            self.release_as(me);
        });
    }
}

macro_rules! lock_api {
    ($ty:ident, $reentrant:expr) => {
        impl $ty {
            pub fn new(name: &str) -> $ty {
                $ty(Inner::new(name, $reentrant))
            }

            /// Blocks until the lock is ours.
            #[inline]
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

            #[inline]
            pub fn release(&self) -> Res<()> {
                self.0.release()
            }

            /// Takes the lock and releases it when the guard drops (Python's `with lock:`).
            pub fn guard(&self) -> Res<Guard<'_>> {
                self.0.acquire(true, None)?;
                Ok(Guard { inner: &self.0 })
            }

            pub fn locked(&self) -> bool {
                owner_of(self.0.word().load(Ordering::Acquire)).is_some()
            }
        }
    };
}

lock_api!(Lock, false);
lock_api!(RLock, true);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::WorkerKind;
    use crate::probe::{Free, Session, Thread, attach};
    use std::sync::atomic::AtomicU32;

    /// Nobody watches and the gate is open: the fast path is taken whenever the lock is
    /// free, the mutex path whenever it is not, and the two must still exclude each other.
    fn quiet_session() -> Arc<Session> {
        let s = Free::session_without_viewer();
        attach(&s, "main", WorkerKind::Main);
        s
    }

    fn hammer(lock: impl Fn() -> Res<()> + Send + Sync + Clone + 'static, threads: usize) -> u32 {
        let total = Arc::new(AtomicU32::new(0));
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (lock, total) = (lock.clone(), total.clone());
                Thread::new(format!("t{i}"))
                    .start(move || {
                        for _ in 0..20_000 {
                            lock()?;
                            total.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(())
                    })
                    .unwrap()
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        total.load(Ordering::Relaxed)
    }

    #[test]
    fn fast_and_slow_paths_exclude_each_other() {
        let _s = quiet_session();
        let l = Lock::new("l");
        let inside = Arc::new(AtomicU32::new(0));
        let l2 = l.clone();
        let n = hammer(
            move || {
                l2.acquire()?;
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                std::hint::spin_loop();
                inside.fetch_sub(1, Ordering::SeqCst);
                l2.release()
            },
            4,
        );
        assert_eq!(n, 80_000);
        assert!(!l.locked(), "free at the end");
    }

    /// Python: a thread that asks again for a Lock it holds waits until another thread
    /// releases it, and then has it.
    #[test]
    fn owner_asking_again_gets_the_lock_when_another_releases_it() {
        let _s = quiet_session();
        let l = Lock::new("l");
        l.acquire().unwrap();
        let l2 = l.clone();
        let releaser = Thread::new("b")
            .start(move || {
                crate::probe::sleep(0.05)?;
                l2.release()
            })
            .unwrap();
        assert!(
            l.acquire_timeout(5.0).unwrap(),
            "handed back by b's release"
        );
        releaser.join().unwrap();
        assert!(l.locked(), "held again");
        l.release().unwrap();
        assert!(!l.locked());
    }

    /// Starts a worker spinning on uncontended acquire+release (the fast path alone), waits
    /// until it has spun, applies `stop`, and says whether the worker ended within 5 s.
    fn spinner_stops(s: &Arc<Session>, stop: impl FnOnce(&Session)) -> bool {
        let l = Lock::new("l");
        let spins = Arc::new(AtomicU32::new(0));
        let (l2, sp) = (l.clone(), spins.clone());
        let h = Thread::new("spin")
            .start(move || {
                loop {
                    l2.acquire()?;
                    l2.release()?;
                    sp.fetch_add(1, Ordering::Relaxed);
                }
            })
            .unwrap();
        while spins.load(Ordering::Relaxed) < 10_000 {
            std::thread::yield_now();
        }
        stop(s);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while h.is_alive() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        !h.is_alive()
    }

    /// The fast path skips the stop checks; the sticky stopping bit must still end it.
    #[test]
    fn a_tight_fast_path_loop_sees_a_cancel() {
        let s = quiet_session();
        assert!(spinner_stops(&s, Session::cancel), "cancelled promptly");
    }

    #[test]
    fn a_tight_fast_path_loop_sees_a_kill() {
        let s = quiet_session();
        let kill = |s: &Session| {
            let w = s.workers().into_iter().find(|w| w.name == "spin").unwrap();
            s.kill(&w);
        };
        assert!(spinner_stops(&s, kill), "killed promptly");
    }

    #[test]
    fn rlock_fast_path_counts_depth() {
        let _s = quiet_session();
        let r = RLock::new("r");
        let inside = Arc::new(AtomicU32::new(0));
        let r2 = r.clone();
        let n = hammer(
            move || {
                let _a = r2.guard()?;
                let _b = r2.guard()?;
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                inside.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            },
            3,
        );
        assert_eq!(n, 60_000);
        assert!(!r.locked(), "released as often as taken");
        // Uncontended now: the fast path alone.
        r.acquire().unwrap();
        r.acquire().unwrap();
        r.release().unwrap();
        assert!(r.locked(), "still held once");
        r.release().unwrap();
        assert!(!r.locked());
    }
}
