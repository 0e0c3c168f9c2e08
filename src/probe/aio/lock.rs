//! `Lock`: an async lock (Python's `asyncio.Lock`) over tokio's fair mutex. A task that
//! finds it taken awaits — gives its thread to another task — and gets it in turn, first
//! come first served.

use super::task::{Stoppable, current_task, declare};
use crate::event::{ObjectId, ObjectKind, Op};
use crate::probe::session::{CurrentWorker, Res};
use std::rc::Rc;
use std::sync::Arc;

#[derive(Clone)]
pub struct Lock {
    o: ObjectId,
    m: Arc<tokio::sync::Mutex<()>>,
}

/// A held lock (`async with lock:`): released when dropped.
pub struct LockGuard {
    o: ObjectId,
    by: Rc<CurrentWorker>,
    _held: tokio::sync::OwnedMutexGuard<()>,
}

impl Lock {
    pub fn new(name: &str) -> Lock {
        let o = declare(name, ObjectKind::Lock, None);
        Lock {
            o,
            m: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Takes the lock, awaiting it while another task holds it.
    pub async fn acquire(&self) -> Res<LockGuard> {
        let me = current_task();
        let o = self.o;
        me.gate("acquire", Some(o))?;
        me.emit(Op::AcquireBegin { o });
        let held = Stoppable::new(&me, self.m.clone().lock_owned()).await?;
        me.emit(Op::AcquireEnd {
            ok: true,
            o,
            depth: None,
            value: None,
        });
        Ok(LockGuard {
            o,
            by: me,
            _held: held,
        })
    }
}

impl Drop for LockGuard {
    /// The release is said before the lock is free (the guard's field drops after this).
    fn drop(&mut self) {
        self.by.emit(Op::Release {
            o: self.o,
            depth: None,
            value: None,
        });
    }
}
