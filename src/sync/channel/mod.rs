//! Channels with crossbeam-channel's API: `bounded`, `unbounded`, `Sender`, `Receiver`,
//! `send`/`recv` and their `try_`/`_timeout` forms, `len`, iteration. Untraced they are
//! crossbeam's own channels behind one branch; traced, a channel is a `queue` (with its
//! capacity when bounded) whose puts and gets the viewer sees in the channel's own order
//! (see `traced`).
//!
//! Items are labelled `TypeName#n` (the n-th sent on this channel) — never by running user
//! code. [`Sender::show_items`] opts in to `Debug` labels, cut to 60 characters; that
//! `Debug` then runs inside the channel's lock, so it must not block.
//!
//! A zero-capacity channel (`bounded(0)`) is shown as a `rendezvous`: a send waits, as a
//! `put`, until a receiver waits for it, and its item is in hand until that receiver has it.
//!
//! `select!` is not offered: crossbeam's waits on crossbeam's own channels, which a traced
//! channel is not (see `traced`), and the event vocabulary has one object per wait, so a
//! thread waiting on several channels at once has no faithful picture yet. Send one `enum`
//! over one channel instead (a variant per former channel), or poll with `recv_timeout`.

mod traced;

use super::emit;
use super::site::Site;
use crate::event::ObjectKind;
use std::borrow::Cow;
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};
use traced::{Chan, Limit};

pub use crossbeam_channel::{
    RecvError, RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError,
};

/// The sending side of a channel; clone it for more senders.
pub struct Sender<T> {
    flavor: Flavor<T, crossbeam_channel::Sender<T>>,
}

/// The receiving side of a channel; clone it for more receivers (each item goes to one).
pub struct Receiver<T> {
    flavor: Flavor<T, crossbeam_channel::Receiver<T>>,
}

enum Flavor<T, P> {
    Plain(P),
    Traced(Arc<Chan<T>>),
}

/// A channel holding at most `cap` messages (0: each is handed over directly).
#[track_caller]
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    make(Site::here(), Some(cap))
}

/// A channel with no limit on the messages it holds.
#[track_caller]
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    make(Site::here(), None)
}

/// [`bounded`], shown under `name` instead of where it was made.
#[track_caller]
pub fn bounded_named<T>(
    cap: usize,
    name: impl Into<Cow<'static, str>>,
) -> (Sender<T>, Receiver<T>) {
    make(Site::here().named(name.into()), Some(cap))
}

/// [`unbounded`], shown under `name` instead of where it was made.
#[track_caller]
pub fn unbounded_named<T>(name: impl Into<Cow<'static, str>>) -> (Sender<T>, Receiver<T>) {
    make(Site::here().named(name.into()), None)
}

fn make<T>(site: Site, cap: Option<usize>) -> (Sender<T>, Receiver<T>) {
    if !emit::on() {
        let (s, r) = match cap {
            Some(c) => crossbeam_channel::bounded(c),
            None => crossbeam_channel::unbounded(),
        };
        return (
            Sender {
                flavor: Flavor::Plain(s),
            },
            Receiver {
                flavor: Flavor::Plain(r),
            },
        );
    }
    // The wire's capacity 0 means unbounded; a zero-capacity channel is a rendezvous.
    let o = match cap {
        Some(0) => site.id(ObjectKind::Rendezvous, None),
        cap => site.id(ObjectKind::Queue, Some(cap.unwrap_or(0) as u64)),
    };
    let chan = Arc::new(Chan::new(o, cap, type_label::<T>));
    (
        Sender {
            flavor: Flavor::Traced(chan.clone()),
        },
        Receiver {
            flavor: Flavor::Traced(chan),
        },
    )
}

/// `Job#3`: the short name of the item's type and its number on the channel.
fn type_label<T>(_: &T, n: u64) -> String {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let short = base.rsplit("::").next().unwrap_or(base);
    format!("{short}#{n}")
}

fn debug_label<T: std::fmt::Debug>(item: &T, _: u64) -> String {
    format!("{item:?}")
}

impl<T> Sender<T> {
    /// Sends, waiting for room; fails (giving the message back) once no receiver is left.
    #[track_caller]
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        match &self.flavor {
            Flavor::Plain(s) => s.send(msg),
            Flavor::Traced(c) => c
                .send(msg, Limit::Forever, Location::caller())
                .map_err(|e| e.into_send()),
        }
    }

    #[track_caller]
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        match &self.flavor {
            Flavor::Plain(s) => s.try_send(msg),
            Flavor::Traced(c) => c
                .send(msg, Limit::Now, Location::caller())
                .map_err(|e| e.into_try()),
        }
    }

    #[track_caller]
    pub fn send_timeout(&self, msg: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        self.send_deadline(msg, Instant::now() + timeout)
    }

    #[track_caller]
    pub fn send_deadline(&self, msg: T, deadline: Instant) -> Result<(), SendTimeoutError<T>> {
        match &self.flavor {
            Flavor::Plain(s) => s.send_deadline(msg, deadline),
            Flavor::Traced(c) => c
                .send(msg, Limit::Until(deadline), Location::caller())
                .map_err(|e| e.into_timeout()),
        }
    }

    pub fn len(&self) -> usize {
        match &self.flavor {
            Flavor::Plain(s) => s.len(),
            Flavor::Traced(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_full(&self) -> bool {
        match &self.flavor {
            Flavor::Plain(s) => s.is_full(),
            Flavor::Traced(c) => c.is_full(),
        }
    }

    pub fn capacity(&self) -> Option<usize> {
        match &self.flavor {
            Flavor::Plain(s) => s.capacity(),
            Flavor::Traced(c) => c.capacity(),
        }
    }

    /// Labels this channel's items with their `Debug` (cut short) instead of `Type#n`. The
    /// `Debug` runs inside the channel's lock while traced: it must not block.
    pub fn show_items(self) -> Sender<T>
    where
        T: std::fmt::Debug,
    {
        if let Flavor::Traced(c) = &self.flavor {
            *c.label.lock() = debug_label::<T>;
        }
        self
    }
}

impl<T> Receiver<T> {
    /// Receives, waiting for a message; fails once the channel is empty and no sender is
    /// left.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        match &self.flavor {
            Flavor::Plain(r) => r.recv(),
            Flavor::Traced(c) => c
                .recv(Limit::Forever, Location::caller())
                .map_err(|e| e.into_recv()),
        }
    }

    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match &self.flavor {
            Flavor::Plain(r) => r.try_recv(),
            Flavor::Traced(c) => c
                .recv(Limit::Now, Location::caller())
                .map_err(|e| e.into_try()),
        }
    }

    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.recv_deadline(Instant::now() + timeout)
    }

    #[track_caller]
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        match &self.flavor {
            Flavor::Plain(r) => r.recv_deadline(deadline),
            Flavor::Traced(c) => c
                .recv(Limit::Until(deadline), Location::caller())
                .map_err(|e| e.into_timeout()),
        }
    }

    pub fn len(&self) -> usize {
        match &self.flavor {
            Flavor::Plain(r) => r.len(),
            Flavor::Traced(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_full(&self) -> bool {
        match &self.flavor {
            Flavor::Plain(r) => r.is_full(),
            Flavor::Traced(c) => c.is_full(),
        }
    }

    pub fn capacity(&self) -> Option<usize> {
        match &self.flavor {
            Flavor::Plain(r) => r.capacity(),
            Flavor::Traced(c) => c.capacity(),
        }
    }

    /// Messages as they come, until the channel is empty and disconnected.
    #[track_caller]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            rx: self,
            at: Location::caller(),
        }
    }

    /// Messages there now, without waiting.
    #[track_caller]
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter {
            rx: self,
            at: Location::caller(),
        }
    }

    /// One receive within `limit` for an iterator, said to be at `at` (where the loop is).
    fn next_at(&self, limit: Limit, at: &'static Location<'static>) -> Option<T> {
        match (&self.flavor, limit) {
            (Flavor::Plain(r), Limit::Now) => r.try_recv().ok(),
            (Flavor::Plain(r), _) => r.recv().ok(),
            (Flavor::Traced(c), _) => c.recv(limit, at).ok(),
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        let flavor = match &self.flavor {
            Flavor::Plain(s) => Flavor::Plain(s.clone()),
            Flavor::Traced(c) => {
                c.add_sender();
                Flavor::Traced(c.clone())
            }
        };
        Sender { flavor }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Receiver<T> {
        let flavor = match &self.flavor {
            Flavor::Plain(r) => Flavor::Plain(r.clone()),
            Flavor::Traced(c) => {
                c.add_receiver();
                Flavor::Traced(c.clone())
            }
        };
        Receiver { flavor }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Flavor::Traced(c) = &self.flavor {
            c.drop_sender();
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Flavor::Traced(c) = &self.flavor {
            c.drop_receiver();
        }
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Receiver { .. }")
    }
}

/// Blocking iterator over a [`Receiver`]'s messages; its receives are said to be where it
/// was made (the loop), in step mode.
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
    at: &'static Location<'static>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.next_at(Limit::Forever, self.at)
    }
}

/// Non-blocking iterator over the messages there now.
pub struct TryIter<'a, T> {
    rx: &'a Receiver<T>,
    at: &'static Location<'static>,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.next_at(Limit::Now, self.at)
    }
}

/// Owning blocking iterator.
pub struct IntoIter<T> {
    rx: Receiver<T>,
    at: &'static Location<'static>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.next_at(Limit::Forever, self.at)
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    #[track_caller]
    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            rx: self,
            at: Location::caller(),
        }
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    #[track_caller]
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
