//! The few shapes every scenario repeats, named as Python names them, so that a scenario
//! file holds its lesson and little else:
//!
//! - `Thread::new("t1").args((&lock, &total)).start(move |(lock, total)| ...)`: Python's
//!   `Thread(target=..., args=(lock, total))`, each thread getting its own handles to the
//!   shared objects;
//! - `join_all(&threads)`: `for t in threads: t.join()`;
//! - `Counter`, `Gauge`, `Shared`: what a scenario counts on the side to state its outcome
//!   (the tutorial's globals).
//!
//! Nothing here emits an event or waits of its own: what the lanes show comes only from the
//! primitives the scenario calls, so the kit cannot change a run's stream.

use crate::probe::{Handle, Res, Thread};
use crate::process::Proc;
use parking_lot::Mutex;
use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// What a thread is given to work on: one shared object (`&lock`) or a tuple of them
/// (`(&lock, &total)`). Each is cloned for the thread, as Python passes references.
pub trait Args {
    type Owned: Send + 'static;
    fn owned(self) -> Self::Owned;
}

impl<A: Clone + Send + 'static> Args for &A {
    type Owned = A;
    fn owned(self) -> A {
        self.clone()
    }
}

macro_rules! tuple_args {
    ($($a:ident),+) => {
        impl<$($a: Clone + Send + 'static),+> Args for ($(&$a,)+) {
            type Owned = ($($a,)+);
            #[allow(non_snake_case)]
            fn owned(self) -> Self::Owned {
                let ($($a,)+) = self;
                ($($a.clone(),)+)
            }
        }
    };
}
tuple_args!(A, B);
tuple_args!(A, B, C);
tuple_args!(A, B, C, D);

/// `Thread(target=f, args=(...))`: the thread, and what its target is given.
pub trait ThreadArgs {
    fn args<A: Args>(self, args: A) -> WithArgs<A::Owned>;
}

impl ThreadArgs for Thread {
    fn args<A: Args>(self, args: A) -> WithArgs<A::Owned> {
        WithArgs {
            thread: self,
            args: args.owned(),
        }
    }
}

/// A thread waiting for its target: `start` runs `target(args)` on it.
pub struct WithArgs<A> {
    thread: Thread,
    args: A,
}

impl<A: Send + 'static> WithArgs<A> {
    pub fn start<F>(self, target: F) -> Res<Handle>
    where
        F: FnOnce(A) -> Res<()> + Send + 'static,
    {
        let args = self.args;
        self.thread.start(move || target(args))
    }
}

/// Something main can wait for: a thread or a child process.
pub trait Joinable {
    fn join(&self) -> Res<()>;
}

impl Joinable for Handle {
    fn join(&self) -> Res<()> {
        Handle::join(self)
    }
}

impl Joinable for Proc {
    /// How the process ended is dropped: a scenario that wants it joins the process itself.
    fn join(&self) -> Res<()> {
        Proc::join(self).map(drop)
    }
}

/// `for t in threads: t.join()`, in order.
pub fn join_all<J: Joinable>(handles: &[J]) -> Res<()> {
    for h in handles {
        h.join()?;
    }
    Ok(())
}

/// A number the workers add to and main reads at the end (lost updates, stops, products).
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicI64>);

impl Counter {
    pub fn add(&self, n: i64) {
        self.0.fetch_add(n, Ordering::SeqCst);
    }

    pub fn inc(&self) {
        self.add(1);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// How many workers are inside a stretch of code, and the most there ever were at once.
#[derive(Clone, Default)]
pub struct Gauge {
    inside: Arc<AtomicI64>,
    peak: Arc<AtomicI64>,
}

impl Gauge {
    /// One more inside; returns how many are inside now.
    pub fn enter(&self) -> i64 {
        let n = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(n, Ordering::SeqCst);
        n
    }

    pub fn leave(&self) {
        self.inside.fetch_sub(1, Ordering::SeqCst);
    }

    pub fn peak(&self) -> i64 {
        self.peak.load(Ordering::SeqCst)
    }
}

/// A value the workers fill in for main's outcome (a report, a ledger, a list of results).
pub type Shared<T> = Arc<Mutex<T>>;

pub fn shared<T>(value: T) -> Shared<T> {
    Arc::new(Mutex::new(value))
}

/// `" ".join(map(str, values))`: results as an outcome states them.
pub fn spaced<T: Display>(values: &[T]) -> String {
    values
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
