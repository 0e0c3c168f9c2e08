//! The traced flavour of a channel: a queue behind one parking_lot mutex, so each send and
//! receive is reported (`put_end` with the depth after it, `get_end` with the item) in the
//! same critical section that changes the queue, and the viewer's order is the channel's.
//! crossbeam-channel cannot be used underneath: its operations take effect inside it, where
//! no event can be stamped.
//!
//! Semantics are crossbeam's: FIFO, many senders and receivers, disconnected once every
//! sender (or every receiver) is gone, a zero-capacity channel hands each message over
//! directly (a `rendezvous`: a send waits, as `put`, until a receiver waits for it; then
//! the item is in hand, depth 1, until that receiver takes it).

use super::super::emit;
use super::super::gate::{self, Ask, Next};
use crate::event::{ObjectId, Op};
use crossbeam_channel::{
    RecvError, RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError,
};
use parking_lot::{Condvar, Mutex, MutexGuard};
use std::collections::VecDeque;
use std::panic::Location;
use std::time::Instant;

/// How an item is labelled for the viewer: its type and number, or its `Debug` (opt-in).
pub(super) type Label<T> = fn(&T, u64) -> String;

pub(super) struct Chan<T> {
    pub o: ObjectId,
    state: Mutex<State<T>>,
    /// Receivers wait here for an item; senders of a zero-capacity channel for its taking.
    filled: Condvar,
    /// Senders wait here for room.
    emptied: Condvar,
    pub label: Mutex<Label<T>>,
}

struct State<T> {
    items: VecDeque<(T, u64)>,
    /// `None`: unbounded; `Some(0)`: zero capacity (one in flight, handed over directly).
    cap: Option<usize>,
    senders: usize,
    receivers: usize,
    /// Numbers given to items sent, and items taken so far.
    sent: u64,
    taken: u64,
    /// Receivers blocked in a receive (a zero-capacity `try_send` needs one).
    waiting: usize,
}

/// What a wait was given: no limit, a deadline, or none at all (a `try_`).
#[derive(Clone, Copy)]
pub(super) enum Limit {
    Forever,
    Until(Instant),
    Now,
}

pub(super) enum SendFail<T> {
    Full(T),
    Timeout(T),
    Disconnected(T),
}

pub(super) enum RecvFail {
    Empty,
    Timeout,
    Disconnected,
}

impl<T> Chan<T> {
    pub fn new(o: ObjectId, cap: Option<usize>, label: Label<T>) -> Chan<T> {
        Chan {
            o,
            state: Mutex::new(State {
                items: VecDeque::new(),
                cap,
                senders: 1,
                receivers: 1,
                sent: 0,
                taken: 0,
                waiting: 0,
            }),
            filled: Condvar::new(),
            emptied: Condvar::new(),
            label: Mutex::new(label),
        }
    }

    fn label_of(&self, item: &T, n: u64) -> String {
        let f = *self.label.lock();
        cut(f(item, n))
    }

    /// Sends within `limit`; `at`: where the program sends from (its gate line's place,
    /// passed before the channel's lock is taken).
    pub fn send(&self, item: T, limit: Limit, at: &Location<'_>) -> Result<(), SendFail<T>> {
        let timed = !matches!(limit, Limit::Forever);
        gate::ask(Next::Put, Ask::on(self.o).timed(timed), Some(at));
        let mut s = self.state.lock();
        let n = s.sent + 1;
        let label = self.label_of(&item, n);
        emit::emit(Op::PutBegin {
            o: self.o,
            item: label.clone(),
        });
        loop {
            if s.receivers == 0 {
                return Err(self.put_failed(&s, label, SendFail::Disconnected(item)));
            }
            // A zero-capacity send goes only to a receiver that waits for it (a blocking
            // one waits for one to come, shown as a put that waits).
            let handed = s.cap != Some(0) || s.waiting > s.items.len();
            if s.has_room() && handed {
                break;
            }
            if !wait(&self.emptied, &mut s, limit) {
                let fail = match limit {
                    Limit::Now => SendFail::Full(item),
                    _ => SendFail::Timeout(item),
                };
                return Err(self.put_failed(&s, label, fail));
            }
        }
        s.sent = n;
        s.items.push_back((item, n));
        emit::emit(Op::PutEnd {
            ok: true,
            o: self.o,
            depth: s.items.len() as u64,
            item: label,
        });
        self.filled.notify_all();
        if s.cap == Some(0) {
            // Handed over directly: the sender goes on once a receiver has it.
            while s.taken < n && s.receivers > 0 {
                self.emptied.wait(&mut s);
            }
        }
        Ok(())
    }

    fn put_failed(&self, s: &State<T>, label: String, fail: SendFail<T>) -> SendFail<T> {
        emit::emit(Op::PutEnd {
            ok: false,
            o: self.o,
            depth: s.items.len() as u64,
            item: label,
        });
        fail
    }

    pub fn recv(&self, limit: Limit, at: &Location<'_>) -> Result<T, RecvFail> {
        let timed = !matches!(limit, Limit::Forever);
        gate::ask(Next::Get, Ask::on(self.o).timed(timed), Some(at));
        let mut s = self.state.lock();
        emit::emit(Op::GetBegin { o: self.o });
        loop {
            if let Some((item, n)) = s.items.pop_front() {
                s.taken = n;
                emit::emit(Op::GetEnd {
                    ok: true,
                    o: self.o,
                    depth: s.items.len() as u64,
                    item: Some(self.label_of(&item, n)),
                });
                self.emptied.notify_all();
                return Ok(item);
            }
            let fail = if s.senders == 0 {
                Some(RecvFail::Disconnected)
            } else {
                s.waiting += 1;
                self.emptied.notify_all(); // a zero-capacity try_send may go now
                let woken = wait(&self.filled, &mut s, limit);
                s.waiting -= 1;
                match (woken, limit) {
                    (true, _) => None,
                    (false, Limit::Now) => Some(RecvFail::Empty),
                    (false, _) => Some(RecvFail::Timeout),
                }
            };
            if let Some(fail) = fail {
                // One last look: an item may have come with the timeout.
                if s.items.is_empty() {
                    emit::emit(Op::GetEnd {
                        ok: false,
                        o: self.o,
                        depth: 0,
                        item: None,
                    });
                    return Err(fail);
                }
            }
        }
    }

    /// Messages waiting (a zero-capacity channel is always empty, as crossbeam's is: the
    /// one in hand is already its receiver's).
    pub fn len(&self) -> usize {
        let s = self.state.lock();
        if s.cap == Some(0) { 0 } else { s.items.len() }
    }

    pub fn capacity(&self) -> Option<usize> {
        self.state.lock().cap
    }

    /// Full when there is no room (a zero-capacity channel always, as crossbeam's).
    pub fn is_full(&self) -> bool {
        let s = self.state.lock();
        s.cap == Some(0) || !s.has_room()
    }

    pub fn add_sender(&self) {
        self.state.lock().senders += 1;
    }

    pub fn add_receiver(&self) {
        self.state.lock().receivers += 1;
    }

    pub fn drop_sender(&self) {
        let mut s = self.state.lock();
        s.senders -= 1;
        if s.senders == 0 {
            self.filled.notify_all();
        }
    }

    pub fn drop_receiver(&self) {
        let mut s = self.state.lock();
        s.receivers -= 1;
        if s.receivers == 0 {
            self.emptied.notify_all();
        }
    }
}

impl<T> State<T> {
    fn has_room(&self) -> bool {
        match self.cap {
            None => true,
            // A zero-capacity send goes only to a receiver that waits (`send` checks).
            Some(0) => self.items.is_empty(),
            Some(c) => self.items.len() < c,
        }
    }
}

/// Waits on `cv` within `limit`; false once the limit has passed (at once for `Now`).
fn wait<T>(cv: &Condvar, s: &mut MutexGuard<'_, State<T>>, limit: Limit) -> bool {
    match limit {
        Limit::Forever => {
            cv.wait(s);
            true
        }
        Limit::Until(deadline) => !cv.wait_until(s, deadline).timed_out(),
        Limit::Now => false,
    }
}

/// Labels are cut short as the Python shim's are: 60 characters at most.
fn cut(s: String) -> String {
    if s.chars().count() <= 60 {
        return s;
    }
    let mut out: String = s.chars().take(57).collect();
    out.push_str("...");
    out
}

impl<T> SendFail<T> {
    pub fn into_send(self) -> SendError<T> {
        match self {
            SendFail::Full(t) | SendFail::Timeout(t) | SendFail::Disconnected(t) => SendError(t),
        }
    }
    pub fn into_try(self) -> TrySendError<T> {
        match self {
            SendFail::Full(t) | SendFail::Timeout(t) => TrySendError::Full(t),
            SendFail::Disconnected(t) => TrySendError::Disconnected(t),
        }
    }
    pub fn into_timeout(self) -> SendTimeoutError<T> {
        match self {
            SendFail::Full(t) | SendFail::Timeout(t) => SendTimeoutError::Timeout(t),
            SendFail::Disconnected(t) => SendTimeoutError::Disconnected(t),
        }
    }
}

impl RecvFail {
    pub fn into_recv(self) -> RecvError {
        RecvError
    }
    pub fn into_try(self) -> TryRecvError {
        match self {
            RecvFail::Empty | RecvFail::Timeout => TryRecvError::Empty,
            RecvFail::Disconnected => TryRecvError::Disconnected,
        }
    }
    pub fn into_timeout(self) -> RecvTimeoutError {
        match self {
            RecvFail::Empty | RecvFail::Timeout => RecvTimeoutError::Timeout,
            RecvFail::Disconnected => RecvTimeoutError::Disconnected,
        }
    }
}
