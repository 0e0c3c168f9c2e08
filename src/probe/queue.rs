//! `Queue` (Python's `queue.Queue`, `LifoQueue`, `PriorityQueue`): one type, three orders,
//! an optional maxsize, and `task_done`/`join` counting unfinished tasks.

use super::core::{Core, declare};
use super::schedule::Next;
use super::session::{Res, current_worker};
use super::wait::{secs_to_ns, wait_while};
use crate::event::{ObjectKind, Op};
use std::collections::VecDeque;
use std::fmt::Display;
use std::sync::Arc;

/// Which item `get` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Fifo,
    Lifo,
    /// Lowest priority number first; equal ones in put order.
    Priority,
}

/// What a queue can carry: anything with a label to draw; a priority for priority queues.
pub trait Item: Send + 'static {
    fn label(&self) -> String;
    fn priority(&self) -> i64 {
        0
    }
}

macro_rules! display_item {
    ($($t:ty),*) => { $(impl Item for $t { fn label(&self) -> String { self.to_string() } })* };
}
display_item!(String, &'static str, i32, i64, u32, u64, usize);

/// Python's `(priority, data)` tuples.
impl<T: Display + Send + 'static> Item for (i64, T) {
    fn label(&self) -> String {
        format!("({}, {})", self.0, self.1)
    }
    fn priority(&self) -> i64 {
        self.0
    }
}

struct Entry<T> {
    seq: u64,
    label: String,
    item: T,
    priority: i64,
}

struct Contents<T> {
    items: VecDeque<Entry<T>>,
    unfinished: u64,
    seq: u64,
}

pub struct Queue<T: Item> {
    core: Arc<Core<Contents<T>>>,
    order: Order,
    maxsize: u64,
}

impl<T: Item> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            core: self.core.clone(),
            order: self.order,
            maxsize: self.maxsize,
        }
    }
}

impl<T: Item> Queue<T> {
    /// A FIFO queue; `maxsize` 0 means unbounded, as in Python.
    pub fn new(name: &str, maxsize: u64) -> Queue<T> {
        Queue::with_order(name, Order::Fifo, maxsize)
    }

    pub fn lifo(name: &str, maxsize: u64) -> Queue<T> {
        Queue::with_order(name, Order::Lifo, maxsize)
    }

    pub fn priority(name: &str, maxsize: u64) -> Queue<T> {
        Queue::with_order(name, Order::Priority, maxsize)
    }

    pub fn with_order(name: &str, order: Order, maxsize: u64) -> Queue<T> {
        let kind = match order {
            Order::Fifo => ObjectKind::Queue,
            Order::Lifo => ObjectKind::LifoQueue,
            Order::Priority => ObjectKind::PriorityQueue,
        };
        let st = Contents {
            items: VecDeque::new(),
            unfinished: 0,
            seq: 0,
        };
        Queue {
            core: declare(name, kind, Some(maxsize), st),
            order,
            maxsize,
        }
    }

    fn full(&self, st: &Contents<T>) -> bool {
        self.maxsize > 0 && st.items.len() as u64 >= self.maxsize
    }

    /// Blocks while the queue is full.
    pub fn put(&self, item: T) -> Res<()> {
        self.put_inner(item, true, None).map(|_| ())
    }

    /// Python's `put_nowait`: false (and the item dropped) if full.
    pub fn put_nowait(&self, item: T) -> Res<bool> {
        self.put_inner(item, false, None)
    }

    fn put_inner(&self, item: T, blocking: bool, timeout_ns: Option<u64>) -> Res<bool> {
        let me = current_worker();
        let o = self.core.id;
        me.gate("put", Some(o))?;
        let label = item.label();
        let mut st = self.core.state.lock();
        me.emit(Op::PutBegin {
            o,
            item: label.clone(),
        });
        let ok = if blocking {
            let maxsize = self.maxsize;
            let full = move |s: &Contents<T>| maxsize > 0 && s.items.len() as u64 >= maxsize;
            let next = Next {
                op: "put",
                o: Some(o),
            };
            wait_while(&me, &self.core, &mut st, next, timeout_ns, full)?
        } else {
            !self.full(&st)
        };
        if ok {
            st.seq += 1;
            let entry = Entry {
                seq: st.seq,
                priority: item.priority(),
                label: label.clone(),
                item,
            };
            st.items.push_back(entry);
            st.unfinished += 1;
            self.core.cv.notify_all();
        }
        let depth = st.items.len() as u64;
        me.emit(Op::PutEnd {
            o,
            item: label,
            depth,
            ok,
        });
        Ok(ok)
    }

    /// Blocks while the queue is empty.
    pub fn get(&self) -> Res<T> {
        let got = self.get_inner(true, None)?;
        Ok(got.expect("a blocking get without timeout returns an item"))
    }

    /// Python's `get_nowait`: None if empty.
    pub fn get_nowait(&self) -> Res<Option<T>> {
        self.get_inner(false, None)
    }

    /// Python's `get(timeout=secs)`: None if nothing came in time (virtual seconds).
    pub fn get_timeout(&self, secs: f64) -> Res<Option<T>> {
        self.get_inner(true, Some(secs_to_ns(secs)))
    }

    fn get_inner(&self, blocking: bool, timeout_ns: Option<u64>) -> Res<Option<T>> {
        let me = current_worker();
        let o = self.core.id;
        me.gate("get", Some(o))?;
        let mut st = self.core.state.lock();
        me.emit(Op::GetBegin { o });
        let ok = if blocking {
            let next = Next {
                op: "get",
                o: Some(o),
            };
            wait_while(
                &me,
                &self.core,
                &mut st,
                next,
                timeout_ns,
                |s: &Contents<T>| s.items.is_empty(),
            )?
        } else {
            !st.items.is_empty()
        };
        let entry = if ok { self.take(&mut st) } else { None };
        if entry.is_some() {
            self.core.cv.notify_all();
        }
        me.emit(Op::GetEnd {
            o,
            item: entry.as_ref().map(|e| e.label.clone()),
            depth: st.items.len() as u64,
            ok: entry.is_some(),
        });
        Ok(entry.map(|e| e.item))
    }

    fn take(&self, st: &mut Contents<T>) -> Option<Entry<T>> {
        match self.order {
            Order::Fifo => st.items.pop_front(),
            Order::Lifo => st.items.pop_back(),
            Order::Priority => {
                let i = st
                    .items
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, e)| (e.priority, e.seq))
                    .map(|(i, _)| i)?;
                st.items.remove(i)
            }
        }
    }

    /// Marks one item taken earlier as processed (Python's `task_done`).
    pub fn task_done(&self) -> Res<()> {
        let me = current_worker();
        let o = self.core.id;
        me.gate("task_done", Some(o))?;
        let mut st = self.core.state.lock();
        if st.unfinished == 0 {
            panic!("task_done() called too many times (Python: ValueError)");
        }
        st.unfinished -= 1;
        me.emit(Op::TaskDone {
            o,
            unfinished: st.unfinished,
        });
        if st.unfinished == 0 {
            self.core.cv.notify_all();
        }
        Ok(())
    }

    /// Blocks until every item put has been marked done (Python's `Queue.join`).
    pub fn join(&self) -> Res<()> {
        let me = current_worker();
        let o = self.core.id;
        me.gate("join", Some(o))?;
        let mut st = self.core.state.lock();
        me.emit(Op::QueueJoinBegin { o });
        let next = Next {
            op: "join",
            o: Some(o),
        };
        wait_while(&me, &self.core, &mut st, next, None, |s: &Contents<T>| {
            s.unfinished > 0
        })?;
        me.emit(Op::QueueJoinEnd { o });
        Ok(())
    }

    pub fn qsize(&self) -> usize {
        self.core.state.lock().items.len()
    }

    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }
}
