//! What every primitive is made of: an id, its state behind a parking_lot mutex, a condvar
//! its waiters park on (woken by the runner to stop them), and one word of lock-free state
//! for a primitive with an uncontended fast path (Lock and RLock keep their owner there).

use super::session::{Wake, current_worker};
use crate::event::{ObjectId, ObjectKind};
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Weak};

pub(crate) struct Core<S> {
    pub id: ObjectId,
    pub state: Mutex<S>,
    pub cv: Condvar,
    pub word: AtomicU64,
}

impl<S: Send> Wake for Core<S> {
    fn wake(&self) {
        let _g = self.state.lock();
        self.cv.notify_all();
    }
}

/// Declares the object in the current worker's session and registers it for stop wake-ups.
pub(crate) fn declare<S: Send + 'static>(
    name: &str,
    kind: ObjectKind,
    capacity: Option<u64>,
    state: S,
) -> Arc<Core<S>> {
    let me = current_worker();
    let id = me.session.declare_object(me.w(), name, kind, capacity);
    let core = Arc::new(Core {
        id,
        state: Mutex::new(state),
        cv: Condvar::new(),
        word: AtomicU64::new(0),
    });
    let weak: Weak<dyn Wake> = Arc::downgrade(&core) as Weak<dyn Wake>;
    me.session.register(weak);
    core
}
