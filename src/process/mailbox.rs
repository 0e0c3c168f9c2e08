//! Where messages between processes wait to be received: by connection, beside the children
//! that have ended (a receive from an ended child gives up). One receive for every end of a
//! connection: the parent's (`Conn`, `Inbox`) and the child's (`child::Conn`).
//!
//! Must not: read or write a pipe; the link (parent) and the stdin reader (child) deliver.

use super::spawn::Ended;
use crate::event::{ObjectId, Op};
use crate::probe::core::Core;
use crate::probe::schedule::Next;
use crate::probe::session::{Res, Session, Wake, current_worker};
use crate::probe::wait::wait_while;
use parking_lot::{Condvar, Mutex};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};

/// Messages by connection (names are unique in a run), and how each child ended (by pid).
#[derive(Default)]
pub(crate) struct Mailbox {
    pub inbox: HashMap<String, VecDeque<Value>>,
    pub ended: HashMap<u32, Ended>,
}

/// A mailbox of session `s`: its receivers wake when the run stops them.
pub(crate) fn new_mailbox(s: &Session) -> Arc<Core<Mailbox>> {
    let core = Arc::new(Core {
        id: 0,
        state: Mutex::new(Mailbox::default()),
        cv: Condvar::new(),
        word: Default::default(),
    });
    s.register(Arc::downgrade(&core) as Weak<dyn Wake>);
    core
}

/// Puts `v` in the mailbox for connection `conn` and wakes its receivers.
pub(crate) fn deliver(mailbox: &Core<Mailbox>, conn: String, v: Value) {
    mailbox
        .state
        .lock()
        .inbox
        .entry(conn)
        .or_default()
        .push_back(v);
    mailbox.cv.notify_all();
}

/// Receives the next message on connection `conn`, drawn as pipe object `o` on the current
/// worker's lane (`recv_begin`, `recv_end`). With `from`, gives up (`None`) once that child
/// has ended with nothing left to read; without, waits until a message comes.
pub(crate) fn recv(
    mailbox: &Arc<Core<Mailbox>>,
    o: ObjectId,
    conn: &str,
    from: Option<u32>,
) -> Res<Option<Value>> {
    let me = current_worker();
    me.gate("recv", Some(o))?;
    me.emit(Op::RecvBegin { o });
    let mut g = mailbox.state.lock();
    let name = conn.to_string();
    let next = Next {
        op: "recv",
        o: Some(o),
    };
    wait_while(&me, mailbox, &mut g, next, None, move |m: &Mailbox| {
        from.is_none_or(|pid| !m.ended.contains_key(&pid))
            && m.inbox.get(&name).is_none_or(|q| q.is_empty())
    })?;
    let v = g.inbox.get_mut(conn).and_then(|q| q.pop_front());
    drop(g);
    me.emit(Op::RecvEnd {
        o,
        item: v.as_ref().map(label),
        ok: v.is_some(),
    });
    Ok(v)
}

/// A short label for a message, as the pipe shows it in flight.
pub fn label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => {
            let s = other.to_string();
            if s.chars().count() > 40 {
                s.chars().take(39).collect::<String>() + "…"
            } else {
                s
            }
        }
    }
}
