//! Where an object was made and what it is called: `src/bank.rs:14` (the caller's place,
//! from `#[track_caller]`) unless the program names it. The object is declared to the viewer
//! the first time it is used while traced, so a `static` made by a `const fn` is shown too.
//!
//! Costs nothing untraced beyond its few bytes; must not block or call user code.

use super::emit;
use crate::event::{ObjectId, ObjectKind};
use std::borrow::Cow;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};

pub(crate) struct Site {
    /// The object's id once declared (0: not yet).
    id: AtomicU32,
    made: &'static Location<'static>,
    name: Option<Cow<'static, str>>,
}

impl Site {
    /// The caller's caller: the line of the program that made the object.
    #[track_caller]
    pub(crate) const fn here() -> Site {
        Site {
            id: AtomicU32::new(0),
            made: Location::caller(),
            name: None,
        }
    }

    pub(crate) fn named(mut self, name: Cow<'static, str>) -> Site {
        self.name = Some(name);
        self
    }

    /// The object's id, declared now (from the calling thread) if it is the first use.
    #[inline]
    pub(crate) fn id(&self, kind: ObjectKind, capacity: Option<u64>) -> ObjectId {
        match self.id.load(Ordering::Acquire) {
            0 => self.declare(kind, capacity),
            id => id,
        }
    }

    /// One declaration even if two threads use the object first at once: the lock makes
    /// the loser wait until the declaration is stamped, so its own events come after it.
    #[cold]
    fn declare(&self, kind: ObjectKind, capacity: Option<u64>) -> ObjectId {
        static DECLARING: parking_lot::Mutex<()> = parking_lot::Mutex::new(());
        let _g = DECLARING.lock();
        match self.id.load(Ordering::Acquire) {
            0 => {
                let id = emit::declare_object(self.label(), kind, capacity);
                self.id.store(id, Ordering::Release);
                id
            }
            id => id,
        }
    }

    /// Its name, or where it was made (`src/bank.rs:14`).
    pub(crate) fn label(&self) -> String {
        match &self.name {
            Some(n) => n.to_string(),
            None => format!("{}:{}", self.made.file(), self.made.line()),
        }
    }
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}
