//! `Event`: an async event (Python's `asyncio.Event`): `wait` awaits the flag, `set` wakes
//! every task awaiting it, `clear` lowers it again.

use super::task::{Stoppable, current_task, declare};
use crate::event::{ObjectId, ObjectKind, Op};
use crate::probe::session::Res;
use std::cell::Cell;
use std::rc::Rc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Event {
    inner: Rc<Inner>,
}

struct Inner {
    o: ObjectId,
    flag: Cell<bool>,
    notify: Notify,
}

impl Event {
    pub fn new(name: &str) -> Event {
        let o = declare(name, ObjectKind::Event, None);
        Event {
            inner: Rc::new(Inner {
                o,
                flag: Cell::new(false),
                notify: Notify::new(),
            }),
        }
    }

    pub fn is_set(&self) -> bool {
        self.inner.flag.get()
    }

    /// Raises the flag and wakes every task awaiting it.
    pub fn set(&self) -> Res<()> {
        let me = current_task();
        me.gate("set", Some(self.inner.o))?;
        self.inner.flag.set(true);
        me.emit(Op::Set { o: self.inner.o });
        self.inner.notify.notify_waiters();
        Ok(())
    }

    pub fn clear(&self) -> Res<()> {
        let me = current_task();
        me.gate("clear", Some(self.inner.o))?;
        self.inner.flag.set(false);
        me.emit(Op::Clear { o: self.inner.o });
        Ok(())
    }

    /// Awaits the flag (at once if it is up).
    pub async fn wait(&self) -> Res<()> {
        let me = current_task();
        let o = self.inner.o;
        me.gate("wait", Some(o))?;
        me.emit(Op::WaitBegin { o });
        loop {
            // Registered before the flag is read, so a set in between is not missed.
            let woken = self.inner.notify.notified();
            if self.inner.flag.get() {
                break;
            }
            Stoppable::new(&me, woken).await?;
        }
        me.emit(Op::WaitEnd { ok: true, o });
        Ok(())
    }
}
