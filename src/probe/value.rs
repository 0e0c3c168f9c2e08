//! `Value`: a shared integer in plain shared memory, read and written as two separate
//! operations — exactly the read-modify-write that loses updates when two workers interleave.

use super::core::{Core, declare};
use super::session::{Res, current_worker};
use crate::event::{ObjectKind, Op};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The mutex in `Core` only orders the events; the number itself lives in an atomic that
/// every worker reads and writes directly, so nothing here prevents a lost update.
#[derive(Clone)]
pub struct Value {
    core: Arc<Core<()>>,
    cell: Arc<AtomicI64>,
}

impl Value {
    pub fn new(name: &str, initial: i64) -> Value {
        let v = Value {
            core: declare(name, ObjectKind::Value, None, ()),
            cell: Arc::new(AtomicI64::new(initial)),
        };
        current_worker().emit(Op::Write {
            o: v.core.id,
            value: initial.into(),
            index: None,
        });
        v
    }

    pub fn read(&self) -> Res<i64> {
        let me = current_worker();
        me.gate("read", Some(self.core.id))?;
        let _order = self.core.state.lock();
        let value = self.cell.load(Ordering::SeqCst);
        me.emit(Op::Read {
            o: self.core.id,
            value: value.into(),
            index: None,
        });
        Ok(value)
    }

    /// Writes `value` and returns the value it overwrote: if that is not what this worker
    /// read, another worker's update has just been thrown away.
    pub fn write(&self, value: i64) -> Res<i64> {
        let me = current_worker();
        me.gate("write", Some(self.core.id))?;
        let _order = self.core.state.lock();
        let before = self.cell.swap(value, Ordering::SeqCst);
        me.emit(Op::Write {
            o: self.core.id,
            value: value.into(),
            index: None,
        });
        Ok(before)
    }

    /// The value now, without an event (for the outcome).
    pub fn get(&self) -> i64 {
        self.cell.load(Ordering::SeqCst)
    }
}
