//! `Queue`: an async FIFO queue (Python's `asyncio.Queue`), bounded or not. `put` awaits
//! room, `get` awaits an item; both hand over in the order tasks came (tokio's fair
//! semaphores count the items and the free places).

use super::task::{Stoppable, current_task, declare};
use crate::event::{ObjectId, ObjectKind, Op};
use crate::probe::session::Res;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Display;
use std::rc::Rc;
use tokio::sync::Semaphore;

pub struct Queue<T> {
    inner: Rc<Inner<T>>,
}

struct Inner<T> {
    o: ObjectId,
    items: RefCell<VecDeque<T>>,
    /// One permit per item in the queue.
    filled: Semaphore,
    /// One permit per free place; none for an unbounded queue.
    room: Option<Semaphore>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Queue<T> {
        Queue {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Display> Queue<T> {
    /// A queue of at most `maxsize` items (0: unbounded), as Python's.
    pub fn new(name: &str, maxsize: usize) -> Queue<T> {
        let o = declare(name, ObjectKind::Queue, Some(maxsize as u64));
        Queue {
            inner: Rc::new(Inner {
                o,
                items: RefCell::new(VecDeque::new()),
                filled: Semaphore::new(0),
                room: (maxsize > 0).then(|| Semaphore::new(maxsize)),
            }),
        }
    }

    /// Puts `item` at the back, awaiting room while the queue is full.
    pub async fn put(&self, item: T) -> Res<()> {
        let me = current_task();
        let q = &*self.inner;
        let o = q.o;
        me.gate("put", Some(o))?;
        let text = item.to_string();
        me.emit(Op::PutBegin {
            o,
            item: text.clone(),
        });
        if let Some(room) = &q.room {
            match Stoppable::new(&me, room.acquire()).await? {
                Ok(place) => place.forget(),
                Err(_) => unreachable!("a queue's semaphores are never closed"),
            }
        }
        q.items.borrow_mut().push_back(item);
        let depth = q.items.borrow().len() as u64;
        me.emit(Op::PutEnd {
            ok: true,
            o,
            depth,
            item: text,
        });
        q.filled.add_permits(1);
        Ok(())
    }

    /// Takes the item at the front, awaiting one while the queue is empty.
    pub async fn get(&self) -> Res<T> {
        let me = current_task();
        let q = &*self.inner;
        let o = q.o;
        me.gate("get", Some(o))?;
        me.emit(Op::GetBegin { o });
        match Stoppable::new(&me, q.filled.acquire()).await? {
            Ok(item) => item.forget(),
            Err(_) => unreachable!("a queue's semaphores are never closed"),
        }
        let item = q
            .items
            .borrow_mut()
            .pop_front()
            .expect("a permit of `filled` stands for an item in the queue");
        let depth = q.items.borrow().len() as u64;
        me.emit(Op::GetEnd {
            ok: true,
            o,
            depth,
            item: Some(item.to_string()),
        });
        if let Some(room) = &q.room {
            room.add_permits(1);
        }
        Ok(item)
    }
}
