//! `Event` (Python's `threading.Event`): a flag that workers wait for. Drawn as a traffic
//! light: red while cleared, green once set.

use super::core::{Core, declare};
use super::schedule::Next;
use super::session::{Res, current_worker};
use super::wait::{secs_to_ns, wait_while};
use crate::event::{ObjectKind, Op};
use std::sync::Arc;

struct Flag {
    flag: bool,
    /// Bumped by every `set`: a waiter wakes on a set even if a clear follows at once,
    /// as in Python.
    sets: u64,
}

#[derive(Clone)]
pub struct Event {
    core: Arc<Core<Flag>>,
}

impl Event {
    pub fn new(name: &str) -> Event {
        Event {
            core: declare(
                name,
                ObjectKind::Event,
                None,
                Flag {
                    flag: false,
                    sets: 0,
                },
            ),
        }
    }

    pub fn set(&self) -> Res<()> {
        let me = current_worker();
        me.gate("set", Some(self.core.id))?;
        let mut st = self.core.state.lock();
        st.flag = true;
        st.sets += 1;
        me.emit(Op::Set { o: self.core.id });
        self.core.cv.notify_all();
        Ok(())
    }

    pub fn clear(&self) -> Res<()> {
        let me = current_worker();
        me.gate("clear", Some(self.core.id))?;
        let mut st = self.core.state.lock();
        st.flag = false;
        me.emit(Op::Clear { o: self.core.id });
        Ok(())
    }

    pub fn is_set(&self) -> bool {
        self.core.state.lock().flag
    }

    /// Blocks until the flag is set (returns at once if it is).
    pub fn wait(&self) -> Res<()> {
        self.wait_inner(None).map(|_| ())
    }

    /// Python's `wait(timeout)`: true if the flag was set in time (virtual seconds).
    pub fn wait_timeout(&self, secs: f64) -> Res<bool> {
        self.wait_inner(Some(secs_to_ns(secs)))
    }

    fn wait_inner(&self, timeout_ns: Option<u64>) -> Res<bool> {
        let me = current_worker();
        let o = self.core.id;
        me.gate("wait", Some(o))?;
        let mut st = self.core.state.lock();
        me.emit(Op::WaitBegin { o });
        let seen = st.sets;
        let next = Next {
            op: "wait",
            o: Some(o),
        };
        let ok = wait_while(
            &me,
            &self.core,
            &mut st,
            next,
            timeout_ns,
            move |s: &Flag| !s.flag && s.sets == seen,
        )?;
        me.emit(Op::WaitEnd { o, ok });
        Ok(ok)
    }
}
