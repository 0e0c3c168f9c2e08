//! What the scheduler of a traced program needs from its event lines, read as they arrive
//! (before the ingest's hold puts them in time order): who was declared and who ended, who
//! holds which lock, a semaphore's slots, an event's flag, a queue's depth, who waits on a
//! condition. Within one process lines come in the order they happened, and a seeded run
//! decides only once every running thread has parked, so what is read here is up to date.
//!
//! Read only while the gates are in use: a program that is never stepped or seeded pays
//! nothing for it.

use crate::event::{ObjectId, Op, WorkerId};
use crate::source::ingest::Ingest;
use serde_json::Value;

/// One fact, its ids already the run's.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Fact {
    pub pid: u32,
    pub w: WorkerId,
    pub what: What,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum What {
    Worker {
        name: String,
        thread: bool,
    },
    Object {
        o: ObjectId,
        kind: String,
        name: String,
        capacity: Option<i64>,
    },
    /// `read`: a reader of an rwlock (which any number may be at once).
    AcquireEnd {
        o: ObjectId,
        ok: bool,
        read: bool,
    },
    Release {
        o: ObjectId,
        depth: Option<u64>,
        read: bool,
    },
    Set(ObjectId),
    Clear(ObjectId),
    /// An item went in or came out: the queue's depth now.
    Depth {
        o: ObjectId,
        depth: u64,
    },
    WaitBegin(ObjectId),
    WaitEnd(ObjectId),
    Notify {
        o: ObjectId,
        n: Option<u64>,
    },
    Exit,
}

/// The ops a fact is made of: any other line is skipped before it is parsed.
const WANTED: &[&[u8]] = &[
    b"\"op\":\"worker\"",
    b"\"op\":\"object\"",
    b"\"op\":\"acquire_end\"",
    b"\"op\":\"release\"",
    b"\"op\":\"set\"",
    b"\"op\":\"clear\"",
    b"\"op\":\"put_end\"",
    b"\"op\":\"get_end\"",
    b"\"op\":\"wait_begin\"",
    b"\"op\":\"wait_end\"",
    b"\"op\":\"notify",
    b"\"op\":\"exit\"",
];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The fact a record of a frame says (see `ingest::packed`): a lock taken or given back.
pub(super) fn of_record(pid: u32, bytes: &[u8], ingest: &mut Ingest) -> Option<Fact> {
    let r = crate::source::ingest::packed::record(pid, bytes).ok()?;
    let ev = r.then.as_ref().unwrap_or(&r.ev);
    let o = ingest.object_of(r.opid, ev.op.object()?);
    let what = match &ev.op {
        Op::AcquireEnd { ok, .. } => What::AcquireEnd {
            o,
            ok: *ok,
            read: false,
        },
        Op::Release { depth, .. } => What::Release {
            o,
            depth: depth.map(u64::from),
            read: false,
        },
        _ => return None,
    };
    Some(Fact {
        pid,
        w: ingest.worker_of(pid, ev.w),
        what,
    })
}

/// The fact an event line says, if it says one the scheduler needs.
pub(super) fn read(bytes: &[u8], ingest: &mut Ingest) -> Option<Fact> {
    if !WANTED.iter().any(|n| contains(bytes, n)) {
        return None;
    }
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let num = |k: &str| v.get(k).and_then(Value::as_u64);
    let id = |k: &str| num(k).and_then(|n| u32::try_from(n).ok());
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let pid = id("pid")?;
    let w = ingest.worker_of(id("wpid").unwrap_or(pid), id("w")?);
    let opid = id("opid").unwrap_or(pid);
    let read = v.get("read").and_then(Value::as_bool).unwrap_or(false);
    let mut obj = || id("o").map(|o| ingest.object_of(opid, o));
    let what = match v.get("op")?.as_str()? {
        "worker" => What::Worker {
            name: text("name"),
            thread: matches!(
                v.get("kind").and_then(Value::as_str),
                Some("thread" | "main")
            ),
        },
        "object" => What::Object {
            o: obj()?,
            kind: text("kind"),
            name: text("name"),
            capacity: v.get("capacity").and_then(Value::as_i64),
        },
        "acquire_end" => What::AcquireEnd {
            o: obj()?,
            ok: v.get("ok").and_then(Value::as_bool).unwrap_or(true),
            read,
        },
        "release" => What::Release {
            o: obj()?,
            depth: num("depth"),
            read,
        },
        "set" => What::Set(obj()?),
        "clear" => What::Clear(obj()?),
        "put_end" | "get_end" => What::Depth {
            o: obj()?,
            depth: num("depth")?,
        },
        "wait_begin" => What::WaitBegin(obj()?),
        "wait_end" => What::WaitEnd(obj()?),
        "notify" => What::Notify {
            o: obj()?,
            n: num("n"),
        },
        "notify_all" => What::Notify { o: obj()?, n: None },
        "exit" => What::Exit,
        _ => return None,
    };
    Some(Fact { pid, w, what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_the_scheduler_needs_is_read_and_the_rest_skipped() {
        let mut ingest = Ingest::timed(100, std::time::Duration::ZERO, 0);
        let line = br#"{"t":5,"pid":100,"w":1,"op":"acquire_end","o":3,"ok":true}"#;
        let f = read(line, &mut ingest).expect("a fact");
        assert_eq!(f.pid, 100);
        assert!(matches!(f.what, What::AcquireEnd { ok: true, .. }));
        let say = br#"{"t":5,"pid":100,"w":1,"op":"say","text":"\"op\":\"exitx"}"#;
        assert_eq!(read(say, &mut ingest), None);
    }

    #[test]
    fn a_lock_record_is_read_as_its_line_would_be() {
        use crate::source::ingest::packed::{ACQUIRE_BEGIN, ACQUIRED, RELEASE};
        let mut ingest = Ingest::timed(100, std::time::Duration::ZERO, 0);
        let rec = |code: i64, extra: i64| -> Vec<u8> {
            [5, 1, code, 3, 100, extra]
                .iter()
                .flat_map(|x: &i64| x.to_le_bytes())
                .collect()
        };
        let line = br#"{"t":5,"pid":100,"w":1,"op":"acquire_end","o":3,"ok":true,"depth":1}"#;
        let want = read(line, &mut ingest).expect("a fact");
        assert_eq!(of_record(100, &rec(ACQUIRED, 2), &mut ingest), Some(want));
        assert_eq!(of_record(100, &rec(ACQUIRE_BEGIN, 0), &mut ingest), None);
        let f = of_record(100, &rec(RELEASE, 1), &mut ingest).expect("a fact");
        assert!(matches!(f.what, What::Release { depth: Some(0), .. }));
    }
}
